"""Walking a run of consecutive stored events: each hash recomputed, each link and time checked,
stopping at the first bad event and naming it in plain words."""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from reviewer.domain.audit.chain import HEX64_RE
from reviewer.domain.audit.decisions import DECISION_ACTIONS, DECISIONS_SIGNED_MARKER

EventRow = tuple[int, str, str, str, str, str, str, str]
"""(seq, at, actor, action, subject, payload, prev_hash, hash) as stored, ordered by seq."""

LINK_BROKEN = (
    "its previous-hash does not link to the event before it: events were deleted, "
    "inserted or reordered, or the link was edited"
)
EDITED = "its contents do not match its hash: the event was edited"


def time_went_back(at: str, before: str) -> str:
    return (
        f"its time {at} is earlier than the event before it ({before}): events were "
        "reordered, or written with a clock set back"
    )


@dataclass(slots=True)
class Segment:
    """The result of walking a run of consecutive events (see `walk_segment`).

    first_seq/start_prev: where the walk began and the previous hash it started from;
    end_seq/end_hash: the last event that verified and its hash; heads: the hash at each
    requested size within the run; bad: the first bad event in the run, (seq, reason).
    """

    first_seq: int
    start_prev: str
    end_seq: int
    end_hash: str
    heads: dict[int, str]
    bad: tuple[int, str] | None = None
    first_at: str = ""  # the time of the run's first event and of its last good one
    end_at: str = ""
    decisions: list[tuple[int, str]] = field(default_factory=list)  # (seq, action)
    marker: int | None = None  # the first DECISIONS_SIGNED_MARKER event of the run


def walk_segment(
    rows: Iterable[Any],
    first_seq: int,
    start_prev: str | None,
    want: Container[int] = frozenset(),
    last_seq: int | None = None,
) -> Segment:
    """Walk `rows` (EventRow tuples in seq order, starting at `first_seq`), recomputing each hash.

    `start_prev` is the hash the first event must link to; None takes the first row's own
    previous-hash (a later run of a log split for parallel checking; the caller then checks that
    the run before it ends on that hash). Stops at the first bad event. `last_seq`: the run
    must reach this event (events missing at its end are reported as bad).
    """
    sha256 = hashlib.sha256
    esc = encode_basestring
    template = '{"action":%s,"actor":%s,"at":%s,"payload":%s,"seq":%d,"subject":%s}'
    expected = first_seq
    prev_hex = start_prev
    prev_digest = bytes.fromhex(start_prev) if start_prev is not None else b""
    heads: dict[int, str] = {}
    seg = Segment(first_seq, start_prev or "", first_seq - 1, start_prev or "", heads)
    prev_at = ""
    decisions = seg.decisions
    for seq, at, actor, action, subject, payload, prev_hash, stored in rows:
        if seq != expected:
            seg.bad = (
                expected,
                f"found event {seq} where event {expected} belongs: events "
                f"were deleted, inserted or reordered",
            )
            break
        if prev_hex is None:  # first row of a later run
            if not isinstance(prev_hash, str) or not HEX64_RE.match(prev_hash):
                seg.bad = (seq, LINK_BROKEN)
                break
            prev_hex = seg.start_prev = seg.end_hash = prev_hash
            prev_digest = bytes.fromhex(prev_hash)
        if prev_hash != prev_hex:
            seg.bad = (seq, LINK_BROKEN)
            break
        try:
            body = (
                template % (esc(action), esc(actor), esc(at), payload, seq, esc(subject))
            ).encode("utf-8")
        except (TypeError, UnicodeEncodeError):
            seg.bad = (seq, EDITED)
            break
        digest = sha256(b"\x00" + prev_digest + body).digest()
        digest_hex = digest.hex()
        if stored != digest_hex:
            seg.bad = (seq, EDITED)
            break
        if at < prev_at:
            seg.bad = (seq, time_went_back(at, prev_at))
            break
        if not prev_at:
            seg.first_at = at
        if action in DECISION_ACTIONS:
            decisions.append((seq, action))
            if action == DECISIONS_SIGNED_MARKER and seg.marker is None:
                seg.marker = seq
        if seq in want:
            heads[seq] = digest_hex
        prev_digest, prev_hex, prev_at = digest, digest_hex, at
        expected += 1
    seg.end_seq = expected - 1
    seg.end_at = prev_at
    if prev_hex is not None:
        seg.end_hash = prev_hex
    if seg.bad is None and last_seq is not None and seg.end_seq < last_seq:
        seg.bad = (expected, f"event {expected} is missing: events were deleted")
    return seg
