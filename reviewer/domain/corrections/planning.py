"""The plan: corrections resolved against the export into what the builder does, every withheld
recording's row and catalogue entry following it, and the counts behind the notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.domain.corrections.correction import Correction, CorrectionKind, Reason
from reviewer.domain.model import ExportIndex


@dataclass(frozen=True, slots=True)
class Span:
    start_s: float | None  # None: the whole recording
    end_s: float | None


@dataclass(slots=True)
class CorrectionPlan:
    """What the builder does, everything following from the corrections resolved."""

    withheld_members: set[str] = field(default_factory=set)
    withheld_utterances: set[str] = field(default_factory=set)
    withheld_values: set[str] = field(default_factory=set)  # records carrying these go
    redactions: tuple[str, ...] = ()
    silences: dict[str, list[Span]] = field(default_factory=dict)
    reasons: dict[Reason, dict[str, int]] = field(default_factory=dict)  # for the notice

    @property
    def empty(self) -> bool:
        return not (
            self.withheld_members
            or self.withheld_utterances
            or self.withheld_values
            or self.redactions
            or self.silences
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "withheld_members": sorted(self.withheld_members),
            "withheld_utterances": sorted(self.withheld_utterances),
            "withheld_values": sorted(self.withheld_values),
            "redactions": list(self.redactions),
            "silences": {
                m: [[s.start_s, s.end_s] for s in spans]
                for m, spans in sorted(self.silences.items())
            },
        }


def plan(corrections: Sequence[Correction], index: ExportIndex) -> CorrectionPlan:
    """The corrections resolved against the export: a withheld recording takes its row and
    catalogue entry with it, a withheld utterance its recording, and records carrying a
    withheld identifier take their recordings."""
    p = CorrectionPlan()
    counts: dict[Reason, dict[str, int]] = {}

    def count(reason: Reason, what: str, n: int = 1) -> None:
        counts.setdefault(reason, {}).setdefault(what, 0)
        counts[reason][what] += n

    by_member = {r.audio_member: r for r in index.recordings if r.audio_member}
    by_utterance = {r.utterance_id: r for r in index.recordings}
    for c in corrections:
        if c.kind is CorrectionKind.WITHHOLD_MEMBER:
            p.withheld_members.add(c.target)
            rec = by_member.get(c.target)
            if rec is not None:
                p.withheld_utterances.add(rec.utterance_id)
            count(c.reason, "recordings" if rec is not None else "files")
        elif c.kind is CorrectionKind.WITHHOLD_UTTERANCE:
            p.withheld_utterances.add(c.target)
            count(c.reason, "recordings")
        elif c.kind is CorrectionKind.WITHHOLD_RECORDS:
            p.withheld_values.add(c.target.strip())
            gone = [r for r in index.recordings if _carries(r, c.target)]
            p.withheld_utterances.update(r.utterance_id for r in gone)
            count(c.reason, "records")
        elif c.kind is CorrectionKind.REDACT_TEXT:
            count(c.reason, "texts")
        else:
            p.silences.setdefault(c.target, []).append(Span(c.start_s, c.end_s))
            count(c.reason, "silenced")
    p.redactions = tuple(
        sorted(
            {c.target.strip() for c in corrections if c.kind is CorrectionKind.REDACT_TEXT},
            key=lambda t: (-len(t), t),
        )
    )
    for uid in p.withheld_utterances:
        rec = by_utterance.get(uid)
        if rec is not None and rec.audio_member:
            p.withheld_members.add(rec.audio_member)
    for member in p.withheld_members:  # a recording that goes is not silenced
        p.silences.pop(member, None)
    p.reasons = counts
    return p


def _carries(rec: Any, value: str) -> bool:
    v = value.strip().casefold()
    return v in (rec.customer_id.casefold(), rec.device_serial.casefold())
