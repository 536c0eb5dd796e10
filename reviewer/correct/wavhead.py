"""A recording's chunks without inflating its sound: is it a plain WAV (format and sound,
nothing else that could hold text), and what precedes its sound."""

from __future__ import annotations

import struct
from collections.abc import Iterator

from isal import isal_zlib

from reviewer.archive import RawMember
from reviewer.domain.archive.errors import WavError
from reviewer.domain.archive.wav import parse_wav

PLAIN_CHUNKS = frozenset({b"fmt ", b"data", b"fact"})
HEAD_BYTES = 8 << 10  # a plain WAV's chunks before its sound fit well within this


def chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each RIFF chunk of `data` as (id, body), as far as `data` goes (a body may be cut)."""
    order = ">" if data[:4] == b"RIFX" else "<"
    at = 12
    while at + 8 <= len(data):
        (size,) = struct.unpack(order + "I", data[at + 4 : at + 8])
        yield data[at : at + 4], data[at + 8 : at + 8 + size]
        at += 8 + size + (size & 1)


def chunk_ids(data: bytes) -> set[bytes]:
    """The ids of the RIFF chunks in `data` (as far as it goes)."""
    return {cid for cid, _body in chunks(data)}


def plain_wav_head(raw: RawMember) -> bytes | None:
    """The bytes before the sound of a WAV stored as `raw` whose chunks are the format and
    the sound alone, ending where its sound ends; None for anything else."""
    if raw.method == 8:
        try:  # only the start of the stream is inflated: what a plain head needs is there,
            # and a head not found in it is read whole by the caller
            head = isal_zlib.decompressobj(-15).decompress(raw.data[: 2 * HEAD_BYTES], HEAD_BYTES)
        except isal_zlib.error:  # type: ignore[misc]  # ISA-L's error is an Exception
            return None
    elif raw.method == 0:
        head = raw.data[:HEAD_BYTES]
    else:
        return None
    try:
        layout = parse_wav(head, raw.size)
    except WavError:
        return None
    end = layout.data_offset + layout.declared_bytes
    if not chunk_ids(head) <= PLAIN_CHUNKS or end + (end & 1) < raw.size:
        return None
    return bytes(head[: layout.data_offset])


def span_frames(
    start_s: float | None, end_s: float | None, rate: int, frames: int
) -> tuple[int, int]:
    """The frames [first, last) a span covers (None, None: the whole recording), rounded out so
    the span is wholly inside, and clipped to the recording. The builder silences these frames
    and the proof checks these frames."""
    start = 0 if start_s is None else int(start_s * rate)
    end = frames if end_s is None else min(frames, int(-(-end_s * rate // 1)))
    return max(0, min(start, frames)), end
