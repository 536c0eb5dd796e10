"""What every level and thread shares while one export is read: limits, hazards, the index
being filled, the PDF child, the running totals the limits are judged on, and the progress
meter."""

from __future__ import annotations

import threading

from reviewer.archive.hazards import Hazards
from reviewer.archive.limits import Limits
from reviewer.archive.pdfservice import PdfService
from reviewer.archive.progress import Meter
from reviewer.domain.model import ExportIndex, Member


class Stop(Exception):
    """Reading of one member stops (a limit was hit); the hazard is already recorded."""


class Context:
    """State shared by every level and thread while one export is read."""

    def __init__(
        self,
        limits: Limits,
        index: ExportIndex,
        meter: Meter | None = None,
        pdf: PdfService | None = None,
    ) -> None:
        self.limits = limits
        self.index = index
        self.hazards = Hazards()
        self.pdf = pdf if pdf is not None else PdfService(limits)
        self.meter = meter or Meter(None, index.archive_bytes)
        if self.meter.on:
            self.pdf.on_pages = self.meter.pages
        self.lock = threading.Lock()
        self.listed = 0
        self.total = 0
        self.stopped = False
        self.text_left = limits.max_total_text_bytes
        self.text_starved: set[str] = set()  # members cut because the archive's text ran out
        self.blocks: dict[str, list[Member]] = {}  # each level's members, by its path prefix
        self.threaded = False
        self.moved = False  # members read out of directory order
        self.pdfs_left = 0  # the export's PDFs (by name) not yet read and handed to the child

    def add_total(self, n: int, path: str) -> None:
        with self.lock:
            self.total += n
            over = self.total > self.limits.max_total_bytes
            if over and not self.stopped:
                self.stopped = True
                self.hazards.add(
                    "zip-bomb-size",
                    path,
                    f"the archive inflates beyond {self.limits.max_total_bytes:,} "
                    f"bytes in all; reading stopped at {path}",
                )
        if over:
            raise Stop

    def beyond_nesting(
        self, path: str, depth: int, size: int, what: str = "", whole: bool = True
    ) -> bool:
        """Whether an archive within the export at `path` (`what` it is, "tar archive", if
        not a ZIP), whose own members would be `depth` deep, holding `size` bytes (`whole`:
        all of them were kept, which happens only within the size limit), is past the limits
        for nested archives; if so the finding is recorded and it is not opened."""
        limits, name = self.limits, f"{path} ({what})" if what else f"nested archive {path}"
        if depth > limits.max_depth:
            self.hazards.add(
                "zip-nested-too-deep",
                path,
                f"{path}{f' ({what})' if what else ''} is nested {depth} deep; archives are "
                f"opened {limits.max_depth} deep at most",
            )
            return True
        if size > limits.max_nested_bytes or not whole:
            self.hazards.add(
                "zip-bomb-size",
                path,
                f"{name} is larger than the {limits.max_nested_bytes:,}-byte limit for nested "
                "archives",
            )
            return True
        return False

    def take_text(self, n: int) -> int:
        with self.lock:
            granted = max(0, min(n, self.text_left))
            self.text_left -= granted
            return granted
