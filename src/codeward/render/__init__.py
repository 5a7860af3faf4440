"""A Decision as text for people, JSON for programs, SARIF for code-scanning UIs."""
