"""The text tags of MP3, Ogg and FLAC recordings, read from the head of the file the reader
keeps (and an MP3's last bytes): recorders and pipelines write names, account ids and e-mail
addresses there, which the identity scan reads like any text, as it reads a WAV's LIST/INFO
tags (`reviewer.domain.archive.wav.wav_tags`). Each tag is one "ID: value" line.

- ID3v2 (2.2, 2.3, 2.4) at the start of an MP3 (or a FLAC): its text frames (T***, TXXX),
  links (W***, WXXX), comments and lyrics (COMM, USLT), a picture's description, and any
  other frame whose bytes are text; every ID3 text encoding (ISO-8859-1, UTF-16 with its
  byte order mark, UTF-16BE, UTF-8); syncsafe sizes and unsynchronisation undone. At the end
  of an MP3: ID3v1 in the last 128 bytes, and an APEv2 tag or an ID3v2.4 tag with a footer
  after the frames.
- Vorbis comments: an Ogg stream's comment header (Vorbis, Opus, FLAC in Ogg), a FLAC file's
  VORBIS_COMMENT metadata block. Embedded pictures are left out.

Every parser is bounded by the bytes it is given; a tag that runs past them is read as far as
it goes and reported as cut (`Tags.cut`), since what follows could not be checked. A frame
these parsers cannot read (compressed or encrypted ID3 frames) is cut too.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from reviewer.domain.archive.sniff import looks_like_text

TAGS_TEXT_MAX = 1 << 20  # characters of tag text kept per recording
_ENCODINGS = ("latin-1", "utf-16", "utf-16-be", "utf-8")
_PICTURE_KEYS = frozenset(("METADATA_BLOCK_PICTURE", "COVERART"))


@dataclass(slots=True)
class Tags:
    lines: list[str] = field(default_factory=list)
    cut: bool = False  # a tag ran past the bytes read, or a frame could not be read

    @property
    def text(self) -> str:
        return "\n".join(self.lines)[:TAGS_TEXT_MAX]


def audio_tags(fmt: str, head: bytes, tail: bytes, whole: bool) -> Tags:
    """The tags of a recording of format `fmt` ("mp3", "ogg", "flac") whose first bytes are
    `head` and last bytes `tail`; `whole`: `head` is the whole file."""
    tags = Tags()
    if head[:3] == b"ID3":
        end = _id3v2(head, tags, whole)
        if fmt == "flac" or head[end : end + 4] == b"fLaC":
            _flac(head[end:], tags, whole)
    elif fmt == "flac" or head[:4] == b"fLaC":
        _flac(head, tags, whole)
    elif fmt == "ogg" or head[:4] == b"OggS":
        _ogg(head, tags, whole)
    if fmt == "mp3":
        _tags_at_end(tail, tags)
    return tags


_APE_FOOTER = struct.Struct("<8sIIII8x")  # "APETAGEX", version, size, items, flags


def _tags_at_end(tail: bytes, tags: Tags) -> None:
    """The tags an MP3 may carry after its frames, read back from its last bytes `tail`:
    ID3v1 in the last 128, and before it (or at the very end) an APEv2 tag or an ID3v2.4 tag
    with a footer, in whichever order they stand. A tag that starts before `tail` is cut."""
    end = len(tail)
    if end >= 128 and tail[end - 128 : end - 125] == b"TAG":
        _id3v1(tail[end - 128 : end], tags)
        end -= 128
    for _ in range(2):  # an APEv2 and an appended ID3v2 tag may both stand there
        if end >= _APE_FOOTER.size and tail[end - 32 : end - 24] == b"APETAGEX":
            _magic, _version, size, count, _flags = _APE_FOOTER.unpack_from(tail, end - 32)
            start = end - size  # the items and the footer; a header may stand before them
            if start < 0:
                tags.cut = True
                return
            _ape_items(tail[start : end - 32], count, tags)
            header = start >= 32 and tail[start - 32 : start - 24] == b"APETAGEX"
            end = start - (32 if header else 0)
        elif end >= 10 and tail[end - 10 : end - 7] == b"3DI":
            start = end - 20 - _syncsafe(tail[end - 4 : end])
            if start < 0:
                tags.cut = True
                return
            if tail[start : start + 3] == b"ID3":
                _id3v2(tail[start:end], tags, True)
            end = start
        else:
            return


def _ape_items(body: bytes, count: int, tags: Tags) -> None:
    """An APEv2 tag's items: value size and flags (little-endian), a NUL-ended key, the value
    (UTF-8 text unless the flags say binary or external)."""
    at = 0
    for _ in range(min(count, 4096)):
        if at + 9 > len(body):
            tags.cut = True
            return
        size, flags = struct.unpack_from("<II", body, at)
        key_end = body.find(b"\x00", at + 8)
        if key_end < 0:
            tags.cut = True
            return
        key = body[at + 8 : key_end].decode("ascii", "replace")
        value = body[key_end + 1 : key_end + 1 + size]
        at = key_end + 1 + size
        if (flags >> 1) & 3 == 0:  # text (binary items are pictures and the like)
            text = value.decode("utf-8", "replace").replace("\x00", " / ").strip()
            if text:
                tags.lines.append(f"APE {key}: {text}")


# ------------------------------------------------------------------------------------- ID3v2


def _syncsafe(b: bytes) -> int:
    return (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F)


def _id3v2(buf: bytes, tags: Tags, whole: bool) -> int:
    """Read the ID3v2 tag at the start of `buf`; the offset just after it."""
    if len(buf) < 10:
        tags.cut = not whole
        return len(buf)
    major, flags = buf[3], buf[5]
    size = _syncsafe(buf[6:10])
    end = 10 + size + (10 if major >= 4 and flags & 0x10 else 0)  # a footer
    if major not in (2, 3, 4):
        return end  # a version no one writes: its frames' layout is unknown
    body = buf[10 : 10 + size]
    if len(body) < size:
        tags.cut = True  # the tag runs past the bytes read
    if flags & 0x80 and major < 4:  # the whole tag unsynchronised
        body = body.replace(b"\xff\x00", b"\xff")
    at = 0
    if flags & 0x40 and major == 3 and len(body) >= 4:  # an extended header
        at = 4 + struct.unpack(">I", body[:4])[0]
    elif flags & 0x40 and major == 4 and len(body) >= 4:
        at = _syncsafe(body[:4])
    idlen, hdr = (3, 6) if major == 2 else (4, 10)
    while at + hdr <= len(body):
        fid = body[at : at + idlen]
        if not fid.strip(b"\x00") or not fid.isalnum():
            break  # padding
        if major == 2:
            n = int.from_bytes(body[at + 3 : at + 6], "big")
            fflags = 0
        elif major == 3:
            n = struct.unpack(">I", body[at + 4 : at + 8])[0]
            fflags = body[at + 9]
        else:
            n = _syncsafe(body[at + 4 : at + 8])
            fflags = body[at + 9]
        data = body[at + hdr : at + hdr + n]
        at += hdr + n
        if len(data) < n:
            tags.cut = True
        if (major == 3 and fflags & 0xC0) or (major == 4 and fflags & 0x0C):
            tags.cut = True  # compressed or encrypted: not readable here
            continue
        if major == 4:
            if fflags & 0x02:  # the frame unsynchronised
                data = data.replace(b"\xff\x00", b"\xff")
            if fflags & 0x01:  # a data length indicator first
                data = data[4:]
        _frame(fid.decode("ascii"), data, tags)
    return end


def _split(raw: bytes, enc: int) -> list[str]:
    """The strings of an ID3 text field in encoding `enc`, split at their terminators."""
    codec = _ENCODINGS[enc] if enc < len(_ENCODINGS) else "latin-1"
    if enc in (1, 2):
        parts, at = [], 0
        while at < len(raw):
            stop = at
            while stop + 1 < len(raw) and raw[stop : stop + 2] != b"\x00\x00":
                stop += 2
            if stop + 1 >= len(raw):
                stop = len(raw)
            parts.append(raw[at:stop])
            at = stop + 2
    else:
        parts = raw.split(b"\x00")
    out = []
    for p in parts:
        if len(p) % 2 and enc in (1, 2):
            p = p[:-1]
        try:
            text = p.decode(codec)
        except UnicodeDecodeError:
            text = p.decode("latin-1")
        text = text.lstrip("\ufeff").strip()
        if text:
            out.append(text)
    return out


def _frame(fid: str, data: bytes, tags: Tags) -> None:
    if not data:
        return
    if fid[0] == "T" or fid in ("COMM", "COM", "USLT", "ULT", "WXXX", "WXX"):
        enc, rest = data[0], data[1:]
        if fid in ("COMM", "COM", "USLT", "ULT"):
            rest = rest[3:]  # the language
        values = _split(rest, enc)
    elif fid[0] == "W":
        values = _split(data, 0)
    elif fid in ("APIC", "PIC"):  # the picture's description only
        enc = data[0]
        if fid == "PIC":
            rest = data[5:]
        else:
            mime_end = data.find(b"\x00", 1)
            rest = data[mime_end + 2 :] if mime_end > 0 else b""
        values = _split(rest, enc)[:1]
    elif looks_like_text(data[:4096]):  # PRIV, GEOB and others: only when their bytes are text
        values = _split(data, 3)
    else:
        return
    if values:
        tags.lines.append(f"{fid}: {' / '.join(values)}")


def _id3v1(tag: bytes, tags: Tags) -> None:
    fields = (("TITLE", 3, 33), ("ARTIST", 33, 63), ("ALBUM", 63, 93), ("COMMENT", 97, 127))
    for name, start, stop in fields:
        value = tag[start:stop].split(b"\x00", 1)[0].decode("latin-1").strip()
        if value:
            tags.lines.append(f"ID3v1 {name}: {value}")


# ---------------------------------------------------------------------------- Vorbis comments


def _comments(block: bytes, tags: Tags, complete: bool) -> None:
    """A Vorbis comment block: vendor, then "KEY=value" comments, lengths little-endian."""
    if not complete:
        tags.cut = True
    if len(block) < 4:
        return
    n = struct.unpack_from("<I", block, 0)[0]
    vendor = block[4 : 4 + n].decode("utf-8", "replace").strip()
    if vendor:
        tags.lines.append(f"VENDOR: {vendor}")
    at = 4 + n
    if at + 4 > len(block):
        return
    count = struct.unpack_from("<I", block, at)[0]
    at += 4
    for _ in range(count):
        if at + 4 > len(block):
            return
        n = struct.unpack_from("<I", block, at)[0]
        raw = block[at + 4 : at + 4 + n]
        at += 4 + n
        key, _eq, value = raw.decode("utf-8", "replace").partition("=")
        if key.upper() in _PICTURE_KEYS:
            continue
        if value.strip():
            tags.lines.append(f"{key.upper()}: {value.strip()}")


def _flac(buf: bytes, tags: Tags, whole: bool) -> None:
    """A FLAC file's metadata blocks: its VORBIS_COMMENT block (type 4)."""
    if buf[:4] != b"fLaC":
        return
    at = 4
    while at + 4 <= len(buf):
        head = buf[at]
        n = int.from_bytes(buf[at + 1 : at + 4], "big")
        if head & 0x7F == 4:
            block = buf[at + 4 : at + 4 + n]
            _comments(block, tags, len(block) == n)
        at += 4 + n
        if head & 0x80:  # the last metadata block
            return
    if not whole:
        tags.cut = True  # the metadata blocks run past the bytes read


def _ogg_packets(buf: bytes, wanted: int) -> tuple[list[bytes], bool]:
    """The first `wanted` packets of the first logical stream in `buf`; whether the last one
    is complete."""
    packets: list[bytes] = []
    part = bytearray()
    serial: bytes | None = None
    at = 0
    while at + 27 <= len(buf) and buf[at : at + 4] == b"OggS" and len(packets) < wanted:
        nseg = buf[at + 26]
        lacing = buf[at + 27 : at + 27 + nseg]
        body = at + 27 + nseg
        page_serial = buf[at + 14 : at + 18]
        if serial is None:
            serial = page_serial
        pos = body
        for lace in lacing:
            if page_serial == serial:
                part += buf[pos : pos + lace]
                if lace < 255:
                    packets.append(bytes(part))
                    part.clear()
                    if len(packets) >= wanted:
                        break
            pos += lace
        at = body + sum(lacing)
    return packets, len(packets) >= wanted


def _ogg(buf: bytes, tags: Tags, whole: bool) -> None:
    packets, complete = _ogg_packets(buf, 2)
    if not packets:
        return
    first = packets[0]
    if first[:7] == b"\x01vorbis" or first[:8] == b"OpusHead" or first[:8] == b"Speex   ":
        if len(packets) < 2:
            tags.cut = not whole
            return
        second = packets[1]
        if second[:7] == b"\x03vorbis":
            _comments(second[7:], tags, complete)
        elif second[:8] == b"OpusTags":
            _comments(second[8:], tags, complete)
        else:
            _comments(second, tags, complete)
    elif first[:5] == b"\x7fFLAC":  # FLAC in Ogg: metadata blocks follow as packets
        packets, complete = _ogg_packets(buf, 1 + int.from_bytes(first[7:9], "big"))
        for packet in packets[1:]:
            if packet and packet[0] & 0x7F == 4:
                _comments(packet[4:], tags, True)
        if not complete and not whole:
            tags.cut = True  # metadata packets run past the bytes read
