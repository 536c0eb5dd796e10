"""The reading plan of one archive level: what is listed, what is read, in what order, and
how much of each member is kept for its digester.

`plan` lists every member in the index from the central directory alone, records the hazards
that need no reading (hostile names, duplicates, symlinks, encryption, unknown methods,
declared bombs, local headers that disagree, overlapping members), and returns the members
that are safe to read as `Job`s: PDFs first (the PDF child parses them while the rest is
inflated), then large structured members, then the others in directory order. `keep_cap`
says how many of a member's bytes its digester needs once its first bytes have told what
it is.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass

from reviewer.archive.container import Level, local_range
from reviewer.archive.context import Context
from reviewer.archive.digest import Digester
from reviewer.archive.digest.audio import digest_audio
from reviewer.archive.digest.pdf import digest_pdf
from reviewer.archive.digest.tables import digest_table
from reviewer.archive.digest.text import digest_text
from reviewer.archive.directory import Entry
from reviewer.archive.hazards import Hazards
from reviewer.archive.limits import Limits
from reviewer.archive.streams import DEFLATED, STORED, VIA_ZIPFILE
from reviewer.domain.archive.sniff import extension
from reviewer.domain.model import Member, MemberKind

S_IFMT, S_IFLNK = 0o170000, 0o120000
EARLY_TEXT_BYTES = 1 << 20  # structured members this big are read before the small ones
AUDIO_HEAD = 1 << 20  # bytes kept from the start of a recording to lay out its chunks
_DRIVE = re.compile(r"^[A-Za-z]:")

# which digester a fully read member goes to, by what its first bytes say it is; nested
# archives are read as archive levels in their own right, other kinds are only listed
DIGESTERS: dict[MemberKind, Digester] = {
    MemberKind.AUDIO: digest_audio,
    MemberKind.PDF: digest_pdf,
    MemberKind.CSV: digest_table,
    MemberKind.JSON: digest_table,
    MemberKind.TEXT: digest_text,
}


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
    entry: Entry | None  # kept only for methods inflated through zipfile


def name_hazards(hz: Hazards, path: str, name: str) -> None:
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        hz.add("zip-traversal", path, f"{name!r} climbs out of the folder it is unpacked into")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        hz.add("zip-absolute-path", path, f"{name!r} would be written outside any target folder")
    if "\\" in name:
        hz.add("zip-backslash", path, f"{name!r} uses backslashes, read as folders on Windows")
    if "\x00" in name:
        hz.add("zip-traversal", path, f"{name!r} hides a NUL byte in its name")


_KIND_BY_EXT = {
    ".wav": (MemberKind.AUDIO, "WAV audio"),
    ".mp3": (MemberKind.AUDIO, "MP3 audio"),
    ".ogg": (MemberKind.AUDIO, "OGG audio"),
    ".pdf": (MemberKind.PDF, "PDF document"),
    ".csv": (MemberKind.CSV, "CSV table"),
    ".tsv": (MemberKind.CSV, "CSV table"),
    ".json": (MemberKind.JSON, "JSON document"),
    ".zip": (MemberKind.ARCHIVE, "ZIP archive"),
    ".txt": (MemberKind.TEXT, "plain text"),
}


def kind_by_name(name: str) -> tuple[MemberKind, str]:
    """What a member that is not (or not yet) read looks like from its name alone."""
    if name.endswith("/"):
        return MemberKind.DIRECTORY, "folder"
    kind, label = _KIND_BY_EXT.get(extension(name), (MemberKind.OTHER, "unknown"))
    return kind, f"{label} (not read)"


def plan(ctx: Context, level: Level) -> list[Job]:
    """List the level's members in the index, record their hazards, and say what to read."""
    hz, limits = ctx.hazards, ctx.limits
    infos = level.entries
    level.entries = []  # planned once; let the records go with this function
    with ctx.lock:
        room = max(0, limits.max_members - ctx.listed)
        listed = max(len(infos), level.declared)
        if listed > room:
            holder = level.prefix.rstrip("!") or "the archive"
            hz.add(
                "zip-too-many-members",
                level.prefix.rstrip("!") or None,
                f"{holder} lists {listed:,} members; only {limits.max_members:,} are "
                "listed and read in all",
            )
            infos = infos[:room]
        ctx.listed += len(infos)
    counts = Counter(i.name for i in infos)
    dir_end = level.start_dir
    jobs: list[Job] = []
    ranges: list[tuple[int, int, Job]] = []
    members: list[Member] = []
    for info in infos:
        name = info.name
        path = sys.intern(level.prefix + name)
        kind, label = kind_by_name(name)
        member = Member(
            path=path,
            declared_size=info.file_size,
            compressed_size=info.compress_size,
            kind=kind,
            type_label=label,
        )
        members.append(member)
        name_hazards(hz, path, name)
        if counts[name] > 1:
            hz.add(
                "zip-duplicate-name",
                path,
                f"{name!r} appears {counts[name]} times; tools disagree on which one wins",
            )
        if (info.external_attr >> 16) & S_IFMT == S_IFLNK:
            member.kind, member.type_label = MemberKind.OTHER, "symbolic link"
            hz.add("zip-symlink", path, f"{name!r} is a symbolic link; it is not followed")
            continue
        if kind is MemberKind.DIRECTORY:
            continue
        if info.flags & 0x1:
            member.type_label = f"{label} (encrypted)"
            hz.add("zip-encrypted", path, f"{name!r} is encrypted and cannot be checked")
            continue
        method = info.method
        if method not in (STORED, DEFLATED, *VIA_ZIPFILE):
            hz.add(
                "zip-unsupported-compression", path, f"{name!r} uses compression method {method}"
            )
            continue
        if info.file_size > limits.max_member_bytes:
            hz.add(
                "zip-bomb-size",
                path,
                f"{name!r} declares {info.file_size:,} bytes, over "
                f"the {limits.max_member_bytes:,}-byte limit per member",
            )
            continue
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            hz.add(
                "zip-bomb-ratio",
                path,
                f"{name!r} declares {info.file_size:,} bytes from "
                f"{info.compress_size:,} compressed",
            )
            continue
        where = local_range(level, info)
        if isinstance(where, str):
            code = "zip-truncated" if "end of the archive" in where else "zip-header-mismatch"
            hz.add(code, path, f"{name!r}: {where}")
            continue
        start, end, local_name = where
        if local_name != name:
            hz.add(
                "zip-header-mismatch",
                path,
                f"{name!r} is called {local_name!r} in its local header",
            )
        job = Job(
            member,
            name,
            method,
            info.crc,
            start,
            end,
            info.file_size,
            info.compress_size,
            info if method in VIA_ZIPFILE else None,
        )
        jobs.append(job)
        ranges.append((info.header_offset, end, job))
    overlapping: set[int] = set()
    ranges.sort(key=lambda r: r[0])
    reach, owner = -1, None
    for off, end, job in ranges:
        if off < reach and owner is not None:
            overlapping.update((id(job), id(owner)))
            hz.add(
                "zip-overlapping",
                job.member.path,
                f"{job.name!r} starts inside the bytes of {owner.name!r}",
            )
            hz.add(
                "zip-overlapping",
                owner.member.path,
                f"{owner.name!r} shares bytes with {job.name!r}",
            )
        if end > dir_end:
            overlapping.add(id(job))
            hz.add(
                "zip-overlapping",
                job.member.path,
                f"{job.name!r} runs into the archive's central directory",
            )
        if end > reach:
            reach, owner = end, job
    jobs = [j for j in jobs if id(j) not in overlapping]
    with ctx.lock:
        ctx.blocks[level.prefix] = members
        ctx.index.members.extend(members)
    # PDFs first, so the PDF child works while the rest is inflated; then large structured
    # members (a manifest listing every member), whose text and parsed form are both held
    # for a moment, so that moment comes while the index is still small
    early = False

    def order(job: Job) -> int:
        nonlocal early
        ext = extension(job.name)
        if ext == ".pdf":
            return 0
        if job.size >= EARLY_TEXT_BYTES and ext in (".json", ".csv"):
            early = True
            return 1
        return 2

    jobs.sort(key=order)
    ctx.moved |= early
    return jobs


def keep_cap(limits: Limits, depth: int, kind: MemberKind, audio: str | None) -> int:
    """How many of a member's first bytes its digester needs, by what its first bytes say it
    is: the text of text members (capped), a PDF or a nested archive whole (one byte over
    its limit tells it is too large), the head of a recording; nothing of the rest."""
    if kind is MemberKind.JSON:
        return max(limits.max_text_bytes, limits.max_json_bytes)
    if kind in (MemberKind.CSV, MemberKind.TEXT):
        return limits.max_text_bytes
    if kind is MemberKind.PDF:
        return limits.max_pdf_bytes + 1
    if kind is MemberKind.ARCHIVE:
        return limits.max_nested_bytes + 1 if depth < limits.max_depth else 0
    if audio in ("wav", "mp3", "ogg"):
        return AUDIO_HEAD
    return 0
