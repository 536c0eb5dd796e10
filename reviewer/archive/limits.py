"""Limits the reader enforces on every archive (documented in the README)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_members: int = 200_000  # members listed in one archive (nested ones included)
    max_total_bytes: int = 4 << 30  # real inflated bytes across the whole archive
    max_member_bytes: int = 1 << 30  # real inflated bytes of one member
    max_ratio: float = 200.0  # inflated / compressed, per member (deflate tops out near 1,032)
    ratio_floor_bytes: int = 1 << 20  # the ratio is only judged above this inflated size
    max_depth: int = 2  # nested archives opened this deep (the outer archive is depth 0)
    max_text_bytes: int = 8 << 20  # text kept per member for the identity scan
    max_json_bytes: int = 64 << 20  # a JSON member larger than this is not parsed (text only)
    max_total_text_bytes: int = 128 << 20  # text kept across the archive
    pdf_timeout_s: float = 30.0  # the transcript PDF is parsed in a child process ...
    pdf_memory_bytes: int = 1 << 30  # ... with this address-space limit
    max_pdf_bytes: int = 256 << 20  # a PDF larger than this is listed, not parsed
    max_nested_bytes: int = 256 << 20  # a nested archive larger than this is listed, not opened
