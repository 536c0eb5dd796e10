"""SQLModel table models. They stay inside the store; the service hands out `views` dataclasses.

The four-eyes rules are enforced here a second time, by constraints the database itself checks:

- one sign-off per stage and one per reviewer for each version and round
  (``uq_signoff_stage``, ``uq_signoff_reviewer``): two distinct people, never both stages;
- the signer's role is copied into the sign-off and tied to the reviewer row by a composite
  foreign key; supervisors never sign; the second stage needs the approver role;
- every sign-off carries the archive SHA-256, tied to its version by a composite foreign key
  (a version is one archive and one ticket: ``ticket_sha256``, see ``service.ingest``);
- a version with a critical finding is ``blocked`` (checked against its critical count), and a
  blocked version cannot be approved (the flag is tied to the version by a composite key);
- a second-stage sign-off points at the first-stage approval it follows;
- a version is released at most once, only against an approving second-stage sign-off, and
  by an active approver;
- an account's id, name, role and creation never change and accounts are never deleted, so a
  name is never reused; the first account is a supervisor and every later one is made by an
  active supervisor; the last active supervisor cannot be disabled (migration 0008);
- the policy stays within the bounds of `reviewer.domain.policy`;
- a sign-off's decision never changes; only the purge of its request empties its note,
  acknowledgements and sampling statement (migration 0014).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (stored as UTC text) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _dt(nullable: bool = False) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable))


def _json() -> Any:
    return Field(sa_column=sa.Column(sa.JSON(), nullable=False))


ROLES = ("reviewer", "approver", "supervisor")
DECISIONS = ("approve", "reject")
INSPECTION_KINDS = ("opened", "played", "viewed_transcript", "viewed_member")


class RequestRow(SQLModel, table=True):
    __tablename__ = "requests"

    request_id: str = Field(primary_key=True, max_length=200)
    customer_id: str = Field(max_length=200)
    requester_name: str = Field(default="", max_length=400)
    received_at: datetime | None = _dt(nullable=True)
    due_at: datetime | None = _dt(nullable=True)
    ticket: dict[str, Any] = _json()
    created_at: datetime = _dt()
    # When its personal content was purged (`service.purge`), and what the purge removed.
    purged_at: datetime | None = _dt(nullable=True)
    purge: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(), nullable=True)
    )


class ExportVersionRow(SQLModel, table=True):
    __tablename__ = "export_versions"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "number", name="uq_version_number"),
        sa.UniqueConstraint("id", "archive_sha256", name="uq_version_sha"),
        sa.UniqueConstraint("id", "blocked", name="uq_version_blocked"),
        sa.CheckConstraint("length(archive_sha256) = 64", name="ck_version_sha_len"),
        sa.CheckConstraint(
            "ticket_sha256 IS NULL OR length(ticket_sha256) = 64", name="ck_version_ticket_sha_len"
        ),
        sa.CheckConstraint(
            "(blocked AND critical > 0) OR (NOT blocked AND critical = 0)",
            name="ck_version_blocked",
        ),
        sa.CheckConstraint("round >= 1", name="ck_version_round"),
        sa.Index("ix_version_request", "request_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="requests.request_id", max_length=200)
    number: int
    archive_sha256: str = Field(max_length=64)
    # The ticket as checked (`ingest.ticket_sha256`); NULL for a version stored before 0007,
    # whose ticket is unknown: the next ingest makes a new version, and it is never released.
    ticket_sha256: str | None = Field(default=None, max_length=64)
    archive_path: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    archive_bytes: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    verdict: str = Field(max_length=10)
    critical: int
    warnings: int
    blocked: bool
    report: dict[str, Any] = _json()
    index_summary: dict[str, Any] = _json()
    sample: dict[str, Any] = _json()
    sampling_statement: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    round: int = Field(default=1)
    ingested_at: datetime = _dt()
    ingested_by: str = Field(max_length=200)
    voided_at: datetime | None = _dt(nullable=True)
    # A corrected version: the version its archive was built from, and what was done (the
    # corrections applied, the plan, the build and its proof; `reviewer.correct`).
    corrected_from_id: int | None = Field(default=None, foreign_key="export_versions.id")
    correction: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(), nullable=True)
    )


class MarkRow(SQLModel, table=True):
    """A reviewer's own finding on one item of a version (`reviewer.domain.corrections`)."""

    __tablename__ = "marks"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('foreign', 'third-party', 'doubtful')", name="ck_mark_kind"),
        sa.CheckConstraint(
            "target_kind IN ('recording', 'entry', 'member')", name="ck_mark_target_kind"
        ),
        sa.Index("ix_mark_version", "version_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="export_versions.id")
    reviewer_id: int = Field(foreign_key="reviewers.id")
    target_kind: str = Field(max_length=20)
    target: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    kind: str = Field(max_length=20)
    note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    at: datetime = _dt()
    withdrawn_at: datetime | None = _dt(nullable=True)


class CorrectionRow(SQLModel, table=True):
    """A correction proposed on a version; `applied_version_id` names the corrected version
    built with it."""

    __tablename__ = "corrections"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('withhold-member', 'withhold-utterance', 'withhold-records', "
            "'redact-text', 'silence')",
            name="ck_correction_kind",
        ),
        sa.CheckConstraint(
            "reason IN ('not-requesters', 'third-party', 'other')", name="ck_correction_reason"
        ),
        sa.Index("ix_correction_version", "version_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="export_versions.id")
    reviewer_id: int = Field(foreign_key="reviewers.id")
    kind: str = Field(max_length=30)
    target: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    reason: str = Field(max_length=20)
    note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    start_s: float | None = Field(default=None)
    end_s: float | None = Field(default=None)
    at: datetime = _dt()
    withdrawn_at: datetime | None = _dt(nullable=True)
    applied_version_id: int | None = Field(default=None, foreign_key="export_versions.id")


class ClockChangeRow(SQLModel, table=True):
    """One change of a request's statutory clock (`reviewer.domain.deadline`): an extension,
    a pause, a resume, or the extension notice sent. Each has its audit event."""

    __tablename__ = "clock_changes"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('extend', 'pause', 'resume', 'notice-sent')", name="ck_clock_change_kind"
        ),
        sa.CheckConstraint(
            "(kind = 'extend' AND months IN (1, 2)) OR (kind <> 'extend' AND months = 0)",
            name="ck_clock_change_months",
        ),
        sa.Index("ix_clock_change_request", "request_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="requests.request_id", max_length=200)
    kind: str = Field(max_length=20)
    months: int = Field(default=0)
    reason: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    by_id: int = Field(foreign_key="reviewers.id")
    at: datetime = _dt()


class ClaimRow(SQLModel, table=True):
    """Who holds a request (`reviewer.domain.access.Hold`): a claim, an assignment by a
    supervisor, or a hand-over, open until it is released or replaced by the next one. At most
    one is open per request (`ux_claims_open`, a partial unique index). Each opening and
    ending has its audit event."""

    __tablename__ = "claims"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('claim', 'assign', 'handover')", name="ck_claim_kind"),
        sa.CheckConstraint(
            "(ended_at IS NULL AND ended IS NULL AND ended_by_id IS NULL) OR "
            "(ended_at IS NOT NULL AND ended IN ('released', 'reassigned', 'handed-over') "
            "AND ended_by_id IS NOT NULL)",
            name="ck_claim_ended",
        ),
        # ux_claims_open (one open claim per request) is declared by `metadata()`
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(foreign_key="requests.request_id", max_length=200)
    holder_id: int = Field(foreign_key="reviewers.id")
    kind: str = Field(max_length=20)
    by_id: int = Field(foreign_key="reviewers.id")
    note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    at: datetime = _dt()
    ended_at: datetime | None = _dt(nullable=True)
    ended: str | None = Field(default=None, max_length=20)
    ended_by_id: int | None = Field(default=None, foreign_key="reviewers.id")


class ReviewerRow(SQLModel, table=True):
    __tablename__ = "reviewers"
    __table_args__ = (
        sa.UniqueConstraint("id", "role", name="uq_reviewer_role"),
        sa.CheckConstraint(f"role IN {ROLES!r}", name="ck_reviewer_role"),
        sa.CheckConstraint("failed_count >= 0", name="ck_reviewer_failed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    role: str = Field(max_length=20)
    passphrase_hash: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    disabled: bool = Field(default=False)
    # No longer used: sign-in failures are counted in `SignInThrottleRow` (migration 0008).
    failed_count: int = Field(default=0)
    locked_until: datetime | None = _dt(nullable=True)
    created_at: datetime = _dt()
    created_by_id: int | None = None  # the supervisor who made it; None for the first account
    active_since: datetime | None = _dt(nullable=True)  # created, or last re-enabled


class SignInThrottleRow(SQLModel, table=True):
    """Sign-in failures of one typed name (an account's or not), keyed by its keyed digest."""

    __tablename__ = "sign_in_throttle"

    name_digest: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)  # tries charged in the window (checked or in flight)
    window_start: datetime | None = _dt(nullable=True)
    locked_until: datetime | None = _dt(nullable=True)


class SessionRow(SQLModel, table=True):
    """Someone signed in at a terminal: the SHA-256 of the token the terminal holds."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    reviewer_id: int = Field(foreign_key="reviewers.id")
    started_at: datetime = _dt()
    ended_at: datetime | None = _dt(nullable=True)


class InspectionRow(SQLModel, table=True):
    __tablename__ = "inspections"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {INSPECTION_KINDS!r}", name="ck_inspection_kind"),
        sa.CheckConstraint("seconds >= 0", name="ck_inspection_seconds"),
        sa.Index("ix_inspection_version_reviewer", "version_id", "reviewer_id"),
        sa.Index("ix_inspection_reviewer_at", "reviewer_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="export_versions.id")
    reviewer_id: int = Field(foreign_key="reviewers.id")
    kind: str = Field(max_length=30)
    target: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    seconds: float = Field(default=0.0)
    at: datetime = _dt()


class SignOffRowT(SQLModel, table=True):
    __tablename__ = "signoffs"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "round", "stage", name="uq_signoff_stage"),
        sa.UniqueConstraint("version_id", "round", "reviewer_id", name="uq_signoff_reviewer"),
        sa.UniqueConstraint("id", "stage", "decision", name="uq_signoff_stage_decision"),
        sa.ForeignKeyConstraint(
            ["version_id", "archive_sha256"],
            ["export_versions.id", "export_versions.archive_sha256"],
            name="fk_signoff_version_sha",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "version_blocked"],
            ["export_versions.id", "export_versions.blocked"],
            name="fk_signoff_version_blocked",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id", "reviewer_role"],
            ["reviewers.id", "reviewers.role"],
            name="fk_signoff_reviewer_role",
        ),
        sa.ForeignKeyConstraint(
            ["first_signoff_id", "first_stage", "first_decision"],
            ["signoffs.id", "signoffs.stage", "signoffs.decision"],
            name="fk_signoff_first",
        ),
        sa.CheckConstraint("stage IN (1, 2)", name="ck_signoff_stage"),
        sa.CheckConstraint(f"decision IN {DECISIONS!r}", name="ck_signoff_decision"),
        sa.CheckConstraint(
            "reviewer_role IN ('reviewer', 'approver')", name="ck_signoff_no_supervisor"
        ),
        sa.CheckConstraint(
            "stage = 1 OR reviewer_role = 'approver'", name="ck_signoff_second_approver"
        ),
        sa.CheckConstraint(
            "NOT (version_blocked AND decision = 'approve')", name="ck_signoff_blocked"
        ),
        sa.CheckConstraint(
            "(stage = 1 AND first_signoff_id IS NULL)"
            " OR (stage = 2 AND first_signoff_id IS NOT NULL"
            " AND first_stage = 1 AND first_decision = 'approve')",
            name="ck_signoff_follows_first",
        ),
        sa.Index("ix_signoff_version", "version_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int
    round: int
    stage: int
    reviewer_id: int
    reviewer_role: str = Field(max_length=20)
    decision: str = Field(max_length=10)
    archive_sha256: str = Field(max_length=64)
    version_blocked: bool
    first_signoff_id: int | None = None
    first_stage: int | None = None
    first_decision: str | None = Field(default=None, max_length=10)
    note: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    checklist: dict[str, Any] = _json()
    acknowledged: dict[str, Any] = _json()
    sampling_statement: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    at: datetime = _dt()


class ReleaseRow(SQLModel, table=True):
    __tablename__ = "releases"
    __table_args__ = (
        sa.UniqueConstraint("version_id", name="uq_release_version"),
        sa.ForeignKeyConstraint(
            ["version_id", "archive_sha256"],
            ["export_versions.id", "export_versions.archive_sha256"],
            name="fk_release_version_sha",
        ),
        sa.ForeignKeyConstraint(
            ["signoff_id", "signoff_stage", "signoff_decision"],
            ["signoffs.id", "signoffs.stage", "signoffs.decision"],
            name="fk_release_signoff",
        ),
        sa.CheckConstraint(
            "signoff_stage = 2 AND signoff_decision = 'approve'", name="ck_release_approved"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int
    archive_sha256: str = Field(max_length=64)
    signoff_id: int
    signoff_stage: int
    signoff_decision: str = Field(max_length=10)
    released_by: str = Field(max_length=200)
    released_at: datetime = _dt()
    outbox_path: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    receipt: dict[str, Any] = _json()


class DeliveryRow(SQLModel, table=True):
    """A released export's files written to an outbox: the first delivery, or a deliberate
    re-delivery with its reason."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.Index("ix_delivery_release", "release_id"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="releases.id")
    kind: str = Field(max_length=20)  # "delivery" or "redelivery"
    by_id: int = Field(foreign_key="reviewers.id")
    at: datetime = _dt()
    outbox_path: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    reason: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))


class PolicyRow(SQLModel, table=True):
    __tablename__ = "policy"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="ck_policy_single"),
        sa.CheckConstraint(
            "sample_confidence > 0 AND sample_confidence < 1", name="ck_policy_conf"
        ),
        sa.CheckConstraint(
            "sample_min_foreign_fraction > 0 AND sample_min_foreign_fraction <= 1",
            name="ck_policy_fraction",
        ),
        sa.CheckConstraint("unlock_lapse_days >= 1", name="ck_policy_lapse"),
    )

    id: int = Field(default=1, primary_key=True)
    sample_confidence: float
    sample_min_foreign_fraction: float
    unlock_lapse_days: int
    new_account_days: int = Field(default=7)
    retention_days: int = Field(default=30)
    updated_by: str = Field(max_length=200)
    updated_at: datetime = _dt()


class StoreMetaRow(SQLModel, table=True):
    __tablename__ = "store_meta"

    key: str = Field(primary_key=True, max_length=100)
    value: dict[str, Any] = _json()


def metadata() -> sa.MetaData:
    """Every table of the store, the audit trail's included, with every index."""
    import reviewer.store.audit_tables  # noqa: F401  (registers its tables)

    _declare_partial_indexes()
    return SQLModel.metadata


@functools.cache
def _declare_partial_indexes() -> None:
    """The partial indexes, declared on their tables when the whole schema is asked for (the
    migrations and their checks), not on import: their WHERE clause is written for each
    dialect, and declaring it loads every dialect named (PostgreSQL's, with all its drivers'
    modules, even for a SQLite store). Queries never need them declared."""
    sa.Index(
        "ux_claims_open",
        ClaimRow.__table__.c.request_id,  # type: ignore[attr-defined]
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
