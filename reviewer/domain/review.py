"""Review one request: the ticket and the export's index in, every check run, the report out.

Reading the export is the archive adapter's work (`reviewer.archive.review.review_request`
reads a request folder and calls `review_index`); the domain only judges what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.domain.checks import run_checks
from reviewer.domain.errors import RequestError
from reviewer.domain.model import ExportIndex, Request
from reviewer.domain.report import Report, Stats, sort_findings
from reviewer.domain.request import load_request

EXPORT_NAME = "export.zip"


@dataclass(frozen=True, slots=True)
class Review:
    request: Request
    index: ExportIndex
    report: Report


def open_request(request_dir: Path) -> tuple[Request, Path]:
    """The folder's ticket and the path of its export.

    Raises `RequestError` when the folder cannot be reviewed at all (no readable
    request.json, no export.zip).
    """
    if not request_dir.is_dir():
        raise RequestError(f"{request_dir}: not a request folder")
    request = load_request(request_dir)
    archive = request_dir / EXPORT_NAME
    if not archive.is_file():
        there = archive.exists() or archive.is_symlink()
        what = f"{EXPORT_NAME} is not a regular file" if there else f"no {EXPORT_NAME}"
        raise RequestError(f"{request_dir}: {what}")
    return request, archive


def review_index(request: Request, index: ExportIndex) -> Review:
    """Every check run on the export's index against its ticket, and the report."""
    findings = run_checks(request, index)
    report = Report(
        request_id=request.request_id,
        archive_sha256=index.archive_sha256,
        findings=sort_findings(findings),
        stats=Stats.of(index),
    )
    return Review(request=request, index=index, report=report)
