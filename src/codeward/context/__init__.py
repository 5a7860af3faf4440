"""Raw input (CLI arguments, HTTP bodies, hook payloads, dataset records) -> Subject + Context, with limits."""
