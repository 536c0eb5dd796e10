"""The row queries the service's collaborators share: a version, an account, the policy,
the sign-offs and state of a version, its marks and pending corrections, and the sign-off row
as people read it. Each takes the open session; none commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from reviewer.domain.access import Hold
from reviewer.domain.corrections import (
    Correction,
    CorrectionKind,
    MarkFact,
    MarkKind,
    MarkTarget,
    Reason,
)
from reviewer.domain.corrections import (
    mark_findings as findings_of_marks,
)
from reviewer.domain.deadline import Clock, ClockChange, ClockChangeKind, clock_of
from reviewer.domain.model import Finding
from reviewer.domain.request import request_from_dict
from reviewer.domain.signoff import SignOffFact, version_status
from reviewer.domain.states import Decision, Role, Stage, State
from reviewer.store.codec import index_from_json
from reviewer.store.errors import NotFound, UserError
from reviewer.store.tables import (
    ClaimRow,
    ClockChangeRow,
    CorrectionRow,
    ExportVersionRow,
    InspectionRow,
    MarkRow,
    PolicyRow,
    ReleaseRow,
    RequestRow,
    ReviewerRow,
    SignOffRowT,
)
from reviewer.store.views import (
    CorrectionView,
    MarkView,
    Signer,
    SignOffRow,
)

# The stored export index is large (a 100,000-member export holds tens of MB of JSON): only the
# review detail loads it; everything else reads the version row without it.
NO_INDEX = (defer(ExportVersionRow.index_summary),)  # type: ignore[arg-type]
ROW_ONLY = (
    *NO_INDEX,
    defer(ExportVersionRow.report),  # type: ignore[arg-type]
    defer(ExportVersionRow.sample),  # type: ignore[arg-type]
)


def version(s: Session, version_id: int, *options: Any) -> ExportVersionRow:
    v = s.get(ExportVersionRow, version_id, options=options)
    if v is None:
        raise NotFound(f"no export version {version_id}")
    return v


def current_version(s: Session, request_id: str, *options: Any) -> ExportVersionRow | None:
    """The request's newest export version (None: no such request)."""
    row: ExportVersionRow | None = s.execute(
        select(ExportVersionRow)
        .where(col(ExportVersionRow.request_id) == request_id)
        .options(*options)
        .order_by(col(ExportVersionRow.number).desc())
        .limit(1)
    ).scalar_one_or_none()
    return row


def current_state(s: Session, request_id: str, now: datetime) -> State:
    """The state of the request's current version (NotFound for an unknown request)."""
    v = current_version(s, request_id, *ROW_ONLY)
    if v is None:
        raise NotFound(f"no request {request_id} in the store")
    return state(s, v, now)[0]


def purged_text(request_id: str, purged_at: datetime) -> str:
    """Why nothing more is done on a purged request."""
    return (
        f"{request_id} was purged on {purged_at:%Y-%m-%d}: it is closed; a new export for this "
        "person comes as a new request, with its own id"
    )


def unpurged(s: Session, request_id: str) -> RequestRow:
    """The request's row, held against a purge until the transaction ends (PostgreSQL: FOR
    SHARE, which the purge's FOR UPDATE waits for; SQLite writers are serialised); UserError
    once it is purged: nothing more is written about it (a purge happens once, so what came
    after would be kept for ever). NotFound for an unknown request."""
    stmt = select(RequestRow).where(col(RequestRow.request_id) == request_id)
    if is_postgres(s):
        stmt = stmt.with_for_update(read=True)
    req: RequestRow | None = s.execute(stmt).scalar_one_or_none()
    if req is None:
        raise NotFound(f"no request {request_id} in the store")
    if req.purged_at is not None:
        raise UserError(purged_text(request_id, req.purged_at))
    return req


def lock_version(s: Session, version_id: int) -> ExportVersionRow:
    stmt = select(ExportVersionRow).where(col(ExportVersionRow.id) == version_id).options(*NO_INDEX)
    if is_postgres(s):
        stmt = stmt.with_for_update()
    row: ExportVersionRow | None = s.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no export version {version_id}")
    return row


def reviewer(s: Session, name: str, *, lock: bool = False) -> ReviewerRow | None:
    stmt = select(ReviewerRow).where(ReviewerRow.name == name)
    if lock and is_postgres(s):
        stmt = stmt.with_for_update()
    return s.execute(stmt).scalar_one_or_none()


def policy_row(s: Session) -> PolicyRow:
    row = s.get(PolicyRow, 1)
    assert row is not None, "the policy row is created by migration 0002"
    return row


def facts(s: Session, version_ids: Sequence[int | None]) -> dict[int, list[tuple[int, Signer]]]:
    """(round, Signer) per version id."""
    out: dict[int, list[tuple[int, Signer]]] = defaultdict(list)
    if not version_ids:
        return out
    rows = s.execute(
        select(SignOffRowT, ReviewerRow.name)
        .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
        .where(SignOffRowT.version_id.in_([i for i in version_ids if i is not None]))  # type: ignore[attr-defined]
        .order_by(SignOffRowT.id)  # type: ignore[arg-type]
    ).all()
    for so, name in rows:
        out[so.version_id].append(
            (
                so.round,
                Signer(
                    name=name,
                    role=Role(so.reviewer_role),
                    stage=Stage.FIRST if so.stage == 1 else Stage.SECOND,
                    decision=Decision(so.decision),
                    at=so.at,
                ),
            )
        )
    return out


def released(s: Session, version_ids: Sequence[int | None]) -> set[int]:
    if not version_ids:
        return set()
    return set(
        s.execute(
            select(ReleaseRow.version_id).where(
                ReleaseRow.version_id.in_([i for i in version_ids if i is not None])  # type: ignore[attr-defined]
            )
        ).scalars()
    )


def state(
    s: Session, v: ExportVersionRow, now: datetime
) -> tuple[State, tuple[Signer, ...], int, datetime | None]:
    """`version_state` of one version, read from the store."""
    vid = int(v.id or 0)
    return version_state(
        v,
        facts(s, [vid]).get(vid, []),
        vid in released(s, [vid]),
        now,
        policy_row(s).unlock_lapse_days,
    )


def marks(s: Session, version_id: int) -> list[MarkView]:
    """The standing (not withdrawn) marks on a version, oldest first."""
    rows = s.execute(
        select(MarkRow, ReviewerRow.name)
        .join(ReviewerRow, ReviewerRow.id == MarkRow.reviewer_id)  # type: ignore[arg-type]
        .where(MarkRow.version_id == version_id)
        .where(col(MarkRow.withdrawn_at).is_(None))
        .order_by(col(MarkRow.id))
    ).all()
    return [
        MarkView(
            int(m.id or 0),
            m.version_id,
            name,
            MarkTarget(m.target_kind),
            m.target,
            MarkKind(m.kind),
            m.note,
            m.at,
        )
        for m, name in rows
    ]


def mark_findings(s: Session, v: ExportVersionRow) -> list[Finding]:
    """The version's standing foreign marks as critical findings (`mark_findings`)."""
    foreign = [m for m in marks(s, int(v.id or 0)) if m.kind is MarkKind.FOREIGN]
    if not foreign:
        return []
    stored = s.execute(
        select(ExportVersionRow.index_summary).where(ExportVersionRow.id == v.id)
    ).scalar_one()
    return findings_of_marks(
        [MarkFact(m.reviewer, m.target_kind, m.target, m.kind, m.note) for m in foreign],
        index_from_json(stored),
    )


def pending_corrections(s: Session, version_id: int) -> list[CorrectionView]:
    """Corrections proposed on a version, not withdrawn and not yet applied, oldest first."""
    rows = s.execute(
        select(CorrectionRow, ReviewerRow.name)
        .join(ReviewerRow, ReviewerRow.id == CorrectionRow.reviewer_id)  # type: ignore[arg-type]
        .where(CorrectionRow.version_id == version_id)
        .where(col(CorrectionRow.withdrawn_at).is_(None))
        .where(col(CorrectionRow.applied_version_id).is_(None))
        .order_by(col(CorrectionRow.id))
    ).all()
    return [
        CorrectionView(
            int(c.id or 0),
            c.version_id,
            name,
            Correction(
                CorrectionKind(c.kind), c.target, Reason(c.reason), c.note, c.start_s, c.end_s
            ),
            c.at,
        )
        for c, name in rows
    ]


def number_of(s: Session, version_id: int | None) -> int | None:
    if version_id is None:
        return None
    return s.execute(
        select(ExportVersionRow.number).where(ExportVersionRow.id == version_id)
    ).scalar_one_or_none()


def signoff_id(s: Session, version_id: int, round_: int, stage: Stage) -> int:
    """The id of the sign-off at `stage` of `round_` (it must exist)."""
    return int(
        s.execute(
            select(SignOffRowT.id).where(
                (SignOffRowT.version_id == version_id)
                & (SignOffRowT.round == round_)
                & (SignOffRowT.stage == stage.number)
            )
        ).scalar_one()
    )


def signoff_row(s: Session, so: SignOffRowT, v: ExportVersionRow, name: str) -> SignOffRow:
    first_look = s.execute(
        select(func.min(InspectionRow.at)).where(
            (InspectionRow.version_id == so.version_id)
            & (InspectionRow.reviewer_id == so.reviewer_id)
        )
    ).scalar_one_or_none()
    review_seconds = (so.at - first_look).total_seconds() if first_look else None
    account = s.get(ReviewerRow, so.reviewer_id)
    period = timedelta(days=policy_row(s).new_account_days)
    new_account = (
        account is not None
        and period > timedelta(0)
        and any(
            since is not None and timedelta(0) <= so.at - since < period
            for since in (aware(account.created_at), aware(account.active_since))
        )
    )
    return SignOffRow(
        id=int(so.id or 0),
        request_id=v.request_id,
        version_id=so.version_id,
        version=v.number,
        archive_sha256=so.archive_sha256,
        reviewer=name,
        role=Role(so.reviewer_role),
        stage=Stage.FIRST if so.stage == 1 else Stage.SECOND,
        decision=Decision(so.decision),
        note=so.note,
        checklist={str(k): bool(x) for k, x in so.checklist.items()},
        acknowledged={str(k): str(x) for k, x in so.acknowledged.items()},
        sampling_statement=so.sampling_statement,
        at=so.at,
        voided=v.voided_at is not None or so.round < v.round,
        review_seconds=review_seconds,
        new_account=new_account,
    )


# ---------------------------------------------------------------------- the store itself


def legacy_rows(s: Session) -> dict[str, Any]:
    """What the store held before its decisions were signed (a store made by an earlier
    version): the highest row id of each decision table, the accounts disabled and the policy
    then. Signed in the marker event, it tells the cross-check which rows predate the era."""
    from sqlalchemy import text

    tables = ("reviewers", "signoffs", "inspections", "releases", "deliveries")
    highest = {
        t: int(s.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {t}")).scalar_one())
        for t in tables
    }
    disabled = sorted(
        str(n) for n in s.execute(text("SELECT name FROM reviewers WHERE disabled")).scalars()
    )
    policy = s.execute(
        text(
            "SELECT sample_confidence, sample_min_foreign_fraction, unlock_lapse_days, "
            "new_account_days, retention_days FROM policy WHERE id = 1"
        )
    ).one()
    return {
        "legacy_rows": highest,
        "legacy_disabled": disabled,
        "policy": {
            "sample_confidence": policy[0],
            "sample_min_foreign_fraction": policy[1],
            "unlock_lapse_days": policy[2],
            "new_account_days": policy[3],
            "retention_days": policy[4],
        },
    }


def privilege_warning(s: Session | OrmSession) -> str | None:
    """On PostgreSQL, a warning when this session connects as a superuser or as the
    tables' owner: such a role can switch the store's triggers off (README, Team mode)."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    user, superuser = s.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    owner = s.execute(
        text(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event' "
            "AND schemaname = current_schema()"
        )
    ).scalar_one_or_none()
    if superuser:
        what = "a superuser"
    elif owner == user:
        what = "the owner of the store's tables"
    else:
        return None
    return (
        f"connected to PostgreSQL as {user}, {what}: this role can switch the store's triggers "
        "off; let terminals connect as a role that is neither (README, Team mode)"
    )


def is_postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def version_state(
    v: ExportVersionRow,
    facts: list[tuple[int, Signer]],
    released: bool,
    now: datetime,
    lapse_days: int,
) -> tuple[State, tuple[Signer, ...], int, datetime | None]:
    """(state, the current round's signers, the round a new sign-off goes into, unlock expiry):
    `reviewer.domain.signoff.version_status` over the version's stored rows."""
    status = version_status(
        [(rn, SignOffFact(f.name, f.role, f.stage, f.decision, f.at)) for rn, f in facts],
        round_=v.round,
        released=released,
        superseded=v.voided_at is not None,
        now=now,
        lapse_days=lapse_days,
    )
    current = tuple(f for rn, f in facts if rn == status.next_round)
    return status.state, current, status.next_round, status.unlock_expires_at


# ---------------------------------------------------------------------- the statutory clock


def changes_of(s: Session, request_ids: Iterable[str]) -> dict[str, list[ClockChange]]:
    """The recorded clock changes of each request, in the order they were made."""
    ids = list(request_ids)
    out: dict[str, list[ClockChange]] = defaultdict(list)
    if not ids:
        return out
    for row, name in s.execute(
        select(ClockChangeRow, ReviewerRow.name)
        .join(ReviewerRow, ReviewerRow.id == ClockChangeRow.by_id)  # type: ignore[arg-type]
        .where(ClockChangeRow.request_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ClockChangeRow.id)  # type: ignore[arg-type]
    ).all():
        at = aware(row.at)
        assert at is not None
        out[row.request_id].append(
            ClockChange(ClockChangeKind(row.kind), at, name, row.reason, row.months)
        )
    return out


def request_clock(req: RequestRow, changes: list[ClockChange], now: datetime) -> Clock | None:
    """The clock of a stored request after `changes`, as of `now` (None: no receipt time)."""
    ticket = request_from_dict(req.ticket, strict=False) if req.ticket else None
    if ticket is None:
        return None
    return clock_of(ticket, changes, now)


def open_claim(s: Session, request_id: str) -> ClaimRow | None:
    """The claim that holds `request_id` now (at most one: `ux_claims_open`), if any."""
    return s.execute(
        select(ClaimRow)
        .where(col(ClaimRow.request_id) == request_id)
        .where(col(ClaimRow.ended_at).is_(None))
    ).scalar_one_or_none()


def holds_of(s: Session, request_ids: Iterable[str] | None = None) -> dict[str, Hold]:
    """Who holds each request (all of them when `request_ids` is None), by request id."""
    holder = ReviewerRow.__table__.alias("holder")  # type: ignore[attr-defined]
    giver = ReviewerRow.__table__.alias("giver")  # type: ignore[attr-defined]
    q = (
        select(ClaimRow, holder.c.name, giver.c.name)
        .join(holder, holder.c.id == ClaimRow.holder_id)
        .join(giver, giver.c.id == ClaimRow.by_id)
        .where(col(ClaimRow.ended_at).is_(None))
    )
    if request_ids is not None:
        ids = list(request_ids)
        if not ids:
            return {}
        q = q.where(col(ClaimRow.request_id).in_(ids))
    out: dict[str, Hold] = {}
    for row, holder_name, by_name in s.execute(q).all():
        at = aware(row.at)
        assert at is not None
        out[row.request_id] = Hold(str(holder_name), at, str(by_name), row.note)
    return out
