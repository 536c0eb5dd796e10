"""Duration and format facts of compressed recordings (MP3, Ogg Vorbis/Opus/FLAC/Speex, FLAC),
from their bytes, and why bytes named as one are none.

MP3: the first frame header that another frame header follows (or that ends the file) gives
the rate and bit rate; a Xing/Info header gives the frame count, else the bit rate and size
give what the bytes hold. Ogg: the first page's identification header gives the sample rate
and channels; the last whole page's granule position gives the samples played (a stream that
ends, its end-of-stream flag set, after its headers alone plays none). FLAC: its
STREAMINFO block (rate, channels, bits, total samples), after its fLaC marker.

`hear` also says why a recording is malformed: bytes that are not its format (no MPEG frame
sync, no OggS page, no fLaC marker where one must be) or a file cut so short that no
duration can be known (no whole frame, no audio after its headers). A duration is never
taken from a header alone when the bytes that it counts are not there: a cut recording's
duration is what its bytes hold, or unknown. What lies past the bytes kept of a long
recording is not judged.
"""

from __future__ import annotations

import re
import struct
from typing import NamedTuple

from reviewer.domain.archive.wav import SOUND_MAX_CHANNELS, SOUND_MAX_RATE, SOUND_MIN_RATE
from reviewer.domain.model import AudioInfo

OGG_TAIL = 1 << 16  # bytes kept from the end of an OGG stream to find its last page


class Heard(NamedTuple):
    """A recording's facts, and why it is malformed (None when it is not)."""

    info: AudioInfo
    problem: str | None = None


def hear(fmt: str, head: bytes, tail: bytes, total: int) -> Heard:
    """The facts of a recording of format `fmt` ("mp3", "ogg", "flac") whose first bytes are
    `head`, last bytes `tail` and size `total`, and why it is malformed."""
    if fmt == "mp3":
        return read_mp3(head, total)
    if fmt == "ogg":
        return read_ogg(head, tail, total)
    return read_flac(head, total)


def _judged(info: AudioInfo) -> str | None:
    """Why a header's rate or channels are absurd, else None (the bounds any recording keeps)."""
    if not 1 <= (info.channels or 0) <= SOUND_MAX_CHANNELS:
        return f"absurd channel count {info.channels or 0}"
    if not SOUND_MIN_RATE <= (info.rate or 0) <= SOUND_MAX_RATE:
        return f"absurd sample rate {info.rate or 0} Hz"
    return None


def _id3_end(head: bytes) -> int:
    """Where the ID3v2 tag at the start of `head` ends (0 when there is none)."""
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    size = 0
    for b in head[6:10]:
        size = (size << 7) | (b & 0x7F)
    return 10 + size + (10 if head[3] >= 4 and head[5] & 0x10 else 0)  # (a v2.4 footer)


# ------------------------------------------------------------------------------------- Ogg


def ogg_info(head: bytes, tail: bytes) -> AudioInfo:
    return read_ogg(head, tail, len(head)).info


def read_ogg(head: bytes, tail: bytes, total: int) -> Heard:
    info = AudioInfo(format="ogg")
    whole = len(head) >= total
    if not head.startswith(b"OggS"):
        if not head:
            return Heard(info, "empty: no Ogg page")
        return Heard(info, "not an Ogg file: no OggS page at its start")
    if len(head) < 28 or head[4] != 0:
        why = "cut inside its first Ogg page" if len(head) < 28 else f"Ogg version {head[4]}"
        return Heard(info, why)
    segments = head[26]
    body = 27 + segments
    packet = head[body : body + 64]
    rate = channels = 0
    preskip = 0
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        channels = packet[11]
        (rate,) = struct.unpack_from("<I", packet, 12)
    elif packet[:8] == b"OpusHead" and len(packet) >= 12:
        channels = packet[9]
        (preskip,) = struct.unpack_from("<H", packet, 10)
        rate = 48000  # Opus granules always count 48 kHz samples
    elif packet[:5] == b"\x7fFLAC" and packet[9:13] == b"fLaC" and len(packet) >= 51:
        stream = _streaminfo(packet[17:51])
        rate, channels = stream.rate or 0, stream.channels or 0
    elif packet[:8] == b"Speex   " and len(packet) >= 52:
        (rate,) = struct.unpack_from("<I", packet, 36)
        (channels,) = struct.unpack_from("<I", packet, 48)
    elif whole and body + sum(head[27:body]) > len(head):
        return Heard(info, "cut inside its first Ogg page")
    else:
        return Heard(info, "its first Ogg page holds no Vorbis, Opus, FLAC or Speex header")
    info.rate, info.channels = rate, channels
    absurd = _judged(info)
    if absurd:
        return Heard(AudioInfo(format="ogg"), absurd)
    last = tail.rfind(b"OggS")
    ended = False  # a whole last page says the stream ends (its end-of-stream flag)
    while last >= 0 and last + 14 <= len(tail):
        # only a whole page counts: the granule of one the end of the file cuts counts
        # samples whose bytes are not there (a decoder drops the page)
        if _page_end(tail, last) <= len(tail):
            (granule,) = struct.unpack_from("<q", tail, last + 6)
            if granule > 0:
                info.duration_s = round(max(0, granule - preskip) / rate, 3)
                return Heard(info)
            ended = ended or (granule == 0 and tail[last + 5] & 4 != 0)
        last = tail.rfind(b"OggS", 0, last)
    if ended:  # headers, then the end of the stream: a recording of no sound, not a cut one
        info.duration_s = 0.0
        return Heard(info)
    return Heard(info, "cut short: no Ogg page of sound after its headers")


def _page_end(buf: bytes, at: int) -> int:
    """Where the Ogg page whose header starts at `at` in `buf` ends (past the end of `buf`
    when the page is cut)."""
    if at + 27 > len(buf):
        return len(buf) + 1
    table = at + 27 + buf[at + 26]
    if table > len(buf):
        return len(buf) + 1
    return table + sum(buf[at + 27 : table])


# ------------------------------------------------------------------------------------ FLAC


def _streaminfo(block: bytes) -> AudioInfo:
    """A FLAC STREAMINFO block's 34 bytes: 16-bit min/max block sizes, 24-bit min/max frame
    sizes, then 20 bits of sample rate, 3 of channels - 1, 5 of bits - 1, 36 of samples."""
    (packed,) = struct.unpack_from(">Q", block, 10)
    rate, samples = packed >> 44, packed & ((1 << 36) - 1)
    channels, bits = ((packed >> 41) & 7) + 1, ((packed >> 36) & 31) + 1
    duration = round(samples / rate, 3) if samples and rate else None
    return AudioInfo(format="flac", duration_s=duration, rate=rate, channels=channels, bits=bits)


def flac_info(head: bytes, total: int) -> AudioInfo:
    return read_flac(head, total).info


def read_flac(head: bytes, total: int) -> Heard:
    """A FLAC file's STREAMINFO, read by hand: its layout is fixed and documented, and no
    decoder is needed for 34 bytes (nor one of libsndfile's builds that has FLAC)."""
    info = AudioInfo(format="flac")
    whole = len(head) >= total
    at = _id3_end(head)  # (some taggers put an ID3v2 tag before the marker)
    if at > len(head):
        return Heard(info, "cut inside the ID3 tag before its fLaC marker" if whole else None)
    if head[at : at + 4] != b"fLaC":
        if not head:
            return Heard(info, "empty: no fLaC marker")
        return Heard(info, "not a FLAC file: no fLaC marker at its start")
    at += 4
    if len(head) < at + 4 + 34:
        return Heard(info, "cut inside its STREAMINFO block")
    kind, size = head[at] & 0x7F, int.from_bytes(head[at + 1 : at + 4], "big")
    if kind != 0 or size < 34:
        return Heard(info, "its first metadata block is no STREAMINFO block")
    info = _streaminfo(head[at + 4 : at + 38])
    absurd = _judged(info)
    if absurd:
        return Heard(AudioInfo(format="flac"), absurd)
    # the metadata blocks, to where the frames of sound start
    last = 0
    while not last and at + 4 <= len(head):
        last, size = head[at] & 0x80, int.from_bytes(head[at + 1 : at + 4], "big")
        at += 4 + size
    if not whole and (not last or at + 2 > len(head)):
        return Heard(info)  # the frames start past the bytes kept
    if not last or at > len(head):
        return Heard(AudioInfo(format="flac"), "cut inside its metadata blocks")
    if at == len(head):
        return Heard(AudioInfo(format="flac"), "cut short: no frame of sound after its metadata")
    if head[at] != 0xFF or at + 1 == len(head) or head[at + 1] & 0xFE != 0xF8:
        return Heard(AudioInfo(format="flac"), "no FLAC frame after its metadata")
    return Heard(info)


# ------------------------------------------------------------------------------------- MP3

_MP3_BITRATES = {  # (version 1?, layer) -> kbit/s by index
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_SYNC = re.compile(rb"\xff[\xe0-\xff]")
MAX_SYNC_TRIES = 4096  # frame syncs tried before the bytes are called no MP3


class _Frame(NamedTuple):
    key: tuple[int, int, int]  # version, layer, rate index: the same in every frame
    rate: int
    kbps: int
    samples: int
    length: int  # bytes, header included
    mono: bool
    v1: bool


def _frame(buf: bytes, pos: int) -> _Frame | None:
    """The MPEG audio frame header at `pos`, or None when there is none (free-format frames,
    whose length no header says, are none)."""
    if pos + 4 > len(buf) or buf[pos] != 0xFF or buf[pos + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = buf[pos + 1], buf[pos + 2], buf[pos + 3]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_i, rate_i, pad = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer == 0 or bitrate_i in (0, 15) or rate_i == 3:
        return None
    v1 = version == 3
    rate = _MP3_RATES[version][rate_i]
    kbps = _MP3_BITRATES[(v1, 4 - layer)][bitrate_i]
    if layer == 3:  # Layer I: 4-byte slots
        samples, length = 384, (12 * kbps * 1000 // rate + pad) * 4
    else:
        samples = 1152 if v1 or layer == 2 else 576
        length = samples // 8 * kbps * 1000 // rate + pad
    return _Frame((version, layer, rate_i), rate, kbps, samples, length, b3 >> 6 == 3, v1)


def mp3_info(head: bytes, total: int) -> AudioInfo:
    return read_mp3(head, total).info


def read_mp3(head: bytes, total: int) -> Heard:
    info = AudioInfo(format="mp3")
    whole = len(head) >= total
    start = _id3_end(head)
    if start >= len(head):
        if not whole:
            return Heard(info)  # the frames start past the bytes kept
        if not head:
            return Heard(info, "empty: no MPEG audio frame")
        return Heard(
            info, "cut inside its ID3 tag" if start > len(head) else "no audio after its tag"
        )
    found = None
    for tries, match in enumerate(_SYNC.finditer(head, start)):
        if tries >= MAX_SYNC_TRIES:
            break
        pos = match.start()
        frame = _frame(head, pos)
        if frame is None:
            continue
        end = pos + frame.length
        if end > len(head) and not whole:
            found = pos, frame  # runs past the bytes kept: no next header to check
            break
        nxt = _frame(head, end)
        if end == len(head) or (nxt is not None and nxt.key == frame.key):
            found = pos, frame
            break
        if end > len(head) and pos == start:  # the file starts with a frame, cut
            return Heard(
                info,
                f"cut short: its first MPEG frame needs {frame.length:,} bytes, "
                f"{len(head) - pos:,} are there",
            )
    if found is None:
        return Heard(info, "not an MP3 file: no MPEG audio frame")
    pos, frame = found
    info.rate, info.channels = frame.rate, 1 if frame.mono else 2
    side = (17 if frame.mono else 32) if frame.v1 else (9 if frame.mono else 17)
    xing = pos + 4 + side
    held = total - pos  # the bytes of frames (and a trailing tag) the file holds
    if head[xing : xing + 4] in (b"Xing", b"Info") and len(head) >= xing + 12:
        (flags,) = struct.unpack_from(">I", head, xing + 4)
        if flags & 1:
            (frames,) = struct.unpack_from(">I", head, xing + 8)
            wide = flags & 2 and len(head) >= xing + 16
            stream = struct.unpack_from(">I", head, xing + 12)[0] if wide else 0
            if held <= frame.length:
                return Heard(info, "cut short: no MPEG frame of sound after its Info header")
            if total < stream:  # cut: the frames its bytes hold (the count covers them all)
                frames = frames * total // stream
            elif frames * _smallest(frame) > held:
                return Heard(info)  # more frames than its bytes can hold: unknown
            info.duration_s = round(frames * frame.samples / frame.rate, 3)
            return Heard(info)
    vbri = pos + 36  # a Fraunhofer encoder's VBR header: always 32 bytes after the frame's
    if head[vbri : vbri + 4] == b"VBRI" and len(head) >= vbri + 18:
        stream, frames = struct.unpack_from(">II", head, vbri + 10)
        if held > frame.length and frames and frames * _smallest(frame) <= max(held, stream):
            if total < stream:
                frames = frames * total // stream
            info.duration_s = round(frames * frame.samples / frame.rate, 3)
            return Heard(info)
    info.duration_s = _walked_duration(head, pos, frame, held, whole)
    return Heard(info)


WALK_CBR = 64 << 10  # bytes of frames walked to tell a constant bit rate from a variable one


def _walked_duration(head: bytes, pos: int, first: _Frame, held: int, whole: bool) -> float:
    """The duration of an MP3 with no VBR header, from its frames: counted one by one where
    the bytes kept hold them all (as a decoder counts them); otherwise the frames' bytes
    divided by the first frame's bit rate when the first `WALK_CBR` bytes of frames all share
    it (a constant bit rate), else by the average frame size of the frames kept."""
    count, at, rates = 0, pos, {first.kbps}
    samples, limit = first.samples, len(head)
    while at < limit:
        frame = _frame(head, at)
        if frame is None or frame.key != first.key:
            break
        if at + frame.length > limit:
            break  # cut by the bytes kept
        count += 1
        rates.add(frame.kbps)
        at += frame.length
        if len(rates) == 1 and at - pos >= WALK_CBR:
            break  # a constant bit rate so far: the bytes tell the rest
    reached_end = whole and limit - at < 4096  # only a trailing tag (or nothing) is left
    if count and (reached_end or len(rates) > 1):
        if reached_end:
            return round(count * samples / first.rate, 3)
        frames = held * count / (at - pos)  # the frames the file's bytes hold at this size
        return round(frames * samples / first.rate, 3)
    return round(held * 8 / (first.kbps * 1000), 3)


def _smallest(frame: _Frame) -> int:
    """The fewest bytes a frame of the same version, layer and rate takes (its lowest bit
    rate), a Xing header's frame count is judged by."""
    v1, layer = frame.v1, 4 - frame.key[1]
    return frame.samples // 8 * _MP3_BITRATES[(v1, layer)][1] * 1000 // frame.rate
