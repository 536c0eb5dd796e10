"""The review service: the one facade the terminal app and the CLI use.

Every method opens its own short transaction, enforces the sign-off rules of
`reviewer.domain.signoff` (the database enforces them again with constraints), appends an audit
event for every action, and returns plain dataclasses (`reviewer.store.views`).

    svc = ReviewService.open(None)              # default store; migrated to the latest schema
    who = svc.sign_in("alice", passphrase)      # SignInError with a one-line reason
    rows = svc.queue()                          # list[QueueRow]
    d = svc.request_detail("DSAR-2018-0412")    # RequestDetail, no archive re-read
    svc.record_inspection("alice", d.version_id, "played", member, 2.4)
    g = svc.gate("alice", d.version_id)         # Gate: allowed, reasons, warnings, statement
    svc.sign_off("alice", passphrase, d.version_id, "approve", note, checklist, acks)
    svc.release("bob", "DSAR-2018-0412", outbox)

Methods are safe to call from worker threads: each call uses its own connection.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reviewer.domain.review import Review
from reviewer.domain.signoff import CHECKLIST, Decision, InspectionKind, Role
from reviewer.store.errors import (
    NotFound,
    PermissionDenied,
    ReleaseError,
    SignInError,
    SignOffError,
    StoreError,
    UserError,
)
from reviewer.store.views import (
    AuditStatus,
    Gate,
    IngestResult,
    Inspection,
    Policy,
    QueueRow,
    ReleaseReceipt,
    RequestDetail,
    ReviewerFigures,
    SignedIn,
    Signer,
    SignOffRow,
    UserRow,
)

__all__ = [
    "CHECKLIST",
    "AuditStatus",
    "Decision",
    "Gate",
    "IngestResult",
    "Inspection",
    "InspectionKind",
    "NotFound",
    "PermissionDenied",
    "Policy",
    "QueueRow",
    "ReleaseError",
    "ReleaseReceipt",
    "RequestDetail",
    "ReviewService",
    "ReviewerFigures",
    "Role",
    "SignInError",
    "SignOffError",
    "SignOffRow",
    "SignedIn",
    "Signer",
    "StoreError",
    "UserError",
    "UserRow",
]


class ReviewService:
    """Facade over one store (SQLite file or PostgreSQL database)."""

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, url: str | None = None) -> ReviewService:
        """Open the store at `url` (None: $REVIEWER_DB, else the user data dir), creating it
        or upgrading its schema to the latest migration."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    def is_demo(self) -> bool:
        """True only for a store built by `python -m reviewer.demo`."""
        raise NotImplementedError

    def demo_credentials(self) -> list[tuple[str, str, str]]:
        """(name, role, passphrase) of the demo reviewers; empty unless `is_demo()`."""
        raise NotImplementedError

    # ------------------------------------------------------------------ people

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase. Failures and lockouts (5 failures: 15 minutes) are audited."""
        raise NotImplementedError

    def add_user(self, name: str, role: Role | str, passphrase: str, *, actor: str) -> UserRow:
        raise NotImplementedError

    def list_users(self) -> list[UserRow]:
        raise NotImplementedError

    def disable_user(self, name: str, *, actor: str) -> UserRow:
        raise NotImplementedError

    # ------------------------------------------------------------------ ingest and queue

    def ingest(self, review: Review, archive_path: Path, *, actor: str) -> IngestResult:
        """Store a checked request. Unchanged archive: nothing new. Changed archive for a known
        request: a new version, and every earlier version's sign-offs are void."""
        raise NotImplementedError

    def queue(self) -> list[QueueRow]:
        raise NotImplementedError

    def request_detail(self, request_id: str) -> RequestDetail:
        """The current version of `request_id` (NotFound if unknown)."""
        raise NotImplementedError

    def version_detail(self, version_id: int) -> RequestDetail:
        raise NotImplementedError

    # ------------------------------------------------------------------ review and sign-off

    def record_inspection(
        self,
        reviewer: str,
        version_id: int,
        kind: InspectionKind | str,
        target: str,
        seconds: float = 0.0,
    ) -> None:
        """Evidence: `opened` (target: request id), `played` (audio member, seconds actually
        played), `viewed_transcript` (the recording's audio member), `viewed_member`."""
        raise NotImplementedError

    def gate(self, reviewer: str, version_id: int) -> Gate:
        raise NotImplementedError

    def sign_off(
        self,
        name: str,
        passphrase: str,
        version_id: int,
        decision: Decision | str,
        note: str = "",
        checklist: dict[str, bool] | None = None,
        acknowledgements: dict[str, str] | None = None,
    ) -> SignOffRow:
        """Approve or reject. The passphrase is checked again (SignInError); a refused gate
        raises SignOffError with every reason."""
        raise NotImplementedError

    def reject(self, name: str, passphrase: str, version_id: int, note: str) -> SignOffRow:
        return self.sign_off(name, passphrase, version_id, Decision.REJECT, note)

    def release(self, reviewer_name: str, request_id: str, outbox: Path) -> ReleaseReceipt:
        """Re-hash the archive, check both sign-offs, and write OUTBOX/REQUEST_ID/export.zip and
        release.json atomically. ReleaseError (nothing written) when the gate does not hold."""
        raise NotImplementedError

    # ------------------------------------------------------------------ supervision

    def history(
        self,
        reviewer: str | None = None,
        decision: Decision | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[SignOffRow]:
        raise NotImplementedError

    def reviewer_figures(self) -> list[ReviewerFigures]:
        raise NotImplementedError

    def audit_status(self) -> AuditStatus:
        raise NotImplementedError

    def history_csv(self, path: Path, **filters: object) -> int:
        """Write the (filtered) sign-off history as CSV; returns the number of rows."""
        raise NotImplementedError

    def policy(self) -> Policy:
        raise NotImplementedError

    def set_policy(
        self,
        supervisor: str,
        *,
        sample_confidence: float | None = None,
        sample_min_foreign_fraction: float | None = None,
        unlock_lapse_days: int | None = None,
    ) -> Policy:
        """Supervisors only (PermissionDenied); every change is audited. Applies to exports
        ingested afterwards (a stored sample never changes under a reviewer)."""
        raise NotImplementedError
