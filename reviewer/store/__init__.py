"""The four-eyes store: SQLModel tables, the engine factory, migrations and the review service.

`reviewer.store.service.ReviewService` is the one entry point the CLI and the terminal app use.
"""
