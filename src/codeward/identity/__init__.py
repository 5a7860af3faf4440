"""Who is asking: tokens and API keys -> a verified Actor."""
