"""Safe reading of export archives: never extract, stream every member, enforce limits.

`read_export(path, limits)` returns an `ExportIndex` in which every hazard met on the way
(hostile names, bombs, corrupt or unreadable members) is a `Finding` in `read_findings`; the
finding codes are listed in `reviewer.domain.archive.hazards`. `read_member(archive, member,
max_bytes)` returns one member's bytes under the same rules (``outer.zip!inner/path`` for members
of nested archives) or raises `ArchiveError`. `decode_wav(data)` gives a recording's facts and
its PCM frames.
"""

from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.limits import Limits
from reviewer.domain.archive.reader import RawMember, read_export, read_member, read_member_raw
from reviewer.domain.archive.wav import decode_wav, wav_info

__all__ = [
    "ArchiveError",
    "Limits",
    "RawMember",
    "WavError",
    "decode_wav",
    "read_export",
    "read_member",
    "read_member_raw",
    "wav_info",
]
