"""Review one request folder: load the ticket, read the export safely, run every check."""

from __future__ import annotations

from pathlib import Path

from reviewer.archive.collector import few_full_collections
from reviewer.archive.export import read_export
from reviewer.archive.limits import Limits
from reviewer.archive.progress import ProgressCallback
from reviewer.domain.review import Review, open_request, review_index


def review_request(
    request_dir: Path, limits: Limits | None = None, progress: ProgressCallback | None = None
) -> Review:
    """Check the export in `request_dir` against its ticket; `progress` is told how far the
    reading of the export has got (see `read_export`).

    Raises `RequestError` only when the folder cannot be reviewed at all (no readable
    request.json, no export.zip). Everything wrong *inside* the export is a finding.
    """
    request, archive = open_request(request_dir)
    # the checks too run without a full collection of the index just read (see
    # `few_full_collections`)
    with few_full_collections():
        index = read_export(archive, limits or Limits(), progress)
        return review_index(request, index)
