"""Errors the review service raises; each message is one line meant for a person."""

from __future__ import annotations

from reviewer.domain.errors import ReviewerError


class StoreError(ReviewerError):
    """The store cannot be opened or used."""


class NotFound(StoreError):
    """No such request, version or reviewer."""


class SignInError(StoreError):
    """Sign-in refused (unknown name, wrong passphrase, disabled or locked out)."""


class KeyNotCertified(SignInError):
    """The passphrase verified against the store's hash but does not unlock the personal key
    the audit trail certified for the account: the account was changed in the store."""


class PermissionDenied(StoreError):
    """The signed-in person's role does not allow this."""


class SignOffError(StoreError):
    """The sign-off was refused; `reasons` lists why in plain words."""

    def __init__(self, reasons: list[str] | tuple[str, ...]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons) or "sign-off refused")


class ReleaseError(StoreError):
    """The release gate does not hold, or the archive changed since it was signed."""


class UserError(StoreError):
    """A reviewer cannot be added or changed as asked."""
