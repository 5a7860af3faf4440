"""The doors into codeward: CLI, HTTP service, agent hooks, proxy, pre-commit. No policy logic lives here."""
