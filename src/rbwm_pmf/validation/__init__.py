"""Validation: the rule catalogue, the named row records, the pandera schema and the report."""
