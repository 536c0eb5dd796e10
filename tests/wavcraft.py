"""WAV recordings of every variant real exports carry, built for real.

`written` has libsndfile write a tone (RIFX, RF64, EXTENSIBLE, float, A-law, µ-law, ...);
`stored` lays out integer PCM by hand, any significant bits in any sample width (12-bit
audio in 2 bytes, 24-bit in 4), the samples left-justified as the format asks. Each
`Variant` carries the facts a reader must find in it.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import soundfile

PCM_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def sine(seconds: float, rate: int, channels: int) -> np.ndarray:
    """A 440 Hz tone at half scale, a little quieter on each further channel."""
    t = np.arange(int(round(seconds * rate))) / rate
    wave = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([wave * (1 - 0.1 * c) for c in range(channels)], axis=1)


def written(
    seconds: float,
    rate: int,
    channels: int,
    fmt: str,
    subtype: str,
    endian: str = "FILE",
) -> bytes:
    buf = io.BytesIO()
    soundfile.write(
        buf, sine(seconds, rate, channels), rate, format=fmt, subtype=subtype, endian=endian
    )
    return buf.getvalue()


def chunk(cid: bytes, body: bytes, size: int | None = None) -> bytes:
    pad = b"\x00" if len(body) % 2 else b""
    return cid + struct.pack("<I", len(body) if size is None else size) + body + pad


def stored(
    seconds: float,
    rate: int,
    channels: int,
    bits: int,
    width: int,
    *,
    extensible: bool = False,
) -> bytes:
    """Integer PCM of `bits` significant bits in samples of `width` bytes, left-justified
    (unsigned when a sample is one byte). With `extensible`, a WAVE_FORMAT_EXTENSIBLE header
    whose container is `width` bytes and whose valid bits are `bits`."""
    top = 2 ** (bits - 1) - 1
    values = np.round(sine(seconds, rate, channels) * top).astype(np.int64)
    values <<= 8 * width - bits
    if width == 1:
        values += 128
    raw = values.astype("<i8").view(np.uint8).reshape(-1, 8)[:, :width].tobytes()
    align = channels * width
    if extensible:
        fmt = struct.pack(
            "<HHIIHHHHI", 0xFFFE, channels, rate, rate * align, align, 8 * width, 22, bits, 0
        )
        fmt += struct.pack("<H", 1) + PCM_GUID_TAIL
    else:
        fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, bits)
    body = b"WAVE" + chunk(b"fmt ", fmt) + chunk(b"data", raw)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@dataclass(frozen=True)
class Variant:
    name: str
    data: bytes
    seconds: float
    rate: int
    channels: int
    bits: int


def variants() -> list[Variant]:
    """One recording of each variant, with the facts it holds. Two are longer than the
    1 MiB of a recording the reader keeps, so their duration comes from the full size."""
    out = [
        Variant("u8", written(1.25, 8000, 1, "WAV", "PCM_U8"), 1.25, 8000, 1, 8),
        Variant("pcm24", written(0.75, 48000, 2, "WAV", "PCM_24"), 0.75, 48000, 2, 24),
        Variant("pcm32", written(0.5, 44100, 1, "WAV", "PCM_32"), 0.5, 44100, 1, 32),
        Variant("float", written(0.6, 22050, 2, "WAV", "FLOAT"), 0.6, 22050, 2, 32),
        Variant("double-ext", written(0.4, 48000, 2, "WAVEX", "DOUBLE"), 0.4, 48000, 2, 64),
        Variant("ulaw", written(150.0, 8000, 1, "WAV", "ULAW"), 150.0, 8000, 1, 8),
        Variant("alaw", written(2.0, 8000, 1, "WAV", "ALAW"), 2.0, 8000, 1, 8),
        Variant("rf64", written(12.0, 48000, 2, "RF64", "PCM_16"), 12.0, 48000, 2, 16),
        Variant("rifx", written(1.5, 16000, 1, "WAV", "PCM_16", "BIG"), 1.5, 16000, 1, 16),
        Variant("rifx-float", written(0.5, 11025, 2, "WAV", "FLOAT", "BIG"), 0.5, 11025, 2, 32),
        Variant("12-bit", stored(1.0, 8000, 4, 12, 2), 1.0, 8000, 4, 12),
        Variant("20-bit", stored(0.8, 12000, 1, 20, 3), 0.8, 12000, 1, 20),
        Variant("5-bit", stored(0.9, 8000, 5, 5, 1), 0.9, 8000, 5, 5),
        Variant("24-in-4", stored(0.7, 16000, 2, 24, 4), 0.7, 16000, 2, 24),
        Variant("24-in-4-ext", stored(0.7, 16000, 2, 24, 4, extensible=True), 0.7, 16000, 2, 24),
        # beyond the layouts the reader's own parser takes: many channels, studio rates
        Variant("16-channels", written(0.5, 48000, 16, "WAV", "PCM_16"), 0.5, 48000, 16, 16),
        Variant("ext-10-ch", written(0.25, 44100, 10, "WAVEX", "PCM_24"), 0.25, 44100, 10, 24),
        Variant("768k", written(0.5, 768000, 1, "WAV", "PCM_16"), 0.5, 768000, 1, 16),
        Variant("500-hz", written(3.0, 500, 1, "WAV", "PCM_16"), 3.0, 500, 1, 16),
    ]
    return out
