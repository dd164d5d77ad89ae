"""The framework register: loading it from YAML or Excel, checking it, caching it, and its Excel form."""
