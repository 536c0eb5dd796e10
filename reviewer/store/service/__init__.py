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

`ReviewService` is a facade over small collaborators, each in its own module, sharing one
unit of work (`unit.UnitOfWork`: engine, clock, hasher, transactions and retries):

    people.People             sign-in and lockout, sessions, and `acting`: who a session acts
                              for, asked by every other collaborator
    accounts.Accounts         the accounts, changed by supervisors; the demo store's mark
    ingest.Ingest             checked requests in; a changed archive voids earlier sign-offs
    review.Reviews            queue, request detail, inspection evidence
    signoff.SignOffs          the gate and the sign-off
    record.Records            the disclosure record
    release.Releases          re-hash, record, publish to the outbox
    supervision.Supervision   history, reviewer figures, audit status and exports
    policy.Policies           the sampling, unlock and retention policy
    corrections.Corrections   marks, proposed corrections, the corrected version
    clock.Clocks              the statutory clock: due dates, extensions, pauses, notices
    claims.Claims             who holds each request: claim, release, assign, hand over
    purge.Purges              storage limitation: the retention rule and the purge

The row queries they share are `rows`; `verification.verify_store` verifies a store's audit
trail read-only, for `reviewer audit verify`.
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
from reviewer.store.service.facade import ReviewService
from reviewer.store.service.verification import StoreVerification, verify_store
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
    "StoreVerification",
    "UserError",
    "UserRow",
    "verify_store",
]
