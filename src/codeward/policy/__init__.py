"""Policy-as-code: schema, loader (layers, errors with file:line), evaluation (CEL), built-in packs."""
