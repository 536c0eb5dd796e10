"""Errors the core raises for input it cannot work with at all.

Each carries a one-line message meant for a person; the CLI prints it and exits 2.
"""


class ReviewerError(Exception):
    """Base for errors with a one-line, user-facing message."""


class RequestError(ReviewerError):
    """The request folder or its request.json cannot be read."""


def first_line(exc: BaseException | None) -> str:
    """The first line of an error's message, or its type's name when it has none. Database
    errors wrapped by SQLAlchemy speak through the driver's error they carry (`orig`)."""
    if exc is None:
        return "unknown error"
    inner = getattr(exc, "orig", None)
    if isinstance(inner, BaseException):
        exc = inner
    lines = str(exc).strip().splitlines()
    return (lines[0].strip() if lines else "") or type(exc).__name__
