"""The release gate, re-evaluated from the audit chain at release time.

The rows of the store say a version is approved; an insider with write access to the database
can insert such rows. So before an export leaves, the release asks the chain, not the rows:

- the version's ingest event: the archive's SHA-256 and no critical finding;
- no rejection event of the version, and no ingest event of a newer version of the request
  after it (a rejection row deleted or a voided version revived in SQL releases nothing);
- the sample, drawn again from the stored index with the archive's SHA-256 and the policy in
  force at ingest (the last policy change before it in the chain), must be the stored one and
  as large as the ingest event says (an emptied sample is caught);
- both sign-offs of the current round have their events, signed when made (a checkpoint at
  each), by the people and at the stages the rows name, on these bytes; each event made since
  personal keys carries its signer's personal signature, by the key the chain certified for
  them (`reviewer.domain.audit.personal`);
- each signer's inspection events show every sampled recording played and its transcript
  viewed, as the gate requires;
- the second sign-off's event is younger than the unlock period;
- no foreign mark stands on the version by the chain: a "not the requester's" mark event with
  no withdrawal event of its own (a mark row withdrawn in SQL holds the release still).

`release_problem` returns why the chain does not carry the release, in words, or None.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from reviewer.domain.audit import ChainedEvent
from reviewer.domain.corrections.marks import MarkKind
from reviewer.domain.report import Report
from reviewer.domain.sampling import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_FOREIGN_FRACTION,
    Sample,
    candidates_from_index,
    draw_sample,
)
from reviewer.domain.signoff import InspectionKind, played_enough
from reviewer.domain.states import Decision, Stage
from reviewer.store import audit_log
from reviewer.store.codec import index_from_json
from reviewer.store.crosscheck import keys_in_force
from reviewer.store.tables import ExportVersionRow
from reviewer.store.views import Signer


def release_problem(
    s: Session, v: ExportVersionRow, signers: Sequence[Signer], now: datetime, lapse_days: int
) -> str | None:
    vid = int(v.id or 0)
    events = audit_log.events_about(s, f"request:{v.request_id}")
    ingests = [
        e for e in events if e.action == "ingest" and e.payload_object().get("version_id") == vid
    ]
    if not ingests:
        return "the audit trail has no ingest event for this version"
    ingest = ingests[-1].payload_object()
    if ingest.get("archive_sha256") != v.archive_sha256:
        return "the archive is not the one the audit trail recorded at ingest"
    ended = _ended_by_the_trail(events, vid, ingests[-1].seq)
    if ended is not None:
        return ended
    report = Report.from_dict(v.report)
    if (
        ingest.get("critical") != 0
        or v.critical != 0
        or v.blocked
        or any(f.severity.value == "critical" for f in report.findings)
    ):
        return "the export has a critical finding (the audit trail's ingest): it is never released"

    sample = _sample_at_ingest(s, v, report, ingests[-1].seq)
    drawn = json.loads(json.dumps(sample.to_dict()))  # as stored: JSON's lists and numbers
    if "without_audio" not in v.sample:  # stored before samples named them: the draw is the same
        drawn.pop("without_audio", None)
    if drawn != v.sample or sample.size != ingest.get("sample"):
        return (
            "the stored sample is not the one drawn at ingest from the archive and the policy in "
            "force: the store was changed"
        )

    by_stage = {f.stage: f for f in signers if f.decision is Decision.APPROVE}
    if set(by_stage) != {Stage.FIRST, Stage.SECOND} or len({f.name for f in signers}) < 2:
        return "two approving sign-offs by two people are needed"
    signoff_events: dict[Stage, ChainedEvent] = {}
    for stage, signer in by_stage.items():
        wanted = {
            "version_id": vid,
            "stage": stage.value,
            "decision": Decision.APPROVE.value,
            "archive_sha256": v.archive_sha256,
        }
        match = [
            e
            for e in events
            if e.action == "sign-off"
            and e.actor == signer.name
            and _holds(e.payload_object(), wanted)  # each payload parsed once
        ]
        if not match:
            return (
                f"the {stage.value} sign-off by {signer.name} has no sign-off event in the audit "
                "trail: it was not made through the reviewer"
            )
        signoff_events[stage] = match[-1]
    # the whole trail (a decision after the sign-offs counts too), judging this request's
    # events and those about accounts and the policy
    # (each sign-off since the era began among them: unsigned, or signed by another key, it
    # is found here)
    keys = keys_in_force(s, about=f"request:{v.request_id}")
    if keys.found is not None:
        return f"the audit trail's personal signatures do not hold: {keys.found}"
    signed = audit_log.signed_sizes(s, [e.seq for e in signoff_events.values()])
    for stage, event in signoff_events.items():
        if event.seq not in signed:
            return f"the {stage.value} sign-off's event (event {event.seq}) was never signed"
    second_at = datetime.fromisoformat(signoff_events[Stage.SECOND].at.replace("Z", "+00:00"))
    if now >= second_at + timedelta(days=lapse_days):
        return "the unlock lapsed (by the audit trail's time of the second sign-off)"

    for stage, signer in by_stage.items():
        missing = _uninspected(events, vid, signer.name, sample, signoff_events[stage].seq)
        if missing:
            return (
                f"the audit trail shows {signer.name} did not play and read {missing} of the "
                f"{sample.size} sampled recordings before signing"
            )
    marked = _standing_foreign_marks(events, vid)
    if marked:
        return (
            f"the audit trail holds a mark by {marked[0]} that part of this export is not the "
            "requester's, never withdrawn: correct it (withhold what was marked) or reject it"
        )
    return None


def _ended_by_the_trail(events: Sequence[ChainedEvent], vid: int, ingest_seq: int) -> str | None:
    """Why the chain says the version can never be released, whatever its rows say now: a
    rejection of it (final: no later round undoes one), or a newer version of the request
    ingested after it (every ingest voids the versions before it)."""
    for e in events:
        if e.action == "rejection" and e.payload_object().get("version_id") == vid:
            return (
                f"the audit trail holds {e.actor}'s rejection of this version (event {e.seq}): "
                "a rejected export is never released"
            )
        if e.action == "ingest" and e.seq > ingest_seq:
            newer = e.payload_object().get("version")
            return (
                f"the audit trail shows this version superseded by version {newer} (event "
                f"{e.seq}): only the request's newest version can be released"
            )
    return None


def _holds(payload: Mapping[str, object], wanted: Mapping[str, object]) -> bool:
    """Whether `payload` has each of `wanted`'s fields with its value."""
    return all(payload.get(k) == value for k, value in wanted.items())


def _standing_foreign_marks(events: Sequence[ChainedEvent], vid: int) -> list[str]:
    """Who made the foreign marks on the version that the chain holds and their makers never
    withdrew (a withdrawal by anyone else withdraws nothing)."""
    marks: dict[object, str] = {}
    for e in events:
        p = e.payload_object()
        if p.get("version_id") != vid:
            continue
        if e.action == "mark" and p.get("kind") == MarkKind.FOREIGN.value:
            marks[p.get("mark_id")] = e.actor
        elif e.action == "mark-withdrawn" and marks.get(p.get("mark_id")) == e.actor:
            del marks[p.get("mark_id")]
    return list(marks.values())


def _sample_at_ingest(s: Session, v: ExportVersionRow, report: Report, ingest_seq: int) -> Sample:
    change = audit_log.last_event_before(s, "policy-change", ingest_seq)
    after = change.payload_object().get("after", {}) if change is not None else {}
    index = index_from_json(v.index_summary)
    return draw_sample(
        candidates_from_index(index, report.findings),
        v.archive_sha256,
        confidence=float(after.get("sample_confidence", DEFAULT_CONFIDENCE)),
        min_foreign_fraction=float(
            after.get("sample_min_foreign_fraction", DEFAULT_MIN_FOREIGN_FRACTION)
        ),
        without_audio=index.without_audio,
    )


def _uninspected(
    events: Sequence[ChainedEvent], vid: int, name: str, sample: Sample, before_seq: int
) -> int:
    """How many sampled recordings `name`'s inspection events before their sign-off leave
    unplayed (2 s or to the end) or with the transcript unread."""
    played: dict[str, float] = defaultdict(float)
    viewed: set[str] = set()
    for e in events:
        if e.seq >= before_seq or e.action != "inspection" or e.actor != name:
            continue
        p = e.payload_object()
        if p.get("version_id") != vid:
            continue
        if p.get("kind") == InspectionKind.PLAYED.value:
            played[str(p.get("target"))] += float(p.get("seconds", 0.0))
        elif p.get("kind") == InspectionKind.VIEWED_TRANSCRIPT.value:
            viewed.add(str(p.get("target")))
    return sum(
        1
        for item in sample.items
        if not played_enough(played.get(item.member, 0.0), item.duration_s)
        or (item.has_transcript and item.member not in viewed)
    )
