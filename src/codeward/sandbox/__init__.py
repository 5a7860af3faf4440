"""Ephemeral, isolated runs of a snippet, and what they reveal about its behaviour."""
