"""One member read on its own: `read_member` (its inflated bytes) and `read_member_raw` (its
bytes as stored), under the same rules as `read_export`.

The export's reading plan (its directory, which members are safe to read, and why the others
are refused) is kept for the last few archives, keyed by the file's identity, size and
modification time: the app reads member after member of the same export, and planning a
100,000-member directory takes seconds. Every read still checks the member's local header,
sizes, inflation ratio and CRC.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.archive.container import Level, Source, open_level, open_regular
from reviewer.archive.context import Context
from reviewer.archive.limits import Limits
from reviewer.archive.planner import Job, same_file
from reviewer.archive.planner import plan as plan_level
from reviewer.archive.streams import READ_ERRORS, Truncated, chunks, crc32, read_failure
from reviewer.domain.archive.errors import ArchiveError
from reviewer.domain.model import ExportIndex


def read_member(archive: Path, member: str, max_bytes: int, limits: Limits | None = None) -> bytes:
    """The inflated bytes of one member, read with the same safety rules as `read_export`.

    Members of nested archives are addressed as ``outer.zip!inner/path``. Raises
    `ArchiveError` with a one-line reason when the member cannot be read safely or is larger
    than `max_bytes`.

    The export's reading plan (its directory, which members are safe to read, and why the
    others are refused) is kept for the last few archives, keyed by the file's identity, size
    and modification time: the app reads member after member of the same export, and planning
    a 100,000-member directory takes seconds. Every read still checks the member's local
    header, sizes, inflation ratio and CRC.
    """
    limits = limits or Limits()
    fh = open_regular(archive)
    with fh:
        src, plan = _planned(archive, fh, limits)
        level = Level.planned(src, fh, "", 0)
        try:
            return _read_from(level, plan, member, max_bytes, limits)
        finally:
            level.close()


@dataclass(frozen=True, slots=True)
class RawMember:
    """A member as the archive stores it: its method (0 stored, 8 deflated), CRC-32 and
    inflated size, and its data as stored (not inflated, so not checked here)."""

    method: int
    crc: int
    size: int
    data: bytes


def read_member_raw(archive: Path, member: str, limits: Limits | None = None) -> RawMember | None:
    """The stored bytes of a top-level member, under the same plan and refusals as
    `read_member` (ArchiveError with the reason), for copying it into another archive without
    inflating and deflating it again; None when it is neither stored nor deflated (read it
    with `read_member`). Whoever copies it reads the copy back to check it."""
    limits = limits or Limits()
    fh = open_regular(archive)
    with fh:
        src, plan = _planned(archive, fh, limits)
        if member not in plan.names:
            raise ArchiveError(f"{member}: no such member")
        if member in plan.duplicates:
            raise ArchiveError(f"{member}: several members share this name")
        job = plan.jobs.get(member)
        if job is None:
            raise ArchiveError(
                f"{member}: refused: {plan.refusals.get(member, 'it cannot be read')}"
            )
        if job.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or job.entry is not None:
            return None
        if job.size > limits.max_member_bytes:
            raise ArchiveError(f"{member}: {job.size:,} bytes, over the limit")
        return RawMember(
            job.method, job.crc, job.size, bytes(src.read(job.start, job.end - job.start))
        )


def _planned(archive: Path, fh: Any, limits: Limits) -> tuple[Source, _ReadingPlan]:
    """The archive's source and its reading plan (from the cache when the file is unchanged)."""
    src = Source(fd=fh.fileno())
    if src.size == 0:
        raise ArchiveError(f"{archive}: the file is empty")
    st = os.fstat(fh.fileno())
    key = (str(archive), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, limits)
    plan = _PLANS.get(key)
    if plan is None:
        level = open_level(src, fh, "", 0)
        try:
            plan = _reading_plan(level, limits)
        finally:
            level.close()
        _PLANS.put(key, plan)
    return src, plan


@dataclass(slots=True)
class _ReadingPlan:
    """What `read_member` needs from one archive's directory."""

    names: frozenset[str]  # every name the directory lists
    duplicates: frozenset[str]  # names listed more than once
    jobs: dict[str, Job]  # the members that are safe to read, by name
    refusals: dict[str, str]  # member path -> why it is refused (the first hazard naming it)


class _PlanCache:
    """The reading plans of the last few archives (thread-safe; the app reads in workers)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._plans: dict[tuple[object, ...], _ReadingPlan] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> _ReadingPlan | None:
        with self._lock:
            plan = self._plans.pop(key, None)
            if plan is not None:
                self._plans[key] = plan  # most recently used last
            return plan

    def put(self, key: tuple[object, ...], plan: _ReadingPlan) -> None:
        with self._lock:
            self._plans.pop(key, None)
            self._plans[key] = plan
            while len(self._plans) > self._size:
                del self._plans[next(iter(self._plans))]

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


_PLANS = _PlanCache(size=2)


def _reading_plan(level: Level, limits: Limits) -> _ReadingPlan:
    """Plan the level as `read_export` would, keeping only what reading one member needs."""
    names = frozenset(e.name for e in level.entries)
    duplicates = frozenset(same_file(level.entries) or ())  # names that land on one file
    ctx = Context(limits, ExportIndex(archive_path="", archive_sha256="", archive_bytes=0))
    ctx.listed = -(1 << 62)  # the member count is judged by read_export, not here
    jobs = {j.name: j for j in plan_level(ctx, level) if j.name not in duplicates}
    refusals: dict[str, str] = {}
    for finding in ctx.hazards.findings():
        for path in finding.members:
            refusals.setdefault(path, finding.title.lower())
    return _ReadingPlan(names, duplicates, jobs, refusals)


def _read_from(
    level: Level, plan: _ReadingPlan, wanted: str, max_bytes: int, limits: Limits
) -> bytes:
    if wanted not in plan.names:
        parts = wanted.split("!")
        for cut in range(1, len(parts)):
            outer = "!".join(parts[:cut])
            if outer not in plan.names:
                continue
            if level.depth + 1 > limits.max_depth:
                raise ArchiveError(
                    f"{level.prefix}{outer}: nested deeper than {limits.max_depth} archives"
                )
            inner = _read_one(level, plan, outer, limits.max_nested_bytes, limits)
            nested = Source(data=inner)
            try:
                inner_level = open_level(
                    nested, io.BytesIO(inner), f"{level.prefix}{outer}!", level.depth + 1
                )
                try:
                    inner_plan = _reading_plan(inner_level, limits)
                    rest = "!".join(parts[cut:])
                    return _read_from(inner_level, inner_plan, rest, max_bytes, limits)
                finally:
                    inner_level.close()
            finally:
                nested.close()
    return _read_one(level, plan, wanted, max_bytes, limits)


def _read_one(level: Level, plan: _ReadingPlan, name: str, max_bytes: int, limits: Limits) -> bytes:
    """One member of one level, refused with a one-line reason when it is not safe."""
    path = level.prefix + name
    if name not in plan.names:
        raise ArchiveError(f"{path}: no such member")
    if name in plan.duplicates:
        raise ArchiveError(f"{path}: several members share this name")
    job = plan.jobs.get(name)
    if job is None:
        why = plan.refusals.get(path, "it cannot be read")
        raise ArchiveError(f"{path}: refused: {why}")
    if job.size > max_bytes:
        raise ArchiveError(f"{path}: {job.size:,} bytes, over the {max_bytes:,}-byte limit")
    cap = min(max_bytes, limits.max_member_bytes)
    out = bytearray()
    crc = 0
    used = [0]
    try:
        for chunk in chunks(level, job, used):
            out += chunk
            crc = crc32(chunk, crc)
            if len(out) > job.size:
                raise ArchiveError(f"{path}: inflates to more than its declared size")
            if len(out) > cap:
                raise ArchiveError(f"{path}: inflates beyond {cap:,} bytes")
            if len(out) > limits.ratio_floor_bytes and len(out) > limits.max_ratio * max(
                used[0], 1
            ):
                raise ArchiveError(
                    f"{path}: inflates beyond {limits.max_ratio:g} times its "
                    "compressed size (zip bomb)"
                )
    except Truncated:
        raise ArchiveError(f"{path}: the member is truncated") from None
    except READ_ERRORS as exc:
        raise ArchiveError(f"{path}: {read_failure(exc)[1]}") from None
    if len(out) != job.size:
        raise ArchiveError(f"{path}: holds {len(out):,} bytes, not the declared {job.size:,}")
    if crc != job.crc:
        raise ArchiveError(f"{path}: fails its CRC check")
    return bytes(out)
