"""The PDF parsing child process: pypdf runs here, never in the reviewer's own process.

Started as ``python -I -B .../_pdfchild.py MEMORY_BYTES CPU_SECONDS``. It caps its own
address space, and before each PDF its processor time (the kernel ends it with SIGXCPU when a
PDF takes longer), then answers requests on stdin/stdout: each request is an 8-byte little-endian
length followed by that many PDF bytes; each answer is one JSON line, either
``{"pages": [text, ...]}`` or ``{"error": "corrupt"|"memory"|"limit", "detail": "..."}``,
after progress lines ``P <pages done> <pages>`` (at most about ten a second). It writes
nothing else anywhere.
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
import sys
import time
from collections.abc import Callable
from typing import Any


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def _limit_cpu(seconds: float) -> None:
    """Allow `seconds` more processor time from now (RLIMIT_CPU counts whole seconds)."""
    try:
        import math
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(used + seconds)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


def _read_exact(stream: io.BufferedReader, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


# Fonts whose string bytes map to text by a known single-byte code page, with no glyph
# remapping: their strings can be read straight from the content stream.
_SIMPLE_ENCODINGS = {"/WinAnsiEncoding": "cp1252"}
_NEW_LINE_OPS = {b"Td", b"TD", b"T*", b"Tm", b"ET", b"'", b'"'}
_DATED_LINE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}", re.MULTILINE)
_TJ_SPACE = -250  # a TJ adjustment wider than a quarter em reads as a space


def _simple_fonts(page: Any) -> dict[str, str] | None:
    """Font name -> Python codec when every font of the page is simple, else None."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else {}
    if "/XObject" in resources:
        return None  # forms can draw text of their own
    codecs: dict[str, str] = {}
    for name, ref in fonts.items():
        font = ref.get_object()
        encoding = font.get("/Encoding")
        if (
            font.get("/Subtype") not in ("/Type1", "/TrueType")
            or "/ToUnicode" in font
            or not isinstance(encoding, str)
            or encoding not in _SIMPLE_ENCODINGS
        ):
            return None
        codecs[str(name)] = _SIMPLE_ENCODINGS[encoding]
    return codecs


def _string_bytes(obj: Any) -> bytes:
    if isinstance(obj, bytes):
        return bytes(obj)
    getter = getattr(obj, "get_original_bytes", None)
    return bytes(getter()) if getter is not None else str(obj).encode("latin-1", "replace")


def _fast_text(page: Any, reader: Any) -> str | None:
    """The page's text read from its content stream's text operators, or None when the page
    is not plain enough for that (then pypdf's extract_text reads it)."""
    from pypdf.generic import ContentStream

    codecs = _simple_fonts(page)
    if codecs is None:
        return None
    contents = page.get_contents()
    if contents is None:
        return ""
    lines: list[str] = []
    line: list[str] = []
    codec: str | None = None
    for operands, op in ContentStream(contents, reader).operations:
        if op == b"Tf":
            codec = codecs.get(str(operands[0])) if operands else None
            if codec is None:
                return None
        elif op in (b"Tj", b"'", b'"'):
            if op != b"Tj" and line:
                lines.append("".join(line))
                line = []
            if codec is None or not operands:
                return None
            line.append(_string_bytes(operands[-1]).decode(codec, "replace"))
        elif op == b"TJ":
            if codec is None or not operands:
                return None
            for item in operands[0]:
                if isinstance(item, (int, float)) or type(item).__name__ in (
                    "NumberObject",
                    "FloatObject",
                ):
                    if float(item) < _TJ_SPACE:
                        line.append(" ")
                else:
                    line.append(_string_bytes(item).decode(codec, "replace"))
        elif op in _NEW_LINE_OPS and line:
            lines.append("".join(line))
            line = []
    if line:
        lines.append("".join(line))
    return "\n".join(lines)


class _Pages:
    """Writes how many pages are read as progress lines, at most about ten a second."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.next = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now < self.next:
            return
        self.next = now + 0.1
        self.out.write(b"P %d %d\n" % (done, total))
        self.out.flush()


def _page_texts(reader: Any, report: Callable[[int, int], None]) -> list[str]:
    """Every page's text: from the text operators when all pages use simple fonts and that
    finds a dated line (a catalogue entry's header), else by pypdf's extract_text. Pages
    read by the text operators count as done once a dated line is found."""
    total = len(reader.pages)
    report(0, total)
    pages: list[str] = []
    dated = False
    for page in reader.pages:
        text = _fast_text(page, reader)
        if text is None:
            break
        pages.append(text)
        dated = dated or _DATED_LINE.search(text) is not None
        if dated:
            report(len(pages), total)
    else:
        if dated:
            return pages
    texts: list[str] = []
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        report(len(texts), total)
    return texts


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    cpu = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    if limit > 0:
        _limit_memory(limit)
    logging.disable(logging.CRITICAL)  # pypdf warns through logging; answers carry the errors
    # pypdf needs `cryptography` only to decrypt; an encrypted export PDF is a finding anyway,
    # and not importing it saves start-up time
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    import pypdf
    from pypdf.errors import LimitReachedError

    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    report = _Pages(stdout)
    while True:
        header = _read_exact(stdin, 8)  # type: ignore[arg-type]
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        data = _read_exact(stdin, size)  # type: ignore[arg-type]
        answer: dict[str, object]
        if cpu > 0:
            _limit_cpu(cpu)
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            pages = _page_texts(reader, report)
            answer = {"pages": pages}
        except MemoryError:
            answer = {"error": "memory", "detail": "the parser ran out of its memory limit"}
        except LimitReachedError as exc:
            answer = {"error": "limit", "detail": f"pypdf refused it: {exc}"[:300]}
        except RecursionError:
            answer = {"error": "limit", "detail": "objects nested without end"}
        except Exception as exc:  # noqa: BLE001 - every parser failure becomes an answer
            answer = {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        try:
            line = json.dumps(answer, ensure_ascii=True)
        except (ValueError, MemoryError):
            line = json.dumps({"error": "memory", "detail": "the text is too large to return"})
        del data
        stdout.write(line.encode("ascii") + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
