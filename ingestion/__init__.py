"""Raw shop exports to Bronze Delta tables, and the CLI that runs the whole lakehouse."""
