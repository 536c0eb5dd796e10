"""The review service: the one facade the terminal app and the CLI use.

Every method opens its own short transaction, enforces the sign-off rules of
`reviewer.domain.signoff` (the database enforces them again with constraints), appends an audit
event for every action, and returns plain dataclasses (`reviewer.store.views`). Every time it
records (rows, audit events, checkpoints, the release's lapse rule) comes from its one clock.

    svc = ReviewService.open(None)              # default store; migrated to the latest schema
    who = svc.sign_in("alice", passphrase)      # SignInError with a one-line reason
    rows = svc.queue()                          # list[QueueRow]
    d = svc.request_detail("DSAR-2018-0412")    # RequestDetail, no archive re-read
    svc.record_inspection("alice", d.version_id, "played", member, 2.4)
    g = svc.gate("alice", d.version_id)         # Gate: allowed, reasons, warnings, statement
    svc.sign_off("alice", passphrase, d.version_id, "approve", note, checklist, acks)
    svc.release("bob", "DSAR-2018-0412", outbox)

Methods are safe to call from worker threads: each call uses its own connection.

`ReviewService` is assembled from one part per concern, each in its own module:

    base.ServiceBase            engine, clock, transactions and retries, shared row queries
    people.PeoplePart           sign-in and lockout, reviewers, the demo store's credentials
    ingest.IngestPart           checked requests in; a changed archive voids earlier sign-offs
    review.ReviewPart           queue, request detail, inspection evidence
    signoff.SignOffPart         the gate and the sign-off (uses PeoplePart's passphrase check)
    release.ReleasePart         re-hash, record, publish to the outbox (uses ReviewPart's detail)
    supervision.SupervisionPart history, reviewer figures, audit status
    policy.PolicyPart           the sampling and unlock policy
    corrections.CorrectionPart  marks, proposed corrections, the corrected version
"""

from __future__ import annotations

from reviewer.domain.signoff import CHECKLIST, InspectionKind
from reviewer.domain.states import Decision, Role, State
from reviewer.store.errors import (
    NotFound,
    PermissionDenied,
    ReleaseError,
    SignInError,
    SignOffError,
    StoreError,
    UserError,
)
from reviewer.store.service.corrections import CorrectionPart
from reviewer.store.service.ingest import IngestPart
from reviewer.store.service.policy import PolicyPart
from reviewer.store.service.release import ReleasePart
from reviewer.store.service.review import ReviewPart
from reviewer.store.service.signoff import SignOffPart
from reviewer.store.service.supervision import SupervisionPart
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
    "State",
    "StoreError",
    "UserError",
    "UserRow",
]


class ReviewService(
    CorrectionPart,
    SignOffPart,
    ReleasePart,
    IngestPart,
    ReviewPart,
    SupervisionPart,
    PolicyPart,
):
    """Facade over one store (SQLite file or PostgreSQL database)."""
