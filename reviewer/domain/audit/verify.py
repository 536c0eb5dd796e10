"""The verdict on a whole log: walked runs linked end to end and held against the signed
checkpoints (rewritten, cut off, removed, a decision left unsigned), first problem first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reviewer.domain.audit.chain import GENESIS_HEX
from reviewer.domain.audit.checkpoints import (
    CheckedCheckpoints,
    Checkpoint,
    check_checkpoints,
    distinct_checkpoints,
)
from reviewer.domain.audit.segments import LINK_BROKEN, Segment, time_went_back, walk_segment


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify_chain` found.

    ok: the chain and every checkpoint verify. size/head: how far the walk got and the head hash
    there (on failure, the last good event). bad_seq/reason: the first bad event, in plain words.
    checkpoints: how many distinct signed checkpoints were checked; last_checkpoint: the largest
    size a valid checkpoint covers; unsigned_tail: events after it (protected by the chain only).
    """

    ok: bool
    size: int
    head: str
    bad_seq: int | None = None
    reason: str | None = None
    checkpoints: int = 0
    last_checkpoint: int = 0
    unsigned_tail: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "head": self.head,
            "bad_seq": self.bad_seq,
            "reason": self.reason,
            "checkpoints": self.checkpoints,
            "last_checkpoint": self.last_checkpoint,
            "unsigned_tail": self.unsigned_tail,
        }


@dataclass(slots=True)
class _Linked:
    """Walked runs joined end to end: how far they verify, the largest checkpoint that matched,
    the decisions seen and the problems that stopped the walk (none: it went to the end)."""

    end_seq: int = 0
    end_hash: str = GENESIS_HEX
    end_at: str = ""
    last_checkpoint: int = 0
    decisions: list[tuple[int, str]] = field(default_factory=list)
    marker: int | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)


def _link(segments: Iterable[Segment], checked: CheckedCheckpoints) -> _Linked:
    out = _Linked()
    for seg in segments:
        if out.problems:
            break
        if seg.first_at and seg.first_at < out.end_at:
            out.problems.append((seg.first_seq, time_went_back(seg.first_at, out.end_at)))
            break
        out.decisions.extend(seg.decisions)
        if out.marker is None:
            out.marker = seg.marker
        if seg.first_seq != out.end_seq + 1 or (
            seg.end_seq >= seg.first_seq and seg.start_prev != out.end_hash
        ):
            out.problems.append(
                (
                    out.end_seq + 1,
                    LINK_BROKEN
                    if seg.first_seq == out.end_seq + 1
                    else f"event {out.end_seq + 1} is missing: events were deleted",
                )
            )
            break
        _match_checkpoints(seg, checked, out)
        if seg.end_seq >= seg.first_seq:
            out.end_seq, out.end_hash, out.end_at = seg.end_seq, seg.end_hash, seg.end_at
        if seg.bad is not None:
            out.problems.append(seg.bad)
    return out


def _match_checkpoints(seg: Segment, checked: CheckedCheckpoints, out: _Linked) -> None:
    """Hold the run's heads against the checkpoints that fall in it, in order of size."""
    for size in sorted(s for s in checked.valid if seg.first_seq <= s <= seg.end_seq):
        rewritten = [
            (
                size,
                f"the signed checkpoint of {cp.at!r} covering "
                f"events 1..{size} does not match the chain: events "
                f"up to {size} were rewritten",
            )
            for cp in checked.valid[size]
            if cp.head != seg.heads.get(size)
        ]
        if rewritten:
            out.problems.extend(rewritten)
            return
        out.last_checkpoint = size


def _cut_off(end_seq: int, checked: CheckedCheckpoints) -> tuple[int, str] | None:
    """A signed checkpoint covers more events than the log holds."""
    if not checked.valid:
        return None
    top = max(checked.valid)
    if top <= end_seq:
        return None
    cp = checked.valid[top][0]
    return (
        end_seq + 1,
        f"the log ends at event {end_seq} but the signed "
        f"checkpoint of {cp.at!r} covers {top} events: events "
        f"{end_seq + 1}..{top} were cut off",
    )


def _checkpoint_removed(
    end_seq: int, checked: CheckedCheckpoints, checkpoint_every: int
) -> tuple[int, str] | None:
    """No checkpoint at a multiple of the period one is made at."""
    if checkpoint_every <= 0:
        return None
    for size in range(checkpoint_every, end_seq + 1, checkpoint_every):
        if size not in checked.valid:
            return (
                size,
                f"no signed checkpoint covers events 1..{size}, though "
                f"one is made every {checkpoint_every} events: "
                f"checkpoints were removed",
            )
    return None


def _decision_unsigned(linked: _Linked, checked: CheckedCheckpoints) -> tuple[int, str] | None:
    """A log with no checkpoint at all, or a decision (from the marker on) without its own."""
    if linked.end_seq > 0 and checked.count == 0:
        return (
            1,
            f"the log holds {linked.end_seq} events and no signed checkpoint: its checkpoints "
            "were removed (every decision is signed when it is made)",
        )
    if linked.marker is None:
        return None
    # From the marker on, every decision is signed in the transaction that records it.
    for seq, action in linked.decisions:
        if seq >= linked.marker and seq <= linked.end_seq and seq not in checked.valid:
            return (
                seq,
                f"the {action} event has no signed checkpoint, though every decision "
                "is signed when it is made: it was forged, or its checkpoint removed",
            )
    return None


def judge(
    segments: Iterable[Segment], checked: CheckedCheckpoints, checkpoint_every: int = 0
) -> VerifyResult:
    """Combine consecutive walked runs (in order) and checked checkpoints into one verdict.

    `checkpoint_every` > 0: a checkpoint is made at every multiple of it, so one missing there
    means checkpoints were removed (from the database and the file alike).
    """
    linked = _link(segments, checked)
    problems: list[tuple[int, str]] = [*checked.issues, *linked.problems]
    if not linked.problems:
        for problem in (
            _cut_off(linked.end_seq, checked),
            _checkpoint_removed(linked.end_seq, checked, checkpoint_every),
            _decision_unsigned(linked, checked),
        ):
            if problem is not None:
                problems.append(problem)
    tail = max(linked.end_seq - linked.last_checkpoint, 0)
    if problems:
        seq, reason = min(problems)
        return VerifyResult(
            False,
            linked.end_seq,
            linked.end_hash,
            bad_seq=seq,
            reason=reason,
            checkpoints=checked.count,
            last_checkpoint=linked.last_checkpoint,
            unsigned_tail=tail,
        )
    return VerifyResult(
        True,
        linked.end_seq,
        linked.end_hash,
        checkpoints=checked.count,
        last_checkpoint=linked.last_checkpoint,
        unsigned_tail=tail,
    )


def verify_chain(
    rows: Iterable[Any],
    checkpoints: Iterable[Checkpoint],
    trusted_keys: Mapping[str, Ed25519PublicKey],
    checkpoint_every: int = 0,
) -> VerifyResult:
    """Walk `rows` (EventRow tuples in seq order, from event 1) and check every checkpoint."""
    checked = check_checkpoints(distinct_checkpoints(checkpoints), trusted_keys)
    return judge([walk_segment(rows, 1, GENESIS_HEX, checked.valid)], checked, checkpoint_every)
