"""The audit trail's one error: an event, a key or a checkpoint file that cannot be written or
read."""

from __future__ import annotations

from reviewer.domain.errors import ReviewerError


class AuditError(ReviewerError):
    """The audit trail cannot be written or read (bad event, missing key, unreadable file)."""
