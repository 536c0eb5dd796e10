"""Making a flagged export right: the reviewer's marks, the corrections they propose, what the
findings suggest, and how a text is found and redacted. Pure: no I/O.

A *mark* is a reviewer's own finding on one item (a recording, a catalogue entry, a member):
not the requester's (foreign), a third party to redact, or doubtful. A foreign mark is as
strong as a critical finding: the version it is on can only be rejected or corrected.

A *correction* changes what goes out, with a reason category and a note:

- ``withhold-member``: one member is left out;
- ``withhold-utterance``: one voice interaction is left out everywhere: its voice-history row,
  its recording and its catalogue entry go together, so the export stays consistent;
- ``withhold-records``: every record (a row of any table, a voice interaction) that carries an
  identifier, such as another customer's id mixed into the export;
- ``redact-text``: a text (a name, a phone number) replaced by ``[redacted]`` everywhere it
  occurs, case- and accent-insensitively, as a whole word;
- ``silence``: a span of a recording (or all of it) replaced by digital silence.

`plan` turns a list of corrections and the export's index into what the builder does
(`CorrectionPlan`): which members and utterances go, which texts are redacted, which spans are
silenced, with every withheld recording's row and catalogue entry following it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reviewer.domain.model import ExportIndex, Finding, MemberKind

REDACTED = "[redacted]"
MAX_NOTE_CHARS = 2000
MIN_REDACT_CHARS = 2  # a single letter is no text to redact: it would cut every word


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


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def correction_problem(c: Correction, index: ExportIndex) -> str | None:
    """Why `c` cannot be applied to this export (unknown member or utterance, a span outside
    the recording, a text too short to redact), or None."""
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
        return None
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


# ------------------------------------------------------------------------------ the plan


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


# ------------------------------------------------------------------------------ suggestions


def suggestions(findings: Iterable[Finding], index: ExportIndex) -> list[Correction]:
    """The corrections the findings themselves suggest (one keypress away in the app):
    withhold the recordings a previous-owner, unknown-device or foreign-records finding names
    and the foreign records; redact the names a third-party finding names."""
    by_member = {r.audio_member: r for r in index.recordings if r.audio_member}
    out: list[Correction] = []
    seen: set[tuple[CorrectionKind, str]] = set()

    def add(c: Correction) -> None:
        if (c.kind, c.target) not in seen:
            seen.add((c.kind, c.target))
            out.append(c)

    for f in findings:
        if f.code in ("previous-owner", "unknown-device", "foreign-records"):
            if f.code == "foreign-records":
                for value in f.subjects:
                    add(
                        Correction(
                            CorrectionKind.WITHHOLD_RECORDS,
                            value,
                            Reason.NOT_REQUESTERS,
                            f"suggested by: {f.title}",
                        )
                    )
            for member in f.members:
                rec = by_member.get(member)
                if rec is not None:
                    add(
                        Correction(
                            CorrectionKind.WITHHOLD_UTTERANCE,
                            rec.utterance_id,
                            Reason.NOT_REQUESTERS,
                            f"suggested by: {f.title}",
                        )
                    )
        elif f.code == "third-party-names":
            for name in f.subjects:
                add(
                    Correction(
                        CorrectionKind.REDACT_TEXT,
                        name,
                        Reason.THIRD_PARTY,
                        f"suggested by: {f.title}",
                    )
                )
    return out


# ------------------------------------------------------------------------------ redaction


_MARKS: dict[int, None] | None = None


def _marks() -> dict[int, None]:
    """A `str.translate` table that drops every combining mark of the Basic Multilingual
    Plane (built once, on first use)."""
    global _MARKS
    if _MARKS is None:
        _MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}
    return _MARKS


def fold(text: str) -> str:
    """Text compared case- and accent-insensitively: decomposed, marks dropped, case folded
    (the whole string at once: the same result as `_fold_char` on each character)."""
    if text.isascii():
        return text.lower()
    marks = _marks()
    return unicodedata.normalize("NFKD", text).translate(marks).casefold().translate(marks)


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    marks = _marks()
    return decomposed.translate(marks).casefold().translate(marks)


def _body(term: str) -> str:
    return r"\s+".join(re.escape(w) for w in fold(term).split())


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){_body(term)}(?!\w)")


@dataclass(frozen=True, slots=True)
class Redactor:
    """Finds and replaces the texts to redact. Matching is on the folded text, mapped back to
    the original characters, so ``zoë``, ``ZOE`` and ``Zoe`` are one name; a match is a whole
    word (``Tom`` is not found in ``Tomato``); runs of white space match any white space."""

    terms: tuple[str, ...]
    _patterns: tuple[re.Pattern[str], ...] = ()
    _any: re.Pattern[str] | None = None  # one pass that says whether any term is there

    @classmethod
    def of(cls, terms: Iterable[str]) -> Redactor:
        kept = tuple(
            sorted({t.strip() for t in terms if fold(t).strip()}, key=lambda t: (-len(t), t))
        )
        either = "|".join(_body(t) for t in kept)
        return cls(
            kept,
            tuple(_pattern(t) for t in kept),
            re.compile(rf"(?<!\w)(?:{either})(?!\w)") if kept else None,
        )

    def __bool__(self) -> bool:
        return bool(self.terms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the terms occur in `text`, as (start, end) of the original characters,
        merged where they overlap."""
        if self._any is None or not text or not self._any.search(fold(text)):
            return []
        folded, origin = _folded_with_origin(text)
        found: list[tuple[int, int]] = []
        for pattern in self._patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    found.append((origin[m.start()], origin[m.end() - 1] + 1))
        found.sort()
        merged: list[tuple[int, int]] = []
        for s, e in found:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def redact(self, text: str) -> tuple[str, int]:
        """`text` with every occurrence replaced by `REDACTED`, and how many there were."""
        spans = self.spans(text)
        if not spans:
            return text, 0
        out, at = [], 0
        for s, e in spans:
            out.append(text[at:s])
            out.append(REDACTED)
            at = e
        out.append(text[at:])
        return "".join(out), len(spans)

    def found(self, text: str) -> list[str]:
        """The terms that occur in `text` (for the proof; no positions needed, so the text is
        folded whole)."""
        if self._any is None or not text:
            return []
        folded = fold(text)
        if not self._any.search(folded):
            return []
        return [t for t, p in zip(self.terms, self._patterns, strict=True) if p.search(folded)]


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    if text.isascii():
        return text.lower(), list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        chars.append(f)
        origin.extend([i] * len(f))
    return "".join(chars), origin


# ------------------------------------------------------------------------------ marks


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
    from reviewer.domain.model import Severity

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
