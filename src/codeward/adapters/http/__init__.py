"""The HTTP service: the API, the dashboard, and the routes other gateways call (LiteLLM)."""
