"""WAV recordings: a RIFF chunk walker that tolerates what real exports carry.

Python 3.11's `wave` module rejects WAVE_FORMAT_EXTENSIBLE headers and raises odd exceptions on
damaged files, so this walks the chunks itself. It reads PCM (8, 16, 24, 32 bit) and 32-bit
float, mono to 8 channels; it accepts EXTENSIBLE headers, LIST/INFO and any other extra chunks,
odd chunk sizes (with or without the pad byte) and truncated data, whose duration is taken from
the bytes really present. Anything else raises `WavError` with a one-line reason.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from reviewer.domain.archive.errors import WavError
from reviewer.domain.model import AudioInfo

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
MIN_RATE, MAX_RATE = 1_000, 384_000
MAX_CHANNELS = 8
PCM_BITS = (8, 16, 24, 32)


@dataclass(frozen=True, slots=True)
class WavLayout:
    info: AudioInfo
    data_offset: int  # where the PCM frames start
    data_bytes: int  # whole frames really present
    declared_bytes: int  # what the data chunk header claims
    encoding: int  # WAVE_FORMAT_PCM or WAVE_FORMAT_IEEE_FLOAT

    @property
    def truncated(self) -> bool:
        return self.data_bytes < self.declared_bytes


def _chunk_id_ok(raw: bytes) -> bool:
    return len(raw) == 4 and all(32 <= b < 127 for b in raw)


def parse_wav(head: bytes | memoryview, total_bytes: int | None = None) -> WavLayout:
    """Lay out a WAV from its first bytes; `total_bytes` is the real size of the whole file.

    `head` may be only a prefix of the file, as long as it reaches the start of the data chunk.
    """
    buf = bytes(head[:]) if isinstance(head, memoryview) else head
    total = len(buf) if total_bytes is None else total_bytes
    if len(buf) < 12:
        raise WavError("too short to be a WAV file")
    if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
        if buf[:4] in (b"RIFX", b"RF64") and buf[8:12] == b"WAVE":
            raise WavError(f"unsupported RIFF variant {buf[:4].decode()}")
        raise WavError("not a RIFF/WAVE file")
    fmt: tuple[int, int, int, int, int] | None = None  # tag, channels, rate, block align, bits
    data: tuple[int, int] | None = None  # offset, declared size
    pos = 12
    while pos + 8 <= len(buf):
        cid = buf[pos : pos + 4]
        if not _chunk_id_ok(cid):
            # some writers drop the pad byte after an odd-sized chunk: look one byte back
            if pos > 12 and _chunk_id_ok(buf[pos - 1 : pos + 3]):
                pos -= 1
                cid = buf[pos : pos + 4]
            else:
                break
        (size,) = struct.unpack_from("<I", buf, pos + 4)
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(buf):
                raise WavError("fmt chunk too short")
            tag, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", buf, body)
            if tag == WAVE_FORMAT_EXTENSIBLE:
                if size < 40 or body + 40 > len(buf):
                    raise WavError("EXTENSIBLE fmt chunk too short")
                (tag,) = struct.unpack_from(
                    "<H", buf, body + 24
                )  # first bytes of the sub-format GUID
            fmt = (tag, channels, rate, align, bits)
        elif cid == b"data":
            data = (body, size)
            if fmt is not None:
                break
        pos = body + size + (size & 1)
        if data is not None and fmt is not None:
            break
    if fmt is None:
        raise WavError("no fmt chunk")
    if data is None:
        raise WavError("no data chunk")
    tag, channels, rate, align, bits = fmt
    if tag not in (WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT):
        raise WavError(f"unsupported encoding 0x{tag:04x} (only PCM and float are read)")
    if not 1 <= channels <= MAX_CHANNELS:
        raise WavError(f"absurd channel count {channels}")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise WavError(f"absurd sample rate {rate} Hz")
    if tag == WAVE_FORMAT_PCM and bits not in PCM_BITS:
        raise WavError(f"unsupported sample size {bits} bit")
    if tag == WAVE_FORMAT_IEEE_FLOAT and bits != 32:
        raise WavError(f"unsupported float sample size {bits} bit")
    frame = channels * bits // 8
    if align and align != frame:
        raise WavError(f"block align {align} does not match {channels} x {bits} bit")
    offset, declared = data
    present = max(0, total - offset)
    if declared in (0, 0xFFFFFFFF):  # streaming writers leave the size open
        declared = present
    usable = min(declared, present)
    usable -= usable % frame
    info = AudioInfo(
        format="wav",
        duration_s=round(usable / frame / rate, 3),
        rate=rate,
        channels=channels,
        bits=bits,
    )
    return WavLayout(
        info=info, data_offset=offset, data_bytes=usable, declared_bytes=declared, encoding=tag
    )


def wav_info(head: bytes | memoryview, total_bytes: int | None = None) -> AudioInfo:
    """Duration, rate, channels and bits of a WAV (see `parse_wav`)."""
    return parse_wav(head, total_bytes).info


def decode_wav(data: bytes) -> tuple[AudioInfo, bytes]:
    """The recording's facts and its PCM frames (little-endian, interleaved, whole frames)."""
    layout = parse_wav(data)
    start = layout.data_offset
    return layout.info, data[start : start + layout.data_bytes]
