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
    max_text_bytes: int = 32 << 20  # text read per member for the identity scan (tables parsed)
    max_json_bytes: int = 64 << 20  # a JSON member larger than this is not parsed (text only)
    max_total_text_bytes: int = 128 << 20  # text kept across the archive
    # PDFs are parsed in a child process. Each PDF gets processor time in proportion to its
    # size: base + per page + per MB, capped by the ceiling (pypdf reads an honest catalogue
    # page in 1.5 to 3 ms: an honest 2,340-page, 2.7 MB catalogue needs 4 to 7 s of its 62 s).
    # A PDF still reading page by page when its time is up is too large to check in time;
    # opening it, or one page, taking longer than `pdf_step_cpu_s` is the parser stuck.
    pdf_cpu_base_s: float = 10.0
    pdf_cpu_per_page_s: float = 0.02
    pdf_cpu_per_mb_s: float = 2.0
    pdf_cpu_max_s: float = 180.0
    pdf_step_cpu_s: float = 10.0
    pdf_memory_bytes: int = 1 << 30  # the PDF child's address-space limit
    max_pdf_bytes: int = 256 << 20  # a PDF larger than this is listed, not parsed
    max_nested_bytes: int = 256 << 20  # a nested archive larger than this is listed, not opened
