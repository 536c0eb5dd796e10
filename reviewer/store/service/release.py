"""Release: re-hash the archive, check both sign-offs, check the staged copy again as it
leaves, record the release with a signed audit checkpoint, and publish OUTBOX/REQUEST_ID
(export.zip, release.json) atomically."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from reviewer.domain.access import ROLES, Action
from reviewer.domain.errors import first_line
from reviewer.domain.model import Severity
from reviewer.domain.request import REQUEST_ID_RE
from reviewer.domain.states import Decision, Role, Stage
from reviewer.store import trail
from reviewer.store.errors import (
    PermissionDenied,
    ReleaseError,
)
from reviewer.store.service import outbox as outbox_files
from reviewer.store.service import rows
from reviewer.store.service.claims import end_with_release
from reviewer.store.service.ingest import ticket_sha256
from reviewer.store.service.people import People
from reviewer.store.service.proof import release_problem
from reviewer.store.service.record import RECORD_HTML, RECORD_JSON, Records
from reviewer.store.service.review import Reviews
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    DeliveryRow,
    ReleaseRow,
    RequestRow,
    ReviewerRow,
    SignOffRowT,
)
from reviewer.store.views import (
    ReleaseReceipt,
    RequestDetail,
    SignedIn,
    Signer,
)

FOLDER_RE = REQUEST_ID_RE  # the ticket's request id names the release folder
T = TypeVar("T")
P = ParamSpec("P")


class Releases:
    """Approved exports out to the outbox."""

    def __init__(self, uow: UnitOfWork, people: People, reviews: Reviews, records: Records):
        self._uow = uow
        self._people = people
        self._reviews = reviews
        self._records = records

    def release(
        self,
        session: SignedIn,
        request_id: str,
        outbox: Path,
        *,
        redeliver: bool = False,
        reason: str = "",
    ) -> ReleaseReceipt:
        """Re-hash the archive, check both sign-offs, and write OUTBOX/REQUEST_ID/export.zip and
        release.json atomically, for the approver signed in on `session`. ReleaseError (nothing
        written) when the gate does not hold; PermissionDenied when the access rule says no.

        An export goes out once. `redeliver` (with a `reason`) writes a released export's files
        again to the outbox it was released to, when they are gone from there: a deliberate,
        audited act of an approver. A release recorded but never delivered (a crash between the
        two) is finished by the next release call, to its recorded outbox only.
        """
        if not FOLDER_RE.match(request_id):
            raise ReleaseError(f"request id {request_id!r} cannot be used as a folder name")
        # The receipt and the audit name where it went: the folders above the outbox as they
        # truly are (a linked one is followed here, once, so a link retargeted later cannot
        # send a redelivery elsewhere); the outbox itself must be no link (below).
        given = Path(os.path.abspath(outbox))
        outbox = Path(os.path.realpath(given.parent)) / given.name
        final = outbox / request_id
        detail = self._reviews.request_detail(request_id)
        with self._uow.read() as s:
            signed_ticket = rows.version(s, detail.version_id).ticket_sha256
            existing = s.execute(
                select(ReleaseRow).where(ReleaseRow.version_id == detail.version_id)
            ).scalar_one_or_none()
            delivered = (
                existing is not None
                and s.execute(
                    select(DeliveryRow.id).where(DeliveryRow.release_id == existing.id).limit(1)
                ).first()
                is not None
            )
            action = Action.RELEASE if existing is None else Action.REDELIVER
            key = session.signing_key  # signs the release and the delivery
            try:
                actor = self._people.acting(s, session, action, detail.state)
            except PermissionDenied as exc:
                # Who may not release is a permission refusal; what may not be released now
                # (the state) is the release gate's.
                person = self._people.session_account(s, session)
                gate = person is not None and Role(person.role) in ROLES[action]
                self._refuse(
                    session.name, detail, str(exc), ReleaseError if gate else PermissionDenied
                )
        link = outbox_files.symbolic_link_in_the_way(outbox, final)
        if link is not None:
            self._refuse(
                actor.name,
                detail,
                f"{link} is a symbolic link: releases go to a real folder; nothing was written",
            )
        if existing is not None:
            already = (
                f"{request_id} was already released at {existing.released_at:%Y-%m-%d %H:%M} UTC"
                f" by {existing.released_by} to {existing.outbox_path}"
            )
            if not outbox_files.same_place(existing.outbox_path, final):
                # A release goes out once: never a second copy somewhere else.
                self._refuse(actor.name, detail, f"{already}; nothing was written")
            if final.exists():
                self._refuse(actor.name, detail, already)
            if delivered and not redeliver:
                self._refuse(
                    actor.name,
                    detail,
                    f"{already}, and its files were delivered there; to deliver them again, "
                    "re-deliver deliberately with a reason",
                )
            if redeliver and not reason.strip():
                self._refuse(actor.name, detail, "a re-delivery needs a reason")
            # Either a deliberate re-delivery, or the release was recorded but its files never
            # reached the outbox (a crash between the two): the recorded receipt, to the
            # recorded place only.
            recorded = existing.receipt
            kind = "redelivery" if delivered else "delivery"
            return self._deliver(
                detail, outbox, final, actor, key, lambda: recorded, kind, reason.strip()
            )
        if redeliver:
            self._refuse(actor.name, detail, "only a released export can be delivered again")
        if final.exists():
            self._refuse(actor.name, detail, f"{final} already exists; nothing was written")

        record = functools.partial(self._record_or_refuse, session, actor.name, detail, final)
        return self._deliver(
            detail, outbox, final, actor, key, record, "delivery", "", recheck=signed_ticket or ""
        )

    def _record_or_refuse(
        self, session: SignedIn, actor: str, detail: RequestDetail, final: Path
    ) -> dict[str, Any]:
        """Record the release (its receipt); a refusal, the database's included, audited."""
        try:
            return self._uow.transact(self._record_release, session, detail, final)
        except (ReleaseError, PermissionDenied) as exc:  # changed since it was read
            why = str(exc)
        except DBAPIError as exc:  # a database rule refused it (the service's own agreed)
            why = f"the store refused the release: {first_line(exc)}"
        self._refuse(actor, detail, why)

    def _refuse(
        self,
        actor: str,
        detail: RequestDetail,
        reason: str,
        error: type[Exception] = ReleaseError,
    ) -> NoReturn:
        self._uow.audit(
            actor,
            "release-refused",
            f"request:{detail.request.request_id}",
            {"version_id": detail.version_id, "reason": reason},
        )
        raise error(reason)

    def _record_release(
        self, s: Session, session: SignedIn, detail: RequestDetail, final: Path
    ) -> dict[str, Any]:
        now = self._uow.stamp(s)
        v = rows.lock_version(s, detail.version_id)
        vid = int(v.id or 0)
        state, signers, round_, _exp = rows.state(s, v, now)
        # Again, now: the state, the session (a passphrase reset or a disable since the
        # release began closed it) and the account; its key signs the release.
        try:
            account = self._people.acting(s, session, Action.RELEASE, state)
        except PermissionDenied as exc:
            raise ReleaseError(str(exc)) from None
        actor = account.name
        # What both signed is the pair (ticket, archive): the version's ticket must be the
        # one stored now, and the one this receipt names (ingest makes a new version when
        # the ticket changes; this holds it).
        stored = s.get(RequestRow, v.request_id)
        assert stored is not None
        if v.ticket_sha256 is None:
            raise ReleaseError(
                "the ticket this export was checked against is not recorded (stored by an "
                "older version of the reviewer): ingest the request again and review it"
            )
        if {ticket_sha256(stored.ticket), ticket_sha256(detail.request.raw)} != {v.ticket_sha256}:
            raise ReleaseError(
                "the ticket changed since this export was checked and signed: "
                "ingest the request again and review it"
            )
        # The rows say approved; the chain must say so too (rows can be written in SQL).
        problem = release_problem(s, v, signers, now, rows.policy_row(s).unlock_lapse_days)
        if problem is not None:
            raise ReleaseError(problem)
        if rows.mark_findings(s, v):
            raise ReleaseError(
                "a reviewer marked part of this export as not the requester's: correct it "
                "(withhold what was marked) or reject it"
            )
        second_id = rows.signoff_id(s, vid, round_, Stage.SECOND)
        checklists: dict[str, dict[str, bool]] = {}
        statements: dict[str, str] = {}
        for name, cl, statement in s.execute(
            select(ReviewerRow.name, SignOffRowT.checklist, SignOffRowT.sampling_statement)
            .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
            .where((SignOffRowT.version_id == vid) & (SignOffRowT.round == round_))
        ).all():
            checklists[name] = {str(k): bool(x) for k, x in cl.items()}
            statements[name] = statement
        trail.append(
            s,
            actor,
            "release",
            f"request:{v.request_id}",
            {
                "version_id": vid,
                "archive_sha256": v.archive_sha256,
                "ticket_sha256": v.ticket_sha256,
                "outbox": str(final),
            },
            at=now,
        )
        end_with_release(s, v.request_id, account, now)
        size, head = trail.head(s)
        req = detail.request
        receipt: dict[str, Any] = {
            "request_id": v.request_id,
            "version_id": vid,
            "version": v.number,  # as people read it (v1, v2 ...); version_id is the store's
            "archive_sha256": v.archive_sha256,
            "ticket_sha256": v.ticket_sha256,
            "request": {
                "customer_id": req.requester.customer_id,
                "name": req.requester.name,
                "email": req.requester.email,
                "received_at": _iso(req.received_at),
                "due_at": _iso(req.due_at),
                "verification_method": req.verification_method,
                "verified_at": _iso(req.verified_at),
            },
            "released_by": actor,
            "released_at": now.isoformat(),
            "approvers": [
                {
                    "name": f.name,
                    "role": f.role.value,
                    "stage": f.stage.value,
                    "decision": f.decision.value,
                    "at": f.at.isoformat(),
                    "sampling_statement": statements.get(f.name, ""),
                }
                for f in signers
            ],
            "checklist": checklists,
            "sampling_statement": statements.get(signers[-1].name, "") if signers else "",
            "audit_head": {"size": size, "hash": head},
            "audit_checkpoint": None,
        }
        receipt["audit_checkpoint"] = trail.checkpoint(s, self._uow.key_dir, at=now)
        s.add(
            ReleaseRow(
                version_id=vid,
                archive_sha256=v.archive_sha256,
                signoff_id=second_id,
                signoff_stage=2,
                signoff_decision="approve",
                released_by=actor,
                released_at=now,
                outbox_path=str(final),
                receipt=receipt,
            )
        )
        return receipt

    def _record_delivery(
        self,
        s: Session,
        detail: RequestDetail,
        actor: ReviewerRow,
        key: Ed25519PrivateKey | None,
        final: Path,
        kind: str,
        reason: str,
    ) -> None:
        now = self._uow.stamp(s)
        trail.sign_as(s, actor.name, key)
        release_id = s.execute(
            select(ReleaseRow.id).where(ReleaseRow.version_id == detail.version_id)
        ).scalar_one()
        s.add(
            DeliveryRow(
                release_id=int(release_id),
                kind=kind,
                by_id=int(actor.id or 0),
                at=now,
                outbox_path=str(final),
                reason=reason,
            )
        )
        trail.append(
            s,
            actor.name,
            kind,
            f"request:{detail.request.request_id}",
            {"version_id": detail.version_id, "outbox": str(final), "reason": reason},
            at=now,
        )

    def _record_files(self, detail: RequestDetail, receipt: dict[str, Any]) -> dict[str, str]:
        """The disclosure record written beside the release, as JSON and as a readable page."""
        from reviewer.correct.record import record_html
        from reviewer.correct.record_files import record_json

        record = self._records.build(detail, receipt)
        return {RECORD_JSON: record_json(record), RECORD_HTML: record_html(record)}

    def _deliver(
        self,
        detail: RequestDetail,
        outbox: Path,
        final: Path,
        actor: ReviewerRow,
        key: Ed25519PrivateKey | None,
        receipt: Callable[[], dict[str, Any]],
        kind: str,
        reason: str,
        recheck: str | None = None,
    ) -> ReleaseReceipt:
        """Stage the re-hashed archive, then publish it with `receipt()` (which records the
        release, or gives the one recorded before) and record the delivery (`kind`: delivery
        or redelivery, with its `reason`); a failure leaves nothing in the outbox, and no
        outbox at all when this call created it. `recheck`: a release, whose staged copy is
        checked again first against the ticket whose SHA-256 this is (`recheck_problem`)."""
        try:
            created = outbox_files.make_dirs(outbox)
        except OSError as exc:
            raise ReleaseError(
                f"cannot write to the outbox {outbox}: {exc.strerror or exc}"
            ) from None
        done = False
        sha = detail.archive_sha256
        try:
            tmp = self._refused_as_audited(
                actor.name,
                detail,
                outbox_files.stage,
                detail.archive_path,
                sha,
                detail.index.archive_bytes,
                detail.request.request_id,
                outbox,
            )
            try:
                if recheck is not None:
                    problem = recheck_problem(detail, tmp / "export.zip", recheck)
                    if problem is not None:
                        self._refuse(actor.name, detail, f"{problem}; nothing was written")
                data = receipt()
                self._refused_as_audited(actor.name, detail, outbox_files.check_staged, tmp, sha)
                outbox_files.write_files(tmp, self._record_files(detail, data))
                outbox_files.publish(tmp, data, final)
                done = True
                self._uow.transact(self._record_delivery, detail, actor, key, final, kind, reason)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        finally:
            outbox_files.tidy(outbox, [] if done else created)
        return _receipt(data, final)

    def _refused_as_audited(
        self,
        actor: str,
        detail: RequestDetail,
        fn: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`fn(...)`, its refusal (`outbox.Refused`) audited and raised as ReleaseError."""
        try:
            return fn(*args, **kwargs)
        except outbox_files.Refused as exc:
            self._refuse(actor, detail, str(exc))


def recheck_problem(detail: RequestDetail, staged: Path, signed_ticket: str) -> str | None:
    """The staged copy (the signed bytes) checked again as it leaves: what the store says of
    it (its findings, its verdict) is rows an insider can rewrite, so the release reads the
    bytes once more, against the ticket beside the ingested export (its inbox folder's
    request.json, from the identity side) when it is there, else the stored one. A ticket
    there that is not the one signed (`signed_ticket`, its SHA-256) refuses it, and so does
    any critical finding now."""
    from reviewer.archive.export import read_export
    from reviewer.archive.limits import Limits
    from reviewer.domain.errors import ReviewerError
    from reviewer.domain.request import TICKET_NAME, load_request
    from reviewer.domain.review import review_index

    request = detail.request
    beside = detail.archive_path.parent / TICKET_NAME
    if detail.corrected_from is None and signed_ticket and beside.is_file():
        try:
            request = load_request(beside)
        except ReviewerError as exc:
            return f"the ticket beside the export cannot be read now ({exc})"
        if ticket_sha256(request.raw) != signed_ticket:
            return (
                f"the ticket beside the export ({beside}) is not the one it was checked and "
                "signed against: ingest it again and review it"
            )
    index = read_export(staged, Limits())
    if index.archive_sha256 != detail.archive_sha256:
        return "the staged copy is not the archive both signed"
    findings = review_index(request, index).report.findings
    critical = sorted({f.code for f in findings if f.severity is Severity.CRITICAL})
    if critical:
        return (
            f"checked again as it leaves, the export has critical findings "
            f"({', '.join(critical)}), which the store did not show: it is never released (the "
            "store's findings were changed, or the checks find more than when it was ingested)"
        )
    return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _receipt(data: dict[str, Any], final: Path) -> ReleaseReceipt:
    return ReleaseReceipt(
        request_id=data["request_id"],
        version_id=int(data["version_id"]),
        archive_sha256=data["archive_sha256"],
        released_by=data["released_by"],
        released_at=datetime.fromisoformat(data["released_at"]),
        approvers=tuple(
            Signer(
                a["name"],
                Role(a["role"]),
                Stage(a["stage"]),
                Decision(a["decision"]),
                datetime.fromisoformat(a["at"]),
            )
            for a in data["approvers"]
        ),
        checklist=data["checklist"],
        outbox_dir=final,
        audit_head=str(data["audit_head"]["hash"]),
        audit_checkpoint=data.get("audit_checkpoint"),
    )
