"""Which members are archives, decided as unzip decides: by the end of central directory record.

A member is an archive when its first bytes are a local header (or the end record of an
empty archive), or when an end of central directory record lies in its last 65,557 bytes
(`directory.END_TAIL`: the record and the longest comment): a self-extracting stub, or any
other bytes, may come before the first local header, and the record's offsets say where the
archive's directory is. The reader keeps those last bytes of every member as it streams it,
so this is decided when the member ends, without keeping every member whole; an archive that
was not kept whole is read again from the export to be opened.

A member *named* as an archive (`ARCHIVE_NAMES`) is held to its name: one that is not a
readable archive (empty, text, cut off) gets the finding the export itself would get. Any
other member counts as an archive only on a record that cannot be chance: its comment
reaches exactly to the end, it describes one disk, and the directory it points to fits
before it (and starts with a directory record where the kept bytes show it), so four
matching bytes in a recording never make it an archive. A WAV or Ogg recording whose
container accounts for every byte (the RIFF size, the last Ogg page ending at the end) is not
searched: nothing was put after it (an archive hidden inside its own chunks or pages is not
looked for), and recordings are the bulk of an export.

Document packages (Office Open XML `.docx`/`.xlsx`/`.pptx`, OpenDocument, EPUB) are ZIP
archives by definition, and they are opened like any nested archive when their bytes are one:
they carry personal data, and opening them puts their XML text (the document's words, its
author) in front of the identity checks and their member names in front of the hazard
rules, at every depth; a damaged one gets the findings any damaged archive gets. Their
names are not taken as a promise, though: word processors also save and open legacy binary
and plain-text documents under these names, so one whose bytes are not a ZIP archive is
listed as what its bytes are, with no finding of its own.
"""

from __future__ import annotations

from typing import Literal

from reviewer.archive.directory import (
    CENTRAL_SIG,
    EOCD,
    ZIP64_LOCATOR,
    ZIP64_LOCATOR_SIG,
    find_end_record,
)

# names that say "this is a ZIP archive" (the planner lists such members as archives): one
# that is not an archive is a finding
ARCHIVE_NAMES = (".zip", ".zipx")

Shape = Literal["head", "end"]  # a local header first / an end record at the end


def shape(head_zip: bool, head: bytes, tail: bytes, size: int, named: bool) -> Shape | None:
    """Whether a member of `size` bytes is an archive, from what its first bytes said
    (`head_zip`, `head`) and its last bytes (`tail`): "head" when it starts as one, "end" when
    an end record says it is one, None when it is none. `named`: the name says it is an
    archive, so any end record counts (the archive's own reading judges it, as for the
    export)."""
    if head_zip:
        return "head"
    if b"\x06" not in tail:  # memchr: text and most other tails hold no end record
        return None
    if not named and (_riff_is_whole(head, size) or _ogg_is_whole(head, tail)):
        return None
    at = find_end_record(tail)
    if at is None:
        return None
    if named or _plausible(tail, at, size):
        return "end"
    return None


def _riff_is_whole(head: bytes, size: int) -> bool:
    """A WAV recording whose RIFF container accounts for every byte of the member: nothing
    follows its chunks, so no archive was put after it. Recordings are the bulk of an export,
    and searching the last 64 KiB of each takes almost half as long as hashing them all."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    end = 8 + int.from_bytes(head[4:8], "little")
    return size - 1 <= end <= size + 1  # a pad byte after an odd last chunk, written or not


def _ogg_is_whole(head: bytes, tail: bytes) -> bool:
    """An Ogg stream whose last page ends where the member ends (a page is at most 65,307
    bytes, so the tail holds the last one whole)."""
    if head[:4] != b"OggS":
        return False
    at = tail.rfind(b"OggS")  # from the end: the last page is near it
    if at < 0 or at + 27 > len(tail):
        return False
    segments = tail[at + 26]
    body = at + 27 + segments
    return body <= len(tail) and body + sum(tail[at + 27 : body]) == len(tail)


def _plausible(tail: bytes, at: int, size: int) -> bool:
    """The end record at `at` is exact, describes one disk, and its directory fits."""
    _sig, disk, cd_disk, on_disk, count, cd_size, cd_offset, comment = EOCD.unpack_from(tail, at)
    if at + EOCD.size + comment != len(tail) or disk or cd_disk or on_disk != count:
        return False
    if 0xFFFFFFFF in (cd_size, cd_offset) or count == 0xFFFF:  # ZIP64: its locator must be there
        loc = at - ZIP64_LOCATOR.size
        return loc >= 0 and tail[loc : loc + 4] == ZIP64_LOCATOR_SIG
    eocd_pos = size - len(tail) + at
    if cd_size + cd_offset > eocd_pos or (count == 0) != (cd_size == 0):
        return False
    cd_at = at - cd_size  # the directory ends where the end record starts
    return cd_at < 0 or count == 0 or tail[cd_at : cd_at + 4] == CENTRAL_SIG
