"""The store's decisions against the audit chain: every decision row has its event, every
decision event its row, and the two agree.

The hash chain proves its own integrity, not that the tables agree with it: a sign-off row
inserted in SQL has no event, and an event forged into the tail has no row. So `audit verify`
and the supervisor's audit status compare, after the chain verifies:

- sign-offs and rejections (version, stage, decision, signer, archive, and what the signer
  wrote: note, sampling statement, acknowledgements);
- releases (version, archive, releaser) and deliveries (version, kind, by whom, reason);
- accounts (name, role, made by) and whether each is disabled now (its last disable/enable);
- the policy (the last policy change, or the defaults);
- inspections (version, reviewer, kind, target, seconds);
- marks and proposed corrections (version, author, what, on what, the note), their withdrawals, which
  corrections each corrected version applied, and the corrected versions (from which version,
  which archive);
- the statutory clock's changes (request, extension, pause, resume, notice; months; by whom;
  the reason);
- who holds each request: every claim, assignment and hand-over (request, holder, by whom,
  the note)
  and how each ended (released, reassigned, handed over; by whom);
- purged requests (request, by whom): every purged request has its purge event, and each
  purge event its purged request (a purged request's typed texts are not compared: the purge
  emptied them);
- the texts kept beside the chain (`reviewer.domain.audit.sealed`): each is the one its
  event sealed (same digest, same request), each sealing event keeps its texts unless its
  request was purged, and no texts stand beside an event that sealed none.

`cross_check(session)` returns the first disagreement in words, naming the row and the event,
or None. It compares what came after the store's signed `audit-decisions-signed` marker: the
marker records the highest row id of each table, the disabled accounts and the policy as they
were before (rows an earlier version wrote, some before the trail existed), and those rows are
not asked for events. A store without the marker (only an audit trail, or never opened by this
version) has nothing to compare.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from itertools import zip_longest
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.domain.audit import DECISIONS_SIGNED_MARKER
from reviewer.domain.audit.sealed import seal_of, texts_match, unseal
from reviewer.domain.policy import DEFAULT_NEW_ACCOUNT_DAYS, DEFAULT_RETENTION_DAYS
from reviewer.domain.sampling import DEFAULT_CONFIDENCE, DEFAULT_MIN_FOREIGN_FRACTION
from reviewer.domain.signoff import DEFAULT_UNLOCK_LAPSE_DAYS
from reviewer.store.audit_log import EVENT_TABLE, TEXT_TABLE, _stream

DEFAULT_POLICY = (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_FOREIGN_FRACTION,
    DEFAULT_UNLOCK_LAPSE_DAYS,
    DEFAULT_NEW_ACCOUNT_DAYS,
    DEFAULT_RETENTION_DAYS,
)
STAGES = {1: "first", 2: "second"}
ACTIONS = (
    "sign-off",
    "rejection",
    "release",
    "delivery",
    "redelivery",
    "user-add",
    "user-disable",
    "user-enable",
    "policy-change",
    "mark",
    "mark-withdrawn",
    "correction-proposed",
    "correction-withdrawn",
    "corrections-applied",
    "clock-change",
    "claim",
    "claim-assign",
    "claim-handover",
    "claim-release",
    "purge",
)
CLAIM_ENDS = {"claim-assign": "reassigned", "claim-handover": "handed-over"}


class _Pairing:
    """One kind of decision: a multiset of keys from the rows and one from the events."""

    def __init__(self, what: str, event_name: str) -> None:
        self.what = what
        self.event_name = event_name
        self.rows: Counter[Hashable] = Counter()
        self.events: Counter[Hashable] = Counter()
        self.first_row: dict[Hashable, Any] = {}
        self.first_event: dict[Hashable, int] = {}

    def row(self, key: Hashable, row_id: Any) -> None:
        self.rows[key] += 1
        self.first_row.setdefault(key, row_id)

    def event(self, key: Hashable, seq: int) -> None:
        self.events[key] += 1
        self.first_event.setdefault(key, seq)

    def problem(self) -> tuple[int, str] | None:
        """The first disagreement, as (event seq or 0, words)."""
        found: list[tuple[int, str]] = []
        for key, n in (self.rows - self.events).items():
            found.append(
                (
                    0,
                    f"{self.what} row {self.first_row[key]} ({_show(key)}) has no "
                    f"{self.event_name} event in the audit trail: it was written "
                    f"around the reviewer{'' if n == 1 else f' ({n} such rows)'}",
                )
            )
        for key, _n in (self.events - self.rows).items():
            seq = self.first_event[key]
            found.append(
                (
                    seq,
                    f"event {seq} ({self.event_name}: {_show(key)}) has no "
                    f"{self.what} row that agrees with it: the row was removed or "
                    "changed, or the event forged",
                )
            )
        return min(found, key=lambda p: (p[0] == 0, p[0])) if found else None


def passphrase_mark(passphrase_hash: str) -> str:
    """What the audit trail records of a passphrase hash: the first 16 hex digits of its
    SHA-256, enough to tell one hash from another and nothing about the passphrase."""
    return hashlib.sha256(passphrase_hash.encode()).hexdigest()[:16]


# Events that say which passphrase hash an account has: set (user-add, a reset) or that
# verified a passphrase ("was") and is held after it ("key": a sign-in or a sign-off renews a
# hash made with weaker parameters).
PASSPHRASE_EVENTS = ("user-add", "user-reset-passphrase", "sign-in", "sign-off", "rejection")


class _Passphrases:
    """Which passphrase hash each account has, followed through the trail's events: an
    account whose hash changed with no event that set it is a problem. A sign-in or a
    sign-off verified against a hash the trail never gave that account (a hash copied from
    another account, used, and maybe put back), or a hash in the store that is not the last
    one the trail gave it. Events recorded before marks were kept are passed over."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, int]] = {}  # account -> (last mark, its event)
        # account -> every mark the trail gave it (two sign-ins at once may each renew a
        # weaker hash: either verifies the next time)
        self.given: dict[str, set[str]] = {}
        self.found: str | None = None  # the first problem among the events

    def event(self, seq: int, actor: str, action: str, subject: str, d: dict[str, Any]) -> None:
        key = d.get("key")
        if self.found is not None or not isinstance(key, str):
            return
        name = actor if action in ("sign-off", "rejection") else subject.removeprefix("reviewer:")
        was = d.get("was", key) if action in ("sign-in", "sign-off", "rejection") else None
        have = self.known.get(name)
        if was is not None and have is not None and was not in self.given[name]:
            self.found = (
                f"event {seq} ({action} by {name}) verified a passphrase hash the audit trail "
                f"never gave {name} (the last one was set by event {have[1]}): a hash was "
                "changed in the store"
            )
            return
        self.known[name] = (key, seq)
        self.given.setdefault(name, set()).add(key)

    def problem(self, session: Session) -> str | None:
        if self.found is not None or not self.known:
            return self.found
        for name, stored in _stream(session, "SELECT name, passphrase_hash FROM reviewers"):
            have = self.known.get(str(name))
            if have is not None and passphrase_mark(str(stored)) != have[0]:
                return (
                    f"the passphrase hash of {name} in the store is not the one the audit "
                    f"trail gave it last (event {have[1]})"
                )
        return None


def cross_check(session: Session) -> str | None:
    """The first disagreement between the decision rows and their events, or None."""
    tables = set(sa.inspect(session.connection()).get_table_names())
    if not {"signoffs", "reviewers", "inspections", "policy"} <= tables:
        return None
    marker = session.execute(
        sa.text(f"SELECT seq, payload FROM {EVENT_TABLE} WHERE action = :a ORDER BY seq LIMIT 1"),
        {"a": DECISIONS_SIGNED_MARKER},
    ).first()
    if marker is None:
        return None
    since, before = int(marker[0]), _loads(str(marker[1]))
    legacy: dict[str, int] = {str(k): int(v) for k, v in (before.get("legacy_rows") or {}).items()}

    def newer(table: str) -> str:
        return f"id > {legacy.get(table, 0)}"

    signoffs = _Pairing("sign-off", "sign-off or rejection")
    releases = _Pairing("release", "release")
    deliveries = _Pairing("delivery", "delivery or redelivery")
    accounts = _Pairing("account", "user-add")
    inspections = _Pairing("inspection", "inspection")
    marks = _Pairing("mark", "mark")
    marks_withdrawn = _Pairing("withdrawn mark", "mark-withdrawn")
    proposals = _Pairing("correction", "correction-proposed")
    proposals_withdrawn = _Pairing("withdrawn correction", "correction-withdrawn")
    applied = _Pairing("applied correction", "corrections-applied")
    corrected = _Pairing("corrected version", "corrections-applied")
    clock_changes = _Pairing("clock change", "clock-change")
    claims = _Pairing("claim", "claim, claim-assign or claim-handover")
    claims_ended = _Pairing("ended claim", "claim-release, claim-assign or claim-handover")
    purges = _Pairing("purged request", "purge")
    disabled_by_events = dict.fromkeys(before.get("legacy_disabled") or [], True)
    policy_after: dict[str, Any] | None = before.get("policy")
    policy_seq = since

    present = (
        {c["name"] for c in sa.inspect(session.connection()).get_columns("requests")}
        if "requests" in tables
        else set()
    )
    purged: set[str] = set()
    if "purged_at" in present:
        purged = set(
            session.execute(
                sa.text("SELECT request_id FROM requests WHERE purged_at IS NOT NULL")
            ).scalars()
        )
    texts: dict[int, tuple[str, str, str]] = {}
    if TEXT_TABLE in tables:
        texts = {
            int(seq): (str(rid), str(salt), str(kept))
            for seq, rid, salt, kept in _stream(
                session, f"SELECT seq, request_id, salt, texts FROM {TEXT_TABLE}"
            )
        }
    sealing: list[tuple[int, str, dict[str, Any]]] = []

    passphrases = _Passphrases()
    actions = ", ".join(f"'{a}'" for a in dict.fromkeys((*ACTIONS, *PASSPHRASE_EVENTS)))
    for seq, actor, action, subject, payload in _stream(
        session,
        f"SELECT seq, actor, action, subject, payload FROM {EVENT_TABLE} "
        f"WHERE seq > {since} AND action IN ({actions}) ORDER BY seq",
    ):
        d = _loads(payload)
        if seal_of(d) is not None:
            sealing.append((seq, subject, d))
            d = _unsealed(d, texts.get(seq))
        gone = subject.removeprefix("request:") in purged  # its texts were emptied, or are
        if action in PASSPHRASE_EVENTS:
            passphrases.event(seq, actor, action, subject, d)

        if action in ("sign-off", "rejection"):
            signoffs.event(
                (
                    d.get("version_id"),
                    d.get("stage"),
                    d.get("decision"),
                    actor,
                    d.get("archive_sha256"),
                    _typed(d.get("note"), gone),
                    _typed(d.get("sampling_statement"), gone),
                    _typed(d.get("acknowledged"), gone),
                ),
                seq,
            )
        elif action == "release":
            releases.event((d.get("version_id"), d.get("archive_sha256"), actor), seq)
        elif action in ("delivery", "redelivery"):
            deliveries.event(
                (d.get("version_id"), action, actor, _typed(d.get("reason"), gone)), seq
            )
        elif action == "user-add":
            accounts.event((subject.removeprefix("reviewer:"), d.get("role")), seq)
        elif action in ("user-disable", "user-enable"):
            disabled_by_events[subject.removeprefix("reviewer:")] = action == "user-disable"
        elif action == "policy-change":
            policy_after, policy_seq = d.get("after") or {}, seq
        elif action == "mark":
            marks.event(
                (
                    d.get("mark_id"),
                    d.get("version_id"),
                    actor,
                    d.get("kind"),
                    d.get("target"),
                    _typed(d.get("note"), gone),
                ),
                seq,
            )
        elif action == "mark-withdrawn":
            marks_withdrawn.event(d.get("mark_id"), seq)
        elif action == "correction-proposed":
            proposals.event(
                (
                    d.get("correction_id"),
                    d.get("version_id"),
                    actor,
                    d.get("kind"),
                    _typed(d.get("target"), gone),
                    d.get("reason"),
                    _typed(d.get("note"), gone),
                ),
                seq,
            )
        elif action == "correction-withdrawn":
            proposals_withdrawn.event(d.get("correction_id"), seq)
        elif action == "corrections-applied":
            corrected.event(
                (d.get("version_id"), d.get("corrected_from"), d.get("archive_sha256")), seq
            )
            for cid in d.get("corrections") or []:
                applied.event((cid, d.get("version_id")), seq)
        elif action == "clock-change":
            clock_changes.event(
                (
                    d.get("clock_change_id"),
                    d.get("request_id"),
                    d.get("kind"),
                    d.get("months"),
                    actor,
                    _typed(d.get("reason"), gone),
                ),
                seq,
            )
        elif action in ("claim", "claim-assign", "claim-handover"):
            claims.event(
                (
                    d.get("claim_id"),
                    d.get("request_id"),
                    d.get("kind"),
                    d.get("holder"),
                    actor,
                    _typed(d.get("note"), gone),
                ),
                seq,
            )
            if d.get("ended_claim_id") is not None:
                claims_ended.event((d.get("ended_claim_id"), CLAIM_ENDS[action], actor), seq)
        elif action == "claim-release":
            claims_ended.event((d.get("claim_id"), "released", actor), seq)
        elif action == "purge":
            purges.event((d.get("request_id"), actor), seq)

    names = {int(i): str(n) for i, n in session.execute(sa.text("SELECT id, name FROM reviewers"))}
    for row_id, name, role, disabled in session.execute(
        sa.text("SELECT id, name, role, disabled FROM reviewers ORDER BY id")
    ):
        if row_id > legacy.get("reviewers", 0):
            accounts.row((name, role), f"{row_id} ({name})")
        if bool(disabled) != disabled_by_events.get(name, False):
            state = "disabled" if disabled else "active"
            return (
                f"account {name} is {state} in the store, but its audit events say "
                f"otherwise: it was changed around the reviewer"
            )
    for row in _stream(
        session,
        "SELECT s.id, s.version_id, s.stage, s.decision, s.reviewer_id, s.archive_sha256, "
        "s.note, s.sampling_statement, s.acknowledged, v.request_id FROM signoffs s "
        f"JOIN export_versions v ON v.id = s.version_id WHERE s.{newer('signoffs')} "
        "ORDER BY s.id",
    ):
        row_id, vid, stage, decision, reviewer_id, sha, note, statement, acks, rid = row
        gone = rid in purged
        signoffs.row(
            (
                int(vid),
                STAGES.get(int(stage)),
                decision,
                names.get(int(reviewer_id)),
                sha,
                _typed(note, gone),
                _typed(statement, gone),
                _typed(acks, gone),
            ),
            row_id,
        )
    if "releases" in tables:
        for row_id, vid, sha, by in _stream(
            session,
            "SELECT id, version_id, archive_sha256, released_by FROM releases "
            f"WHERE {newer('releases')} ORDER BY id",
        ):
            releases.row((int(vid), sha, by), row_id)
    if "deliveries" in tables:
        for row_id, vid, kind, by_id, reason, rid in _stream(
            session,
            "SELECT d.id, r.version_id, d.kind, d.by_id, d.reason, v.request_id FROM deliveries d "
            "JOIN releases r ON r.id = d.release_id JOIN export_versions v ON v.id = r.version_id "
            f"WHERE d.{newer('deliveries')} ORDER BY d.id",
        ):
            deliveries.row(
                (int(vid), kind, names.get(int(by_id)), _typed(reason, rid in purged)), row_id
            )
    if not _inspections_in_step(session, since, newer("inspections"), names):
        # Something disagrees: the full comparison names the first row or event that does.
        for seq, actor, payload in _stream(
            session,
            f"SELECT seq, actor, payload FROM {EVENT_TABLE} "
            f"WHERE seq > {since} AND action = 'inspection' ORDER BY seq",
        ):
            inspections.event(_inspection_event(actor, payload), seq)
        for row_id, *row in _stream(session, _inspection_rows(newer("inspections"))):
            inspections.row(_inspection_row(row, names), row_id)

    if "marks" in tables:
        for row_id, vid, reviewer_id, kind, target, note, withdrawn, rid in _stream(
            session,
            "SELECT m.id, m.version_id, m.reviewer_id, m.kind, m.target, m.note, m.withdrawn_at, "
            "v.request_id FROM marks m JOIN export_versions v ON v.id = m.version_id "
            "ORDER BY m.id",
        ):
            marks.row(
                (
                    int(row_id),
                    int(vid),
                    names.get(int(reviewer_id)),
                    kind,
                    target,
                    _typed(note, rid in purged),
                ),
                row_id,
            )
            if withdrawn is not None:
                marks_withdrawn.row(int(row_id), row_id)
    if "corrections" in tables:
        for row in _stream(
            session,
            "SELECT c.id, c.version_id, c.reviewer_id, c.kind, c.target, c.reason, c.note, "
            "c.withdrawn_at, c.applied_version_id, v.request_id FROM corrections c "
            "JOIN export_versions v ON v.id = c.version_id ORDER BY c.id",
        ):
            row_id, vid, reviewer_id, kind, target, reason, note, withdrawn, applied_to, rid = row
            gone = rid in purged
            proposals.row(
                (
                    int(row_id),
                    int(vid),
                    names.get(int(reviewer_id)),
                    kind,
                    _typed(target, gone),
                    reason,
                    _typed(note, gone),
                ),
                row_id,
            )
            if withdrawn is not None:
                proposals_withdrawn.row(int(row_id), row_id)
            if applied_to is not None:
                applied.row((int(row_id), int(applied_to)), row_id)
        for row_id, from_id, sha in _stream(
            session,
            "SELECT id, corrected_from_id, archive_sha256 FROM export_versions "
            "WHERE corrected_from_id IS NOT NULL ORDER BY id",
        ):
            corrected.row((int(row_id), int(from_id), sha), row_id)

    if "clock_changes" in tables:
        for row_id, request_id, kind, months, by_id, reason in _stream(
            session,
            "SELECT id, request_id, kind, months, by_id, reason FROM clock_changes ORDER BY id",
        ):
            clock_changes.row(
                (
                    int(row_id),
                    request_id,
                    kind,
                    int(months),
                    names.get(int(by_id)),
                    _typed(reason, request_id in purged),
                ),
                row_id,
            )

    if "claims" in tables:
        for row_id, request_id, kind, holder_id, by_id, ended, ended_by_id, note in _stream(
            session,
            "SELECT id, request_id, kind, holder_id, by_id, ended, ended_by_id, note FROM claims "
            "ORDER BY id",
        ):
            claims.row(
                (
                    int(row_id),
                    request_id,
                    kind,
                    names.get(int(holder_id)),
                    names.get(int(by_id)),
                    _typed(note, request_id in purged),
                ),
                row_id,
            )
            if ended is not None:
                ended_by = names.get(int(ended_by_id)) if ended_by_id is not None else None
                claims_ended.row((int(row_id), ended, ended_by), row_id)
    if "purged_at" in present:
        for request_id, purge in _stream(
            session,
            "SELECT request_id, purge FROM requests WHERE purged_at IS NOT NULL "
            "ORDER BY request_id",
        ):
            by = (purge if isinstance(purge, dict) else _loads(str(purge or ""))).get("by")
            purges.row((request_id, by), request_id)

    problems = [
        found
        for pairing in (
            accounts,
            signoffs,
            releases,
            deliveries,
            inspections,
            marks,
            marks_withdrawn,
            proposals,
            proposals_withdrawn,
            applied,
            corrected,
            clock_changes,
            claims,
            claims_ended,
            purges,
        )
        if (found := pairing.problem()) is not None
    ]
    policy = _policy_problem(session, policy_after, policy_seq)
    if policy is not None:
        problems.append(policy)
    sealed = _sealed_problem(sealing, texts, purged)
    if sealed is not None:  # first: at the same event it says more than a pairing does
        problems.insert(0, sealed)
    if not problems:
        return passphrases.problem(session)
    return min(problems, key=lambda found: (found[0] == 0, found[0]))[1]


def _typed(value: object, gone: bool) -> str | None:
    """A text people typed, as compared: None for a purged request (the purge emptied the row's
    copy and removed the event's), otherwise its text (a mapping, such as acknowledgements, as
    canonical JSON; an absent text is empty)."""
    if gone:
        return None
    if isinstance(value, str) and value[:1] == "{":
        try:
            value = json.loads(value)
        except ValueError:
            return str(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else str(value)


def _unsealed(payload: dict[str, Any], kept: tuple[str, str, str] | None) -> dict[str, Any]:
    if kept is None:
        return unseal(payload, None, None)
    try:
        return unseal(payload, bytes.fromhex(kept[1]), _loads(kept[2]))
    except ValueError:
        return unseal(payload, None, None)


def _sealed_problem(
    sealing: list[tuple[int, str, dict[str, Any]]],
    texts: dict[int, tuple[str, str, str]],
    purged: set[str],
) -> tuple[int, str] | None:
    """The first disagreement between the sealing events (seq, subject, payload as recorded)
    and the texts kept beside the chain (seq -> request id, salt, texts). Every kind of event
    that seals texts is one the cross-check reads, so texts beside no sealing event were
    written around the reviewer."""
    found: list[tuple[int, str]] = []
    for seq, subject, recorded in sealing:
        request_id = subject.removeprefix("request:")
        kept = texts.pop(seq, None)
        if kept is None:
            if request_id not in purged:
                found.append(
                    (
                        seq,
                        f"event {seq} sealed texts that are no longer kept, but request "
                        f"{request_id} was not purged: they were removed around the reviewer",
                    )
                )
            continue
        rid, salt, text = kept
        try:
            ok = rid == request_id and texts_match(recorded, bytes.fromhex(salt), _loads(text))
        except ValueError:
            ok = False
        if not ok:
            found.append(
                (
                    seq,
                    f"the texts kept beside event {seq} are not the ones it sealed: they were "
                    "changed around the reviewer",
                )
            )
    for seq in sorted(texts):
        found.append(
            (
                seq,
                f"texts are kept beside event {seq}, which sealed none: they were written "
                "around the reviewer",
            )
        )
    return min(found, key=lambda p: (p[0] == 0, p[0])) if found else None


def _inspection_event(actor: str, payload: str) -> tuple[Any, ...]:
    d = _loads(payload)
    return (d.get("version_id"), actor, d.get("kind"), d.get("target"), _seconds(d.get("seconds")))


def _inspection_row(row: Sequence[Any], names: dict[int, str]) -> tuple[Any, ...]:
    vid, reviewer_id, kind, target, seconds = row
    return (int(vid), names.get(int(reviewer_id)), kind, target, _seconds(seconds))


def _inspection_rows(newer: str) -> str:
    return (
        "SELECT id, version_id, reviewer_id, kind, target, seconds FROM inspections "
        f"WHERE {newer} ORDER BY id"
    )


def _inspections_in_step(session: Session, since: int, newer: str, names: dict[int, str]) -> bool:
    """Whether the inspection rows, in id order, are the inspection events, in chain order,
    one for one: each is written in its event's transaction while the chain's head is held,
    so in a store nobody touched they come in the same order. One pass, nothing kept; False
    at the first difference (the caller then compares them as multisets)."""
    events = _stream(
        session,
        f"SELECT actor, payload FROM {EVENT_TABLE} "
        f"WHERE seq > {since} AND action = 'inspection' ORDER BY seq",
    )
    rows = _stream(session, _inspection_rows(newer))
    try:
        for event, row in zip_longest(events, rows):
            if event is None or row is None:
                return False
            if _inspection_event(*event) != _inspection_row(row[1:], names):
                return False
        return True
    finally:
        events.close()
        rows.close()


def _policy_problem(
    session: Session, after: dict[str, Any] | None, seq: int
) -> tuple[int, str] | None:
    columns = (
        "sample_confidence",
        "sample_min_foreign_fraction",
        "unlock_lapse_days",
        "new_account_days",
        "retention_days",
    )
    # A store read without migrating it (an auditor's copy) may predate a column: compare
    # the columns it has.
    present = {c["name"] for c in sa.inspect(session.connection()).get_columns("policy")}
    kept = [(c, d) for c, d in zip(columns, DEFAULT_POLICY, strict=True) if c in present]
    stored = session.execute(
        sa.text(f"SELECT {', '.join(c for c, _ in kept)} FROM policy WHERE id = 1")
    ).first()
    if stored is None:
        return (0, "the policy row is missing")
    expected = tuple(d if not after else after.get(c, d) for c, d in kept)
    if any(abs(float(a) - float(b)) > 1e-9 for a, b in zip(stored, expected, strict=True)):
        where = f"event {seq}, the last policy change or the marker" if after else "the defaults"
        return (
            seq,
            f"the policy in the store is not the one the audit trail says ({where}): "
            "it was changed around the reviewer",
        )
    return None


def _loads(payload: str) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _seconds(value: object) -> float | None:
    try:
        return round(float(value), 3)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _show(key: Iterable[object] | object) -> str:
    parts: Iterable[object] = key if isinstance(key, tuple) else (key,)
    return ", ".join(str(x) for x in parts if x is not None)
