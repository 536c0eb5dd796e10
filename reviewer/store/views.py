"""Plain data the review service hands out. No ORM objects ever leave the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reviewer.domain.access import Actor, Hold
from reviewer.domain.corrections import Correction, MarkKind, MarkTarget
from reviewer.domain.deadline import Clock
from reviewer.domain.model import ExportIndex, Finding, Request, Verdict
from reviewer.domain.policy import DEFAULT_NEW_ACCOUNT_DAYS, DEFAULT_RETENTION_DAYS
from reviewer.domain.report import Report
from reviewer.domain.sampling import DEFAULT_CONFIDENCE as _CONF
from reviewer.domain.sampling import DEFAULT_MIN_FOREIGN_FRACTION as _P
from reviewer.domain.sampling import Sample
from reviewer.domain.signoff import DEFAULT_UNLOCK_LAPSE_DAYS as _LAPSE
from reviewer.domain.signoff import GateDecision, InspectionKind, WarningToAck
from reviewer.domain.states import ANSWERED, Decision, Role, Stage, State


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A session: someone who proved their passphrase at this terminal. The service acts for
    them only while the session the token names is open in the store and their account may act;
    the role here is what it was at sign-in (the store's is the one that counts)."""

    name: str
    role: Role
    at: datetime
    account_id: int = 0
    token: str = field(default="", repr=False)
    # The personal key the passphrase unlocked at sign-in (`reviewer.domain.audit.personal`):
    # held here only, never stored; it signs this person's decisions.
    signing_key: Ed25519PrivateKey | None = field(default=None, repr=False, compare=False)

    @property
    def actor(self) -> Actor:
        """The person as the access rule sees them (for showing and hiding keys)."""
        return Actor(self.account_id, self.name, self.role)


@dataclass(frozen=True, slots=True)
class UserRow:
    name: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    created_by: str | None = None  # the supervisor who made the account; None: the first
    active_since: datetime | None = None  # created, or last re-enabled


@dataclass(frozen=True, slots=True)
class Signer:
    """A sign-off as shown in the queue and the detail view."""

    name: str
    role: Role
    stage: Stage
    decision: Decision
    at: datetime


@dataclass(frozen=True, slots=True)
class QueueRow:
    request_id: str
    requester_name: str
    customer_id: str
    state: State
    verdict: Verdict
    due_at: datetime | None  # the ticket's own due date (the upstream's claim)
    days_left: int | None  # whole days until due (negative when overdue); None without a due date
    signers: tuple[Signer, ...]
    version_id: int
    archive_sha256: str
    critical: int
    warnings: int
    received_at: datetime | None
    ingested_at: datetime
    unlock_expires_at: datetime | None  # when an approved export stops being releasable
    version: int = 1  # the version's number within its request (v1, v2 ...)
    # The statutory clock (`reviewer.domain.deadline`) the days left count to; None when the
    # ticket gives no receipt time (then they count to the ticket's own due date).
    clock: Clock | None = None
    # Who holds the request (a claim, an assignment or a hand-over) and since when.
    held_by: str | None = None
    held_since: datetime | None = None

    @property
    def due(self) -> date | None:
        return self.clock.due if self.clock else None

    @property
    def paused(self) -> bool:
        return self.clock is not None and self.clock.paused

    @property
    def extended_months(self) -> int:
        return self.clock.extended_months if self.clock else 0

    @property
    def open(self) -> bool:
        """Not yet answered: neither released nor rejected (its clock still runs)."""
        return self.state not in ANSWERED


@dataclass(frozen=True, slots=True)
class Inspection:
    reviewer: str
    kind: InspectionKind
    target: str
    seconds: float
    at: datetime


@dataclass(frozen=True, slots=True)
class RequestDetail:
    """Everything the review screen needs, served from the store (the archive is not re-read).

    `index` is the export index stored at ingest: members (kind, size, type label, audio info),
    recordings, transcript entries, profile, manifest and the reading findings. Its `tables`,
    `json_docs` and `texts` are empty: member previews read the archive at `archive_path`.
    """

    request: Request
    version_id: int
    version_number: int  # 1 for the first archive of this request, 2 for the next ...
    archive_sha256: str
    archive_path: Path
    report: Report
    index: ExportIndex
    sample: Sample
    sampling_statement: str
    state: State
    signers: tuple[Signer, ...]
    evidence: dict[str, tuple[Inspection, ...]]  # reviewer name -> what they did, oldest first
    ingested_at: datetime
    unlock_expires_at: datetime | None
    older_versions: tuple[int, ...] = ()  # voided versions of the same request
    marks: tuple[MarkView, ...] = ()  # standing marks, oldest first
    corrections: tuple[CorrectionView, ...] = ()  # proposed and not yet applied
    # A corrected version: the number of the version it was built from, and what was done
    # (the corrections applied, the build and its proof: `CorrectedVersion.correction`).
    corrected_from: int | None = None
    correction: dict[str, Any] | None = None
    clock: Clock | None = None  # the statutory clock (None: the ticket gives no receipt time)
    hold: Hold | None = None  # who holds the request now (None: nobody)


@dataclass(frozen=True, slots=True)
class MarkView:
    id: int
    version_id: int
    reviewer: str
    target_kind: MarkTarget
    target: str
    kind: MarkKind
    note: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int
    version_id: int
    reviewer: str
    correction: Correction
    at: datetime


@dataclass(frozen=True, slots=True)
class CorrectedVersion:
    """What applying corrections made: the new version, its archive and its proof."""

    request_id: str
    version_id: int
    version_number: int
    archive_path: Path
    archive_sha256: str
    report: Report
    proof_ok: bool
    correction: dict[str, Any]  # corrections (with authors), plan, build, proof


@dataclass(frozen=True, slots=True)
class Gate:
    """May this reviewer sign this version now, and if not, why not (in plain words)."""

    allowed: bool  # approve allowed
    stage: Stage | None  # the stage a sign-off would fill; None when nothing can be signed
    reasons: tuple[str, ...]  # why approve is refused
    warnings: tuple[WarningToAck, ...]  # each needs a note in `acknowledgements`
    sampling_statement: str
    can_reject: bool
    reject_reasons: tuple[str, ...]
    missing: tuple[str, ...]  # sampled members this reviewer has not fully inspected
    checklist: tuple[tuple[str, str], ...]  # (key, text) every item must be True to approve
    # A corrected version: what was corrected, in plain words, and the proof's checks.
    corrections: tuple[str, ...] = ()
    proof: tuple[str, ...] = ()
    # The reviewers' standing marks on this version, one line each (who, what, why).
    marks: tuple[str, ...] = ()

    def as_decision(self) -> GateDecision:
        """The domain's view of this gate, for `reviewer.domain.signoff.check_sign_off`."""
        return GateDecision(
            allowed=self.allowed,
            stage=self.stage,
            reasons=self.reasons,
            can_reject=self.can_reject,
            reject_reasons=self.reject_reasons,
            missing=self.missing,
        )


@dataclass(frozen=True, slots=True)
class SignOffRow:
    id: int
    request_id: str
    version_id: int
    version: int  # the version's number within its request, as people read it (v1, v2 ...)
    archive_sha256: str
    reviewer: str
    role: Role
    stage: Stage
    decision: Decision
    note: str
    checklist: dict[str, bool]
    acknowledged: dict[str, str]  # warning key -> note
    sampling_statement: str
    at: datetime
    voided: bool  # a newer archive arrived, or the unlock lapsed, after this sign-off
    review_seconds: float | None  # first inspection of the version by this reviewer -> sign-off
    # The signer's account was created or re-enabled less than the policy's new-account period
    # before this sign-off (a supervisor looks twice).
    new_account: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseReceipt:
    request_id: str
    version_id: int
    archive_sha256: str
    released_by: str
    released_at: datetime
    approvers: tuple[Signer, ...]  # first and second sign-off
    checklist: dict[str, dict[str, bool]]  # approver name -> answers
    outbox_dir: Path  # DIR/REQUEST_ID
    audit_head: str
    audit_checkpoint: dict[str, object] | None

    def to_dict(self) -> dict[str, object]:
        return {
            "request_id": self.request_id,
            "version_id": self.version_id,
            "archive_sha256": self.archive_sha256,
            "released_by": self.released_by,
            "released_at": self.released_at.isoformat(),
            "approvers": [
                {
                    "name": s.name,
                    "role": s.role.value,
                    "stage": s.stage.value,
                    "decision": s.decision.value,
                    "at": s.at.isoformat(),
                }
                for s in self.approvers
            ],
            "checklist": self.checklist,
            "audit_head": self.audit_head,
            "audit_checkpoint": self.audit_checkpoint,
        }


@dataclass(frozen=True, slots=True)
class ReviewerFigures:
    name: str
    role: Role
    reviews: int  # sign-offs given
    median_review_seconds: float | None
    recordings_played_per_review: float
    approvals_nothing_played: int
    pairs: tuple[tuple[str, int], ...]  # other approver -> times both approved the same export


@dataclass(frozen=True, slots=True)
class AuditStatus:
    ok: bool
    events: int
    head: str
    message: str  # one line: "chain verifies (N events)" or the first bad event
    checkpoint_at: datetime | None = None
    checked_at: datetime | None = None  # when this answer was worked out (the store's clock)


@dataclass(frozen=True, slots=True)
class Policy:
    sample_confidence: float = _CONF
    sample_min_foreign_fraction: float = _P
    unlock_lapse_days: int = _LAPSE
    new_account_days: int = DEFAULT_NEW_ACCOUNT_DAYS
    retention_days: int = DEFAULT_RETENTION_DAYS
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    request_id: str
    outcome: str  # "new", "new-version" (earlier versions voided), "corrected" or "unchanged"
    version_id: int
    archive_sha256: str
    verdict: Verdict
    findings: tuple[Finding, ...] = field(default=())
    version_number: int = 1  # 1 for the first archive of the request, 2 for the next ...
