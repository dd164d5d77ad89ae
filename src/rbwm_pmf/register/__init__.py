"""The framework register: loading it from YAML or Excel, checking it and caching a checked one."""
