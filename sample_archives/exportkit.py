"""Build the pieces of a pending export, deterministically.

A small kit for writing export archives in the shape the pipeline delivers them (see the
input contract): speech and synthetic audio, every WAV variant real exports carry, the
transcript catalogue PDF, the manifest and a byte-for-byte reproducible ZIP. The sample
archives and the benchmark generators both use it. It depends on the standard library and
fpdf2 only (espeak-ng and sox on PATH for `speak` and `ogg_bytes`), never on the reviewer.

Every function returns the same bytes for the same arguments, on every run.
"""

from __future__ import annotations

import array
import hashlib
import io
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO

__all__ = [
    "ESPEAK_RATE",
    "ZIP_DATE",
    "ToolMissing",
    "deterministic_zip",
    "have_speech_tools",
    "manifest",
    "ogg_bytes",
    "pcm_convert",
    "sha256_hex",
    "speak",
    "tone",
    "transcript_pdf",
    "wav_bytes",
    "zip_bytes",
    "zip_info",
]

ESPEAK_RATE = 22050  # espeak-ng's native output rate
ZIP_DATE = (2018, 8, 2, 9, 0, 0)  # every member's timestamp
PDF_DATE = datetime(2018, 8, 2, 9, 0, 0, tzinfo=UTC)
PCM_GUID = bytes.fromhex("0100000000001000800000aa00389b71")  # KSDATAFORMAT_SUBTYPE_PCM


class ToolMissing(RuntimeError):
    """espeak-ng or sox is not installed."""


def have_speech_tools() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- audio


def _run(cmd: list[str], stdin: bytes | None = None) -> bytes:
    if shutil.which(cmd[0]) is None:
        raise ToolMissing(f"{cmd[0]} is not installed (Debian package {cmd[0]})")
    env = dict(os.environ, LC_ALL="C")
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False, env=env)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"{cmd[0]} failed: {err[-1] if err else proc.returncode}")
    return proc.stdout


def _espeak_pcm(text: str, voice: str, speed: int, pitch: int) -> bytes:
    """Raw 16-bit mono PCM at ESPEAK_RATE. espeak-ng's --stdout WAV header carries
    placeholder sizes, so the data chunk is located and everything after it taken."""
    wav = _run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", "--", text]
    )
    pos = 12
    while pos + 8 <= len(wav):
        cid, size = wav[pos : pos + 4], struct.unpack_from("<I", wav, pos + 4)[0]
        if cid == b"data":
            pcm = wav[pos + 8 :]
            return pcm[: len(pcm) & ~1]
        pos += 8 + size + (size & 1)
    raise RuntimeError("espeak-ng produced no audio")


@lru_cache(maxsize=512)
def speak(
    text: str,
    rate: int = 16000,
    *,
    voice: str = "en-us",
    speed: int = 170,
    pitch: int = 50,
) -> bytes:
    """`text` spoken by espeak-ng: 16-bit signed little-endian mono PCM at `rate` Hz.

    Resampled with sox (dither off, repeatable), so the bytes are the same on every run.
    `voice` is an espeak-ng voice ("en-gb", "de", "fr", "es", "it", "sv", ...).
    """
    pcm = _espeak_pcm(text, voice, speed, pitch)
    if rate == ESPEAK_RATE:
        return pcm
    raw = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-L"]
    out = _run(
        ["sox", "-R", "-D", "-V1", *raw, "-r", str(ESPEAK_RATE), "-", *raw, "-r", str(rate), "-"],
        stdin=pcm,
    )
    return out[: len(out) & ~1]


@lru_cache(maxsize=32)
def _tone_base(rate: int, freq: float, amplitude: float) -> bytes:
    """Five seconds (at least 40,000 frames, more than deflate's 32 KiB window) of a tone
    with a syllable-like envelope and seeded noise: compresses about as poorly as speech."""
    frames = max(40_000, rate * 5)
    amp = 32767 * max(0.0, min(1.0, amplitude))
    noise = random.Random(rate * 1_000_003 + int(freq))
    step = 2 * math.pi * freq / rate
    syllable = math.pi / (rate * 0.25)
    samples = array.array(
        "h",
        (
            max(
                -32768,
                min(
                    32767,
                    int(
                        amp
                        * (0.35 + 0.65 * abs(math.sin(i * syllable)))
                        * (0.8 * math.sin(i * step) + 0.2 * math.sin(3 * i * step))
                        + noise.gauss(0.0, amp * 0.06)
                    ),
                ),
            )
            for i in range(frames)
        ),
    )
    if sys.byteorder != "little":
        samples.byteswap()
    return samples.tobytes()


def tone(
    seconds: float,
    rate: int = 8000,
    *,
    freq: float = 440.0,
    amplitude: float = 0.3,
    seed: int = 0,
) -> bytes:
    """A cheap synthetic recording: 16-bit signed mono PCM, a warbling tone with noise.

    Five seconds are computed once per (rate, freq, amplitude) and reused: `seed` picks where
    in them the recording starts, so recordings differ from one another (and hash
    differently) at almost no cost. Like real audio it barely compresses (about 1.2:1), so
    archives built from it have realistic sizes.
    """
    frames = max(0, round(seconds * rate))
    base = _tone_base(rate, float(freq), float(amplitude))
    start = (seed * 7919 * 2) % len(base)
    ring = base[start:] + base[:start]
    need = frames * 2
    reps = need // len(ring) + 1
    return (ring * reps)[:need] if reps > 1 else ring[:need]


def pcm_convert(pcm16: bytes, channels: int = 1, bits: int = 16) -> bytes:
    """16-bit signed mono PCM to `bits` (8, 16, 24 or 32) and `channels` (the same signal
    in every channel). 8-bit WAV is unsigned, the others signed little-endian."""
    pcm16 = pcm16[: len(pcm16) & ~1]
    if bits == 16:
        mono, width = pcm16, 2
    elif bits == 8:
        mono, width = pcm16[1::2].translate(_TO_UNSIGNED), 1  # high byte, offset by 128
    elif bits in (24, 32):
        width = bits // 8
        buf = bytearray(len(pcm16) // 2 * width)
        buf[width - 2 :: width] = pcm16[0::2]
        buf[width - 1 :: width] = pcm16[1::2]
        mono = bytes(buf)
    else:
        raise ValueError(f"unsupported sample width: {bits} bits")
    if channels < 1:
        raise ValueError("channels must be at least 1")
    if channels == 1:
        return mono
    out = bytearray(len(mono) * channels)
    stride = width * channels
    for c in range(channels):
        for b in range(width):
            out[c * width + b :: stride] = mono[b::width]
    return bytes(out)


_TO_UNSIGNED = bytes((b + 128) & 0xFF for b in range(256))


def _chunk(cid: bytes, payload: bytes) -> bytes:
    """A RIFF chunk; an odd-sized payload is followed by the pad byte the format requires."""
    return cid + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")


def _list_info(info: Mapping[str, str]) -> bytes:
    body = b"INFO"
    for key, value in info.items():
        tag = key.encode("ascii")
        if len(tag) != 4:
            raise ValueError(f"INFO tags are four characters: {key!r}")
        body += _chunk(tag, value.encode("latin-1", "replace") + b"\0")
    return _chunk(b"LIST", body)


def wav_bytes(
    pcm: bytes,
    rate: int,
    channels: int = 1,
    bits: int = 16,
    *,
    extensible: bool = False,
    list_info: Mapping[str, str] | None = None,
    pad_odd: bool = False,
    truncate_to: int | None = None,
    extra_chunks: Sequence[tuple[bytes, bytes]] = (),
) -> bytes:
    """A RIFF/WAVE file holding `pcm`.

    `pcm` is 16-bit signed mono at `rate` Hz (what `speak` and `tone` return); it is
    converted here to `channels` and `bits` (8-bit is unsigned). Chunk order: fmt, then
    LIST/INFO (`list_info`, e.g. {"INAM": title, "ISFT": software}), then `extra_chunks`
    ((four-byte id, payload) pairs), then data.

    - `extensible`: a WAVE_FORMAT_EXTENSIBLE (0xFFFE) fmt chunk with the PCM sub-format.
    - `pad_odd`: the data chunk gets an odd byte count (the last byte is dropped when the
      count is even; for 16-bit audio that leaves a partial final frame) and the pad byte.
    - `truncate_to`: the file is cut to this many bytes while the headers still declare
      the full sizes, as a transfer cut short leaves it.
    """
    if not 1 <= channels <= 8:
        raise ValueError("channels must be 1 to 8")
    data = pcm_convert(pcm, channels, bits)
    if pad_odd and len(data) % 2 == 0 and data:
        data = data[:-1]
    block_align = channels * bits // 8
    byte_rate = rate * block_align
    if extensible:
        mask = {1: 0x4, 2: 0x3}.get(channels, (1 << channels) - 1)
        fmt = (
            struct.pack(
                "<HHIIHHHHI", 0xFFFE, channels, rate, byte_rate, block_align, bits, 22, bits, mask
            )
            + PCM_GUID
        )
    else:
        fmt = struct.pack("<HHIIHH", 1, channels, rate, byte_rate, block_align, bits)
    body = b"WAVE" + _chunk(b"fmt ", fmt)
    if list_info:
        body += _list_info(list_info)
    for cid, payload in extra_chunks:
        if len(cid) != 4:
            raise ValueError(f"chunk ids are four bytes: {cid!r}")
        body += _chunk(cid, payload)
    body += _chunk(b"data", data)
    out = b"RIFF" + struct.pack("<I", len(body)) + body
    if truncate_to is not None:
        out = out[: max(0, truncate_to)]
    return out


def ogg_bytes(pcm: bytes, rate: int, *, quality: int = 0) -> bytes:
    """`pcm` (16-bit signed mono) as an Ogg Vorbis file, encoded by sox (repeatable mode,
    so the stream serial number and the bytes are the same on every run)."""
    raw = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-r", str(rate)]
    return _run(
        ["sox", "-R", "-D", "-V1", *raw, "-", "-C", str(quality), "-t", "ogg", "-"], stdin=pcm
    )


# --------------------------------------------------------------------------- transcript PDF


def transcript_pdf(
    entries: Iterable[tuple[str, str, str, str]],
    *,
    title: str = "Alexa voice history: transcripts",
) -> bytes:
    """The transcript catalogue: one entry per utterance, in the order given.

    Each entry is (timestamp, device_serial, utterance_id, text) and prints as a line
    `<timestamp>  <device_serial>  <utterance_id>` (two spaces) followed by the text,
    wrapped. An entry never starts at the bottom of a page with its text on the next.
    Page 1 opens with `title`. Text is limited to Windows-1252 characters (the PDF core
    fonts). The metadata is fixed, so the same entries give the same bytes.
    """
    from fpdf import FPDF  # imported here: only the PDF needs fpdf2

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_producer("Export pipeline")
    pdf.set_creator("Export pipeline")
    pdf.set_title(title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    bottom = pdf.h - 15
    for timestamp, serial, utterance_id, text in entries:
        if pdf.get_y() + 14 > bottom:
            pdf.add_page()
        pdf.set_font("Courier", "", 8)
        pdf.cell(0, 4.5, f"{timestamp}  {serial}  {utterance_id}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        if pdf.get_string_width(text) <= width - 2:
            pdf.cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- ZIP and manifest


def zip_info(
    name: str,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    mode: int = 0o100644,
    date_time: tuple[int, int, int, int, int, int] = ZIP_DATE,
) -> zipfile.ZipInfo:
    """A ZipInfo with fixed date, Unix attributes and compression. Pass `mode=0o120777`
    for a symlink member (its data is then the link target)."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = compression
    info.create_system = 3
    info.create_version = 20
    info.extract_version = 20
    info.external_attr = (mode & 0xFFFF) << 16
    return info


Member = tuple[str | zipfile.ZipInfo, bytes]


def deterministic_zip(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    members: Iterable[Member],
    compression: int = zipfile.ZIP_DEFLATED,
) -> None:
    """Write `members` ((name or ZipInfo, bytes) pairs) in the order given, with fixed
    timestamps and attributes, so the same members always give the same archive bytes.

    Names are written as given (duplicates too); sort them first for a tidy archive.
    """
    if isinstance(path_or_file, str | os.PathLike):
        Path(path_or_file).parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path_or_file, "w", compression=compression, compresslevel=6) as zf:
        for name, data in members:
            info = zip_info(name, compression=compression) if isinstance(name, str) else name
            zf.writestr(info, data)


def zip_bytes(members: Iterable[Member], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """`deterministic_zip` into memory (for nested archives)."""
    buf = io.BytesIO()
    deterministic_zip(buf, members, compression)
    return buf.getvalue()


def manifest(
    export_id: str,
    customer_id: str,
    generated_at: str,
    members: Iterable[tuple[str, bytes]],
) -> bytes:
    """`manifest.json`: export id, customer id, generation time and, for every member
    given (everything but the manifest itself), its path, byte count and SHA-256."""
    doc = {
        "export_id": export_id,
        "customer_id": customer_id,
        "generated_at": generated_at,
        "files": [
            {"path": path, "bytes": len(data), "sha256": sha256_hex(data)} for path, data in members
        ],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
