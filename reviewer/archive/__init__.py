"""Safe reading of export archives: never extract, stream every member, enforce limits.

This is the adapter between the export file and the domain: it does the I/O (the ZIP
container, inflating, the PDF child process) and fills the domain's `ExportIndex`, leaving
what member bytes mean to the pure parsers in `reviewer.domain.archive`.

`read_export(path, limits, progress=None)` returns an `ExportIndex` in which every hazard met
on the way (hostile names, bombs, corrupt or unreadable members) is a `Finding` in
`read_findings`; the finding codes are listed in `reviewer.archive.hazards`; `progress` is
told how far the reading has got (`reviewer.archive.progress`). `read_member(archive, member,
max_bytes)` returns one member's bytes under the same rules (``outer.zip!inner/path`` for
members of nested archives) or raises `ArchiveError`; `read_member_raw` returns a member's
bytes as stored. `review_request` (in `reviewer.archive.review`) reads a request folder's
export and runs the checks on it.

Inside: `container` (the file's bytes, an archive level, local headers), `directory` (the
central directory), `streams` (inflating), `planner` (what is read, in what order, by which
digester), `nesting` (which members are archives), `inner` with `gzipped`, `tarred` and
`sqlitedb` (gzip, tar and SQLite members read as containers), `digest` (one digester per
kind of member), `export` (reading the whole export), `member` (reading one member), `pdfservice`
and `_pdfchild` (pypdf in a child process), `hazards`, `limits` and `progress`.
"""

from reviewer.archive.export import read_export
from reviewer.archive.limits import Limits
from reviewer.archive.member import RawMember, read_member, read_member_raw
from reviewer.domain.archive.errors import ArchiveError, WavError

__all__ = [
    "ArchiveError",
    "Limits",
    "RawMember",
    "WavError",
    "read_export",
    "read_member",
    "read_member_raw",
]
