"""The reading plan of one archive level: what is listed, what is read, in what order, and
how much of each member is kept for its digester.

`plan` lists every member in the index from the central directory alone, records the hazards
that need no reading (hostile names, duplicates, symlinks, encryption, unknown methods,
declared bombs, local headers that disagree, directory records that disagree, overlapping
members, bytes that belong to no member), and returns the members that are safe to read as
`Job`s: PDFs first (the PDF child parses them while the rest is inflated), then large
structured members, then the others in directory order. `keep_cap` says how many of a
member's bytes its digester needs once its first bytes have told what it is.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from operator import itemgetter

from reviewer.archive.container import (
    BEYOND_END,
    DATA_PAST_END,
    Level,
    Local,
    descriptor_size,
    local_range,
)
from reviewer.archive.context import Context
from reviewer.archive.digest import Digester
from reviewer.archive.digest.audio import digest_audio
from reviewer.archive.digest.containers import digest_container
from reviewer.archive.digest.pdf import digest_pdf
from reviewer.archive.digest.tables import digest_table
from reviewer.archive.digest.text import digest_text
from reviewer.archive.directory import Entry, comment_text, zeros
from reviewer.archive.hazards import MAX_DETAILS, Hazards
from reviewer.archive.limits import Limits
from reviewer.archive.nesting import ARCHIVE_NAMES
from reviewer.archive.streams import DEFLATED, STORED, VIA_ZIPFILE, holds_nothing
from reviewer.domain.archive.layout import archive_of, archives_of
from reviewer.domain.archive.sniff import CONTAINER_LABELS, extension
from reviewer.domain.model import EXPORT_ITSELF, Member, MemberKind

S_IFMT, S_IFLNK = 0o170000, 0o120000
EARLY_TEXT_BYTES = 1 << 20  # structured members this big are read before the small ones
_EARLY_EXT = (".json", ".csv")
_METHODS = frozenset((STORED, DEFLATED, *VIA_ZIPFILE))
# compression methods by their number in APPNOTE.TXT (4.4.5), to name one the reader refuses
METHOD_NAMES = {
    0: "stored",
    1: "Shrink",
    2: "Reduce, factor 1",
    3: "Reduce, factor 2",
    4: "Reduce, factor 3",
    5: "Reduce, factor 4",
    6: "Implode",
    7: "Tokenize",
    8: "Deflate",
    9: "Deflate64",
    10: "PKWARE DCL Implode",
    12: "BZIP2",
    14: "LZMA",
    16: "IBM z/OS CMPSC",
    18: "IBM TERSE",
    19: "IBM LZ77 z Architecture",
    20: "Zstandard, deprecated number",
    93: "Zstandard",
    94: "MP3",
    95: "XZ",
    96: "JPEG variant",
    97: "WavPack",
    98: "PPMd",
    99: "WinZip AES encryption",
}


def method_name(method: int) -> str:
    """A compression method's number and name ("9 (Deflate64)"), or its number alone when
    APPNOTE gives it none."""
    name = METHOD_NAMES.get(method)
    return f"{method} ({name})" if name else f"{method} (no method APPNOTE defines)"


# the 4 bytes APPNOTE (8.5.3, 8.5.4) lets open a file a writer that can split archives wrote
# in one piece: the spanning signature, or the temporary "PK00"; they belong to the archive
SPLIT_MARK, TEMPORARY_SPLIT_MARK = b"PK\x07\x08", b"PK00"
SPLIT_MARKS = (SPLIT_MARK, TEMPORARY_SPLIT_MARK)
AUDIO_HEAD = 1 << 20  # bytes kept from the start of a recording to lay out its chunks
_DRIVE = re.compile(r"^[A-Za-z]:")

# which digester a fully read member goes to, by what its first bytes say it is; nested
# archives are read as archive levels in their own right, gzip, tar and SQLite members as
# containers (`digester_for`), other kinds are only listed
DIGESTERS: dict[MemberKind, Digester] = {
    MemberKind.AUDIO: digest_audio,
    MemberKind.PDF: digest_pdf,
    MemberKind.CSV: digest_table,
    MemberKind.JSON: digest_table,
    MemberKind.TEXT: digest_text,
}


def digester_for(member: Member) -> Digester | None:
    """The digester of a fully read member: by its kind, or, for a gzip stream, a tar
    archive or an SQLite database (listed as other data until opened), the containers'."""
    if member.kind is MemberKind.OTHER:
        return digest_container if member.type_label in CONTAINER_LABELS else None
    return DIGESTERS.get(member.kind)


@dataclass(slots=True)
class Job:
    member: Member
    name: str  # the name inside its own archive
    method: int
    crc: int
    start: int  # data range in the archive
    end: int
    size: int  # declared sizes
    csize: int
    entry: Entry | None  # kept only for bzip2 and LZMA members (their flags and name)
    rank: int = 2  # reading order: PDFs (0), large structured members (1), the rest (2)
    local_crc: int | None = None  # the local header's CRC-32, when it gives one


def name_hazards(hz: Hazards, path: str, name: str) -> None:
    if (
        ".." not in name
        and "\\" not in name
        and "\x00" not in name
        and not name.startswith("/")
        and name[1:2] != ":"
    ):
        return  # the common case: nothing below can apply (a new test belongs here too)
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        hz.add("zip-traversal", path, f"{name!r} {_climbs(parts)}")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        hz.add("zip-absolute-path", path, f"{name!r} would be written outside any target folder")
    if "\\" in name:
        hz.add("zip-backslash", path, f"{name!r} uses backslashes, read as folders on Windows")
    if "\x00" in name:
        hz.add("zip-nul-in-name", path, f"{name!r} hides a NUL byte in its name")


def _climbs(parts: list[str]) -> str:
    """What the ``..`` components of a name do: climb out of the folder, or (a name that
    comes back down, ``a/../b``) stay inside where tools disagree on it."""
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return "climbs out of the folder it is unpacked into"
        elif part not in ("", "."):
            depth += 1
    return "climbs up with '..' and back down: tools disagree on where it lands"


_KIND_BY_EXT = {
    ".wav": (MemberKind.AUDIO, "WAV audio"),
    ".mp3": (MemberKind.AUDIO, "MP3 audio"),
    ".ogg": (MemberKind.AUDIO, "OGG audio"),
    ".pdf": (MemberKind.PDF, "PDF document"),
    ".csv": (MemberKind.CSV, "CSV table"),
    ".tsv": (MemberKind.CSV, "CSV table"),
    ".json": (MemberKind.JSON, "JSON document"),
    **{ext: (MemberKind.ARCHIVE, "ZIP archive") for ext in ARCHIVE_NAMES},
    ".txt": (MemberKind.TEXT, "plain text"),
    ".gz": (MemberKind.OTHER, "gzip data"),
    ".tgz": (MemberKind.OTHER, "gzip data"),
    ".tar": (MemberKind.OTHER, "tar archive"),
    ".sqlite": (MemberKind.OTHER, "SQLite database"),
    ".db": (MemberKind.OTHER, "SQLite database"),
}


_UNREAD = {ext: (kind, f"{label} (not read)") for ext, (kind, label) in _KIND_BY_EXT.items()}
_UNKNOWN = (MemberKind.OTHER, "unknown (not read)")
_FOLDER = (MemberKind.DIRECTORY, "folder")


def kind_by_name(name: str, ext: str | None = None) -> tuple[MemberKind, str]:
    """What a member that is not (or not yet) read looks like from its name alone (`ext`:
    its extension, when known; the reader holds a member named as an archive to its name:
    see `nesting`)."""
    if name.endswith("/"):
        return _FOLDER
    return _UNREAD.get(extension(name) if ext is None else ext, _UNKNOWN)


def plan(ctx: Context, level: Level) -> list[Job]:
    """List the level's members in the index, record their hazards, and say what to read."""
    hz, limits = ctx.hazards, ctx.limits
    infos = level.entries
    level.entries = []  # planned once; let the records go with this function
    holder = level.prefix.rstrip("!") or EXPORT_ITSELF
    with ctx.lock:
        room = max(0, limits.max_members - ctx.listed)
        listed = max(len(infos), level.declared)
        cut = listed > room
        if cut:
            hz.add(
                "zip-too-many-members",
                holder,
                f"{level.prefix.rstrip('!') or 'the archive'} lists {listed:,} members; only "
                f"{limits.max_members:,} are listed and read in all",
            )
            infos = infos[:room]
        ctx.listed += len(infos)
    same = same_file(infos)
    jobs: list[Job] = []
    spans: list[Span] = []
    members: list[Member] = []
    prefix, intern = level.prefix, sys.intern
    # (where, comment): the archive's own and its members'; kept with the members below
    comments = [(holder, level.comment)] if level.comment else []
    for info in infos:
        name = info.name
        path = intern(prefix + name)
        ext = extension(name)
        kind, label = kind_by_name(name, ext)
        member = Member(path, info.file_size, info.compress_size, kind, label)
        members.append(member)
        name_hazards(hz, path, name)
        if info.stored is not None:  # the name other tools write than unzip
            name_hazards(hz, path, info.stored)
        if same is not None and name in same:
            hz.add("zip-duplicate-name", path, same[name])
        if info.comment:
            comments.append((path, info.comment))
        job = _admit(ctx, level, info, member, ext)
        if job is not None:
            jobs.append(job)
            spans.append((info.header_offset, job.end, info, member))
        else:
            where = local_range(level, info)
            if isinstance(where, str):
                _unusable(hz, path, name, where)
                if where == DATA_PAST_END:  # a header there, its bytes' end unknown
                    spans.append((info.header_offset, None, info, member))
            else:
                _local_mismatch(hz, info, path, where)
                _local_name(hz, info, path, where)
                _unread_crc(hz, info, member, where)
                spans.append((info.header_offset, where.end, info, member))
    _ambiguous(hz, prefix, members)
    # the level's bytes, member by member in file order: members that share bytes are not
    # read; bytes that belong to no member are a finding (they would be delivered unchecked)
    overlapping, outside = _layout(hz, level, spans)
    spans.clear()
    jobs = [j for j in jobs if id(j.member) not in overlapping]
    outside += level.outside
    if outside and level.fileobj is not None and not cut:
        _unlisted(hz, level, holder, outside)
    if level.conflicts:
        what = f"nested archive {holder!r}: " if level.prefix else ""
        hz.add("zip-directory-conflict", holder, what + "; ".join(level.conflicts))
    with ctx.lock:
        ctx.blocks[level.prefix] = members
        ctx.index.members.extend(members)
        kept = ctx.index.comments
        for where, said in comments:  # delivered with the archive: scanned as text
            text = comment_text(said)
            # two may stand under one name (a nested archive's own and its member comment in
            # the archive holding it, a member named as the archive itself): both are kept
            kept[where] = f"{kept[where]}\n{text}" if where in kept else text
    # PDFs first, so the PDF child works while the rest is inflated; then large structured
    # members (a manifest listing every member), whose text and parsed form are both held
    # for a moment, so that moment comes while the index is still small
    jobs.sort(key=_rank)
    ctx.moved |= any(j.rank == 1 for j in jobs)
    if jobs and jobs[0].rank == 0:
        ctx.pdf.prestart()  # the PDF child starts up while the first members are inflated
    return jobs


def landing(name: str) -> str:
    """Where a member lands when unpacked, as a key: its path with empty and ``.`` components
    dropped and backslashes taken as separators (``./a/b``, ``a//b``, ``a/./b``, ``a\\b``), and
    what Windows and macOS ignore: case, the trailing dots and spaces of a component, and the
    Unicode form (NFC and NFD)."""
    if (
        name.isascii()
        and "//" not in name
        and "./" not in name
        and "\\" not in name
        and " /" not in name
        and not name.startswith("/")
        and not name.endswith((".", " "))
    ):
        return name.rstrip("/").casefold()  # the common case: nothing to drop
    parts = re.split(r"[\\/]", unicodedata.normalize("NFC", name))
    kept = (p if p == ".." else p.rstrip(" .") for p in parts)
    return "/".join(p.casefold() for p in kept if p not in ("", "."))


def same_file(infos: list[Entry]) -> dict[str, str] | None:
    """The names of members that land on the same file as another (`landing`), each with why:
    by the names unzip writes, and by the stored names other tools write (where a Unicode
    Path field gives another); None when there are none (the common case, one set each).
    Empty folder entries are passed over: two of them landing on one folder lose nothing."""
    infos = [i for i in infos if i.file_size or not i.name.endswith("/")]
    spaces = [[(landing(i.name), i.name) for i in infos]]
    if any(i.stored is not None for i in infos):
        spaces.append([(landing(i.stored or i.name), i.stored or i.name) for i in infos])
    out: dict[str, str] = {}
    for space in spaces:
        if len({key for key, _label in space}) == len(space):
            continue
        by_key: dict[str, list[tuple[str, str]]] = {}
        for (key, label), info in zip(space, infos, strict=True):
            by_key.setdefault(key, []).append((label, info.name))
        for group in by_key.values():
            if len(group) < 2:
                continue
            labels = list(dict.fromkeys(label for label, _name in group))
            if len(labels) == 1:
                why = f"{labels[0]!r} appears {len(group)} times; tools disagree on which one wins"
            else:
                why = (
                    " and ".join(repr(n) for n in labels[:MAX_DETAILS])
                    + (
                        f" and {len(labels) - MAX_DETAILS} more"
                        if len(labels) > MAX_DETAILS
                        else ""
                    )
                    + " unpack to the same file; tools disagree on which one wins"
                )
            for _label, name in group:
                out.setdefault(name, why)
    return out or None


def _rank(job: Job) -> int:
    return job.rank


def _ambiguous(hz: Hazards, prefix: str, members: list[Member]) -> None:
    """Names holding "!" whose part before it is another member of the level, an archive
    by its name: the reviewer writes a nested archive's members "outer.zip!inner", and would
    read these as such."""
    bangs = [m.path for m in members if "!" in m.path[len(prefix) :]]
    if not bangs:
        return
    here = archives_of(members)
    for path in bangs:
        archive = archive_of(path, here, outermost=True)
        if archive is not None:
            hz.add(
                "zip-ambiguous-name",
                path,
                f"{path[len(prefix) :]!r} reads as the member {path[len(archive) + 1 :]!r} of "
                f"{archive!r}, which the archive also holds: the reviewer's paths could not "
                "tell them apart",
            )


def _admit(ctx: Context, level: Level, info: Entry, member: Member, ext: str) -> Job | None:
    """The member as a job to read, or None (and its hazard) when it is not to be read
    (`ext`: the extension of its name)."""
    hz, limits = ctx.hazards, ctx.limits
    name, path, kind, label = info.name, member.path, member.kind, member.type_label
    if (info.external_attr >> 16) & S_IFMT == S_IFLNK:
        member.kind, member.type_label = MemberKind.OTHER, "symbolic link"
        hz.add("zip-symlink", path, f"{name!r} is a symbolic link; it is not followed")
        return None
    if kind is MemberKind.DIRECTORY:
        if info.file_size or not _empty_folder(level, info):
            held = info.file_size or info.compress_size
            hz.add(
                "zip-folder-with-data",
                path,
                f"{name!r} is a folder entry that holds {held:,} bytes"
                f"{'' if info.file_size else ' of compressed data'}: unzip makes a folder, "
                "other tools read the bytes, and nothing checks them",
            )
        return None
    if info.flags & 0x61:  # encrypted (bit 0), strongly (bit 6); patched data (bit 5)
        if info.flags & 0x41:
            member.type_label = f"{label} (encrypted)"
            how = " (strong encryption, flag bit 6)" if info.flags & 0x40 else ""
            hz.add("zip-encrypted", path, f"{name!r} is encrypted{how} and cannot be checked")
        else:
            hz.add(
                "zip-unsupported-compression",
                path,
                f"{name!r} holds compressed patched data (flag bit 5): only the changes "
                "against another file, which the archive does not hold, so its content "
                "cannot be rebuilt or checked",
            )
        return None
    method = info.method
    if method not in _METHODS:
        hz.add(
            "zip-unsupported-compression",
            path,
            f"{name!r} uses compression method {method_name(method)}",
        )
        return None
    if info.file_size > limits.max_member_bytes:
        hz.add(
            "zip-bomb-size",
            path,
            f"{name!r} declares {info.file_size:,} bytes, over "
            f"the {limits.max_member_bytes:,}-byte limit per member",
        )
        return None
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        hz.add(
            "zip-bomb-ratio",
            path,
            f"{name!r} declares {info.file_size:,} bytes from {info.compress_size:,} compressed",
        )
        return None
    where = local_range(level, info)
    if isinstance(where, str):
        _unusable(hz, path, name, where)
        return None
    _local_mismatch(hz, info, path, where)
    _local_name(hz, info, path, where)
    return Job(
        member,
        name,
        method,
        info.crc,
        where.start,
        where.end,
        info.file_size,
        info.compress_size,
        info if method in VIA_ZIPFILE else None,
        0
        if ext == ".pdf"
        else 1
        if ext in _EARLY_EXT and info.file_size >= EARLY_TEXT_BYTES
        else 2,
        # the central record's int object when the two agree (100,000 queued jobs: 3 MB)
        info.crc if where.crc == info.crc else where.crc,
    )


def _empty_folder(level: Level, info: Entry) -> bool:
    """Whether a folder entry that declares no bytes holds none either: no compressed bytes,
    or exactly one stream that inflates to nothing (what is inflated decides, not the
    declared size: zipfile reads the stream whatever the folder declares)."""
    if not info.compress_size:
        return True
    where = local_range(level, info)
    if isinstance(where, str):
        return False  # it declares compressed bytes that cannot be looked at
    return holds_nothing(level.src, where.start, where.end, info.method, info.flags)


def _unusable(hz: Hazards, path: str, name: str, why: str) -> None:
    """A member whose local header is unusable (`why`, from `local_range`): unzip cannot
    read it ("bad zipfile offset"), whether or not the reviewer reads it."""
    code = "zip-truncated" if why in (BEYOND_END, DATA_PAST_END) else "zip-header-mismatch"
    hz.add(code, path, f"{name!r}: {why}")


def _local_name(hz: Hazards, info: Entry, path: str, where: Local) -> None:
    """The name in a member's local header, against its central record's; and judged as a
    name too, as tools that stream the archive take it from there."""
    name, local_name, local_stored = info.name, where.name, where.stored
    if local_name != name or (local_stored or local_name) != (info.stored or name):
        hz.add(
            "zip-header-mismatch",
            path,
            f"{info.stored or name!r} is called {local_stored or local_name!r} in its local header",
        )
    for other in (local_name, local_stored):  # names some tools take from the local header
        if other is not None and other != name and other != info.stored:
            name_hazards(hz, path, other)


def _unread_crc(hz: Hazards, info: Entry, member: Member, where: Local) -> None:
    """The CRC-32s of a member that is not read (a read member's are judged against its
    bytes): an empty folder's bytes are none, whose CRC-32 is 0, as zipfile checks; and the
    local header's must be the central directory's, as unzip checks the local one."""
    name, path = info.name, member.path
    if (
        info.crc
        and member.kind is MemberKind.DIRECTORY
        and not hz.has("zip-folder-with-data", path)
    ):
        hz.add(
            "zip-bad-crc",
            path,
            f"{name!r} is an empty folder, whose CRC-32 is 00000000, not the recorded "
            f"{info.crc:08x}",
        )
        return
    if where.crc is not None and where.crc != info.crc:
        hz.add(
            "zip-header-mismatch",
            path,
            f"{name!r}: its local header says CRC-32 {where.crc:08x}, the central directory "
            f"{info.crc:08x}; unzip checks the local one and fails",
        )


def _local_mismatch(hz: Hazards, info: Entry, path: str, where: Local) -> None:
    if where.mismatch is not None:
        hz.add(
            "zip-header-mismatch",
            path,
            f"{info.name!r}: its local header says {where.mismatch}; tools that read the "
            "local header (unzip, and any reader that streams the archive, as bsdtar does from "
            "a pipe) read other data than the central directory describes",
        )


# a member's place in the file: (local header offset, end of its data or None when its data
# runs past the end of the archive, its directory entry, its member); a member with no local
# header where the directory points has none: it owns no bytes (its own hazard)
Span = tuple[int, int | None, Entry, Member]


def _layout(hz: Hazards, level: Level, spans: list[Span]) -> tuple[set[int], list[tuple[int, str]]]:
    """One pass over the members in file order: the ids of the members that share bytes with
    another (their hazards recorded), and the runs of bytes before the central directory
    that belong to no member: (how many, where); a run of zero bytes carries nothing and is
    none (one byte that is not zero makes the whole run count). Where a member's data runs past the end of
    the archive (its own hazard) nobody knows where its bytes end, so no run after its local
    header is counted; the runs before it still are."""
    dir_start = level.start_dir
    overlapping: set[int] = set()
    outside: list[tuple[int, str]] = []
    spans.sort(key=itemgetter(0))
    # every byte before `reach` belongs to a member (or is counted in `outside`); a split
    # archive's marker opens the file, where a writer that could have split it wrote one
    reach = len(SPLIT_MARK) if bytes(level.src.read(0, len(SPLIT_MARK))) in SPLIT_MARKS else 0
    owner: Span | None = None  # the member whose bytes end at `reach`
    lost = False  # a member's extent is unknown

    def gap_to(until: int, then: str) -> None:
        nonlocal reach
        if owner is not None and owner[2].flags & 0x8:  # a data descriptor follows the data
            reach += descriptor_size(level.src, owner[2], reach, until - reach)
        if until > reach and not zeros(level.src.read, reach, until):  # zeros carry nothing
            before = "before " if owner is None else f"between {owner[2].name!r} and "
            outside.append((until - reach, before + then))

    for span in spans:
        off, end, info, member = span
        if off < reach and owner is not None:
            overlapping.update((id(member), id(owner[3])))
            hz.add(
                "zip-overlapping",
                member.path,
                f"{info.name!r} starts inside the bytes of {owner[2].name!r}",
            )
            hz.add(
                "zip-overlapping",
                owner[3].path,
                f"{owner[2].name!r} shares bytes with {info.name!r}",
            )
        elif off > reach and not lost:
            gap_to(off, "the first member" if owner is None else repr(info.name))
        if end is None:
            lost = True
            continue
        if end > dir_start:
            overlapping.add(id(member))
            hz.add(
                "zip-overlapping",
                member.path,
                f"{info.name!r} runs into the archive's central directory",
            )
        if end > reach:
            reach, owner = end, span
    if dir_start > reach and not lost:
        gap_to(dir_start, "the central directory")
    return overlapping, outside


def _unlisted(hz: Hazards, level: Level, holder: str, outside: list[tuple[int, str]]) -> None:
    """One finding for the level: how many bytes belong to no member, and where."""
    places = [f"{_bytes(n)} {where}" for n, where in outside]
    shown = ", ".join(places[:MAX_DETAILS])
    if len(places) > MAX_DETAILS:
        shown += f" and {len(places) - MAX_DETAILS} more runs"
    total = sum(n for n, _ in outside)
    what = f"nested archive {holder!r}: " if level.prefix else ""
    whose = "belong" if total != 1 else "belongs"
    in_all = f" ({_bytes(total)} in all)" if len(places) > 1 else ""
    hz.add(
        "zip-unlisted-bytes",
        holder,
        f"{what}{shown}{in_all} {whose} to no member and would reach the requester unchecked",
    )


def _bytes(n: int) -> str:
    return f"{n:,} byte" if n == 1 else f"{n:,} bytes"


def keep_cap(
    limits: Limits, depth: int, kind: MemberKind, audio: str | None, label: str = ""
) -> int:
    """How many of a member's first bytes its digester needs, by what its first bytes say it
    is (`label`: their type label): the text of text members (capped), a PDF or a nested
    archive whole (one byte over its limit tells it is too large), a gzip stream, a tar or a
    database too, the head of a recording; nothing of the rest. (A
    member found to be an archive only at its end is read again to be opened, so no member
    is kept whole on the chance that it is one.)"""
    if kind is MemberKind.JSON:
        return max(limits.max_text_bytes, limits.max_json_bytes)
    if kind in (MemberKind.CSV, MemberKind.TEXT):
        return limits.max_text_bytes
    if kind is MemberKind.PDF:
        return limits.max_pdf_bytes + 1
    if kind is MemberKind.ARCHIVE or label in CONTAINER_LABELS:
        return limits.max_nested_bytes + 1 if depth < limits.max_depth else 0
    if audio in ("wav", "mp3", "ogg", "flac"):  # (a FLAC's head holds its tags)
        return AUDIO_HEAD
    return 0
