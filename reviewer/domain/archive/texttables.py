"""Tables written as text: JSON Lines (one JSON object a line) delimited tables and tables of
aligned columns (a printed report) that are not named as CSV (a `.txt`, a `.log`, a file without an extension, a recording's name on a
table's bytes). The reader keeps each as text for the identity scan and adds its table, so
another account's rows in it are found by their customer column whatever the shape of its
ids, and a voice history written so gives its recordings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: N817 - the name the standard library's docs use
from collections.abc import Container, Mapping

from reviewer.domain.archive.fieldnames import CUSTOMER_KEYS, SERVICE_KEYS, norm_key
from reviewer.domain.archive.spreadsheet import local_name, parse_xml
from reviewer.domain.archive.tabular import json_records_table, parse_csv, recording_columns
from reviewer.domain.model import Table

JSON_LINES_EXT = (".jsonl", ".ndjson", ".json")
HEADER_MAX = 4096  # characters of a line looked at for a table's header
HEADER_LINES = 6  # lines looked at for the header: a title, a comment or blank lines may come first
# A column's name in a header: a letter first, then up to 63 of letters, digits, spaces and
# the marks names carry ("customer_id", "Order #", "Cust. No.", "Total (EUR)")
_COLUMN_NAME = re.compile(r"[^\W\d][\w .#()/-]{0,63}")


def text_tables(
    texts: Mapping[str, str], known: Container[str], truncated: Container[str]
) -> dict[str, Table]:
    """The tables among `texts` (member -> text) that are none of `known` (members read as a
    table or a document already): JSON Lines (a `.jsonl`, `.ndjson`, a `.json` that is one
    object a line, or any text starting with "{"), and delimited tables whose header, on one
    of the first lines, names a customer column. A text read only in part (`truncated`) is
    left as text: its finding says so."""
    found: dict[str, Table] = {}
    for path, text in texts.items():
        if path in known or path in truncated:
            continue
        table: Table | None = None
        if path.lower().endswith(JSON_LINES_EXT) or text.lstrip("\ufeff \t\r\n")[:1] == "{":
            table = json_records_table(path, text)
        elif path.lower().endswith(".xml") and not _office_part(path):
            table = xml_records_table(path, text)
        else:
            start = _customer_header(text)
            if start is not None:
                table = parse_csv(path, text[start:])
            else:
                table = fixed_width_table(path, text)
        if table is not None and table.rows:
            found[path] = table
    return found


def _office_part(path: str) -> bool:
    """A part of an Office or OpenDocument package (a workbook's sheets are read as tables
    by `worksheet_tables`, and its other parts are no records)."""
    container = path.rpartition("!")[0].lower()
    return container.endswith(OFFICE_EXT)


OFFICE_EXT = (".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods", ".odp")
XML_RECORDS_MIN = 2  # elements of one name under one parent that make a table


def xml_records_table(member: str, text: str) -> Table | None:
    """The records of an XML document as a table, when they are an account's rows or a voice
    history: the element that repeats most under one parent (`<Utterance>` in
    `<VoiceHistory>`), each a row of its attributes and its childless child elements' texts,
    columns named without namespaces. Records with no customer field that describe no
    recordings stay text (settings, a page's markup). A document declaring a DOCTYPE or
    entities is never expanded: it stays text."""
    root = parse_xml(text.lstrip("\ufeff"))
    if root is None:
        return None
    best: list[ET.Element] = []
    for parent in root.iter():
        groups: dict[str, list[ET.Element]] = {}
        for child in parent:
            groups.setdefault(child.tag, []).append(child)
        for group in groups.values():
            if len(group) > len(best):
                best = group
    if len(best) < XML_RECORDS_MIN:
        return None
    records: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    tag = local_name(best[0].tag)
    service = norm_key(tag) in SERVICE_KEYS  # <Service name="Spotify">: its name is the service
    for element in best:
        record = {local_name(k): v.strip() for k, v in element.attrib.items()}
        if service and "name" in record:
            record[tag] = record.pop("name")
        for child in element:
            if len(child) == 0:
                record.setdefault(local_name(child.tag), (child.text or "").strip())
        records.append(record)
        columns.update(dict.fromkeys(record))
    table = Table.from_records(member, columns, records)
    keys = {norm_key(c) for c in table.columns}
    if keys & CUSTOMER_KEYS or recording_columns(table) is not None:
        return table
    return None


def _customer_header(text: str) -> int | None:
    """Where the header of the table in `text` starts, when one of its first lines is one: two
    or more cells split by one delimiter, one of them a customer key, each a column's name (a
    log line's "2018-07-01 12:00:00|customer|session start" is a row, not a header)."""
    pos = 1 if text.startswith("\ufeff") else 0
    for _ in range(HEADER_LINES):
        end = text.find("\n", pos, pos + HEADER_MAX)
        line = text[pos : end if end >= 0 else pos + HEADER_MAX].strip()
        if _is_header(line):
            return pos
        if end < 0:
            return None
        pos = end + 1
    return None


def _is_header(line: str) -> bool:
    for delimiter in (",", ";", "\t", "|"):
        cells = [c.strip().strip("\"'") for c in line.split(delimiter)]
        if (
            len(cells) >= 2
            and any(norm_key(c) in CUSTOMER_KEYS for c in cells)
            and all(not c or _COLUMN_NAME.fullmatch(c) for c in cells)
        ):
            return True
    return False


# Cells of a line of aligned columns: runs of text with single spaces inside, two or more
# spaces (or a tab) between them
_ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")
_RULE = re.compile(r"[\s=+|-]*")  # a line under a header: "-----  --------"


def fixed_width_table(member: str, text: str) -> Table | None:
    """The table of aligned columns in `text` (a report printed with spaces), when one of its
    first lines is a header of two or more columns, one of them a customer key: each row cut
    where the header's columns start, up to the first blank line after the rows."""
    lines = text.expandtabs(8).splitlines()
    for at, line in enumerate(lines[:HEADER_LINES]):
        cells = list(_ALIGNED_CELL.finditer(line))
        if (
            len(cells) < 2
            or not any(norm_key(c.group()) in CUSTOMER_KEYS for c in cells)
            or not all(_COLUMN_NAME.fullmatch(c.group()) for c in cells)
        ):
            continue
        starts = [c.start() for c in cells]
        bounds = list(zip(starts, [*starts[1:], None], strict=True))
        rows: list[tuple[str, ...]] = []
        for row in lines[at + 1 :]:
            if not row.strip():
                if rows:
                    break
                continue
            if _RULE.fullmatch(row):
                continue
            rows.append(tuple(row[a:b].strip() for a, b in bounds))
        columns = tuple(c.group() for c in cells)
        return Table(member=member, columns=columns, rows=rows) if rows else None
    return None
