"""Placeholder: replaced by the safe reader."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.archive.limits import Limits
from reviewer.domain.model import ExportIndex


def read_export(path: Path, limits: Limits) -> ExportIndex:
    raise NotImplementedError
