"""WAV recordings: a RIFF chunk walker that tolerates what real exports carry.

Python 3.11's `wave` module rejects WAVE_FORMAT_EXTENSIBLE headers and raises odd exceptions on
damaged files, so this walks the chunks itself. `wav_header` reads what the header of a RIFF,
RIFX (big-endian) or RF64 file says, judging nothing. `parse_wav` lays out the common case,
little-endian RIFF holding integer PCM (1 to 32 significant bits in 1- to 4-byte samples:
12-bit audio in 2 bytes, 24-bit in 4) or 32-bit float, mono to 8 channels; it accepts
EXTENSIBLE headers, LIST/INFO and any other extra chunks, odd chunk sizes (with or without the
pad byte) and truncated data, whose duration is taken from the bytes really present. Anything
else raises `WavError` with a one-line reason.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.domain.archive.errors import WavError
from reviewer.domain.model import AudioInfo

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# The layouts this parser reads itself: anything outside them is asked of libsndfile
# (`reviewer.archive.digest.sndfile`), which reads far more.
MIN_RATE, MAX_RATE = 1_000, 384_000
MAX_CHANNELS = 8
# What any recording may state and still be taken as sound: libsndfile's own channel limit
# (SF_MAX_CHANNELS), and rates from 1 Hz to 10 MHz (software radio writes WAVs at MHz
# rates; 768 kHz is a studio rate). Beyond these a header is absurd, whoever reads it.
SOUND_MAX_CHANNELS = 1024
SOUND_MIN_RATE, SOUND_MAX_RATE = 1, 10_000_000
MAX_PCM_BITS = 32
OPEN_SIZE = 0xFFFFFFFF  # the size a streaming writer (or RF64) leaves in a chunk header
_VARIANTS = (b"RIFF", b"RIFX", b"RF64")
INFO_TEXT_MAX = 64 << 10  # characters of tags kept from one recording


@dataclass(frozen=True, slots=True)
class WavHeader:
    """What a WAV's header says, before anything is judged."""

    variant: str  # "RIFF", "RIFX" (big-endian) or "RF64"
    encoding: int  # the format tag; for an EXTENSIBLE header, its sub-format's
    channels: int
    rate: int
    byte_rate: int
    align: int  # bytes per frame, as declared
    bits: int  # bits per sample as stored
    valid_bits: int  # significant bits: an EXTENSIBLE header's valid bits, else `bits`
    data_offset: int
    declared_bytes: int  # the data chunk's size (RF64: the size in its ds64 chunk)


@dataclass(frozen=True, slots=True)
class WavLayout:
    info: AudioInfo
    data_offset: int  # where the PCM frames start
    data_bytes: int  # whole frames really present
    declared_bytes: int  # what the data chunk header claims
    encoding: int  # WAVE_FORMAT_PCM or WAVE_FORMAT_IEEE_FLOAT
    sample_bytes: int  # bytes each sample takes (2 for 12-bit audio, 4 for 24-bit in 4 bytes)
    frame_bytes: int  # bytes of one frame, every channel's sample

    @property
    def truncated(self) -> bool:
        return self.data_bytes < self.declared_bytes


_CHUNK_ID = re.compile(rb"[\x20-\x7e]{4}")


def _chunk_id_ok(raw: bytes) -> bool:
    """Four printable ASCII characters, as every chunk id is."""
    return _CHUNK_ID.fullmatch(raw) is not None


def _chunks(buf: bytes, order: str) -> Iterator[tuple[bytes, int, int]]:
    """The chunks of a WAV's first bytes `buf` after its 12-byte signature, in order, as
    (id, where its body starts, its declared size), up to the first header that is not a
    chunk's or does not fit. A writer that dropped the pad byte after an odd-sized chunk is
    followed (the next id is looked for one byte back)."""
    pos = 12
    while pos + 8 <= len(buf):
        cid = buf[pos : pos + 4]
        if not _chunk_id_ok(cid):
            if pos > 12 and _chunk_id_ok(buf[pos - 1 : pos + 3]):
                pos -= 1
                cid = buf[pos : pos + 4]
            else:
                return
        (size,) = struct.unpack_from(order + "I", buf, pos + 4)
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


# a WavHeader's fields in order, as `_walk_fields` gives them
_HeaderFields = tuple[str, int, int, int, int, int, int, int, int, int]


def _walk(buf: bytes) -> WavHeader:
    """The header of a file whose first 12 bytes are a RIFF, RIFX or RF64 WAVE signature."""
    return WavHeader(*_walk_fields(buf))


def _walk_fields(buf: bytes) -> _HeaderFields:
    """`_walk`'s header as a plain tuple of its fields (the reader lays out thousands of
    recordings, and a frozen dataclass is slow to make)."""
    variant = buf[:4].decode("ascii")
    order = ">" if variant == "RIFX" else "<"
    fmt: tuple[int, int, int, int, int, int, int] | None = None
    data: tuple[int, int] | None = None  # offset, declared size
    ds64_data: int | None = None
    for cid, body, size in _chunks(buf, order):
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(buf):
                raise WavError("fmt chunk too short")
            tag, channels, rate, byte_rate, align, bits = struct.unpack_from(
                order + "HHIIHH", buf, body
            )
            valid = bits
            if tag == WAVE_FORMAT_EXTENSIBLE:
                if size < 40 or body + 40 > len(buf):
                    raise WavError("EXTENSIBLE fmt chunk too short")
                # valid bits, then the channel mask, then the sub-format GUID (its first bytes
                # are the format tag it stands for)
                (declared_valid,) = struct.unpack_from(order + "H", buf, body + 18)
                (tag,) = struct.unpack_from(order + "H", buf, body + 24)
                if tag == WAVE_FORMAT_PCM and 0 < declared_valid <= bits:
                    valid = declared_valid  # (other sub-formats count samples per block here)
            fmt = (tag, channels, rate, byte_rate, align, bits, valid)
        elif cid == b"ds64" and variant == "RF64" and size >= 24 and body + 24 <= len(buf):
            (ds64_data,) = struct.unpack_from("<Q", buf, body + 8)
        elif cid == b"data":
            data = (body, size)
        if data is not None and fmt is not None:
            break
    if fmt is None:
        raise WavError("no fmt chunk")
    if data is None:
        raise WavError("no data chunk")
    offset, declared = data
    if variant == "RF64" and declared == OPEN_SIZE and ds64_data is not None:
        declared = ds64_data
    tag, channels, rate, byte_rate, align, bits, valid = fmt
    return variant, tag, channels, rate, byte_rate, align, bits, valid, offset, declared


def wav_header(head: bytes | memoryview) -> WavHeader:
    """What the header of a RIFF, RIFX or RF64 WAV says, from the file's first bytes (as far
    as the start of its data chunk); `WavError` when there is no such header."""
    buf = bytes(head)
    if len(buf) < 12:
        raise WavError("too short to be a WAV file")
    if buf[:4] not in _VARIANTS or buf[8:12] != b"WAVE":
        raise WavError("not a RIFF/WAVE file")
    return _walk(buf)


def _sample_bytes(tag: int, channels: int, bits: int, align: int) -> int:
    """Bytes per sample of a little-endian PCM or float header (its format tag, channels,
    bits per sample and block align), or `WavError` with why not."""
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        if bits != 32:
            raise WavError(f"unsupported float sample size {bits} bit")
        width = 4
    elif not 1 <= bits <= MAX_PCM_BITS:
        raise WavError(f"unsupported sample size {bits} bit")
    else:
        width = (bits + 7) // 8
    if align and align != channels * width:
        # 24-bit samples stored in 4 bytes, the one wider layout libsndfile reads by the
        # block align; any other align that disagrees with the bits is left to libsndfile,
        # which goes by the bits (a wrong align is common and harmless there)
        if tag != WAVE_FORMAT_PCM or width != 3 or align != 4 * channels:
            raise WavError(f"block align {align} does not match {channels} x {bits} bit")
        width = 4
    return width


def parse_wav(head: bytes | memoryview, total_bytes: int | None = None) -> WavLayout:
    """Lay out a WAV from its first bytes; `total_bytes` is the real size of the whole file.

    `head` may be only a prefix of the file, as long as it reaches the start of the data chunk.
    """
    info, offset, usable, declared, tag, width, frame = _lay_out(head, total_bytes)
    return WavLayout(
        info=info,
        data_offset=offset,
        data_bytes=usable,
        declared_bytes=declared,
        encoding=tag,
        sample_bytes=width,
        frame_bytes=frame,
    )


def _lay_out(
    head: bytes | memoryview, total_bytes: int | None
) -> tuple[AudioInfo, int, int, int, int, int, int]:
    """`parse_wav`'s layout as a plain tuple of its fields, in `WavLayout`'s order."""
    buf = bytes(head)
    total = len(buf) if total_bytes is None else total_bytes
    if len(buf) < 12:
        raise WavError("too short to be a WAV file")
    if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
        if buf[:4] in _VARIANTS and buf[8:12] == b"WAVE":
            raise WavError(f"unsupported RIFF variant {buf[:4].decode()}")
        raise WavError("not a RIFF/WAVE file")
    fields = _walk_fields(buf)
    _variant, tag, channels, rate, _byte_rate, align, bits, valid, offset, declared = fields
    if tag not in (WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT):
        raise WavError(f"unsupported encoding 0x{tag:04x} (only PCM and float are read)")
    if not 1 <= channels <= MAX_CHANNELS:
        raise WavError(f"absurd channel count {channels}")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise WavError(f"absurd sample rate {rate} Hz")
    width = _sample_bytes(tag, channels, bits, align)
    frame = channels * width
    present = max(0, total - offset)
    if declared in (0, OPEN_SIZE):  # streaming writers leave the size open
        declared = present
    usable = min(declared, present)
    usable -= usable % frame
    info = AudioInfo(
        format="wav",
        duration_s=round(usable / frame / rate, 3),
        rate=rate,
        channels=channels,
        bits=valid if tag == WAVE_FORMAT_PCM else bits,
    )
    return info, offset, usable, declared, tag, width, frame


def wav_info(head: bytes | memoryview, total_bytes: int | None = None) -> AudioInfo:
    """Duration, rate, channels and bits of a WAV (see `parse_wav`)."""
    return _lay_out(head, total_bytes)[0]


def decode_wav(data: bytes) -> tuple[AudioInfo, bytes]:
    """The recording's facts and its PCM frames (little-endian, interleaved, whole samples as
    stored: 12-bit audio in 2-byte samples, 24-bit audio in 4-byte samples when so stored)."""
    layout = parse_wav(data)
    start = layout.data_offset
    return layout.info, data[start : start + layout.data_bytes]


class ChunkScout:
    """Follows a WAV's chunk headers as its bytes stream past (`feed`, in order), keeping only
    what lays the file out: its fmt (and RF64 ds64) chunk, and where its data chunk starts;
    and the LIST chunks that start beyond the kept head (`head`), wherever they stand: a
    recorder or pipeline may write its tags after the samples.

    The reader keeps only the first bytes of a recording; a file whose fmt or data chunk lies
    beyond them (a large LIST, id3 or JUNK chunk first) is laid out from what the scout saw
    (`layout`: a compact file of the same header, and the size it stands for), and the tags
    it saw there are read by `tags`.
    """

    __slots__ = (
        "_variant",
        "_order",
        "_at",
        "_after",
        "_pos",
        "_want",
        "_got",
        "_kind",
        "_kept",
        "_fmt_end",
        "_head",
        "_lists",
        "_room",
        "done",
    )

    MAX_KEPT = 64  # bytes of a fmt or ds64 chunk's body that say all the header needs
    MAX_LISTS = 2 * INFO_TEXT_MAX  # bytes of LIST chunks gathered beyond the head, in all

    def __init__(self, first: bytes, head: int = 0) -> None:
        self._variant = bytes(first[:4])
        self._order = ">" if self._variant == b"RIFX" else "<"
        self._at = 12  # where the bytes being gathered start: a chunk header, or a body
        self._after = 12  # where the chunk header after the gathered body starts
        self._pos = 0  # bytes fed so far
        self._want = 8  # bytes still wanted
        self._got = b""
        self._kind = b""  # what is being gathered: b"" a header, else the chunk's id
        self._kept: dict[bytes, bytes] = {}
        self._fmt_end = 0  # where the fmt chunk ends
        self._head = head  # the bytes the reader keeps itself: their tags are read there
        self._lists: list[bytes] = []  # LIST bodies that start beyond the head
        self._room = self.MAX_LISTS
        self.done = self._variant not in _VARIANTS or bytes(first[8:12]) != b"WAVE"

    def feed(self, chunk: bytes | memoryview) -> None:
        start, self._pos = self._pos, self._pos + len(chunk)
        while not self.done and self._at + len(self._got) < self._pos:
            at = self._at + len(self._got) - start
            if at < 0:  # only when fed out of order: give up rather than guess
                self.done = True
                return
            piece = bytes(chunk[at : at + self._want])
            self._got += piece
            self._want -= len(piece)
            if self._want:
                return  # the rest comes with the next chunk
            self._step()

    def _step(self) -> None:
        got, self._got = self._got, b""
        if self._kind:  # a body gathered: on to the header after its chunk
            if self._kind == b"LIST":
                self._lists.append(got)
                self._room -= len(got)
            else:
                self._kept[self._kind] = got
            if self._kind == b"fmt ":
                self._fmt_end = self._after
            self._kind, self._at, self._want = b"", self._after, 8
            return
        cid = got[:4]
        if not _chunk_id_ok(cid):
            self.done = True
            return
        (size,) = struct.unpack(self._order + "I", got[4:8])
        body = self._at + 8
        if cid == b"data":
            self._kept[b"data"] = struct.pack("<QQ", body, size)
            if size == OPEN_SIZE:  # a streaming writer's or RF64's: nothing follows it here
                self.done = True
                return
        self._after = body + size + (size & 1)
        if cid in (b"fmt ", b"ds64") and size:
            self._kind, self._at, self._want = cid, body, min(size, self.MAX_KEPT)
        elif cid == b"LIST" and size >= 4 and self._at >= self._head and self._room > 0:
            self._kind, self._at, self._want = cid, body, min(size, self._room)
        else:
            self._at, self._want = self._after, 8

    def tags(self) -> str:
        """The text tags of the LIST/INFO chunks that start beyond the kept head (`wav_tags`'
        lines), or ""."""
        lines: list[str] = []
        for body in self._lists:
            if body[:4] == b"INFO":
                lines.extend(_info_lines(body, 4, len(body), self._order))
        return "\n".join(lines)[:INFO_TEXT_MAX]

    def layout(self, total: int, kept: int) -> tuple[bytes, int] | None:
        """For a file of `total` bytes whose first `kept` the reader holds: (a compact WAV of
        the header seen, the size it stands for: the file's data bytes after its header), or
        None when the kept bytes reach both the fmt chunk's end and the data chunk (they lay
        it out themselves) or no fmt and data chunk were seen."""
        data, fmt = self._kept.get(b"data"), self._kept.get(b"fmt ")
        if data is None or fmt is None:
            return None
        offset, declared = struct.unpack("<QQ", data)
        if offset <= kept and self._fmt_end <= kept:
            return None
        o = self._order
        chunks = b"fmt " + struct.pack(o + "I", len(fmt)) + fmt
        ds64 = self._kept.get(b"ds64")
        if ds64 is not None and self._variant == b"RF64":
            chunks = b"ds64" + struct.pack("<I", len(ds64)) + ds64 + chunks
        head = self._variant + struct.pack(o + "I", OPEN_SIZE) + b"WAVE" + chunks
        head += b"data" + struct.pack(o + "I", declared)
        return head, len(head) + max(0, total - offset)


def wav_tags(head: bytes | memoryview) -> str:
    """The text tags of a WAV's LIST/INFO chunks in `head` (its first bytes), one
    "ID: value" line each ("INAM: ...", "ICMT: ..."): recorders and pipelines write names,
    account ids and e-mail addresses there, which the identity scan reads like any text."""
    buf = head if isinstance(head, bytes) else bytes(head)
    # the chunk headers are walked, never the samples searched: a recording of a minute
    # holds megabytes in which "LIST" means nothing
    if buf[:4] not in (b"RIFF", b"RIFX", b"RF64") or buf[8:12] != b"WAVE":
        return ""
    order = ">" if buf[:4] == b"RIFX" else "<"
    lines: list[str] = []
    for cid, body, size in _chunks(buf, order):
        if cid == b"LIST" and buf[body : body + 4] == b"INFO":
            lines.extend(_info_lines(buf, body + 4, min(body + size, len(buf)), order))
    return "\n".join(lines)[:INFO_TEXT_MAX]


def _info_lines(buf: bytes, at: int, end: int, order: str) -> Iterator[str]:
    """The "ID: value" lines of the INFO sub-chunks in `buf[at:end]`."""
    while at + 8 <= end:
        tag = buf[at : at + 4]
        (n,) = struct.unpack_from(order + "I", buf, at + 4)
        raw = buf[at + 8 : min(at + 8 + n, end)].split(b"\x00", 1)[0]
        if _chunk_id_ok(tag) and raw.strip():
            try:
                value = raw.decode("utf-8")
            except UnicodeDecodeError:
                value = raw.decode("latin-1")
            yield f"{tag.decode('ascii')}: {value.strip()}"
        at += 8 + n + (n & 1)
