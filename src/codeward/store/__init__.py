"""The store: audit chain, review queue and sessions, on SQLite or PostgreSQL."""
