"""Why the code is being written: declared intent (trusted only as far as the verified role allows)
and inferred intent (from the project, the prompt and the session), each with its evidence."""
