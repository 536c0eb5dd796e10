"""Errors raised when one archive member is asked for and cannot be read safely."""

from __future__ import annotations

from reviewer.domain.errors import ReviewerError


class ArchiveError(ReviewerError):
    """A member (or the archive holding it) cannot be read safely; the message says why."""


class WavError(ReviewerError):
    """The bytes are not a WAV recording this reader can decode; the message says why."""
