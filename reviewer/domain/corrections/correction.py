"""A correction: its kind, its reason (and what the requester is told of that reason), its
plain words, and why it cannot apply to an export."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reviewer.domain.checks._common import account_id
from reviewer.domain.corrections.redaction import MIN_REDACT_CHARS, fold
from reviewer.domain.model import ExportIndex, Finding, MemberKind
from reviewer.domain.text import MAX_TEXT_CHARS

MAX_NOTE_CHARS = MAX_TEXT_CHARS  # a mark's or a correction's note: what a person types


class Reason(StrEnum):
    NOT_REQUESTERS = "not-requesters"
    THIRD_PARTY = "third-party"
    OTHER = "other"

    @property
    def words(self) -> str:
        return {
            Reason.NOT_REQUESTERS: "not the requester's personal data",
            Reason.THIRD_PARTY: "information about other people (GDPR Art. 15(4))",
            Reason.OTHER: "another exemption",
        }[self]

    @property
    def notice(self) -> str:
        """What the requester is told about this basis."""
        return {
            Reason.NOT_REQUESTERS: (
                "It is not your personal data: it was included by mistake and belongs to "
                "someone else. The right of access covers your own data (GDPR Art. 15)."
            ),
            Reason.THIRD_PARTY: (
                "It would disclose information about other people, who have rights too "
                "(GDPR Art. 15(4))."
            ),
            Reason.OTHER: "An exemption under data-protection law applies to it.",
        }[self]


class CorrectionKind(StrEnum):
    WITHHOLD_MEMBER = "withhold-member"
    WITHHOLD_UTTERANCE = "withhold-utterance"
    WITHHOLD_RECORDS = "withhold-records"
    REDACT_TEXT = "redact-text"
    SILENCE = "silence"


@dataclass(frozen=True, slots=True)
class Correction:
    """One proposed change. `target`: a member path, an utterance id, an identifier or a text;
    for `silence` the audio member, with `start_s`/`end_s` (None, None: all of it)."""

    kind: CorrectionKind
    target: str
    reason: Reason
    note: str = ""
    start_s: float | None = None
    end_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "target": self.target,
            "reason": self.reason.value,
            "note": self.note,
        }
        if self.kind is CorrectionKind.SILENCE:
            out["start_s"], out["end_s"] = self.start_s, self.end_s
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        return cls(
            CorrectionKind(data["kind"]),
            str(data["target"]),
            Reason(data["reason"]),
            str(data.get("note", "")),
            _float(data.get("start_s")),
            _float(data.get("end_s")),
        )

    @property
    def words(self) -> str:
        """The correction in plain words, for lists and the disclosure record."""
        if self.kind is CorrectionKind.WITHHOLD_MEMBER:
            return f"withhold {self.target}"
        if self.kind is CorrectionKind.WITHHOLD_UTTERANCE:
            return f"withhold utterance {self.target} (row, recording, catalogue entry)"
        if self.kind is CorrectionKind.WITHHOLD_RECORDS:
            return f"withhold every record carrying {self.target}"
        if self.kind is CorrectionKind.REDACT_TEXT:
            return f'redact "{self.target}" everywhere'
        if self.start_s is None:
            return f"silence all of {self.target}"
        return f"silence {self.target} from {self.start_s:.2f} s to {self.end_s:.2f} s"


def _hides_foreign_records(target: str, findings: Sequence[Finding]) -> str | None:
    """A text to redact that holds the id of another account whose records are mixed in
    (`foreign-records`): redacting it would take away whose the records are and leave them
    in the export, where the checks could no longer see them."""
    foreign = {
        account_id(s) or s.upper()
        for f in findings
        if f.code == FOREIGN_RECORDS
        for s in f.subjects
    }
    if not foreign:
        return None
    tokens = _TOKEN.findall(target)
    # the whole text, and each run of up to `_GROUPS` of its words (an id written grouped,
    # "a5rt 8xk2 m9qw 4n", among others)
    runs = [target] + [
        " ".join(tokens[i:j])
        for i in range(len(tokens))
        for j in range(i + 1, min(len(tokens), i + _GROUPS) + 1)
    ]
    for run in runs:
        # as written, and as the redaction matches it: without accents ("Á5RT..." redacts
        # every "A5RT...")
        key = next((k for k in (account_id(run), account_id(fold(run))) if k in foreign), "")
        if key:
            return (
                f"{key} is the account of records mixed into this export (foreign-records): "
                "redacting its id would leave its records in, no longer showing whose they "
                "are; withhold its records instead"
            )
    return None


FOREIGN_RECORDS = "foreign-records"
_TOKEN = re.compile(r"[\w.:/-]+")
_GROUPS = 6  # words an id may be grouped into


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def correction_problem(
    c: Correction, index: ExportIndex, findings: Sequence[Finding] = ()
) -> str | None:
    """Why `c` cannot be applied to this export (unknown member or utterance, a span outside
    the recording, a text too short to redact, the id of another account whose records the
    `findings` say are mixed in), or None."""
    if len(c.note) > MAX_NOTE_CHARS:
        return f"a note is at most {MAX_NOTE_CHARS} characters"
    members = {m.path: m for m in index.members}
    if c.kind in (CorrectionKind.WITHHOLD_MEMBER, CorrectionKind.SILENCE) and "!" in c.target:
        outer = c.target.split("!", 1)[0]
        return (
            f"{c.target} is inside the nested archive {outer}, which travels whole: "
            f"withhold {outer}"
        )
    if c.kind is CorrectionKind.WITHHOLD_MEMBER:
        if c.target not in members:
            return f"no member {c.target} in this export"
        if c.target == index.manifest_member:
            return "the manifest is rewritten, not withheld: withhold what it lists instead"
        return None
    if c.kind is CorrectionKind.WITHHOLD_UTTERANCE:
        known = {r.utterance_id for r in index.recordings} | {
            t.utterance_id for t in index.transcripts
        }
        return None if c.target in known else f"no utterance {c.target} in this export"
    if c.kind is CorrectionKind.WITHHOLD_RECORDS:
        return None if c.target.strip() else "name the identifier whose records go"
    if c.kind is CorrectionKind.REDACT_TEXT:
        if len(fold(c.target).strip()) < MIN_REDACT_CHARS:
            return f"a text to redact has at least {MIN_REDACT_CHARS} letters"
        return _hides_foreign_records(c.target, findings)
    member = members.get(c.target)
    if member is None or member.kind is not MemberKind.AUDIO:
        return f"no recording {c.target} in this export"
    if (c.start_s is None) != (c.end_s is None):
        return "a span has a start and an end"
    if c.start_s is not None and c.end_s is not None:
        if not (0 <= c.start_s < c.end_s):
            return "a span starts before it ends, at 0 s or later"
        duration = member.audio.duration_s if member.audio else None
        if duration is not None and c.start_s >= duration:
            return f"the span starts after the recording ends ({duration:.2f} s)"
    return None
