"""The kinds of decision the cross-check pairs, one declaration each: which audit actions
record it and how such an event becomes a key; which tables its rows need, the SQL that reads
them and how a row becomes a key. A row and an event agree when their keys are equal
(`pairing.Pairing` compares the two multisets); `KINDS` lists them all.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from reviewer.store.crosscheck.kind import Event, Keys, Kind, Lookups, Row
from reviewer.store.crosscheck.values import loads, seconds

STAGES = {1: "first", 2: "second"}
CLAIM_ENDS = {"claim-assign": "reassigned", "claim-handover": "handed-over"}

_MARKS = "FROM marks m JOIN export_versions v ON v.id = m.version_id"
_CORRECTIONS = "FROM corrections c JOIN export_versions v ON v.id = c.version_id"
_CLAIMS = ("claim", "claim-assign", "claim-handover")


def _account_event(e: Event) -> Keys:
    return [(e.subject.removeprefix("reviewer:"), e.get("role"))]


def _account_row(row: Row, at: Lookups) -> Hashable:
    _id, name, role = row
    return (name, role)


def _account_label(row: Row) -> object:
    return f"{row[0]} ({row[1]})"


ACCOUNTS = Kind(
    what="account",
    event_name="user-add",
    actions=("user-add",),
    event_keys=_account_event,
    needs=("reviewers",),
    rows="SELECT id, name, role FROM reviewers WHERE id > {after} ORDER BY id",
    row_key=_account_row,
    legacy="reviewers",
    label=_account_label,
)


def _signoff_event(e: Event) -> Keys:
    return [
        (
            e.get("version_id"),
            e.get("stage"),
            e.get("decision"),
            e.actor,
            e.get("archive_sha256"),
            e.typed("note"),
            e.typed("sampling_statement"),
            e.typed("acknowledged"),
        )
    ]


def _signoff_row(row: Row, at: Lookups) -> Hashable:
    _id, vid, stage, decision, reviewer_id, sha, note, statement, acks, rid = row
    return (
        int(vid),
        STAGES.get(int(stage)),
        decision,
        at.name(reviewer_id),
        sha,
        at.typed(note, rid),
        at.typed(statement, rid),
        at.typed(acks, rid),
    )


SIGNOFFS = Kind(
    what="sign-off",
    event_name="sign-off or rejection",
    actions=("sign-off", "rejection"),
    event_keys=_signoff_event,
    needs=("signoffs",),
    rows="SELECT s.id, s.version_id, s.stage, s.decision, s.reviewer_id, s.archive_sha256, "
    "s.note, s.sampling_statement, s.acknowledged, v.request_id FROM signoffs s "
    "JOIN export_versions v ON v.id = s.version_id WHERE s.id > {after} ORDER BY s.id",
    row_key=_signoff_row,
    legacy="signoffs",
)


def _release_event(e: Event) -> Keys:
    return [(e.get("version_id"), e.get("archive_sha256"), e.actor)]


def _release_row(row: Row, at: Lookups) -> Hashable:
    _id, vid, sha, by = row
    return (int(vid), sha, by)


RELEASES = Kind(
    what="release",
    event_name="release",
    actions=("release",),
    event_keys=_release_event,
    needs=("releases",),
    rows="SELECT id, version_id, archive_sha256, released_by FROM releases "
    "WHERE id > {after} ORDER BY id",
    row_key=_release_row,
    legacy="releases",
)


def _delivery_event(e: Event) -> Keys:
    return [(e.get("version_id"), e.action, e.actor, e.typed("reason"))]


def _delivery_row(row: Row, at: Lookups) -> Hashable:
    _id, vid, kind, by_id, reason, rid = row
    return (int(vid), kind, at.name(by_id), at.typed(reason, rid))


DELIVERIES = Kind(
    what="delivery",
    event_name="delivery or redelivery",
    actions=("delivery", "redelivery"),
    event_keys=_delivery_event,
    needs=("deliveries",),
    rows="SELECT d.id, r.version_id, d.kind, d.by_id, d.reason, v.request_id FROM deliveries d "
    "JOIN releases r ON r.id = d.release_id JOIN export_versions v ON v.id = r.version_id "
    "WHERE d.id > {after} ORDER BY d.id",
    row_key=_delivery_row,
    legacy="deliveries",
)


def _inspection_key(actor: str, d: dict[str, Any]) -> Hashable:
    # read straight from the payload: inspections are the most numerous events
    return (d.get("version_id"), actor, d.get("kind"), d.get("target"), seconds(d.get("seconds")))


def _inspection_event(e: Event) -> Keys:
    return [_inspection_key(e.actor, e.payload)]


def _inspection_row(row: Row, at: Lookups) -> Hashable:
    _id, vid, reviewer_id, kind, target, spent = row  # as many as the events: read straight
    return (int(vid), at.names.get(int(reviewer_id)), kind, target, seconds(spent))


INSPECTIONS = Kind(
    what="inspection",
    event_name="inspection",
    actions=("inspection",),
    event_keys=_inspection_event,
    needs=("inspections",),
    rows="SELECT id, version_id, reviewer_id, kind, target, seconds FROM inspections "
    "WHERE id > {after} ORDER BY id",
    row_key=_inspection_row,
    legacy="inspections",
    in_step=_inspection_key,
)


def _mark_event(e: Event) -> Keys:
    return [
        (
            e.get("mark_id"),
            e.get("version_id"),
            e.actor,
            e.get("kind"),
            e.get("target"),
            e.typed("note"),
        )
    ]


def _mark_row(row: Row, at: Lookups) -> Hashable:
    row_id, vid, reviewer_id, kind, target, note, rid = row
    return (int(row_id), int(vid), at.name(reviewer_id), kind, target, at.typed(note, rid))


MARKS = Kind(
    what="mark",
    event_name="mark",
    actions=("mark",),
    event_keys=_mark_event,
    needs=("marks",),
    rows="SELECT m.id, m.version_id, m.reviewer_id, m.kind, m.target, m.note, v.request_id "
    f"{_MARKS} ORDER BY m.id",
    row_key=_mark_row,
)


def _withdrawn_mark_event(e: Event) -> Keys:
    return [e.get("mark_id")]


def _withdrawn_row(row: Row, at: Lookups) -> Hashable:
    return int(row[0])


WITHDRAWN_MARKS = Kind(
    what="withdrawn mark",
    event_name="mark-withdrawn",
    actions=("mark-withdrawn",),
    event_keys=_withdrawn_mark_event,
    needs=("marks",),
    rows=f"SELECT m.id {_MARKS} WHERE m.withdrawn_at IS NOT NULL ORDER BY m.id",
    row_key=_withdrawn_row,
)


def _correction_event(e: Event) -> Keys:
    return [
        (
            e.get("correction_id"),
            e.get("version_id"),
            e.actor,
            e.get("kind"),
            e.typed("target"),
            e.get("reason"),
            e.typed("note"),
        )
    ]


def _correction_row(row: Row, at: Lookups) -> Hashable:
    row_id, vid, reviewer_id, kind, target, reason, note, rid = row
    return (
        int(row_id),
        int(vid),
        at.name(reviewer_id),
        kind,
        at.typed(target, rid),
        reason,
        at.typed(note, rid),
    )


CORRECTIONS = Kind(
    what="correction",
    event_name="correction-proposed",
    actions=("correction-proposed",),
    event_keys=_correction_event,
    needs=("corrections",),
    rows="SELECT c.id, c.version_id, c.reviewer_id, c.kind, c.target, c.reason, c.note, "
    f"v.request_id {_CORRECTIONS} ORDER BY c.id",
    row_key=_correction_row,
)


def _withdrawn_correction_event(e: Event) -> Keys:
    return [e.get("correction_id")]


WITHDRAWN_CORRECTIONS = Kind(
    what="withdrawn correction",
    event_name="correction-withdrawn",
    actions=("correction-withdrawn",),
    event_keys=_withdrawn_correction_event,
    needs=("corrections",),
    rows=f"SELECT c.id {_CORRECTIONS} WHERE c.withdrawn_at IS NOT NULL ORDER BY c.id",
    row_key=_withdrawn_row,
)


def _applied_event(e: Event) -> Keys:
    return [(cid, e.get("version_id")) for cid in e.get("corrections") or []]


def _applied_row(row: Row, at: Lookups) -> Hashable:
    row_id, applied_to = row
    return (int(row_id), int(applied_to))


APPLIED_CORRECTIONS = Kind(
    what="applied correction",
    event_name="corrections-applied",
    actions=("corrections-applied",),
    event_keys=_applied_event,
    needs=("corrections",),
    rows=f"SELECT c.id, c.applied_version_id {_CORRECTIONS} "
    "WHERE c.applied_version_id IS NOT NULL ORDER BY c.id",
    row_key=_applied_row,
)


def _corrected_event(e: Event) -> Keys:
    return [(e.get("version_id"), e.get("corrected_from"), e.get("archive_sha256"))]


def _corrected_row(row: Row, at: Lookups) -> Hashable:
    row_id, from_id, sha = row
    return (int(row_id), int(from_id), sha)


CORRECTED_VERSIONS = Kind(
    what="corrected version",
    event_name="corrections-applied",
    actions=("corrections-applied",),
    event_keys=_corrected_event,
    needs=("corrections",),  # corrected versions came with the corrections
    rows="SELECT id, corrected_from_id, archive_sha256 FROM export_versions "
    "WHERE corrected_from_id IS NOT NULL ORDER BY id",
    row_key=_corrected_row,
)


def _clock_event(e: Event) -> Keys:
    return [
        (
            e.get("clock_change_id"),
            e.get("request_id"),
            e.get("kind"),
            e.get("months"),
            e.actor,
            e.typed("reason"),
        )
    ]


def _clock_row(row: Row, at: Lookups) -> Hashable:
    row_id, request_id, kind, months, by_id, reason = row
    return (
        int(row_id),
        request_id,
        kind,
        int(months),
        at.name(by_id),
        at.typed(reason, request_id),
    )


CLOCK_CHANGES = Kind(
    what="clock change",
    event_name="clock-change",
    actions=("clock-change",),
    event_keys=_clock_event,
    needs=("clock_changes",),
    rows="SELECT id, request_id, kind, months, by_id, reason FROM clock_changes ORDER BY id",
    row_key=_clock_row,
)


def _claim_event(e: Event) -> Keys:
    return [
        (
            e.get("claim_id"),
            e.get("request_id"),
            e.get("kind"),
            e.get("holder"),
            e.actor,
            e.typed("note"),
        )
    ]


def _claim_row(row: Row, at: Lookups) -> Hashable:
    row_id, request_id, kind, holder_id, by_id, note = row
    return (
        int(row_id),
        request_id,
        kind,
        at.name(holder_id),
        at.name(by_id),
        at.typed(note, request_id),
    )


CLAIMS = Kind(
    what="claim",
    event_name="claim, claim-assign or claim-handover",
    actions=_CLAIMS,
    event_keys=_claim_event,
    needs=("claims",),
    rows="SELECT id, request_id, kind, holder_id, by_id, note FROM claims ORDER BY id",
    row_key=_claim_row,
)


def _ended_claim_event(e: Event) -> Keys:
    """A release ends its claim; a new hold (an assignment, a hand-over) names the one it
    ended, if any (a claim, taken on a request nobody holds, names none)."""
    if e.action == "claim-release":
        return [(e.get("claim_id"), "released", e.actor)]
    if e.get("ended_claim_id") is not None:
        return [(e.get("ended_claim_id"), CLAIM_ENDS[e.action], e.actor)]
    return []


def _ended_claim_row(row: Row, at: Lookups) -> Hashable:
    row_id, ended, ended_by_id = row
    return (int(row_id), ended, at.name(ended_by_id) if ended_by_id is not None else None)


ENDED_CLAIMS = Kind(
    what="ended claim",
    event_name="claim-release, claim-assign or claim-handover",
    actions=(*_CLAIMS, "claim-release"),
    event_keys=_ended_claim_event,
    needs=("claims",),
    rows="SELECT id, ended, ended_by_id FROM claims WHERE ended IS NOT NULL ORDER BY id",
    row_key=_ended_claim_row,
)


def _purge_event(e: Event) -> Keys:
    return [(e.get("request_id"), e.actor)]


def _purge_row(row: Row, at: Lookups) -> Hashable:
    request_id, purge = row
    by = (purge if isinstance(purge, dict) else loads(str(purge or ""))).get("by")
    return (request_id, by)


PURGES = Kind(
    what="purged request",
    event_name="purge",
    actions=("purge",),
    event_keys=_purge_event,
    needs=("requests.purged_at",),
    rows="SELECT request_id, purge FROM requests WHERE purged_at IS NOT NULL ORDER BY request_id",
    row_key=_purge_row,
)


# In this order: of two disagreements at the same event (or two rows with none), the kind
# listed first is the one told.
KINDS: tuple[Kind, ...] = (
    ACCOUNTS,
    SIGNOFFS,
    RELEASES,
    DELIVERIES,
    INSPECTIONS,
    MARKS,
    WITHDRAWN_MARKS,
    CORRECTIONS,
    WITHDRAWN_CORRECTIONS,
    APPLIED_CORRECTIONS,
    CORRECTED_VERSIONS,
    CLOCK_CHANGES,
    CLAIMS,
    ENDED_CLAIMS,
    PURGES,
)
