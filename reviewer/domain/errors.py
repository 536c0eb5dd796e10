"""Errors the core raises for input it cannot work with at all.

Each carries a one-line message meant for a person; the CLI prints it and exits 2.
"""


class ReviewerError(Exception):
    """Base for errors with a one-line, user-facing message."""


class RequestError(ReviewerError):
    """The request folder or its request.json cannot be read."""
