"""Reading a whole export into an `ExportIndex`: the scheduler.

Nothing is extracted and nothing is written. Each archive level (the export, then every
nested archive) is planned (`planner`), and its jobs are read by one thread, or two when the
members are big enough for it to pay (ISA-L or zlib, crc32 and hashlib release the GIL):
every member is inflated in chunks (`streams`), counting the real inflated bytes against
the limits, because headers lie, and checked against its declared size and CRC. Only what
the digesters need is kept (see `planner.keep_cap`): the text of text members (capped), PDF
bytes until the PDF child process has them, nested archives while they are read, the first
bytes of recordings, and the last 64 KiB of every member, where an end of central directory
record shows an archive that does not start as one (see `nesting`; such an archive is read
again from the export to be opened). Every archive level gets the same hazard rules.
Meanwhile another thread hashes the whole file. Every hazard becomes a finding (see
`hazards`); reading goes on with the rest where it can.
"""

from __future__ import annotations

import hashlib
import io
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

from reviewer.archive.collector import few_full_collections
from reviewer.archive.container import (
    WINDOW_READ_MAX,
    Level,
    Source,
    open_failure,
    open_regular,
)
from reviewer.archive.context import Context, Stop
from reviewer.archive.digest.text import add_text
from reviewer.archive.directory import END_TAIL
from reviewer.archive.finish import finish
from reviewer.archive.limits import Limits
from reviewer.archive.nesting import Shape, shape
from reviewer.archive.pdfservice import PdfService
from reviewer.archive.planner import DIGESTERS, Job, digester_for, keep_cap, plan
from reviewer.archive.progress import Meter, ProgressCallback, Tally
from reviewer.archive.streams import (
    READ_FAILURES,
    chunks,
    crc32,
    left_over,
    read_failure,
    small_member,
)
from reviewer.domain.archive.errors import ArchiveError
from reviewer.domain.archive.sniff import extension, sniff
from reviewer.domain.archive.wav import ChunkScout
from reviewer.domain.model import EXPORT_ITSELF, AudioInfo, ExportIndex, MemberKind

SNIFF_BYTES = 4096
HASH_CHUNK = 4 << 20  # bytes per step when hashing the whole file
THREADS = 2
PDF_PRESTART_BYTES = 8 << 20  # exports this big start the PDF child before looking inside
THREAD_MIN_AVERAGE = 16 << 10  # compressed bytes per member for two threads to pay
WATCHED_BYTES = 4 << 20  # members this big report their progress as they are inflated


def read_export(
    path: Path, limits: Limits, progress: ProgressCallback | None = None
) -> ExportIndex:
    """Read the export at `path` safely into an index; every hazard is a finding in it.

    `progress` is called with how far the reading has got (`reviewer.archive.progress`),
    from the reader's threads, at most about ten times a second and once at the end.
    Raises `ArchiveError` only when the file itself cannot be opened.
    """
    # The PDF child: one started before the reading (`pdfservice.start_spare`) is taken now;
    # else it starts before the directory is read when the export is big enough to hold a
    # catalogue, and otherwise as soon as the planner meets a PDF, before anything is
    # inflated. Whatever happens, it is stopped before this returns.
    pdf = PdfService(limits)
    pdf.take_spare()
    try:
        with few_full_collections():
            return _read_export(path, limits, pdf, progress)
    finally:
        pdf.results()


def _read_export(
    path: Path, limits: Limits, pdf: PdfService, progress: ProgressCallback | None
) -> ExportIndex:
    fh = open_regular(path)
    with fh:
        src = Source(fd=fh.fileno())
        index = ExportIndex(archive_path=str(path), archive_sha256="", archive_bytes=src.size)
        ctx = Context(limits, index, Meter(progress, src.size), pdf)
        hashed: list[str] = []
        hasher = threading.Thread(target=_hash_file, args=(src, hashed), daemon=True)
        hasher.start()
        if src.size >= PDF_PRESTART_BYTES:
            pdf.prestart()
        try:
            if src.size == 0:
                ctx.hazards.add("zip-unreadable", EXPORT_ITSELF, "the file is empty")
            else:
                _read_level(ctx, src, fh, "", 0, None)
            finish(ctx)
        finally:
            hasher.join()
        if not hashed:
            raise ArchiveError(f"{path}: the file cannot be read to its end")
        index.archive_sha256 = hashed[0]
        index.read_findings = ctx.hazards.findings()
        ctx.meter.finish(len(index.members))
        return index


def _hash_file(src: Source, out: list[str]) -> None:
    digest = hashlib.sha256()
    try:
        for off in range(0, src.size, HASH_CHUNK):
            digest.update(src.read(off, HASH_CHUNK))
    except OSError:
        return  # read_export reports it
    out.append(digest.hexdigest())


# ------------------------------------------------------------------------- one archive level


def _read_level(
    ctx: Context, src: Source, fileobj: Any, prefix: str, depth: int, container: str | None
) -> None:
    room = max(0, ctx.limits.max_members - ctx.listed) + 1
    try:
        level = Level(src, fileobj, prefix, depth, room)
    except Exception:  # noqa: BLE001 - a hostile directory may break the parser in many ways
        code, why = open_failure(src)
        what = f"nested archive {container!r}: " if container else ""
        if code == "zip-truncated":
            level = Level(src, None, prefix, depth, room)
            if level.entries:
                why += (
                    f"; the {len(level.entries)} members before the damage are listed from "
                    "their own headers"
                )
        ctx.hazards.add(code, container or EXPORT_ITSELF, f"{what}{why}")
        if code != "zip-truncated":
            return
    # members this small lie many to a window of the file: their headers and data are read
    # a window at a time (see `Source.read`)
    src.windowed = level.start_dir <= THREAD_MIN_AVERAGE * max(len(level.entries), 1)
    try:
        try:
            jobs = plan(ctx, level)
        except Exception as exc:  # noqa: BLE001 - a directory zipfile accepted but we cannot use
            where = f"nested archive {container!r}" if container else "the archive"
            ctx.hazards.add(
                "zip-unreadable",
                container or EXPORT_ITSELF,
                f"{where}: its directory cannot be used ({type(exc).__name__})",
            )
            return
        if depth == 0:
            # the PDFs come first: once they are read the PDF child can go (`_work`)
            ctx.pdfs_left = sum(1 for j in jobs if j.rank == 0)
            if not ctx.pdfs_left:
                ctx.pdf.release()
        meter = ctx.meter
        if meter.on:
            with ctx.lock:
                meter.members_total = ctx.listed
            meter.tally().members += len(ctx.blocks.get(level.prefix, ())) - len(jobs)
            meter.tick()
        # Threads pay only when zlib (which releases the GIL) does most of the work: with
        # many tiny members two threads just queue for the GIL.
        packed = sum(j.end - j.start for j in jobs)
        big = depth == 0 and len(jobs) > 4 and packed >= THREAD_MIN_AVERAGE * len(jobs)
        threads = THREADS if big else 1
        ctx.threaded |= threads > 1
        queue = deque(jobs)  # each job is let go as soon as it is taken
        jobs.clear()
        workers = [
            threading.Thread(target=_work, args=(ctx, level, queue), daemon=True)
            for _ in range(threads - 1)
        ]
        for w in workers:
            w.start()
        _work(ctx, level, queue)
        for w in workers:
            w.join()
    finally:
        level.close()


def _work(ctx: Context, level: Level, queue: deque[Job]) -> None:
    meter = ctx.meter
    tally = meter.tally() if meter.on else None
    top = level.depth == 0  # the bytes of nested archives are counted as their member's
    while not ctx.stopped:
        try:
            job = queue.popleft()  # atomic: the threads share the queue without a lock
        except IndexError:
            return
        watch = (
            tally if tally is not None and top and job.end - job.start >= WATCHED_BYTES else None
        )
        try:
            _read_job(ctx, level, job, watch)
        except Stop:
            pass
        except Exception as exc:  # noqa: BLE001 - one member's surprise never stops the rest
            code, why = read_failure(exc)
            ctx.hazards.add(code, job.member.path, f"{job.name!r} {why}")
        if top and job.rank == 0:
            with ctx.lock:
                ctx.pdfs_left -= 1
                last = ctx.pdfs_left == 0
            if last:
                ctx.pdf.release()  # every PDF of the export is with the child
        if tally is not None:
            if top:
                tally.bytes += job.end - job.start - tally.partial
                tally.partial = 0
            tally.members += 1
            meter.tick()


# ------------------------------------------------------------------------- one member


def _read_job(ctx: Context, level: Level, job: Job, watch: Tally | None = None) -> None:
    """Read one member; `watch`, for a large member, counts its bytes as they are inflated."""
    limits, hz, member = ctx.limits, ctx.hazards, job.member
    path, name = member.path, job.name
    declared = job.size
    named = member.kind is MemberKind.ARCHIVE  # as the planner listed it: by its name
    if (
        watch is None
        and job.end - job.start <= WINDOW_READ_MAX
        and declared <= limits.ratio_floor_bytes
        and _read_small(ctx, level, job, named)
    ):
        return
    used = [0]
    crc = 0
    digest = hashlib.sha256()
    count = 0
    kept: list[bytes] = []
    cap = 0
    kept_n = 0
    tail = b""  # the last END_TAIL bytes: an end record, the last page of an OGG stream
    scout: ChunkScout | None = None  # a WAV's chunk headers past the kept head
    complete = False
    try:
        for chunk in chunks(level, job, used):
            n = len(chunk)
            if count == 0:
                kind, label, audio = sniff(name, bytes(chunk[:SNIFF_BYTES]))
                member.kind, member.type_label = kind, label
                if audio:
                    member.audio = AudioInfo(format=audio)
                cap = keep_cap(limits, level.depth, kind, audio, label)
                tail = bytes(chunk[-END_TAIL:])  # a small member's chunk itself, not a copy
                if audio == "wav":
                    scout = ChunkScout(bytes(chunk[:12]), cap)
            elif n >= END_TAIL:
                tail = bytes(chunk[-END_TAIL:])
            else:
                tail = (tail + bytes(chunk))[-END_TAIL:]
            count += n
            if count > declared:
                hz.add(
                    "zip-size-mismatch",
                    path,
                    f"{name!r} declares {declared:,} bytes but inflates to more; reading stopped",
                )
                raise Stop
            if count > limits.max_member_bytes:
                hz.add(
                    "zip-bomb-size",
                    path,
                    f"{name!r} inflates beyond the {limits.max_member_bytes:,}-byte limit per member",
                )
                raise Stop
            if count > limits.ratio_floor_bytes and count > limits.max_ratio * max(used[0], 1):
                hz.add(
                    "zip-bomb-ratio",
                    path,
                    f"{name!r} inflates to {count:,} bytes from {used[0]:,} compressed, beyond "
                    f"{limits.max_ratio:g} times",
                )
                raise Stop
            ctx.add_total(n, path)
            if watch is not None:
                watch.bytes += used[0] - watch.partial
                watch.partial = used[0]
                ctx.meter.tick()
            crc = crc32(chunk, crc)
            digest.update(chunk)
            if scout is not None and not scout.done:
                scout.feed(chunk)
            if kept_n < cap:
                piece = chunk if kept_n + n <= cap else chunk[: cap - kept_n]
                kept.append(piece if isinstance(piece, bytes) else bytes(piece))
                kept_n += len(piece)
        complete = True
    except READ_FAILURES as exc:
        code, why = read_failure(exc)
        hz.add(code, path, f"{name!r} {why}")
    finally:
        member.read_bytes = declared if count == declared else count  # one int object, not two
    if not complete:
        return
    after = left_over(level, job, used)
    if after is not None:
        hz.add("zip-unlisted-bytes", path, after)
    box = [b"".join(kept) if len(kept) != 1 else kept[0]]
    kept.clear()
    laid_out = scout.layout(count, kept_n) if scout is not None else None
    _digest(
        ctx, level, job, count, crc, digest.hexdigest(), box, tail, named, kept_n == count, laid_out
    )
    if scout is not None and member.kind is MemberKind.AUDIO and (tags := scout.tags()):
        add_text(ctx, path, tags)  # tags written beyond the kept head, after the samples


def _read_small(ctx: Context, level: Level, job: Job, named: bool) -> bool:
    """A small member read whole in one step (its compressed bytes come from the file's
    window): True when it was read and digested as `_read_job`'s loop would; False when
    anything about it is unusual (cut short, invalid, unreadable, larger than declared or
    allowed), for that loop to read it again and say what is wrong. (Its declared size is
    within `ratio_floor_bytes`, so no ratio can be judged on it.)"""
    out = small_member(level, job)
    if out is None:
        return False
    count = len(out)
    if count > job.size or count > ctx.limits.max_member_bytes:
        return False
    member = job.member
    member.read_bytes = job.size if count == job.size else count
    cap = 0
    if count:
        kind, label, audio = sniff(job.name, out[:SNIFF_BYTES])
        member.kind, member.type_label = kind, label
        if audio:
            member.audio = AudioInfo(format=audio)
        cap = keep_cap(ctx.limits, level.depth, kind, audio, label)
        ctx.add_total(count, member.path)  # may stop the reading, as in the loop
    kept = out if count <= cap else out[:cap]
    tail = out[-END_TAIL:]  # the member itself when it is that small, not a copy
    whole = len(kept) == count
    sha256 = hashlib.sha256(out).hexdigest()
    _digest(ctx, level, job, count, crc32(out), sha256, [kept], tail, named, whole)
    return True


def _digest(
    ctx: Context,
    level: Level,
    job: Job,
    count: int,
    crc: int,
    sha256: str,
    box: list[bytes],
    tail: bytes,
    named: bool,
    whole: bool,
    wav_head: tuple[bytes, int] | None = None,
) -> None:
    """A member read to its end (`count` bytes, `tail` the last `END_TAIL` of them): its
    digest, size and CRC judged, then it is opened as an archive or its kept bytes (in `box`,
    a one-item list the digester empties, so a large member's bytes can go as soon as its text
    is decoded; `whole`: all of them) are handed to its digester. `named`: the planner listed
    it as an archive by its name. `wav_head`: a recording whose chunks lie beyond the kept
    bytes, laid out by `ChunkScout` (its compact header and the size that stands for)."""
    hz, member, name, declared = ctx.hazards, job.member, job.name, job.size
    path = member.path
    if count == 0:  # a recording is judged empty too, as any bytes that are none
        member.kind, member.type_label, audio = sniff(name, b"")
        if audio:
            member.audio = AudioInfo(format=audio)
        if member.kind is MemberKind.TEXT and extension(name) not in (".txt", ""):
            member.type_label = "empty file"
    member.sha256 = sys.intern(sha256)
    if count != declared:
        hz.add(
            "zip-size-mismatch", path, f"{name!r} declares {declared:,} bytes but holds {count:,}"
        )
        return
    if crc != job.crc:
        hz.add(
            "zip-bad-crc",
            path,
            f"{name!r} inflates to bytes whose CRC-32 is {crc:08x}, not the recorded {job.crc:08x}",
        )
        return
    if job.local_crc is not None and job.local_crc != crc:
        hz.add(
            "zip-header-mismatch",
            path,
            f"{name!r}: its local header says CRC-32 {job.local_crc:08x}, the central directory "
            f"{job.crc:08x} (that of its bytes); unzip checks the local one and fails",
        )
    member.readable = True
    # an archive starts with a local header or ends with an end record, whose signature
    # holds the byte 6 (no text does); a member named as an archive is judged as one
    archive = named or member.kind is MemberKind.ARCHIVE or b"\x06" in tail
    if archive and _archive(ctx, level, job, box, whole, tail, named):
        return
    if wav_head is not None and member.kind is MemberKind.AUDIO:
        box[0], count = wav_head
    digester = digester_for(member)
    if digester is not None:
        digester(ctx, member, box, count, tail)


def _archive(
    ctx: Context, level: Level, job: Job, box: list[bytes], whole: bool, tail: bytes, named: bool
) -> bool:
    """Open the member as a nested archive if it is one (see `nesting`), or report a member
    named as an archive that is none. True when it is read as an archive only; False when
    its digester reads it too (a recording or a document with an archive after it)."""
    member, total = job.member, job.size
    found = shape(member.kind is MemberKind.ARCHIVE, box[0][:12], tail, total, named)
    if found is None and not named:
        return False
    _read_nested(ctx, level, job, box[0] if whole else None, total, found)
    if found == "head":
        return True
    if found == "end" and (named or member.kind not in DIGESTERS):
        label = f"ZIP archive behind other bytes ({member.type_label})"
        member.kind, member.type_label = MemberKind.ARCHIVE, label
        return True
    return False


def _read_nested(
    ctx: Context, level: Level, job: Job, data: bytes | None, total: int, found: Shape | None
) -> None:
    """A nested archive (`found`), or a member named as one, read as a level of its own (its
    members are ``outer.zip!name``), from its kept bytes or, when they were not kept whole,
    from the export again. A member named as an archive that is none gets the finding the
    export would get."""
    limits, hz, path = ctx.limits, ctx.hazards, job.member.path
    if found is None and total == 0:
        hz.add("zip-unreadable", path, f"nested archive {path!r}: the file is empty")
        return
    if level.depth >= limits.max_depth:
        if found is None:
            why = "the file is not a ZIP archive"
            hz.add("zip-unreadable", path, f"nested archive {path!r}: {why}")
            return
        ctx.beyond_nesting(path, level.depth + 1, total)
        return
    if total > limits.max_nested_bytes:
        if found is None:
            why = "the file is not a ZIP archive (no end of central directory record)"
            hz.add("zip-unreadable", path, f"nested archive {path!r}: {why}")
            return
        ctx.beyond_nesting(path, level.depth + 1, total)
        return
    if data is None:
        data = _read_again(ctx, level, job, total)
        if data is None:
            return
    if found is not None:
        what = (
            "is an archive inside the archive"
            if found == "head"
            else f"holds a ZIP archive behind other bytes ({job.member.type_label})"
        )
        hz.add("zip-nested", path, f"{path} {what}; its members are listed as {path}!<name>")
    nested = Source(data=data)
    try:
        _read_level(ctx, nested, io.BytesIO(data), path + "!", level.depth + 1, path)
    finally:
        nested.close()


def _read_again(ctx: Context, level: Level, job: Job, total: int) -> bytes | None:
    """The whole inflated bytes of a member already read and checked once, read again to open
    it as an archive (only its last bytes were kept); None, with a finding, when they differ."""
    parts: list[bytes] = []
    crc = 0
    n = 0
    try:
        for chunk in chunks(level, job, [0]):
            piece = bytes(chunk)
            n += len(piece)
            if n > total:
                break
            crc = crc32(piece, crc)
            parts.append(piece)
    except READ_FAILURES as exc:
        why = f"cannot be read again to open it as an archive ({type(exc).__name__})"
        ctx.hazards.add("zip-corrupt", job.member.path, f"{job.name!r} {why}")
        return None
    if n != total or crc != job.crc:
        why = "reads differently the second time (the file changed while it was read?)"
        ctx.hazards.add("zip-corrupt", job.member.path, f"{job.name!r} {why}")
        return None
    return b"".join(parts)
