"""Office Open XML spreadsheets (.xlsx, .xlsm): each worksheet as a table.

A workbook is a ZIP archive; the reader opens it as a nested one, under the archive's limits,
and keeps the text of its XML parts like any text member (``book.xlsx!xl/sharedStrings.xml``,
``book.xlsx!xl/worksheets/sheet1.xml``). A worksheet's cells hold numbers, inline strings,
or indices into the shared strings: only the two together say what a row holds. Here they
are put together, so a sheet is checked as the table it is (a customer column, a holder's
name, no identifier at all), like a CSV member. A part whose text was cut, that is no
well-formed XML, or that declares a document type is left as the text it is.

Excel keeps a date as a number of days (a serial) and only its cell's number format
(``xl/styles.xml``) says it is one: such a cell is written as ISO 8601 ("2018-02-02", or
"2018-02-02T12:00:00" with a time of day), counted from the workbook's date system
(``date1904`` in ``xl/workbook.xml``), so a sheet's dates compare like a CSV's. When the
styles or the workbook part are missing, cut or do not read, numbers stay numbers.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from reviewer.domain.model import Table

WORKSHEETS = "xl/worksheets/"
SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
WORKBOOK = "xl/workbook.xml"
MAX_CELLS = 4_000_000  # rows times columns of one sheet's table (a sparse sheet may spread)

# built-in number formats that show a date or a time (ECMA-376 18.8.30: 14-22, 45-47)
BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})
EPOCH_1900 = datetime(1899, 12, 30)  # serial 0 (Excel's 1900 system, its leap-day bug included)
EPOCH_1904 = datetime(1904, 1, 1)
# what a format code shows verbatim: quoted text, an escaped character, a space as wide as
# a character (_x), a fill character (*x), and bracketed colours, conditions and locales
_LITERALS = re.compile(r'"[^"]*"?|\\.|_.|\*.|\[[^\]]*\]?')
_DATE_TOKEN = re.compile(r"[dmyhsDMYHS]")


@dataclass(frozen=True)
class _Book:
    """What a workbook's worksheets are read with."""

    strings: list[str]
    dates: frozenset[int] = frozenset()  # cell formats (``s``) that show a date or a time
    epoch: datetime = EPOCH_1900


def worksheet_tables(texts: Mapping[str, str], cut: Collection[str] = ()) -> dict[str, Table]:
    """Worksheet member -> its table (the first row its header, as in a CSV), for every
    worksheet among the kept `texts` whose workbook parts read whole (`cut`: members whose
    text was cut)."""
    tables: dict[str, Table] = {}
    books: dict[str, _Book | None] = {}  # workbook -> its parts, None when they do not read
    for path, text in texts.items():
        book, bang, part = path.rpartition("!")
        name = part.removeprefix(WORKSHEETS)
        if not bang or name == part or "/" in name or not name.endswith(".xml") or path in cut:
            continue
        if book not in books:
            books[book] = _book(texts, book + "!", cut)
        parts = books[book]
        if parts is None:
            continue
        table = _worksheet(path, text, parts)
        if table is not None:
            tables[path] = table
    return tables


def _book(texts: Mapping[str, str], prefix: str, cut: Collection[str]) -> _Book | None:
    """A workbook's shared strings, date formats and date system (None when its shared
    strings do not read; no date formats when its styles or workbook part do not)."""
    strings = prefix + SHARED_STRINGS
    shared = None if strings in cut else _shared_strings(texts.get(strings))
    if shared is None:
        return None
    styles, workbook = prefix + STYLES, prefix + WORKBOOK
    if styles in cut or workbook in cut:
        return _Book(shared)
    dates = _date_formats(texts.get(styles))
    epoch = _epoch(texts.get(workbook))
    if not dates or epoch is None:
        return _Book(shared)
    return _Book(shared, dates, epoch)


def _is_date_format(code: str) -> bool:
    """Whether a number format code shows a date or a time: a d, m, y, h or s outside what it
    shows verbatim (an "m" is a month, or a minute next to an h or s: a time either way)."""
    section = _LITERALS.sub("", code).split(";", 1)[0]
    return _DATE_TOKEN.search(section) is not None


def _date_formats(text: str | None) -> frozenset[int]:
    """The cell formats (indices into ``cellXfs``) whose number format is a date or a time."""
    root = None if text is None else parse_xml(text)
    if root is None:
        return frozenset()
    custom: dict[int, str] = {}
    xfs: list[ET.Element] = []
    for child in root:
        name = local_name(child.tag)
        if name == "numFmts":
            for fmt in child:
                number = _int(fmt.get("numFmtId"))
                if local_name(fmt.tag) == "numFmt" and number is not None:
                    custom[number] = fmt.get("formatCode", "")
        elif name == "cellXfs":
            xfs.extend(xf for xf in child if local_name(xf.tag) == "xf")
    dates: set[int] = set()
    for at, xf in enumerate(xfs):
        number = _int(xf.get("numFmtId", "0"))
        if number is None:
            continue
        code = custom.get(number)
        if _is_date_format(code) if code is not None else number in BUILTIN_DATE_FORMATS:
            dates.add(at)
    return frozenset(dates)


def _epoch(text: str | None) -> datetime | None:
    """Serial 0 of the workbook's date system, None when its workbook part does not read."""
    root = None if text is None else parse_xml(text)
    if root is None:
        return None
    for child in root:
        if local_name(child.tag) == "workbookPr":
            flag = child.get("date1904", "").strip().lower()
            return EPOCH_1904 if flag in ("1", "true") else EPOCH_1900
    return EPOCH_1900


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _iso(serial: str, epoch: datetime) -> str | None:
    """A date serial as ISO 8601, to the nearest second (a whole day as its date alone)."""
    try:
        days = float(serial)
        if not math.isfinite(days):
            return None
        moment = epoch + timedelta(seconds=round(days * 86400))
    except (ValueError, OverflowError):
        return None
    if moment.time() == datetime.min.time():
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def parse_xml(text: str) -> ET.Element | None:
    """The document's root element, or None when it does not parse or declares a DOCTYPE or
    entities (never expanded: a billion laughs stays text)."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # a workbook part declares none
        return None
    try:
        return ET.fromstring(text)
    except (ET.ParseError, ValueError):
        return None


def local_name(tag: str) -> str:
    """A tag without its namespace (transitional and strict OOXML name them differently)."""
    return tag.rpartition("}")[2]


def _string_item(item: ET.Element) -> str:
    """A shared or inline string: its text, or its rich-text runs joined (phonetic hints
    left out)."""
    parts: list[str] = []
    for child in item:
        name = local_name(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if local_name(t.tag) == "t")
    return "".join(parts)


def _shared_strings(text: str | None) -> list[str] | None:
    """The workbook's shared strings ([] when it has none), or None when they do not read."""
    if text is None:
        return []
    root = parse_xml(text)
    if root is None:
        return None
    return [_string_item(si) for si in root if local_name(si.tag) == "si"]


def _column(ref: str) -> int | None:
    """The column of a cell reference ("B7" -> 1), None without one."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n - 1 if n else None


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _cell(c: ET.Element, book: _Book) -> str:
    """A cell's text: a string's, a date's in ISO 8601, TRUE or FALSE, an error's (#N/A), or
    the number as stored."""
    kind = c.get("t", "n")
    if kind == "inlineStr":
        return "".join(_string_item(i) for i in c if local_name(i.tag) == "is")
    value = next((v.text or "" for v in c if local_name(v.tag) == "v"), "")
    if kind == "s":
        try:
            return book.strings[int(value)]
        except (ValueError, IndexError):
            return ""
    if kind == "b":
        flag = value.strip()
        return "TRUE" if flag in ("1", "true") else "FALSE" if flag in ("0", "false") else flag
    if kind == "n" and book.dates and value.strip():
        style = _int(c.get("s", "0"))
        if style is not None and style in book.dates:
            return _iso(value, book.epoch) or value
    return value  # a number, an error ("e"), a formula's string ("str"), an ISO date ("d")


def _worksheet(path: str, text: str, book: _Book) -> Table | None:
    root = parse_xml(text)
    if root is None:
        return None
    rows: list[dict[int, str]] = []
    used: set[int] = set()
    for row in root.iter():
        if local_name(row.tag) != "row":
            continue
        cells: dict[int, str] = {}
        at = 0
        for c in row:
            if local_name(c.tag) != "c":
                continue
            col = _column(c.get("r", ""))
            at = col if col is not None else at
            value = _cell(c, book).strip()
            if value:
                cells[at] = value
            at += 1
        if cells:
            rows.append(cells)
            used.update(cells)
    if not rows or len(used) * len(rows) > MAX_CELLS:
        return None
    order = sorted(used)
    header, body = rows[0], rows[1:]
    columns = tuple(header.get(i) or _letters(i) for i in order)
    return Table(path, columns, [tuple(r.get(i, "") for i in order) for r in body])
