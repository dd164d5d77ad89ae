"""Registers shipped with the package."""
