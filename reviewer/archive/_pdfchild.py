"""The PDF parsing child process: pypdf runs here, never in the reviewer's own process.

Started as ``python -I -B .../_pdfchild.py MEMORY BASE PER_PAGE PER_MB CEILING STEP``. It
caps its own address space, then answers requests on stdin/stdout: each request is an 8-byte
little-endian length followed by that many PDF bytes. Each PDF gets processor time in
proportion to its size, ``min(CEILING, BASE + PER_PAGE * pages + PER_MB * megabytes)``,
checked after every page; opening the PDF and each page may take at most STEP seconds of
processor time (RLIMIT_CPU: the kernel ends the process with SIGXCPU when one step takes
longer, which is the parser stuck, not a large document), and a page whose content is large
PER_MB seconds a megabyte of it more (at most CEILING): its size, not the parser, is why it
takes long.

While it reads, the child writes progress lines ``{"progress": pages_done, "of": pages,
"budget": seconds, "step": seconds}`` (at most about ten a second, always the first and the
last, and before a page given more time for its size); its answer is one last JSON line:
``{"pages": [text, ...]}``, or ``{"error": "too-large", "done": n, "of": pages, "cpu":
seconds, "pages": [the text of the pages read]}`` when the time ran out while pages were being
read one after another, or ``{"error": "corrupt"|"complex"|"memory"|"limit", "detail":
"..."}`` ("complex": it holds more than pypdf reads of one document, `_SIZE_LIMITS`). It
writes nothing else anywhere.
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

    def __init__(self, step: float, per_mb: float = 0.0, ceiling: float = math.inf) -> None:
        self.step = step
        self.per_mb = per_mb  # more time for a step, a megabyte of a page's content
        self.ceiling = ceiling
        self.allowed = step  # the time allowed for the step under way
        self.start = time.process_time()
        self.budget = math.inf
        self._soft = -1

    def used(self) -> float:
        return time.process_time() - self.start

    def next_step(self, extra: float = 0.0) -> None:
        """Allow one more step (opening the PDF, one page) `step` (and `extra`) seconds of
        processor time from now; RLIMIT_CPU counts whole seconds of the process's life."""
        if self.step <= 0:
            return
        self.allowed = self.step + extra
        soft = math.ceil(time.process_time() + self.allowed)
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
        self._done = 0  # as last reported

    def page_done(self, done: int, pages: list[str], counted: bool = True) -> None:
        """One more page read; `counted` is False while its text may yet be read again."""
        if self.clock.used() > self.clock.budget and done < self.total:
            raise TooLarge(done, self.total, pages)
        self.clock.next_step()
        self.report(done if counted else 0)

    def page_size(self, page: Any) -> None:
        """The next page to read: when its content is large, its step gets `per_mb` seconds
        a megabyte of it more (at most `ceiling`), and the parent is told. Content pypdf
        cannot decode changes nothing: reading the page says why."""
        clock = self.clock
        if clock.step <= 0 or clock.per_mb <= 0:
            return
        try:
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
        except Exception:  # noqa: BLE001 - the page's own reading raises it again
            return
        extra = min(clock.ceiling, clock.per_mb * size / 1e6)
        if extra >= 1.0:
            clock.next_step(extra)
            self.report(self._done, first=True)

    def report(self, done: int, first: bool = False) -> None:
        now = time.monotonic()
        if not first and done < self.total and now < self._next:
            return
        self._next = now + self.EVERY_S
        self._done = done
        clock = self.clock
        line = {
            "progress": done,
            "of": self.total,
            "budget": round(clock.budget, 3),
            "step": round(clock.allowed, 3),
        }
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


# ----------------------------------------------------------------- the content stream, quickly
#
# pypdf's `ContentStream(...).operations` reads a content stream a byte at a time in Python
# (about 85% of the child's time on an 870-page catalogue). `_quick_ops` reads the same
# operators and operands with regular expressions, for streams made only of what a plain text
# page holds: operators, numbers, names, literal and hex strings, arrays of those, comments.
# Anything else (dictionaries, inline images, indirect references, names with # escapes,
# tokens near pypdf's length limits, a stream near its token budget, a malformed token)
# returns None, and pypdf's own parser reads the page, so what pypdf would accept, refuse or
# raise is still decided by pypdf. Operands come back as plain values: names as str, strings
# as the bytes pypdf's string objects hold, numbers as int or float, arrays as lists.

QUICK_MAX_BYTES = 1 << 20  # longer streams go to pypdf (its token budget is 2,000,000)
ARRAY_MAX = 50_000  # longer arrays too (pypdf allows 100,000 elements)
_WS = b"\x00\t\n\x0c\r "  # pypdf's whitespace between tokens
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"(?P<op>[A-Za-z'\"][^\s()<>\[\]{}/%]*)"
    rb"|(?P<num>[+\-.0-9][+,\-.0-9]*)"
    rb"|(?P<name>/[^\s()<>\[\]{}/%]*)"
    rb"|\((?P<str>[^()\\]*)\)"
    rb"|(?P<lit>\()"
    rb"|<(?P<hex>[0-9A-Fa-f\x00\t\n\x0c\r ]*)>"
    rb"|(?P<open>\[)"
    rb"|(?P<close>\])"
    rb"|(?P<comment>%[^\r\n]*[\r\n]?)"
    rb"|(?P<end>\Z))"
)
_INT = re.compile(rb"[+-]?[0-9]+")
_FLOAT = re.compile(rb"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_BOMS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")
_ESCAPES: dict[int, int] = {}
_STRINGS_AS_IS: list[bool] = []  # [True] once pypdf is seen to keep plain string bytes as read


def _strings_as_is() -> bool:
    """Whether pypdf's string objects give back (through `_string_bytes`) exactly the bytes
    they were read from, for strings that do not start with a byte-order mark: true when it
    holds for every single byte (its decoding is byte by byte). Checked once per child."""
    if not _STRINGS_AS_IS:
        from pypdf.generic import create_string_object
        from pypdf.generic._utils import __ESCAPE_DICT__ as escapes

        _ESCAPES.update({k[0]: v for k, v in escapes.items()})
        _STRINGS_AS_IS.append(
            all(_string_bytes(create_string_object(bytes([b]))) == bytes([b]) for b in range(256))
        )
    return _STRINGS_AS_IS[0]


def _literal(data: bytes, pos: int) -> tuple[bytes, int] | None:
    """The bytes of the literal string whose "(" is at `pos`, and where it ends, read as
    pypdf reads them (escapes, nested parentheses); None when it runs to the end."""
    out = bytearray()
    n = len(data)
    i = pos + 1
    parens = 1
    escapes = _ESCAPES
    while True:
        if i >= n:
            return None
        c = data[i]
        i += 1
        if c == 0x28:
            parens += 1
        elif c == 0x29:
            parens -= 1
            if parens == 0:
                return bytes(out), i
        elif c == 0x5C:
            if i >= n:
                return None
            c = data[i]
            i += 1
            if c in escapes:
                out.append(escapes[c])
                continue
            if 0x30 <= c <= 0x37:
                first = i - 1
                digits = bytes([c])
                while len(digits) < 3 and i < n and 0x30 <= data[i] <= 0x37:
                    digits += data[i : i + 1]
                    i += 1
                value = int(digits, 8)
                if value > 255:
                    out.append(0x5C)
                    i = first
                else:
                    out.append(value)
                continue
            if c in (0x0A, 0x0D):
                if i < n and data[i] in (0x0A, 0x0D):
                    i += 1
                continue
            out.append(0x5C)
        out.append(c)


def _string_value(raw: bytes) -> bytes:
    """What `_string_bytes` gives for the string object pypdf makes of `raw`."""
    if raw.startswith(_BOMS):
        from pypdf.generic import create_string_object

        return _string_bytes(create_string_object(raw))
    return raw


def _quick_ops(data: bytes) -> list[tuple[list[Any], bytes]] | None:
    """The content stream's (operands, operator) pairs as pypdf reads them, or None when the
    stream holds anything but the plain tokens above (pypdf then reads it)."""
    if len(data) > QUICK_MAX_BYTES or not _strings_as_is():
        return None
    ops: list[tuple[list[Any], bytes]] = []
    operands: list[Any] = []
    array: list[Any] | None = None
    match = _TOKEN.match
    pos = 0
    while True:
        m = match(data, pos)
        if m is None:
            return None
        pos = m.end()
        kind = m.lastgroup
        value: Any
        if kind == "str":
            value = _string_value(m.group("str"))
        elif kind == "num":
            tok = m.group("num")
            if len(tok) > 16:
                return None
            if _INT.fullmatch(tok):
                value = int(tok)
            elif _FLOAT.fullmatch(tok):
                value = float(tok)
            else:
                return None
        elif kind == "op":
            op = m.group("op")
            if (
                array is not None
                or len(op) > 64
                or op == b"BI"
                or op[:1] == b"R"
                and (len(op) == 1 or not op[1:2].isalpha())
            ):
                return None  # an inline image, an indirect reference, a boolean in an array
            ops.append((operands, op))
            operands = []
            continue
        elif kind == "name":
            tok = m.group("name")
            if len(tok) > 1024 or b"#" in tok or not tok.isascii():
                return None
            value = tok.decode("ascii")
        elif kind == "lit":
            found = _literal(data, pos - 1)
            if found is None:
                return None
            raw, pos = found
            value = _string_value(raw)
        elif kind == "hex":
            digits = m.group("hex").translate(None, _WS)
            if len(digits) % 2:
                digits += b"0"
            value = _string_value(bytes.fromhex(digits.decode("ascii")))
        elif kind == "open":
            if array is not None:
                return None
            array = []
            continue
        elif kind == "close":
            if array is None or len(array) > ARRAY_MAX:
                return None
            value, array = array, None
        elif kind == "comment":
            if array is not None:
                return None
            continue
        else:  # the end
            return None if array is not None else ops
        if array is not None:
            array.append(value)
        else:
            operands.append(value)


class _Slow(Exception):
    """An operand the quick reading does not give as pypdf's objects would: read the page
    with pypdf's parser."""


def _has_text_operator(data: bytes) -> bool:
    """Whether a content stream holds an operator that shows text, as pypdf's extract_text
    judges it (True when that pypdf has no such judgement)."""
    try:
        from pypdf._text_extraction import _has_text_operator as has_text
    except ImportError:
        return True
    return bool(has_text(data))


def _fast_text(page: Any, reader: Any, progress: _Progress | None = None) -> str | None:
    """The page's text read from its content stream's text operators, or None when the page
    is not plain enough for that (then pypdf's extract_text reads it). `progress` is told
    the size of its content before it is parsed."""
    from pypdf.generic import ContentStream

    codecs = _simple_fonts(page)
    if codecs is None:
        return None
    contents = page.get_contents()
    if contents is None:
        return ""
    data = contents.get_data()
    if not _has_text_operator(data):
        return ""  # a figure: pypdf's extract_text does not parse it either
    if progress is not None and len(data) > QUICK_MAX_BYTES:
        progress.page_size(page)
    quick = _quick_ops(data)
    if quick is not None:
        try:
            return _operators_text(quick, codecs, True)
        except _Slow:
            pass
    return _operators_text(ContentStream(contents, reader).operations, codecs, False)


def _operators_text(
    ops: list[tuple[Any, bytes]], codecs: dict[str, str], quick: bool
) -> str | None:
    """The text of the text operators in `ops`; None when a font is not one of `codecs`, an
    operand that places text is not a number, or text is not set upright (pypdf then reads
    the page). `quick`: the operands are `_quick_ops`' plain values, and one pypdf would make
    differently (a string where a name belongs, say) raises `_Slow`.

    Lines break where pypdf's extract_text breaks them: text set on another baseline (farther
    than 0.8 of the font's size from the line's) starts a new line; text set farther along
    the same baseline after a move (the next cell of a table row, each cell in its own text
    object) continues the line after a space."""
    text = _Text()
    codec: str | None = None
    try:
        for operands, op in ops:
            if op == b"Tf":
                if quick and operands and type(operands[0]) is not str:
                    raise _Slow
                codec = codecs.get(str(operands[0])) if operands else None
                if codec is None:
                    return None
                text.size = _number(operands[1], quick) if len(operands) > 1 else 0.0
            elif op in _PLACES or op == b"Tj":
                if op != b"Tj":
                    text.place(op, operands, quick)
                if op in _SHOWS:  # Tj, and ' and " after the move to the next line
                    if codec is None or not operands:
                        return None
                    if quick and type(operands[-1]) is not bytes:
                        raise _Slow
                    text.show(_string_bytes(operands[-1]).decode(codec, "replace"))
            elif op == b"TJ":
                if codec is None or not operands:
                    return None
                items = operands[0]
                if quick and type(items) is not list:
                    raise _Slow
                for item in items:
                    if quick:
                        if type(item) is bytes:
                            text.show(item.decode(codec, "replace"))
                        elif type(item) is int or type(item) is float:
                            if float(item) < _TJ_SPACE:
                                text.space()
                        else:
                            raise _Slow
                    elif isinstance(item, (int, float)) or type(item).__name__ in (
                        "NumberObject",
                        "FloatObject",
                    ):
                        if float(item) < _TJ_SPACE:
                            text.space()
                    else:
                        text.show(_string_bytes(item).decode(codec, "replace"))
    except _NotPlain:
        return None
    return text.done()


# operators that place text: set the text or graphics matrix, the leading, or move to the
# next line (' and " then show text)
_SHOWS = {b"Tj", b"'", b'"'}  # operators that show one string (TJ shows an array)
_PLACES = {b"BT", b"Td", b"TD", b"T*", b"Tm", b"TL", b"q", b"Q", b"cm", b"'", b'"'}
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class _NotPlain(Exception):
    """An operand that places text is not a number: pypdf reads the page."""


def _number(value: Any, quick: bool) -> float:
    """A numeric operand as a float; `_Slow` (quick) or `_NotPlain` when it is none."""
    if type(value) is int or type(value) is float:
        return float(value)
    if quick:
        raise _Slow
    if isinstance(value, (int, float)):  # pypdf's NumberObject and FloatObject
        return float(value)
    raise _NotPlain


def _times(m: _Matrix, n: _Matrix) -> _Matrix:
    """The matrix product m x n, in the PDF's row-vector convention."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


class _Text:
    """A page's lines as its text is shown, and where it is shown: the text line matrix,
    the graphics state's matrix (cm, q, Q), the leading and the font's size."""

    __slots__ = (
        "ctm",
        "high",
        "leading",
        "line",
        "lines",
        "low",
        "matrix",
        "moved",
        "saved",
        "size",
    )

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self.matrix = _IDENTITY
        self.ctm = _IDENTITY
        self.saved: list[_Matrix] = []
        self.leading = 0.0
        self.size = 0.0
        self.low = self.high = 0.0  # the baselines the current line's text was set on
        self.moved = False  # the text position was set since the last text shown

    def place(self, op: bytes, operands: list[Any], quick: bool) -> None:
        """Follow an operator of `_PLACES`; `_NotPlain` (or `_Slow`) when its operands are
        not numbers."""
        if op in (b"Td", b"TD"):
            if len(operands) < 2:
                raise _NotPlain
            tx, ty = _number(operands[-2], quick), _number(operands[-1], quick)
            if op == b"TD":
                self.leading = -ty
            self.matrix = _times((1.0, 0.0, 0.0, 1.0, tx, ty), self.matrix)
        elif op in (b"T*", b"'", b'"'):
            self.matrix = _times((1.0, 0.0, 0.0, 1.0, 0.0, -self.leading), self.matrix)
        elif op == b"Tm" or op == b"cm":
            if len(operands) < 6:
                raise _NotPlain
            a, b, c, d, e, f = (_number(v, quick) for v in operands[-6:])
            if op == b"cm":
                self.ctm = _times((a, b, c, d, e, f), self.ctm)
                return
            self.matrix = (a, b, c, d, e, f)
        elif op == b"BT":
            self.matrix = _IDENTITY
        elif op == b"TL":
            if not operands:
                raise _NotPlain
            self.leading = _number(operands[-1], quick)
            return
        elif op == b"q":
            self.saved.append(self.ctm)
            return
        elif op == b"Q":
            if self.saved:
                self.ctm = self.saved.pop()
            return
        self.moved = True

    def show(self, text: str) -> None:
        """`text` shown where the text position is."""
        if self.ctm is _IDENTITY:  # no cm: the text matrix places it on the page
            a, b, c, d, _e, y = self.matrix
        else:
            a, b, c, d, _e, y = _times(self.matrix, self.ctm)
        if not (a > 0 and d > 0 and abs(b) <= 1e-6 * a and abs(c) <= 1e-6 * d):
            raise _NotPlain  # turned or mirrored: pypdf reads text by its orientation
        if self.line:
            distance = (
                0.0 if self.low <= y <= self.high else min(abs(y - self.low), abs(y - self.high))
            )
            if distance > 0.8 * abs(self.size) * d:
                self.lines.append("".join(self.line))
                self.line = []
            elif self.moved and text[:1] != " " and self.line[-1][-1:] != " ":
                self.line.append(" ")
        if not self.line:
            self.low = self.high = y
        else:
            self.low, self.high = min(self.low, y), max(self.high, y)
        self.moved = False
        if text:
            self.line.append(text)

    def space(self) -> None:
        self.line.append(" ")

    def done(self) -> str:
        if self.line:
            self.lines.append("".join(self.line))
        return "\n".join(self.lines)


def _page_texts(reader: Any, progress: _Progress) -> list[str]:
    """Every page's text: from the text operators when all pages use simple fonts and that
    finds a dated line (a catalogue entry's header), else by pypdf's extract_text (also when
    the text operators' reading fails on what it does not expect). Pages read by the text
    operators count as read once a dated line is found."""
    from pypdf.errors import LimitReachedError

    pages: list[str] = []
    dated = False
    for page in reader.pages:
        try:
            text = _fast_text(page, reader, progress)
        except (TooLarge, LimitReachedError, MemoryError, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - what the quick reading does not expect (a number
            text = None  # where a font or a TJ array belongs), pypdf's extract_text judges
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
        progress.page_size(page)
        pages.append(page.extract_text() or "")
        progress.page_done(len(pages), pages)
    return pages


EXTRA_MAX = 1 << 20  # characters of metadata and embedded files' text kept from one PDF


def _beside_pages(reader: Any) -> str:
    """What a PDF holds beside its pages, as text: its document information (title, author,
    subject, keywords) and its embedded files (name, then content as text). A catalogue
    titled with a stranger's name, or carrying another account's voice history as an
    attachment, is delivered with it. Nothing when pypdf cannot read them."""
    lines: list[str] = []
    try:
        info = reader.metadata or {}
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator"):
            value = info.get(key)
            if value:
                lines.append(f"{key[1:]}: {value}")
    except Exception:  # noqa: BLE001, S110 - a damaged info dictionary: the pages still count
        pass
    try:
        size = sum(len(line) for line in lines)
        for name, contents in reader.attachments.items():
            lines.append(f"Embedded file: {name}")
            for content in contents:
                raw = bytes(content[: max(0, EXTRA_MAX - size)])
                try:
                    lines.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    lines.append(raw.decode("latin-1"))
                size += len(raw)
            if size >= EXTRA_MAX:
                break  # enough to scan; the rest is not kept
    except Exception:  # noqa: BLE001, S110 - damaged attachments: the pages still count
        pass
    return "\n".join(lines)[:EXTRA_MAX]


def _decrypting() -> None:
    """Let pypdf decrypt AES as well as RC4: `cryptography`, kept from being imported at
    start-up, is made importable again and pypdf's crypt provider chosen anew (it picks one
    when it is imported, the pure-Python fallback, which reads no AES, when `cryptography`
    is missing). Only an encrypted PDF pays for the import, once per child."""
    if "cryptography" not in sys.modules or sys.modules["cryptography"] is not None:
        return  # importable already (or imported): pypdf chose it
    del sys.modules["cryptography"]
    import importlib

    import pypdf
    import pypdf._crypt_providers as providers
    import pypdf._encryption as encryption

    importlib.reload(providers)
    # _encryption bound the names at import: rebound, not reloaded (a reload would make new
    # classes, PasswordType among them, that the reader's own references are not)
    for name in providers.__all__:
        if hasattr(encryption, name):
            setattr(encryption, name, getattr(providers, name))
    pypdf.crypt_provider = providers.crypt_provider


PASSWORD = "the PDF is protected by a password, so its text cannot be read or checked"


# pypdf's limits on how much one document holds (tokens of a content stream, elements of an
# array, entries of a dictionary, of its page tree, outline or names, form fields): an honest
# document can hold that much (a drawing of 350,000 lines). Its other limits (decompression,
# loops, depth) stop documents built to harm the reader.
_SIZE_LIMITS = re.compile(
    r"number of tokens|element count|number of dictionary entries|entry limit|number of fields",
    re.IGNORECASE,
)


def _answer(data: bytes, limits: list[float], out: Any) -> dict[str, object]:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    base, per_page, per_mb, ceiling, step = limits
    clock = _Clock(step, per_mb, ceiling)
    clock.next_step()
    try:
        if b"/Encrypt" in data:  # decrypted with the empty password, as every viewer does
            _decrypting()
        reader = pypdf.PdfReader(io.BytesIO(data))
        total = len(reader.pages)
        clock.budget = min(ceiling, base + per_page * total + per_mb * len(data) / 1e6)
        progress = _Progress(clock, total, out)
        progress.report(0, first=True)
        clock.next_step()
        pages = _page_texts(reader, progress)
        clock.next_step()
        return {"pages": pages, "extra": _beside_pages(reader)}
    except TooLarge as stop:
        return {
            "error": "too-large",
            "done": stop.done,
            "of": stop.total,
            "cpu": round(clock.used(), 3),
            "budget": round(clock.budget, 3),
            "pages": stop.pages,
        }
    except FileNotDecryptedError:
        return {"error": "corrupt", "detail": PASSWORD}
    except MemoryError:
        return {"error": "memory", "detail": "the parser ran out of its memory limit"}
    except LimitReachedError as exc:
        if _SIZE_LIMITS.search(str(exc)):
            return {"error": "complex", "detail": f"pypdf reads no more of it: {exc}"[:300]}
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
    # pypdf needs `cryptography` only to decrypt AES; not importing it saves start-up time,
    # and an encrypted PDF makes it importable again (`_decrypting`)
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    # Pillow is kept out too: pypdf needs it only to extract images (never done here), and
    # imported it only for its version string (2 MiB of the child's memory)
    sys.modules["PIL"] = None  # type: ignore[assignment]
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
