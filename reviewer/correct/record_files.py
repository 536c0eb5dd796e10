"""The disclosure record as files: its JSON, the form written beside every release (whose
SHA-256 a purge records), and its readable page (`record.record_html`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

HTML_SUFFIXES = (".html", ".htm")


def record_json(record: dict[str, Any]) -> str:
    """The record as the JSON file holds it: keys sorted, two-space indents, a final newline."""
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_record(record: dict[str, Any], path: Path) -> None:
    """Write the record to a new file `path` (owner-only), as the page when its name ends in
    .html or .htm, else as JSON. An existing file is never overwritten: `FileExistsError`;
    other `OSError`s as the system gives them."""
    if path.suffix.lower() in HTML_SUFFIXES:
        from reviewer.correct.record import record_html

        body = record_html(record)
    else:
        body = record_json(record)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
