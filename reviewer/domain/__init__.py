"""The review core: reading exports, checks, sampling, sign-off rules and the audit chain.

Nothing in this package imports textual; an import-linter contract in pyproject.toml keeps it so.
"""
