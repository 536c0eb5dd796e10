"""Review one request folder: load the ticket, read the export safely, run every check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.domain.archive import Limits, read_export
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


def review_request(request_dir: Path, limits: Limits | None = None) -> Review:
    """Check the export in `request_dir` against its ticket.

    Raises `RequestError` only when the folder cannot be reviewed at all (no readable
    request.json, no export.zip). Everything wrong *inside* the export is a finding.
    """
    if not request_dir.is_dir():
        raise RequestError(f"{request_dir}: not a request folder")
    request = load_request(request_dir)
    archive = request_dir / EXPORT_NAME
    if not archive.is_file():
        raise RequestError(f"{request_dir}: no {EXPORT_NAME}")
    index = read_export(archive, limits or Limits())
    findings = run_checks(request, index)
    report = Report(
        request_id=request.request_id,
        archive_sha256=index.archive_sha256,
        findings=sort_findings(findings),
        stats=Stats.of(index),
    )
    return Review(request=request, index=index, report=report)
