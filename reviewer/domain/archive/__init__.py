"""Safe reading of export archives: never extract, stream every member, enforce limits.

`read_export(path, limits)` returns an `ExportIndex` in which every hazard met on the way
(hostile names, bombs, corrupt or unreadable members) is a `Finding` in `read_findings`.
"""

from reviewer.domain.archive.limits import Limits
from reviewer.domain.archive.reader import read_export

__all__ = ["Limits", "read_export"]
