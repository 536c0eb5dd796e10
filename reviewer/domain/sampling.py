"""Which recordings a reviewer must hear: every flagged one plus a stratified random draw.

The draw is sized by acceptance sampling. If at least a fraction ``p`` of the N recordings were
foreign (another person's), a simple random draw of n without replacement misses all of them
with the hypergeometric probability ``C(N-D, n) / C(N, n)`` where ``D = ceil(p * N)``. The size
is the smallest n that makes this at most ``1 - confidence``. Defaults: 95% confidence of
seeing at least one foreign recording if 5% or more are foreign (a supervisor can change both).

The draw is stratified across (device, month) with proportional allocation, so every device
and period of the export is heard, and it is seeded from the archive's SHA-256: the same bytes
always give the same sample, and anyone can reproduce it.

`plan` says what the sample is. `statement(inspected, findings)` says what one reviewer has
inspected, and it is the one statement both shown in the sign-off dialog and recorded with the
sign-off: "3 of 8 sampled recordings inspected" until every sampled recording is, then the
evidence in words: "n of N inspected, 0 marked foreign: with 95% confidence fewer than k are"
where k is the smallest number of foreign recordings that the random part of the sample would
have missed with probability at most ``1 - confidence`` ("all N recordings inspected (the
sample is the whole export), 0 marked foreign" when the sample is every recording). Flagged
recordings are all inspected, so they only tighten the statement. The conclusion is never said
while a critical finding stands (recordings from an unregistered device, another customer's
records, a reviewer's own foreign mark ...): the statement then names the findings instead.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from reviewer.domain.model import ExportIndex, Finding, Severity

DEFAULT_CONFIDENCE = 0.95
DEFAULT_MIN_FOREIGN_FRACTION = 0.05
NOTHING_TO_SAMPLE = "no recordings in this export: nothing to sample"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One recording that can be sampled."""

    member: str  # audio member path (the recording's identity in the export)
    device: str = ""
    month: str = ""  # "YYYY-MM" or "" when undated
    duration_s: float | None = None
    utterance_id: str = ""
    has_transcript: bool = False
    flagged: bool = False  # named by a finding: always inspected


@dataclass(frozen=True, slots=True)
class SampleItem:
    member: str
    reason: str  # "flagged" or "drawn"
    device: str
    month: str
    duration_s: float | None
    utterance_id: str
    has_transcript: bool


@dataclass(frozen=True, slots=True)
class Sample:
    population: int  # N: every recording in the export
    flagged: int  # recordings named by findings (all in the sample)
    drawn: int  # the random part
    confidence: float
    min_foreign_fraction: float
    seed: str  # the archive SHA-256
    items: tuple[SampleItem, ...]
    # Recordings the voice history lists with no audio file (their utterance ids): counted
    # among the export's recordings, never sampled (nothing to hear), named in every statement.
    without_audio: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(i.member for i in self.items)

    def bound(self) -> int:
        """k: with the sample's confidence, fewer than k recordings are foreign (none seen)."""
        return upper_bound(self.population - self.flagged, self.drawn, self.confidence)

    @property
    def is_whole(self) -> bool:
        """The sample is every recording of the export."""
        return self.drawn >= self.population - self.flagged

    @property
    def recordings(self) -> int:
        """Every recording of the export: those with audio (the population) and those
        without."""
        return self.population + len(self.without_audio)

    def _audio(self) -> str:
        """ "recordings", or "recordings with audio" when some have none."""
        return "recordings with audio" if self.without_audio else "recordings"

    def _no_audio(self) -> str:
        """The recordings with no audio file, counted and named ("" when there are none)."""
        if not self.without_audio:
            return ""
        n = len(self.without_audio)
        names = ", ".join(self.without_audio[:3]) + (", …" if n > 3 else "")
        has = "has" if n == 1 else "have"
        return f"{n} of {self.recordings} {has} no audio file: {names}"

    def plan(self) -> str:
        """What the sample is, before anyone has inspected it."""
        if self.population == 0:
            return _nothing(self._no_audio())
        missing = f"; {self._no_audio()}" if self.without_audio else ""
        if self.is_whole:
            return f"sample: all {self.population} {self._audio()} (the whole export{missing})"
        return (
            f"sample: {self.size} of {self.population} {self._audio()} ({self.flagged} flagged, "
            f"{self.drawn} drawn{missing}), for {_pct(self.confidence)} confidence of hearing "
            f"a foreign one if {_pct(self.min_foreign_fraction)} or more are"
        )

    def statement(self, inspected: int, findings: Iterable[Finding] = ()) -> str:
        """What a reviewer who fully inspected `inspected` sampled recordings can state, given
        the export's `findings`. The conclusion ("0 marked foreign: ...") comes only once every
        sampled recording is inspected and no critical finding stands; with critical findings
        the statement names them, and how many sampled recordings they name, instead."""
        if self.population == 0:
            return _nothing(self._no_audio())
        inspected = max(0, min(inspected, self.size))
        if inspected < self.size:
            return f"{inspected} of {self.size} sampled recordings inspected"
        missing = f"; {self._no_audio()}" if self.without_audio else ""
        if self.is_whole:
            head = (
                f"all {self.population} {self._audio()} inspected "
                f"(the sample is the whole export{missing})"
            )
        elif self.without_audio:
            head = (
                f"{self.size} of {self.population} {self._audio()} inspected ({self._no_audio()})"
            )
        else:
            head = f"{self.size} of {self.population} inspected"
        critical = [f for f in findings if f.severity is Severity.CRITICAL]
        if critical:
            titles = "; ".join(dict.fromkeys(f.title for f in critical))
            sampled = set(self.members)
            named = {m for f in critical for m in f.members if m in sampled}
            n = len(critical)
            which = "a critical finding" if n == 1 else f"{n} critical findings"
            if named:
                return f"{head}; {len(named)} of them named by {which}: {titles}"
            stand = "stands" if n == 1 else "stand"
            return f"{head}; no conclusion on foreign recordings while {which} {stand}: {titles}"
        # No critical finding stands, and a reviewer's foreign mark is one (`mark_findings`):
        # the conclusion is that of people who inspected and marked nothing foreign.
        if self.is_whole:
            return f"{head}, 0 marked foreign"
        return (
            f"{head}, 0 marked foreign: "
            f"with {_pct(self.confidence)} confidence fewer than {self.bound()} are"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "population": self.population,
            "flagged": self.flagged,
            "drawn": self.drawn,
            "confidence": self.confidence,
            "min_foreign_fraction": self.min_foreign_fraction,
            "seed": self.seed,
            "items": [
                {
                    "member": i.member,
                    "reason": i.reason,
                    "device": i.device,
                    "month": i.month,
                    "duration_s": i.duration_s,
                    "utterance_id": i.utterance_id,
                    "has_transcript": i.has_transcript,
                }
                for i in self.items
            ],
            "without_audio": list(self.without_audio),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Sample:
        items = data.get("items", [])
        assert isinstance(items, list)
        return cls(
            population=int(data["population"]),  # type: ignore[call-overload]
            flagged=int(data["flagged"]),  # type: ignore[call-overload]
            drawn=int(data["drawn"]),  # type: ignore[call-overload]
            confidence=float(data["confidence"]),  # type: ignore[arg-type]
            min_foreign_fraction=float(data["min_foreign_fraction"]),  # type: ignore[arg-type]
            seed=str(data["seed"]),
            items=tuple(
                SampleItem(
                    member=str(i["member"]),
                    reason=str(i["reason"]),
                    device=str(i.get("device", "")),
                    month=str(i.get("month", "")),
                    duration_s=None if i.get("duration_s") is None else float(i["duration_s"]),
                    utterance_id=str(i.get("utterance_id", "")),
                    has_transcript=bool(i.get("has_transcript", False)),
                )
                for i in items
            ),
            without_audio=tuple(str(u) for u in data.get("without_audio", []) or []),  # type: ignore[attr-defined]
        )


def _nothing(no_audio: str) -> str:
    """The plan and statement of an export with no audio file to hear."""
    if not no_audio:
        return NOTHING_TO_SAMPLE
    return f"no audio files in this export: nothing to sample ({no_audio})"


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def miss_probability(population: int, foreign: int, n: int) -> Fraction:
    """Exact P(a random draw of n from N holding D foreign sees none) = C(N-D, n) / C(N, n)."""
    if n > population:
        raise ValueError("cannot draw more than the population")
    if foreign <= 0:
        return Fraction(1)
    if n > population - foreign:
        return Fraction(0)
    return Fraction(math.comb(population - foreign, n), math.comb(population, n))


def sample_size(population: int, min_foreign_fraction: float, confidence: float) -> int:
    """Smallest n with P(no foreign seen | at least ceil(p*N) foreign) <= 1 - confidence."""
    _check(min_foreign_fraction, confidence)
    if population <= 0:
        return 0
    foreign = max(1, math.ceil(min_foreign_fraction * population - 1e-9))
    alpha = Fraction(1) - Fraction(confidence).limit_denominator(10**9)
    # The miss probability falls as n grows: binary search over 0..N.
    lo, hi = 0, population
    while lo < hi:
        mid = (lo + hi) // 2
        if miss_probability(population, foreign, mid) <= alpha:
            hi = mid
        else:
            lo = mid + 1
    return lo


def upper_bound(population: int, n: int, confidence: float) -> int:
    """Smallest D such that a draw of n from N holding D foreign misses them all with
    probability at most 1 - confidence: having seen none, fewer than D are foreign."""
    if population <= 0:
        return 0
    alpha = Fraction(1) - Fraction(confidence).limit_denominator(10**9)
    lo, hi = 1, population
    while lo < hi:
        mid = (lo + hi) // 2
        if miss_probability(population, mid, n) <= alpha:
            hi = mid
        else:
            lo = mid + 1
    if miss_probability(population, lo, n) > alpha:
        return population + 1  # even "all foreign" could have been missed
    return lo


def _check(p: float, c: float) -> None:
    if not 0 < p <= 1:
        raise ValueError("the foreign fraction must be above 0 and at most 1")
    if not 0 < c < 1:
        raise ValueError("the confidence must be above 0 and below 1")


def _allocate(sizes: Sequence[int], n: int) -> list[int]:
    """Proportional allocation of n across strata by largest remainder (never above a size)."""
    total = sum(sizes)
    if total == 0 or n <= 0:
        return [0] * len(sizes)
    n = min(n, total)
    exact = [Fraction(s * n, total) for s in sizes]
    alloc = [math.floor(e) for e in exact]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - alloc[i]), i))
    left = n - sum(alloc)
    for i in order:
        if left == 0:
            break
        if alloc[i] < sizes[i]:
            alloc[i] += 1
            left -= 1
    return alloc


def draw_sample(
    candidates: Iterable[Candidate],
    seed: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_foreign_fraction: float = DEFAULT_MIN_FOREIGN_FRACTION,
    without_audio: Sequence[str] = (),
) -> Sample:
    """Every flagged candidate plus a stratified random draw sized by `sample_size`.
    `without_audio`: the export's recordings with no audio file (`ExportIndex.without_audio`),
    named in the sample's statements."""
    _check(min_foreign_fraction, confidence)
    unique: dict[str, Candidate] = {}
    for c in candidates:
        unique.setdefault(c.member, c)
    pool = sorted(unique.values(), key=lambda c: c.member)
    flagged = [c for c in pool if c.flagged]
    rest = [c for c in pool if not c.flagged]
    n = min(sample_size(len(rest), min_foreign_fraction, confidence), len(rest))
    strata: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in rest:
        strata[(c.device, c.month)].append(c)
    keys = sorted(strata)
    alloc = _allocate([len(strata[k]) for k in keys], n)
    rng = random.Random(int(seed, 16) if _is_hex(seed) else seed)
    drawn: list[Candidate] = []
    for key, k in zip(keys, alloc, strict=True):
        drawn.extend(rng.sample(strata[key], k))
    items = [_item(c, "flagged") for c in flagged] + [
        _item(c, "drawn") for c in sorted(drawn, key=lambda c: c.member)
    ]
    return Sample(
        population=len(pool),
        flagged=len(flagged),
        drawn=len(drawn),
        confidence=confidence,
        min_foreign_fraction=min_foreign_fraction,
        seed=seed,
        items=tuple(items),
        without_audio=tuple(without_audio),
    )


def _is_hex(s: str) -> bool:
    try:
        int(s, 16)
    except ValueError:
        return False
    return bool(s)


def _item(c: Candidate, reason: str) -> SampleItem:
    return SampleItem(
        member=c.member,
        reason=reason,
        device=c.device,
        month=c.month,
        duration_s=c.duration_s,
        utterance_id=c.utterance_id,
        has_transcript=c.has_transcript,
    )


def candidates_from_index(index: ExportIndex, findings: Iterable[Finding]) -> list[Candidate]:
    """Every recording of an export as a sampling candidate.

    A recording is an audio member; its device and month come from the voice-history row that
    points at it, its transcript from that row or the catalogue entry with the same utterance id. It is
    flagged when a critical or warning finding names it.
    """
    flagged_members = {
        m
        for f in findings
        if f.severity in (Severity.CRITICAL, Severity.WARNING)
        for m in f.members
    }
    by_audio = {r.audio_member: r for r in index.recordings if r.audio_member}
    in_catalogue = {t.utterance_id for t in index.transcripts if t.utterance_id}
    out: list[Candidate] = []
    for m in index.audio_members:
        rec = by_audio.get(m.path)
        utterance = rec.utterance_id if rec else ""
        month = rec.timestamp.strftime("%Y-%m") if rec and rec.timestamp else ""
        out.append(
            Candidate(
                member=m.path,
                device=rec.device_serial if rec else "",
                month=month,
                duration_s=m.audio.duration_s if m.audio else None,
                utterance_id=utterance,
                has_transcript=rec is not None
                and (bool(rec.transcript) or utterance in in_catalogue),
                flagged=m.path in flagged_members,
            )
        )
    return out
