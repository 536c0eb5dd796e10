"""Findings raised while reading an export archive, and their stable codes.

Archive hazards (all CRITICAL unless noted; each names the members involved, and a finding
about a whole archive names it: a nested archive by its path, the export itself by
``reviewer.domain.model.EXPORT_ITSELF``). They apply at every depth: a nested archive's
members get the same rules, and a nested archive that is damaged gets the code the export
would get, naming it.

- ``zip-unreadable``: the file is not a ZIP archive (empty, or no end of central directory
  record), or its central directory cannot be read; also a member named as an archive
  (``.zip``, ``.zipx``) that is none.
- ``zip-truncated``: the archive (the export or a nested one) or a member's data ends early
  (cut off, bad end of file); the members before the damage are listed from their own
  headers, behind a prefix too.
- ``zip-unlisted-bytes``: bytes that belong to no member (before the first member, between one
  member's data, with its data descriptor, and the next, between the last and the central
  directory, or after the end record and its comment; or after the end of a member's
  compressed stream but inside its recorded compressed size; or in the ZIP64 end record's
  extensible data, which no tool reads): they would be delivered unchecked. Zero bytes are
  none, wherever they lie: they carry nothing (bsdtar pads an archive it writes to a pipe
  with them to whole blocks, other writers pad between members or before the directory);
  one byte that is not zero makes the whole run unlisted. Nor is
  the 4-byte split archive marker (``PK\x07\x08`` or ``PK00``) at the very start of the file,
  which APPNOTE lets a writer that can split archives write when it wrote one piece.
- ``zip-directory-conflict``: the archive's directory records disagree, so tools list
  different members: a second end record, inside the first one's comment (or holding it in
  its own), that leads to another central directory (zipfile and unzip take the last one in
  the file); the end record's signature alone in its comment (zipfile takes the last one
  for the end record and refuses the archive; unzip, 7-Zip and bsdtar too when a record's
  worth of bytes follows it); two sound ZIP64 end records of different directories, one
  where the locator points and one right before it (unzip reads the first, zipfile the
  second); an end record whose entry count, directory size or offset is not 0xFFFF... and
  not the ZIP64 end record's (unzip reads the end record's, zipfile the ZIP64 one); an end
  record whose entry count is not the number of records in the central directory; zero
  padding after the end record longer than unzip and zipfile search for it (the reader finds
  the record behind it, they open nothing: the padding must be trimmed before delivery).
- ``zip-corrupt``: a member's compressed data is invalid and cannot be inflated.
- ``zip-bad-crc``: a member inflates to bytes whose CRC-32 differs from the recorded one.
- ``zip-size-mismatch``: a member's real inflated size differs from the size its header declares.
- ``zip-header-mismatch``: a member's local header disagrees with the central directory: on
  its name, its compression method, the flags that change how it is read (encrypted, data
  descriptor, patched data, strong encryption; UTF-8 for a name that is not ASCII), or
  (unless a data descriptor follows its data) its CRC-32 or sizes; unzip takes those from
  the local header. A folder's local header is compared too; a member with no local header
  where the directory points is one as well.
- ``zip-traversal``: a member name climbs out of the archive (``..`` components). Every name
  a tool may write is judged: the stored one and a Unicode Path extra field's (the one unzip
  writes), so a name cannot hide behind the other.
- ``zip-nul-in-name``: a member name holds a NUL byte (tools cut the name there, and disagree).
- ``zip-absolute-path``: a member name is absolute (``/x``, ``\\x``) or carries a drive letter (``C:``).
- ``zip-backslash``: a member name uses backslashes as separators (Windows paths in disguise).
- ``zip-symlink``: a member is a symbolic link (Unix mode 0o120000); it is listed, never followed.
- ``zip-special-file``: a tar member that is a device, a named pipe or another special file
  (tar would create it); it is listed, never read.
- ``zip-ambiguous-name``: a name holding "!" whose part before it is another member's name
  ("Retail/Orders.csv!notes.txt", "old.zip!a.wav" beside old.zip): the reviewer writes a
  nested archive's members so, and would take it for one (unlisted, or standing in for one).
- ``zip-duplicate-name``: two or more members land on one file: the same name, or names that
  differ only in empty or ``.`` components or in the kind of slash (``./a``, ``a//b``,
  ``a/./b``, ``a\\b``); which one a tool reads is arbitrary.
- ``zip-folder-with-data``: a folder entry (a name ending in ``/``) that holds bytes: unzip
  makes a folder, other tools read the bytes, and nothing would have checked them. Its
  compressed bytes, whatever the size it declares, must be none or one stream that inflates
  to nothing.
- ``zip-encrypted``: a member is encrypted (flag bit 0, or strong encryption, bit 6); it cannot
  be checked, so it cannot be delivered.
- ``zip-unsupported-compression``: a member uses a compression method the reader does not
  inflate, or holds compressed patched data (flag bit 5: changes against a file the archive
  does not hold, which cannot be rebuilt).
- ``zip-overlapping``: members share bytes in the file (an overlapping-entry zip bomb).
- ``zip-bomb-ratio``: a member inflates far beyond its compressed size (above a size floor).
- ``zip-bomb-size``: a member, or the archive as a whole, inflates beyond the size limits;
  reading stops at the limit.
- ``zip-too-many-members``: the archive lists more members than the limit; the rest are not listed.
- ``zip-nested-too-deep``: an archive nested deeper than the depth limit; it is listed, not opened.
- ``zip-nested`` (INFO): a nested archive was opened: a member that starts with a local header
  (a ``.zip``, an Office document), or one that ends with an end of central directory record
  (a self-extracting archive, a ZIP behind other bytes); its members are listed as
  ``outer.zip!inner``.

Member readers:

- ``audio-malformed`` (WARNING): a WAV recording that neither the WAV parser nor libsndfile
  can read (not RIFF, no fmt chunk, unknown encoding), or whose header states absurd values
  (0 Hz or beyond 10 MHz, no channels or more than libsndfile's 1,024); an MP3, Ogg or FLAC
  recording whose bytes are not that format (no MPEG frame that another one follows, no OggS
  page with a Vorbis, Opus, FLAC or Speex header, no fLaC marker and STREAMINFO block), or
  that is cut before any duration can be known (inside its first frame, its headers or its
  metadata), or empty. A fmt or data chunk past
  the bytes kept of a recording (behind a large tag chunk) is found as the bytes stream past
  (`reviewer.domain.archive.wav.ChunkScout`); a block align that disagrees with the bits is
  read as libsndfile reads it.
- ``json-malformed`` (WARNING): a JSON member that does not parse.
- ``json-duplicate-key`` (WARNING): a JSON object (a JSON member, or JSON records in a CSV
  member) names a key twice with different values. Programs differ in which value they take,
  so the member's text, every value in it, is scanned for another person's data as well as
  its parsed form; the reviewer opens it and keeps one value of each key.
- ``pdf-unreadable`` (WARNING): a PDF that pypdf cannot read (corrupt, protected by a password,
  not a PDF).
- ``pdf-hostile``: a PDF that got the parser stuck (opening it or one page took longer than
  `Limits.pdf_step_cpu_s` of processor time, more for a page whose content is large, or it
  went silent), blew the memory limit, hit pypdf's decompression, loop or depth limits or
  crashed the parser.
- ``pdf-too-complex``: a PDF that holds more than pypdf reads of one document (tokens of a page's
  content, elements of an array, entries of a dictionary or of its page tree, form fields):
  an honest drawing can. Its text, a transcript catalogue above all, could not be checked, so
  it blocks; nothing says it is an attack.
- ``pdf-too-large``: a PDF read page after page until the processor time allowed for its size
  ran out (`Limits.pdf_cpu_*`): how many of its pages were read in how long. Its text, a
  transcript catalogue above all, could not be checked, so it blocks; nothing says it is an
  attack.
- ``text-too-large``: a member whose text was read for the identity scan only in part or not
  at all: beyond `Limits.max_text_bytes` of one member, after the archive's
  `Limits.max_total_text_bytes` were used up, or a PDF beyond `Limits.max_pdf_bytes`. The
  rest would reach the requester unchecked, so it blocks. (A PDF whose parse ran out of time
  is ``pdf-too-large``.)
"""

from __future__ import annotations

import threading
from collections import defaultdict

from reviewer.domain.model import Finding, Severity

CRITICAL, WARNING, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO

# code -> (severity, title)
HAZARDS: dict[str, tuple[Severity, str]] = {
    "zip-unreadable": (CRITICAL, "The export or a nested archive is not a readable ZIP archive"),
    "zip-truncated": (CRITICAL, "The archive or a member is truncated"),
    "zip-unlisted-bytes": (CRITICAL, "The archive holds bytes outside any member"),
    "zip-directory-conflict": (
        CRITICAL,
        "The archive's directory records disagree: tools list different members",
    ),
    "zip-corrupt": (CRITICAL, "Member data is corrupt"),
    "zip-bad-crc": (CRITICAL, "Member fails its CRC check"),
    "zip-size-mismatch": (CRITICAL, "Member header lies about its size"),
    "zip-header-mismatch": (CRITICAL, "Local header disagrees with the central directory"),
    "zip-traversal": (CRITICAL, "Member name climbs out of the archive (path traversal)"),
    "zip-nul-in-name": (CRITICAL, "Member name hides a NUL byte"),
    "zip-absolute-path": (CRITICAL, "Member name is an absolute path"),
    "zip-backslash": (CRITICAL, "Member name uses backslashes"),
    "zip-symlink": (CRITICAL, "Member is a symbolic link"),
    "zip-special-file": (CRITICAL, "Member is a device or other special file"),
    "zip-duplicate-name": (CRITICAL, "Several members share one name"),
    "zip-ambiguous-name": (CRITICAL, "A member's name reads as a nested archive's member"),
    "zip-folder-with-data": (CRITICAL, "Folder entry holds data"),
    "zip-encrypted": (CRITICAL, "Member is encrypted"),
    "zip-unsupported-compression": (CRITICAL, "Member uses an unsupported compression method"),
    "zip-overlapping": (CRITICAL, "Members overlap in the archive (zip bomb)"),
    "zip-bomb-ratio": (CRITICAL, "Member inflates far beyond its compressed size (zip bomb)"),
    "zip-bomb-size": (CRITICAL, "Archive inflates beyond the size limits (zip bomb)"),
    "zip-too-many-members": (CRITICAL, "Archive holds more members than the limit"),
    "zip-nested-too-deep": (CRITICAL, "Archives nested deeper than the limit"),
    "zip-nested": (INFO, "Nested archive opened"),
    "audio-malformed": (WARNING, "Recording cannot be read"),
    "json-malformed": (WARNING, "JSON member does not parse"),
    "json-duplicate-key": (WARNING, "JSON object names a key twice"),
    "pdf-unreadable": (WARNING, "PDF cannot be read"),
    "pdf-hostile": (CRITICAL, "PDF looks built to harm the reader"),
    "pdf-too-large": (CRITICAL, "PDF too large to check in the time allowed"),
    "pdf-too-complex": (CRITICAL, "PDF too complex to read in full"),
    "text-too-large": (CRITICAL, "Member not checked in full"),
}

MAX_DETAILS = 3  # specific details quoted in a finding that groups several members


class Hazards:
    """Collects hazards as they are met (from several threads) and groups them into findings.

    One finding per code; its members are every member that showed the hazard, and its detail
    quotes the first few specific reasons.
    """

    __slots__ = ("_lock", "_items", "_seen")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
        self._seen: set[tuple[str, str | None]] = set()

    def add(self, code: str, member: str | None, detail: str) -> None:
        with self._lock:
            key = (code, member)
            if member is not None and key in self._seen:
                return
            self._seen.add(key)
            self._items[code].append((member, detail))

    def codes(self) -> set[str]:
        return set(self._items)

    def has(self, code: str, member: str) -> bool:
        with self._lock:
            return (code, member) in self._seen

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for code, items in self._items.items():
            severity, title = HAZARDS[code]
            members = tuple(dict.fromkeys(m for m, _ in items if m is not None))
            details = list(dict.fromkeys(d for _, d in items))
            detail = "; ".join(details[:MAX_DETAILS])
            if len(details) > MAX_DETAILS:
                detail += f"; and {len(details) - MAX_DETAILS} more"
            if len(members) > 1:
                detail = f"{len(members)} members. {detail}"
            out.append(Finding(code, severity, title, detail, members))
        return out
