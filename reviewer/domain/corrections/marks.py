"""The reviewer's marks: their kinds and targets, and how the gate reads them (a foreign mark
is a critical finding)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from reviewer.domain.model import ExportIndex, Finding, Severity


class MarkKind(StrEnum):
    FOREIGN = "foreign"  # not the requester's
    THIRD_PARTY = "third-party"  # the requester's, but names someone to redact
    DOUBTFUL = "doubtful"

    @property
    def words(self) -> str:
        return {
            MarkKind.FOREIGN: "not the requester's",
            MarkKind.THIRD_PARTY: "third party to redact",
            MarkKind.DOUBTFUL: "doubtful",
        }[self]


class MarkTarget(StrEnum):
    RECORDING = "recording"  # target: the audio member
    ENTRY = "entry"  # a catalogue entry; target: its utterance id
    MEMBER = "member"  # target: the member path


@dataclass(frozen=True, slots=True)
class MarkFact:
    """A standing mark, as the gate and the statement read it."""

    reviewer: str
    target_kind: MarkTarget
    target: str
    kind: MarkKind
    note: str = ""


MARK_CODE = "marked-foreign"


def mark_findings(marks: Iterable[MarkFact], index: ExportIndex) -> list[Finding]:
    """A foreign mark is a human finding as strong as a critical one: one critical finding per
    person who marked, naming what they marked (the recording's member, so the sampling
    statement counts it among the sampled recordings it names)."""
    by_utterance = {r.utterance_id: r.audio_member for r in index.recordings if r.audio_member}
    per_person: dict[str, list[MarkFact]] = {}
    for m in marks:
        if m.kind is MarkKind.FOREIGN:
            per_person.setdefault(m.reviewer, []).append(m)
    out = []
    for who, ms in sorted(per_person.items()):
        members = []
        for m in ms:
            if m.target_kind is MarkTarget.ENTRY:
                members.append(by_utterance.get(m.target, m.target))
            else:
                members.append(m.target)
        notes = "; ".join(f"{m.target}: {m.note}" if m.note else m.target for m in ms[:10])
        out.append(
            Finding(
                code=MARK_CODE,
                severity=Severity.CRITICAL,
                title=f"Marked not the requester's by {who}",
                detail=(
                    f"{who} marked {len(ms)} item{'s' if len(ms) != 1 else ''} as not the "
                    f"requester's ({notes}). Correct the export (withhold them) or reject it."
                ),
                members=tuple(dict.fromkeys(members)),
            )
        )
    return out
