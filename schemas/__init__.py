"""pandera schemas (YAML) for the framework register and the return rows."""
