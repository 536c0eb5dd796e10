"""`ReviewService`: the one object the terminal app and the CLI hold. It opens the store and
wires the collaborators to one unit of work; every operation it offers is one collaborator's
(see the table in `reviewer.store.service`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Self

from argon2 import PasswordHasher
from sqlalchemy import Engine

from reviewer.store.service.accounts import Accounts
from reviewer.store.service.claims import Claims
from reviewer.store.service.clock import Clocks
from reviewer.store.service.corrections import Corrections
from reviewer.store.service.ingest import Ingest
from reviewer.store.service.people import People
from reviewer.store.service.policy import Policies
from reviewer.store.service.purge import Purges
from reviewer.store.service.record import Records
from reviewer.store.service.release import Releases
from reviewer.store.service.review import Reviews
from reviewer.store.service.rows import privilege_warning
from reviewer.store.service.signoff import SignOffs
from reviewer.store.service.supervision import Supervision
from reviewer.store.service.unit import UnitOfWork


class ReviewService:
    """Facade over one store (SQLite file or PostgreSQL database)."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        people = People(uow)
        accounts = Accounts(uow, people)
        ingest = Ingest(uow)
        reviews = Reviews(uow, people)
        records = Records(uow, people, reviews)
        signoffs = SignOffs(uow, people)
        releases = Releases(uow, people, reviews, records)
        supervision = Supervision(uow, people)
        policies = Policies(uow, people)
        corrections = Corrections(uow, people, reviews, ingest)
        clocks = Clocks(uow, people, reviews)
        claims = Claims(uow, people)
        purges = Purges(uow, people, records)

        # Sign-in, sessions and accounts.
        self.sign_in = people.sign_in
        self.sign_out = people.sign_out
        self.lockout_of = people.lockout_of
        self.has_accounts = accounts.has_accounts
        self.add_user = accounts.add_user
        self.list_users = accounts.list_users
        self.disable_user = accounts.disable_user
        self.enable_user = accounts.enable_user
        self.unlock_user = accounts.unlock_user
        self.reset_passphrase = accounts.reset_passphrase
        self.is_demo = accounts.is_demo
        self.demo_credentials = accounts.demo_credentials
        self.mark_demo = accounts.mark_demo
        # Requests in, and what a reviewer reads and does.
        self.ingest = ingest.ingest
        self.queue = reviews.queue
        self.request_detail = reviews.request_detail
        self.version_detail = reviews.version_detail
        self.record_inspection = reviews.record_inspection
        # Marks and corrections.
        self.mark = corrections.mark
        self.withdraw_mark = corrections.withdraw_mark
        self.marks = corrections.marks
        self.suggested_corrections = corrections.suggested_corrections
        self.propose_correction = corrections.propose_correction
        self.withdraw_correction = corrections.withdraw_correction
        self.apply_corrections = corrections.apply_corrections
        # The sign-off and the release.
        self.gate = signoffs.gate
        self.sign_off = signoffs.sign_off
        self.reject = signoffs.reject
        self.release = releases.release
        self.disclosure_record = records.disclosure_record
        # Supervision and policy.
        self.history = supervision.history
        self.history_csv = supervision.history_csv
        self.reviewer_figures = supervision.reviewer_figures
        self.acknowledged_findings = supervision.acknowledged_findings
        self.audit_status = supervision.audit_status
        self.export_audit_csv = supervision.export_audit_csv
        self.audit_events = supervision.audit_events
        # The statutory clock.
        self.clock = clocks.clock
        self.extend = clocks.extend
        self.pause = clocks.pause
        self.resume = clocks.resume
        self.record_notice = clocks.record_notice
        self.deadlines = clocks.deadlines
        self.deadlines_csv = clocks.deadlines_csv
        # Work handed out: who holds each request.
        self.claim = claims.claim
        self.unclaim = claims.release
        self.assign = claims.assign
        self.hand_over = claims.hand_over
        self.hold = claims.hold
        self.holds = claims.holds
        self.policy = policies.policy
        self.set_policy = policies.set_policy
        # Storage limitation.
        self.retention = purges.retention
        self.purge = purges.purge

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
        create: bool = True,
    ) -> Self:
        """Open the store at `url` (None: $REVIEWER_DB, else the user data dir), creating it
        or upgrading its schema to the latest migration. With `create=False` (commands that
        only read) a store that does not exist yet raises NoStore and nothing is created.
        `clock` and `hasher` (other Argon2id parameters) are for tests and benchmarks."""
        return cls(UnitOfWork.open(url, clock=clock, hasher=hasher, create=create))

    def close(self) -> None:
        self._uow.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._uow.url

    @property
    def engine(self) -> Engine:
        """The store's engine, for tests and tools that work on the database itself."""
        return self._uow.engine

    @property
    def key_dir(self) -> Path:
        """Where the audit key and checkpoint file of this store live."""
        return self._uow.key_dir

    def now(self) -> datetime:
        """The service's clock (on PostgreSQL, rules are decided by the server's)."""
        return self._uow.now()

    def privilege_warning(self) -> str | None:
        """On PostgreSQL, a warning when this terminal connects as a superuser or as the
        tables' owner: such a role can switch the store's triggers off (README, Team mode)."""
        with self._uow.read() as s:
            return privilege_warning(s)
