"""Spreadsheets (.xlsx) in an export: each worksheet is checked as the table it is, its dates
(Excel's day serials with a date number format) as the dates they show."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from test_checks_common import OTHER_ID, make_request

from reviewer.archive import Limits, read_export
from reviewer.archive.review import review_request
from reviewer.domain.archive.spreadsheet import worksheet_tables
from reviewer.domain.model import Severity

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CLEAN = Path(__file__).resolve().parents[1] / "sample_archives" / "clean"
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(rows: list[list[str]]) -> bytes:
    """A minimal workbook as Excel writes one: its strings shared, one cell inline."""
    strings = list(dict.fromkeys(v for row in rows for v in row[1:]))
    cells = [
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            if c == 0
            else f'<c r="{chr(65 + c)}{r}" t="s"><v>{strings.index(v)}</v></c>'
            for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    ]
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}"/>')
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{sst}</sst>',
        )
        z.writestr(
            SHEET,
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
            f"<sheetData>{''.join(cells)}</sheetData></worksheet>",
        )
    return buf.getvalue()


def test_a_spreadsheets_sheets_are_read_as_tables(tmp_path: Path) -> None:
    """An .xlsx member is a table like a CSV one: a sheet holding only a stranger's name is
    unattributed, never a silent pass; another account's rows are foreign records; the
    requester's own sheet is theirs."""
    import json

    import zipcraft
    from test_checks_common import REQ_ID

    from reviewer.archive import Limits, read_export
    from reviewer.domain.checks import run_checks

    profile = {"customer_id": REQ_ID, "name": "Jonas Weber", "email": "jonas.weber@example.de"}
    sheets = {
        "stranger": [["Name", "Telefon"], ["Lukas Brandt", "+49 30 1234567"]],
        "foreign": [["customer_id", "query"], [REQ_ID, "tee"], [REQ_ID, "tea"], [OTHER_ID, "lego"]],
        "own": [["name", "email"], ["Jonas Weber", "jonas.weber@example.de"]],
        "own-id": [["customer_id", "query"], [REQ_ID, "lego"]],
    }
    sheet = "Retail/Contacts.xlsx!xl/worksheets/sheet1.xml"
    found = {}
    for case, rows in sheets.items():
        archive = tmp_path / f"{case}.zip"
        members = {
            "Account/Profile.json": json.dumps(profile).encode(),
            "Retail/Contacts.xlsx": _xlsx(rows),
        }
        archive.write_bytes(zipcraft.zip_of(members))
        index = read_export(archive, Limits())
        assert index.tables[sheet].rows == [tuple(r) for r in rows[1:]], case
        found[case] = [
            (f.code, f.members)
            for f in run_checks(make_request(), index)
            if f.code not in ("zip-nested", "identity-evidence", "manifest-absent")
        ]
    assert found["stranger"] == [("unattributed-member", (sheet,))]
    assert found["foreign"] == [("foreign-records", (sheet,))]
    assert found["own"] == found["own-id"] == []


# -- workbooks as Excel writes them: numbers styled by xl/styles.xml ---------------------------


@dataclass(frozen=True)
class Cell:
    """A cell other than a shared string: its stored value, type (``t``) and style (``s``)."""

    v: str
    t: str | None = None
    s: int | None = None


def _book(
    rows: list[list[str | Cell]],
    formats: list[int | str] | None = None,
    date1904: str | None = None,
) -> bytes:
    """A workbook: str cells shared strings, `formats` its cell formats (``cellXfs``), each a
    built-in number format's id or a custom format code (no styles part when None)."""
    strings = list(dict.fromkeys(v for row in rows for v in row if isinstance(v, str)))

    def cell(ref: str, v: str | Cell) -> str:
        if isinstance(v, str):
            return f'<c r="{ref}" t="s"><v>{strings.index(v)}</v></c>'
        attrs = (f' t="{v.t}"' if v.t else "") + (f' s="{v.s}"' if v.s is not None else "")
        return f'<c r="{ref}"{attrs}><v>{escape(v.v)}</v></c>'

    data = "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    pr = f"<workbookPr date1904={quoteattr(date1904)}/>" if date1904 is not None else ""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(
            "xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}">{pr}</workbook>'
        )
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{MAIN}">{sst}</sst>')
        z.writestr(
            SHEET,
            f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{data}</sheetData></worksheet>',
        )
        if formats is not None:
            custom = {
                f: 164 + i for i, f in enumerate(dict.fromkeys(formats)) if isinstance(f, str)
            }
            fmts = "".join(
                f'<numFmt numFmtId="{n}" formatCode={quoteattr(code)}/>'
                for code, n in custom.items()
            )
            xfs = "".join(
                f'<xf numFmtId="{custom[f] if isinstance(f, str) else f}" applyNumberFormat="1"/>'
                for f in formats
            )
            z.writestr(
                "xl/styles.xml",
                f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}">'
                f'<numFmts count="{len(custom)}">{fmts}</numFmts>'
                f'<cellXfs count="{len(formats)}">{xfs}</cellXfs></styleSheet>',
            )
    return buf.getvalue()


def _serial(iso: str, epoch: datetime = datetime(1899, 12, 30, tzinfo=UTC)) -> str:
    """A moment as the day serial Excel stores (to 8 decimals, as a float prints)."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return repr(round((moment - epoch).total_seconds() / 86400, 8))


def _rows_of(tmp_path: Path, book: bytes) -> list[tuple[str, ...]]:
    """The table the reader makes of a workbook's first sheet (header row left out)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Misc/Book.xlsx", book)
    return list(read_export(archive, Limits()).tables["Misc/Book.xlsx!" + SHEET].rows)


def _review_clean_with(tmp_path: Path, members: dict[str, bytes | None]) -> list[tuple[str, str]]:
    """The sample's right export with `members` put in (None: taken out) and its manifest
    listing them, reviewed against its ticket: the findings other than info ones."""
    with zipfile.ZipFile(CLEAN / "export.zip") as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    for path, data in members.items():
        if data is None:
            del files[path]
        else:
            files[path] = data
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = [
        {"path": p, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
        for p, d in files.items()
        if p != "manifest.json"
    ]
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()
    folder = tmp_path / "request"
    folder.mkdir(parents=True)
    shutil.copy(CLEAN / "request.json", folder / "request.json")
    with zipfile.ZipFile(folder / "export.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(zipfile.ZipInfo(path, (2018, 8, 2, 9, 0, 0)), data)
    report = review_request(folder).report
    return [(f.code, f.detail) for f in report.findings if f.severity is not Severity.INFO]


def _voice_history_book(first_time: str | None = None) -> bytes:
    """The sample's voice history as Excel saves it: its timestamps day serials in a
    date-and-time format ("m/d/yyyy h:mm", built-in 22); `first_time` moves the first one."""
    with zipfile.ZipFile(CLEAN / "export.zip") as z:
        header, *body = csv.reader(io.StringIO(z.read("Alexa/VoiceHistory.csv").decode()))
    at = header.index("timestamp")
    if first_time is not None:
        body[0][at] = first_time
    rows: list[list[str | Cell]] = [list(header)]
    rows += [[Cell(_serial(v), s=1) if i == at else v for i, v in enumerate(r)] for r in body]
    return _book(rows, formats=[0, 22])


def test_a_voice_history_sheet_with_date_styled_times_matches_its_catalogue(
    tmp_path: Path,
) -> None:
    """Excel keeps the times of a voice history saved as .xlsx as day serials: they are the
    catalogue's times (no false catalogue-mismatch), and a recording from before its device
    was registered is still found."""
    xlsx = {"Alexa/VoiceHistory.csv": None, "Alexa/VoiceHistory.xlsx": _voice_history_book()}
    assert _review_clean_with(tmp_path / "right", xlsx) == []

    early = _voice_history_book(first_time="2017-01-01T12:00:00Z")
    found = _review_clean_with(
        tmp_path / "wrong",
        {"Alexa/VoiceHistory.csv": None, "Alexa/VoiceHistory.xlsx": early},
    )
    codes = [code for code, _ in found]
    assert "previous-owner" in codes, found
    assert any("2017-01-01" in detail for code, detail in found if code == "previous-owner")


def test_an_order_sheet_dated_before_the_account_is_found(tmp_path: Path) -> None:
    """An order date stored as a serial with a date format (built-in 14, "m/d/yyyy") is that
    date: an order from before the account existed is reported."""
    header = ["customer_id", "order_id", "date", "items", "total", "currency", "ship_city"]
    own = "A1QH7RZ3N8VW2E"
    row: list[str | Cell] = [
        own,
        "202-1",
        Cell("40913", s=1),
        "Kettle",
        Cell("20"),
        "GBP",
        "London",
    ]
    book = _book([list(header), row], formats=[0, 14])
    found = _review_clean_with(tmp_path, {"Retail/OrderHistory2.xlsx": book})
    assert [code for code, _ in found] == ["before-account"], found
    assert "2012-01-05" in found[0][1]


def test_dates_and_times_are_written_as_iso_8601(tmp_path: Path) -> None:
    """Whole days as dates, others with their time to the second; built-in and custom date
    formats alike, a minute ("mm" next to "hh") as much as a month."""
    rows: list[list[str | Cell]] = [
        ["date", "custom", "day", "time", "seconds"],
        [
            Cell("43132", s=1),  # built-in 14
            Cell("43132.75", s=2),  # dd/mm/yyyy hh:mm
            Cell("43132", s=3),  # [$-409]yyyy-mm-dd;@
            Cell("0.5", s=4),  # built-in 20, h:mm
            Cell("43132.0000115741", s=5),  # hh:mm:ss: one second past midnight
        ],
    ]
    book = _book(rows, formats=[0, 14, "dd/mm/yyyy hh:mm", "[$-409]yyyy-mm-dd;@", 20, "hh:mm:ss"])
    assert _rows_of(tmp_path, book) == [
        (
            "2018-02-01",
            "2018-02-01T18:00:00",
            "2018-02-01",
            "1899-12-30T12:00:00",
            "2018-02-01T00:00:01",
        )
    ]


def test_the_1904_date_system(tmp_path: Path) -> None:
    """A workbook in the 1904 date system (old Mac Excel) counts its days from 1904-01-01."""
    stamp = "2018-02-01T12:00:00"
    serial = _serial(stamp, datetime(1904, 1, 1, tzinfo=UTC))
    assert serial == "41670.5"
    rows: list[list[str | Cell]] = [["when"], [Cell(serial, s=1)]]
    for flag in ("1", "true"):
        assert _rows_of(tmp_path / flag, _book(rows, [0, 22], date1904=flag)) == [(stamp,)]
    assert _rows_of(tmp_path / "0", _book(rows, [0, 22], date1904="0")) == [
        ("2014-01-31T12:00:00",)
    ]


def test_numbers_in_other_formats_stay_numbers(tmp_path: Path) -> None:
    """A total, a count or an amount is no date: numbers without a date format are kept as
    stored, and so is every number when the styles part is missing or does not read."""
    rows: list[list[str | Cell]] = [
        ["general", "plain", "fixed", "red", "money", "text", "percent", "sci"],
        [
            Cell("43132.5"),
            Cell("43132.5", s=0),
            Cell("43132.5", s=1),
            Cell("43132.5", s=2),
            Cell("43132.5", s=3),
            Cell("43132.5", s=4),
            Cell("43132.5", s=5),
            Cell("43132.5", s=6),
        ],
    ]
    formats: list[int | str] = [
        0,
        "0.00",
        "[Red]0.00",
        '#,##0.00 "EUR";[Red]-#,##0.00 "EUR"',
        49,
        10,
        11,
    ]
    numbers = [("43132.5",) * 8]
    assert _rows_of(tmp_path / "formats", _book(rows, formats)) == numbers
    # the date format is there, but the styles are not (or cannot be trusted)
    dated: list[list[str | Cell]] = [["when"], [Cell("43132.5", s=1)]]
    assert _rows_of(tmp_path / "no-styles", _book(dated)) == [("43132.5",)]
    assert _rows_of(tmp_path / "styled", _book(dated, [0, 14])) == [("2018-02-01T12:00:00",)]
    with zipfile.ZipFile(io.BytesIO(_book(dated, [0, 14]))) as z:
        texts = {f"b.xlsx!{n}": z.read(n).decode() for n in z.namelist()}
    sheet = "b.xlsx!" + SHEET
    assert worksheet_tables(texts)[sheet].rows == [("2018-02-01T12:00:00",)]
    for part in ("xl/styles.xml", "xl/workbook.xml"):
        cut = worksheet_tables(texts, {"b.xlsx!" + part})
        assert cut[sheet].rows == [("43132.5",)], part
        doctype = dict(texts)
        doctype["b.xlsx!" + part] = '<!DOCTYPE x [<!ENTITY e "e">]>' + texts["b.xlsx!" + part]
        assert worksheet_tables(doctype)[sheet].rows == [("43132.5",)], part
    missing = {k: v for k, v in texts.items() if not k.endswith("styles.xml")}
    assert worksheet_tables(missing)[sheet].rows == [("43132.5",)]


def test_booleans_errors_and_formula_strings_read_as_excel_shows_them(tmp_path: Path) -> None:
    rows: list[list[str | Cell]] = [
        ["yes", "no", "error", "formula"],
        [Cell("1", t="b"), Cell("0", t="b"), Cell("#N/A", t="e"), Cell("GBP", t="str")],
    ]
    assert _rows_of(tmp_path, _book(rows, [0])) == [("TRUE", "FALSE", "#N/A", "GBP")]
