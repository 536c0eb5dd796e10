"""What a member is: magic bytes first, the name's extension second."""

from __future__ import annotations

from reviewer.domain.model import MemberKind

# (magic at offset 0, kind, label, audio format)
_MAGIC: tuple[tuple[bytes, MemberKind, str, str | None], ...] = (
    (b"%PDF-", MemberKind.PDF, "PDF document", None),
    (b"PK\x03\x04", MemberKind.ARCHIVE, "ZIP archive", None),
    (b"PK\x05\x06", MemberKind.ARCHIVE, "ZIP archive (empty)", None),
    (b"OggS", MemberKind.AUDIO, "OGG audio", "ogg"),
    (b"ID3", MemberKind.AUDIO, "MP3 audio", "mp3"),
    (b"fLaC", MemberKind.AUDIO, "FLAC audio", "flac"),
    (b"\x89PNG\r\n\x1a\n", MemberKind.OTHER, "PNG image", None),
    (b"\xff\xd8\xff", MemberKind.OTHER, "JPEG image", None),
    (b"GIF8", MemberKind.OTHER, "GIF image", None),
    (b"\x1f\x8b", MemberKind.OTHER, "gzip data", None),
    (b"BZh", MemberKind.OTHER, "bzip2 data", None),
    (b"7z\xbc\xaf\x27\x1c", MemberKind.OTHER, "7-Zip archive", None),
    (b"Rar!", MemberKind.OTHER, "RAR archive", None),
    (b"\x7fELF", MemberKind.OTHER, "ELF executable", None),
    (b"MZ", MemberKind.OTHER, "Windows executable", None),
    (b"SQLite format 3\x00", MemberKind.OTHER, "SQLite database", None),
)

# containers other than ZIP archives, read as levels of their own (`reviewer.archive.inner`)
GZIP_LABEL, TAR_LABEL, SQLITE_LABEL = "gzip data", "tar archive", "SQLite database"
CONTAINER_LABELS = frozenset((GZIP_LABEL, TAR_LABEL, SQLITE_LABEL))

_BY_FIRST_BYTE: dict[bytes, list[tuple[bytes, MemberKind, str, str | None]]] = {}
for _entry in _MAGIC:
    _BY_FIRST_BYTE.setdefault(_entry[0][:1], []).append(_entry)

_TEXT_EXT = {
    ".txt": "plain text",
    ".log": "log text",
    ".md": "Markdown text",
    ".xml": "XML document",
    ".html": "HTML document",
    ".htm": "HTML document",
    ".ics": "calendar",
    ".vcf": "vCard",
    ".yaml": "YAML text",
    ".yml": "YAML text",
    ".ini": "settings text",
    ".eml": "e-mail message",
    ".mbox": "mailbox",
    ".mht": "web archive (MIME)",
    ".mhtml": "web archive (MIME)",
}
# document formats that are ZIP archives by definition (the reader opens them as nested
# archives when their bytes are one)
_PACKAGE_EXT = {
    ".docx": "Word document",
    ".docm": "Word document",
    ".xlsx": "Excel workbook",
    ".xlsm": "Excel workbook",
    ".pptx": "PowerPoint presentation",
    ".pptm": "PowerPoint presentation",
    ".odt": "OpenDocument text",
    ".ods": "OpenDocument spreadsheet",
    ".odp": "OpenDocument presentation",
    ".epub": "EPUB book",
}
_AUDIO_EXT = {
    ".wav": "wav",
    ".mp3": "mp3",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "ogg",
    ".flac": "flac",
    ".m4a": "m4a",
}


def extension(name: str) -> str:
    """The lower-case extension of the last path part (".csv"), or ""."""
    dot = name.rfind(".")
    # a dot that starts the part (".profile", "a/.env") begins no extension
    if dot <= 0 or name[dot - 1] in "/!":
        return ""
    ext = name[dot:]
    return "" if "/" in ext or "!" in ext else ext.lower()


def _is_mpeg_sync(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x3
    layer = (head[1] >> 1) & 0x3
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def wide_codec(head: bytes) -> tuple[str, int] | None:
    """(codec, bytes of its byte order mark) when `head` starts text in wide code units:
    UTF-32 or UTF-16, with a byte order mark (what PowerShell and Excel's "Unicode text"
    write), or without one when its first characters are Latin text, the other bytes of each
    code unit NULs (what some exporters write)."""
    if head[:4] == b"\xff\xfe\x00\x00":  # (before UTF-16's mark, which it starts with)
        return "utf-32-le", 4
    if head[:4] == b"\x00\x00\xfe\xff":
        return "utf-32-be", 4
    if head[:2] == b"\xff\xfe":
        return "utf-16-le", 2
    if head[:2] == b"\xfe\xff":
        return "utf-16-be", 2
    sample = head[:512]
    sample = sample[: len(sample) // 4 * 4]
    # (most members at once: two bytes that are not NUL to start with, or no NUL at all)
    if len(sample) < 8 or (sample[0] and sample[1]) or b"\x00" not in sample:
        return None
    units = [sample[i::4] for i in range(4)]
    if 0 not in units[0] and all(u.count(0) == len(u) for u in units[1:]):
        return "utf-32-le", 0
    if 0 not in units[3] and all(u.count(0) == len(u) for u in units[:3]):
        return "utf-32-be", 0
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) == len(odd) and 0 not in even:
        return "utf-16-le", 0
    if even.count(0) == len(even) and 0 not in odd:
        return "utf-16-be", 0
    return None


def code_unit(codec: str) -> int:
    """Bytes per code unit of a `wide_codec` codec."""
    return 4 if codec.startswith("utf-32") else 2


def wide_text(head: bytes) -> str | None:
    """The start of `head` as text when it is UTF-32 or UTF-16 text (see `wide_codec`), else
    None. The little-endian mark, FF FE, is also an MPEG frame sync: such bytes are text when
    they decode to text, tabs and line breaks."""
    found = wide_codec(head)
    if found is None:
        return None
    codec, mark = found
    unit = code_unit(codec)
    sample = head[mark : mark + 4096]
    sample = sample[: len(sample) // unit * unit]
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return None
        text = sample[: exc.start].decode(codec)
    if any(ch < " " and ch not in "\t\n\r" for ch in text):
        return None
    return text


# control bytes text holds apart from stray NULs: tab, line feed, form feed, carriage return
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")


def looks_like_text(head: bytes) -> bool:
    """Whether `head`, a member's first bytes, are text: UTF-8 (or with a byte order mark)
    or latin-1 with no control bytes. A few stray NULs (at most one in a hundred bytes, in
    bytes otherwise text with no other control byte) do not make text binary; more do."""
    if not head:
        return True
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:4096]
    if b"\x00" in sample:
        if sample.count(0) > 1 + len(sample) // 100:
            return False
        sample = sample.replace(b"\x00", b"")
        if any(b < 32 and b not in _TEXT_CONTROLS for b in sample):
            return False
    if sample.isascii():  # valid UTF-8 at once, with no text made of it
        return True
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut at the sample's end
            return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return control == 0  # latin-1 text


def _flac_behind_id3(name: str, head: bytes) -> bool:
    """Whether bytes that start with an ID3 tag are a FLAC file behind it (some taggers put
    one there): its fLaC marker follows the tag, or the tag runs past `head` in a member
    named .flac."""
    if len(head) < 10:
        return extension(name) == ".flac"
    end = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
    return head[end : end + 4] == b"fLaC" or (end + 4 > len(head) and extension(name) == ".flac")


def sniff(name: str, head: bytes) -> tuple[MemberKind, str, str | None]:
    """(kind, type label, audio format or None) for a member named `name` starting with `head`."""
    if head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE":
        return MemberKind.AUDIO, "WAV audio", "wav"
    for magic, kind, label, audio in _BY_FIRST_BYTE.get(head[:1], ()):
        if head.startswith(magic):
            if audio == "mp3" and _flac_behind_id3(name, head):
                return MemberKind.AUDIO, "FLAC audio", "flac"
            if kind is MemberKind.ARCHIVE and (package := _PACKAGE_EXT.get(extension(name))):
                label = f"{package} (ZIP archive)"
            return kind, label, audio
    if head[257:262] == b"ustar":  # a POSIX or GNU tar header's magic
        return MemberKind.OTHER, TAR_LABEL, None
    if head[4:8] == b"ftyp":
        if head[8:11] == b"M4A":
            return MemberKind.AUDIO, "M4A audio", "m4a"
        return MemberKind.OTHER, "MP4 media", None
    wide = wide_text(head)
    if wide is None and _is_mpeg_sync(head):
        return MemberKind.AUDIO, "MP3 audio", "mp3"
    ext = extension(name)
    text = wide is not None or looks_like_text(head)
    if ext in _AUDIO_EXT:
        fmt = _AUDIO_EXT[ext]
        return MemberKind.AUDIO, f"{fmt.upper()} audio (unrecognised bytes)", fmt
    if text:
        first = (wide.lstrip() if wide is not None else "") or head.lstrip(b"\xef\xbb\xbf \t\r\n")[
            :1
        ].decode("latin-1")
        if ext == ".json" or (ext in ("", ".txt") and first[:1] in ("{", "[")):
            return MemberKind.JSON, "JSON document", None
        if ext in (".csv", ".tsv"):
            return MemberKind.CSV, "CSV table", None
        if ext == ".pdf":
            return MemberKind.PDF, "PDF document (no PDF header)", None
        return MemberKind.TEXT, _TEXT_EXT.get(ext, "plain text"), None
    if ext == ".pdf":
        return MemberKind.PDF, "PDF document (no PDF header)", None
    label = f"{ext[1:].upper()} file" if ext else "binary data"
    return MemberKind.OTHER, label, None
