"""The PDF parsing child process: pypdf runs here, never in the reviewer's own process.

Started as ``python -I -B .../_pdfchild.py MEMORY BASE PER_PAGE PER_MB CEILING STEP``. It
caps its own address space, then answers requests on stdin/stdout: each request is an 8-byte
little-endian length followed by that many PDF bytes. Each PDF gets processor time in
proportion to its size, ``min(CEILING, BASE + PER_PAGE * pages + PER_MB * megabytes)``,
checked after every page; opening the PDF and each page may take at most STEP seconds of
processor time (RLIMIT_CPU: the kernel ends the process with SIGXCPU when one step takes
longer, which is the parser stuck, not a large document).

While it reads, the child writes progress lines ``{"progress": pages_done, "of": pages,
"budget": seconds}`` (at most about ten a second, and always the first and the last); its
answer is one last JSON line: ``{"pages": [text, ...]}``, or
``{"error": "too-large", "done": n, "of": pages, "cpu": seconds, "pages": [the text of the
pages read]}`` when the time ran out while pages were being read one after another, or
``{"error": "corrupt"|"memory"|"limit", "detail": "..."}``. It writes nothing else anywhere.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import struct
import sys
import time
from typing import Any


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


class _Clock:
    """The processor time of one PDF: its budget, and the kernel's limit on each step."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.start = time.process_time()
        self.budget = math.inf
        self._soft = -1

    def used(self) -> float:
        return time.process_time() - self.start

    def next_step(self) -> None:
        """Allow one more step (opening the PDF, one page) `step` seconds of processor time
        from now; RLIMIT_CPU counts whole seconds of the process's life."""
        if self.step <= 0:
            return
        soft = math.ceil(time.process_time() + self.step)
        if soft == self._soft:
            return
        self._soft = soft
        try:
            import resource

            _old, hard = resource.getrlimit(resource.RLIMIT_CPU)
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        except (ImportError, ValueError, OSError):
            pass


class TooLarge(Exception):
    """The time allowed ran out while the pages were being read one after another."""

    def __init__(self, done: int, total: int, pages: list[str]) -> None:
        super().__init__(done)
        self.done = done
        self.total = total
        self.pages = pages


class _Progress:
    """Pages read so far, written to the parent (at most about ten lines a second, and always
    the first and the last), and the time budget checked after every page."""

    EVERY_S = 0.1

    def __init__(self, clock: _Clock, total: int, out: Any) -> None:
        self.clock = clock
        self.total = total
        self.out = out
        self._next = 0.0

    def page_done(self, done: int, pages: list[str], counted: bool = True) -> None:
        """One more page read; `counted` is False while its text may yet be read again."""
        if self.clock.used() > self.clock.budget and done < self.total:
            raise TooLarge(done, self.total, pages)
        self.report(done if counted else 0)
        self.clock.next_step()

    def report(self, done: int, first: bool = False) -> None:
        now = time.monotonic()
        if not first and done < self.total and now < self._next:
            return
        self._next = now + self.EVERY_S
        line = {"progress": done, "of": self.total, "budget": round(self.clock.budget, 3)}
        self.out.write(json.dumps(line).encode("ascii") + b"\n")
        self.out.flush()


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


def _page_texts(reader: Any, progress: _Progress) -> list[str]:
    """Every page's text: from the text operators when all pages use simple fonts and that
    finds a dated line (a catalogue entry's header), else by pypdf's extract_text. Pages
    read by the text operators count as read once a dated line is found."""
    pages: list[str] = []
    dated = False
    for page in reader.pages:
        text = _fast_text(page, reader)
        if text is None:
            break
        pages.append(text)
        dated = dated or _DATED_LINE.search(text) is not None
        progress.page_done(len(pages), pages, counted=dated)
    else:
        if dated:
            return pages
    pages = []
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        progress.page_done(len(pages), pages)
    return pages


def _answer(data: bytes, limits: list[float], out: Any) -> dict[str, object]:
    import pypdf
    from pypdf.errors import LimitReachedError

    base, per_page, per_mb, ceiling, step = limits
    clock = _Clock(step)
    clock.next_step()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        total = len(reader.pages)
        clock.budget = min(ceiling, base + per_page * total + per_mb * len(data) / 1e6)
        progress = _Progress(clock, total, out)
        progress.report(0, first=True)
        clock.next_step()
        return {"pages": _page_texts(reader, progress)}
    except TooLarge as stop:
        return {
            "error": "too-large",
            "done": stop.done,
            "of": stop.total,
            "cpu": round(clock.used(), 3),
            "budget": round(clock.budget, 3),
            "pages": stop.pages,
        }
    except MemoryError:
        return {"error": "memory", "detail": "the parser ran out of its memory limit"}
    except LimitReachedError as exc:
        return {"error": "limit", "detail": f"pypdf refused it: {exc}"[:300]}
    except RecursionError:
        return {"error": "limit", "detail": "objects nested without end"}
    except Exception as exc:  # noqa: BLE001 - every parser failure becomes an answer
        return {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:300]}


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    limits = [float(a) for a in sys.argv[2:7]]
    limits += [math.inf, 0.0, 0.0, math.inf, 0.0][len(limits) :]
    if memory > 0:
        _limit_memory(memory)
    logging.disable(logging.CRITICAL)  # pypdf warns through logging; answers carry the errors
    # pypdf needs `cryptography` only to decrypt; an encrypted export PDF is a finding anyway,
    # and not importing it saves start-up time
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    import pypdf  # noqa: F401 - imported before the first request, while the parent reads

    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    while True:
        header = _read_exact(stdin, 8)  # type: ignore[arg-type]
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        data = _read_exact(stdin, size)  # type: ignore[arg-type]
        answer = _answer(data, limits, stdout)
        del data
        try:
            line = json.dumps(answer, ensure_ascii=True)
        except (ValueError, MemoryError):
            line = json.dumps({"error": "memory", "detail": "the text is too large to return"})
        del answer
        stdout.write(line.encode("ascii") + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
