"""CSV and JSON members: decoding, tables, and the voice history's recordings.

Text is UTF-8 (a byte-order mark is fine), else UTF-16, else Windows-1252. A CSV
becomes a `Table`; a JSON list of objects, or an object holding exactly one list of objects,
becomes a `Table` too, so other pipelines' JSON histories are checked like CSV ones. A
recording's device given as an object (``"device": {"serial": ..., "type": ...}``) yields its
serial and type (`split_device`). Recordings grouped under a parent (under their device's
serial, their account's id or their day as a key, or in an object naming their device) are
read as if each carried its group's field (`_grouped`, `_with_parents`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, overload

from reviewer.domain.archive.fieldnames import CUSTOMER_KEYS, is_linked_account, norm_key
from reviewer.domain.archive.sniff import code_unit, wide_codec
from reviewer.domain.archive.times import day_order, parse_export_time
from reviewer.domain.model import Recording, Table

VOICE_HISTORY = "Alexa/VoiceHistory.csv"
MAX_CELL = 1 << 16  # characters kept per cell
SHARE_MAX = 128  # cells and JSON strings up to this long are shared between tables (interned)

_intern = sys.intern

# normalised column name (lower case, letters and digits only) -> recording field
_ALIASES: dict[str, tuple[str, ...]] = {
    "utterance_id": (
        "utteranceid",
        "utterance",
        "recordingid",
        "interactionid",
        "voiceid",
        # German, French, Spanish, Italian, Dutch ("ID de l'énoncé", "ID del enunciado")
        "ausserungsid",
        "ausserungskennung",
        "idderausserung",
        "iddenonce",
        "iddelenonce",
        "idenonce",
        "identifiantdenonce",
        "identifiantdelenonce",
        "iddeenunciado",
        "iddelenunciado",
        "idenunciado",
        "identificadordeenunciado",
        "identificadordelenunciado",
        "iddellenunciato",
        "idenunciato",
        "identificativodellenunciato",
        "uitingid",
        "iduiting",
        "idvandeuiting",
        "id",
    ),
    "timestamp": (
        "timestamp",
        "time",
        "datetime",
        "date",
        "createdat",
        "recordedat",
        "creationtime",
        "creationtimestamp",  # Alexa's own
        "createdtimestamp",
        "eventtimestamp",
        "timestamputc",  # the zone in the name
        "utctimestamp",
        "timeutc",
        "utctime",
        "when",
        "zeitstempel",
        "zeitpunkt",
        "datum",
        "horodatage",
        "dateetheure",
        "marcadetiempo",
        "fechayhora",
        "fecha",
        "dataeora",
        "tijdstempel",
    ),
    # the names an account's column goes by (`CUSTOMER_KEYS`), the usual ones first
    "customer_id": (
        "customerid",
        "customer",
        "accountid",
        "account",
        "ownerid",
        *sorted(CUSTOMER_KEYS - {"customerid", "customer", "accountid", "account", "ownerid"}),
    ),
    "device_serial": (
        "deviceserial",
        "serial",
        "serialnumber",
        "deviceserialnumber",
        "deviceserialno",
        "serialno",
        "dsn",
        "devicesn",
        "seriennummer",  # German, French, Spanish, Italian, Dutch
        "seriennummerdesgerats",
        "geratenummer",
        "seriennr",
        "numerodeseriedelappareil",
        "numerodeseriedeldispositivo",
        "numerodeserie",
        "numerodiserie",
        "numeroserie",  # "numeroSerie", "número serie"
        "serienummer",
        "device",
        "deviceid",
        # Alexa's activity history: a list of device objects
        "sourcedeviceids",
        "sourcedeviceid",
        "sourcedevice",
        "devices",
    ),
    "device_type": (
        "devicetype",
        "devicemodel",
        "devicefamily",
        "model",
        "geratetyp",
        "typedappareil",
        "tipodedispositivo",
        "tipodidispositivo",
        "apparaattype",
    ),
    "audio_member": (
        "audiofile",
        "audio",
        "audiopath",
        "audiomember",
        "recording",
        "recordingfile",
        "file",
        "wav",
        "audiodatei",
        "fichieraudio",
        "archivodeaudio",
        "fileaudio",
        "audiobestand",
    ),
    "transcript": (
        "transcript",
        "transcription",
        "utterancetext",
        "text",
        "asrtext",
        "transkript",
        "transcripcion",
        "trascrizione",
        "transcriptie",
    ),
}


# each recording field's names, normalised
_FIELD_NAMES = {fld: frozenset(names) for fld, names in _ALIASES.items()}


# Windows-1252, with latin-1's characters for the five bytes it leaves undefined: the
# Windows text that is not UTF-8 uses 0x80-0x9F for printable characters ("…", "€", "’")
_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


def decode_text(data: bytes) -> str:
    """A member's bytes as text: UTF-8 (a byte order mark is fine), else UTF-32 or UTF-16
    (with its mark, or Latin text whose code units' other bytes are NULs: `wide_codec`), else
    Windows-1252. Stray NULs in 8-bit text
    read as spaces (so cells and words around them stay apart)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif (wide := wide_codec(data[:512])) is not None:
        codec, mark = wide
        unit = code_unit(codec)
        body = data[mark : mark + (len(data) - mark) // unit * unit]
        try:
            return body.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start >= len(body) - 4:  # a surrogate pair cut at the end of a capped read
                return body[: exc.start].decode(codec)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = _cut_utf8(data, exc.start) or codecs.charmap_decode(data, "strict", _CP1252)[0]
    return text.replace("\x00", " ") if "\x00" in text else text


def _cut_utf8(data: bytes, bad: int) -> str:
    """`data` as UTF-8 when its only fault, at `bad`, is a character cut at the end of a
    capped read; else ""."""
    if bad < len(data) - 3:
        return ""
    try:
        return data[:bad].decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_delimiter_cached = lru_cache(maxsize=1024)(_delimiter)
HEADER_CACHED = 1024  # header lines up to this long are remembered (small tables share a few)
# tables with no quote and no line longer than this (csv's field limit, so no cell can pass
# it) are split by hand
PLAIN_CSV_MAX = 1 << 17


def split_lines(text: str) -> list[str]:
    """`text`'s lines, broken only where the csv module breaks records (CR LF, LF, CR):
    not at the other characters `str.splitlines` breaks at (NEL, U+2028, U+2029, vertical
    tab, form feed, \\x1c-\\x1e), which are characters of a cell. The last line is "" when
    the text ends with a line break."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# the characters other than CR and LF that `str.splitlines` breaks at
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _csv_lines(text: str) -> Iterator[str] | list[str]:
    """`text` as the csv module reads a file opened with newline="": lines with their line
    breaks (CR LF, LF or CR), which a quoted cell keeps."""
    if any(brk in text for brk in _OTHER_BREAKS):
        return io.StringIO(text, newline="")
    return text.splitlines(keepends=True)  # the same lines, at once


def _first_line(text: str) -> str:
    end = len(text)
    for brk in ("\n", "\r"):
        at = text.find(brk, 0, end)
        if at >= 0:
            end = at
    return text[:end]


@lru_cache(maxsize=1024)
def _header_columns(header: tuple[str, ...]) -> tuple[str, ...]:
    return _shared_columns(
        tuple(_intern(h.strip() or f"column{i + 1}") for i, h in enumerate(header))
    )


def parse_csv(member: str, text: str) -> Table | None:
    """The table a member named as one (`.csv`, `.tsv`) holds: CSV, or the records of a JSON
    text (another pipeline's "CSV" that is a JSON list or JSON Lines), which read as rows of
    no use as CSV."""
    if text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{"):
        records = json_records_table(member, text)
        if records is not None:
            return records
    first = _first_line(text)
    try:
        cached = len(first) <= HEADER_CACHED
        delimiter = _delimiter_cached(first) if cached else _delimiter(first)
        # no quote anywhere: every line is its cells between delimiters, as csv reads it (an
        # empty line no cells), without the csv module's per-line machinery; else (a quoted
        # cell may hold a delimiter or a line break) the csv module reads the text
        lines: list[str] = []
        if '"' not in text and "\x00" not in text:
            lines = split_lines(text)
            if len(text) > PLAIN_CSV_MAX and max(map(len, lines)) > PLAIN_CSV_MAX:
                lines = []
        reader: Iterator[list[str]] | None = None
        if lines:
            header = lines[0].split(delimiter) if lines[0] else None
        else:
            reader = csv.reader(_csv_lines(text), delimiter=delimiter)
            header = next(reader, None)
        if not header:
            return None
        columns = (
            _header_columns(tuple(header))
            if cached
            else _shared_columns(
                tuple(_intern(h.strip() or f"column{i + 1}") for i, h in enumerate(header))
            )
        )
        rows: list[tuple[str, ...]] = []
        width = len(columns)
        if reader is None:
            # (a line no longer than SHARE_MAX has no longer cell: its cells are all shared)
            for line in lines[1:]:
                if not line:
                    continue
                raw = line.split(delimiter)
                if not "".join(raw).strip():
                    continue
                if len(raw) != width:
                    _fit(raw, width)
                if len(line) <= SHARE_MAX or max(map(len, raw)) <= SHARE_MAX:
                    rows.append(tuple(map(_intern, raw)))
                else:
                    rows.append(tuple([_share(c) for c in raw]))
        else:
            for raw in reader:
                if not raw or not "".join(raw).strip():
                    continue
                if len(raw) != width:
                    _fit(raw, width)
                if max(map(len, raw)) <= SHARE_MAX:
                    rows.append(tuple(map(_intern, raw)))
                else:
                    rows.append(tuple([_share(c) for c in raw]))
    except csv.Error:
        return None
    return Table(member=member, columns=columns, rows=rows)


def _fit(raw: list[str], width: int) -> None:
    """A row's cells made as many as the header's: missing ones empty, extra ones dropped."""
    if len(raw) < width:
        raw.extend([""] * (width - len(raw)))
    else:
        del raw[width:]


_COLUMNS: dict[tuple[str, ...], tuple[str, ...]] = {}
COLUMNS_SHARED = 4096  # distinct headers remembered (thousands of small tables share a few)


def _shared_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    shared = _COLUMNS.get(columns)
    if shared is not None:
        return shared
    if len(_COLUMNS) < COLUMNS_SHARED:
        _COLUMNS[columns] = columns
    return columns


def _share(cell: str) -> str:
    return _intern(cell) if len(cell) <= SHARE_MAX else cell[:MAX_CELL]


def _shared_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = {
        _intern(k): _intern(v) if type(v) is str and len(v) <= SHARE_MAX else v for k, v in pairs
    }
    if len(obj) != len(pairs):  # a key named twice: the dict keeps its last value only
        _note_duplicates(pairs)
    return obj


_DECODERS = threading.local()


def _note_duplicates(pairs: list[tuple[str, Any]]) -> None:
    """Add the keys `pairs` name twice with different values to this thread's list of them
    (`duplicate_keys`), when one is being kept."""
    found: list[str] | None = getattr(_DECODERS, "duplicates", None)
    if found is None:
        return
    first: dict[str, Any] = {}
    for key, value in pairs:
        if key in first:
            if key not in found and first[key] != value:
                found.append(key)
        else:
            first[key] = value


class duplicate_keys:  # noqa: N801 - used as a function: `with duplicate_keys() as found`
    """While open, the keys JSON parsed on this thread names twice in one object with
    different values: programs differ in the value they take (the parse keeps the last), so
    the document's text holds data its parsed form does not. (A class, not a generator
    context manager: it is opened for every table and document, 80,000 times in a large
    export, and costs a third as much.)"""

    __slots__ = ("found", "outer")

    def __enter__(self) -> list[str]:
        self.found: list[str] = []
        self.outer: list[str] | None = getattr(_DECODERS, "duplicates", None)
        _DECODERS.duplicates = self.found
        return self.found

    def __exit__(self, *exc: object) -> None:
        _DECODERS.duplicates = self.outer


def _decoder() -> json.JSONDecoder:
    """This thread's decoder (json.loads with a hook builds a new one per call)."""
    dec: json.JSONDecoder | None = getattr(_DECODERS, "dec", None)
    if dec is None:
        dec = _DECODERS.dec = json.JSONDecoder(object_pairs_hook=_shared_object)
    return dec


def parse_json(text: str) -> Any:
    """Parsed JSON; raises ValueError (with a short reason) when it does not parse.

    Keys and short strings are interned: exports repeat the same ids, paths and hashes in
    thousands of documents, and the index keeps them all.
    """
    try:
        try:
            if text.startswith("\ufeff"):  # json.loads names this error
                return json.loads(text, object_pairs_hook=_shared_object)
            return _decoder().decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer too long for Python to convert: kept as its digits
            return _long_numbers_decoder().decode(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except ValueError:
        raise ValueError("holds a number that cannot be read") from None


def _long_numbers_decoder() -> json.JSONDecoder:
    """A decoder that keeps an integer of more digits than Python converts as its text."""
    return json.JSONDecoder(object_pairs_hook=_shared_object, parse_int=_int_or_digits)


def _int_or_digits(digits: str) -> int | str:
    try:
        return int(digits)
    except ValueError:
        return digits


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:MAX_CELL]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False)[:MAX_CELL]
    except (TypeError, ValueError, RecursionError):
        return str(value)[:MAX_CELL]


def _is_records(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


# How deep in wrapping objects a document's one list of records is looked for:
# {"data": {"customer": {...}, "items": [records]}} is two levels.
RECORDS_DEPTH = 4


def _records(doc: Any) -> list[dict[str, Any]] | None:
    """A document's records: the document itself, its one list of records under a key, or,
    when no key holds one, the one list of records in objects within it (`RECORDS_DEPTH`
    levels). Two lists of records at those depths are not told apart: None, unless they are
    the lists of one grouping object (`_grouped`). Recordings grouped under a parent are read
    as if each carried the field its parent gives the group (`_grouped`, `_with_parents`)."""
    if _is_records(doc):
        return _with_parents(doc, None)
    if isinstance(doc, dict):
        grouped = _grouped("", doc)
        if grouped is not None:
            return grouped
        lists = [v for v in doc.values() if isinstance(v, list) and _is_records(v)]
        if len(lists) == 1:
            return _with_parents(lists[0], doc)
        if not lists:
            return _nested_records(doc)
    return None


def _nested_records(doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The one list of records in the objects within `doc` (its own values have none), down
    to `RECORDS_DEPTH` levels; None when there is none, or more than one (the lists of one
    grouping object are one)."""
    found: list[dict[str, Any]] | None = None
    level = [(str(k), v) for k, v in doc.items() if isinstance(v, dict)]
    for _ in range(RECORDS_DEPTH - 1):
        inner: list[tuple[str, dict[str, Any]]] = []
        for name, obj in level:
            grouped = _grouped(name, obj)
            if grouped is not None:
                if found is not None:
                    return None
                found = grouped
                continue
            for k, v in obj.items():
                if isinstance(v, dict):
                    inner.append((str(k), v))
                elif isinstance(v, list) and _is_records(v):
                    if found is not None:
                        return None
                    found = _with_parents(v, obj)
        if not inner:
            break
        level = inner
    return list(found) if found is not None else None


# Recordings grouped under a parent that carries a field they lack: under a key that is a
# device serial, an account id or a date ({"devices": {"G090LF1203380H2N": [records]}}), or
# in a parent object that names the device, the account or the day
# ({"devices": [{"serialNumber": ..., "type": ..., "utterances": [records]}]}). Each record
# is read as if it carried its group's field, under these names, where it has none itself.
_INHERITED = {
    "device_serial": "deviceSerial",
    "device_type": "deviceType",
    "customer_id": "customerId",
    "timestamp": "date",
}
# a serial as written: letters and digits, in groups split by a space, dot, slash, dash or
# underscore (as `serial_key` compares them)
_SERIAL_FORM = re.compile(r"[A-Za-z0-9]+(?:[ ._/-][A-Za-z0-9]+)*")
_SERIAL_GROUPING = re.compile(r"[ ._/-]")
_ACCOUNT_FORM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{3,63}")
# a day as a group's key: year, month and day, in either order
_DAY_FORM = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _is_day(key: str) -> bool:
    key = key.strip()
    return _DAY_FORM.fullmatch(key) is not None and parse_export_time(key) is not None


def _serial_shaped(key: str, *, by_shape_alone: bool = False) -> bool:
    """Whether a key or a parent's field has a device serial's shape: letters and digits
    (as the device checks know a serial: a digit in it), 6 to 40 of them, at least two
    digits, and no date. A key under a name that says nothing of devices must look like one
    more plainly (`by_shape_alone`): written in capitals, at least 10 characters, letters
    and digits both (G090LF1203380H2N)."""
    key = key.strip()
    if _SERIAL_FORM.fullmatch(key) is None or _is_day(key):
        return False
    compact = _SERIAL_GROUPING.sub("", key)
    digits = sum(c.isdigit() for c in compact)
    if not 6 <= len(compact) <= 40 or digits < 2:
        return False
    if by_shape_alone:
        return len(compact) >= 10 and digits < len(compact) and key == key.upper()
    return True


def _account_shaped(key: str) -> bool:
    key = key.strip()
    return _ACCOUNT_FORM.fullmatch(key) is not None and any(c.isdigit() for c in key)


def _group_field(name: str) -> str | None:
    """The field a grouping object's keys are, as its name (`norm_key`) says: "devices",
    "byDevice", "serials" (a serial); "customers", "accounts" (an account id); "days",
    "dates", "byDate" (a day). None when it says none of them."""
    for base in (name, name.removeprefix("by"), name.removeprefix("per")):
        for cand in (base, base.removesuffix("s")):
            if cand in _FIELD_NAMES["device_serial"]:
                return "device_serial"
            if cand in CUSTOMER_KEYS:
                return "customer_id"
            if cand in _FIELD_NAMES["timestamp"] or cand == "day":
                return "timestamp"
    return None


def _recording_fields(records: list[dict[str, Any]]) -> frozenset[str] | None:
    """The recording fields a list of records has, or None when it holds no recordings."""
    mapping = _recording_columns(_json_columns(records), False)
    return frozenset(f for f, _c in mapping) if mapping is not None else None


def _carries(rec: dict[str, Any], fld: str) -> bool:
    """Whether a record gives a field itself: a cell under one of its names (a device
    given by a name too general to be a serial, "device": "Kitchen", gives none; one given
    as an object gives its serial)."""
    names = _FIELD_NAMES[fld]
    for k, v in rec.items():
        key = norm_key(str(k))
        if key not in names or v is None:
            continue
        if fld == "customer_id" and is_linked_account(key, rec):
            continue  # a linked service's account
        if fld == "device_serial":
            if key in _GENERAL_NAMES and not isinstance(v, dict | list):
                continue
            if split_device(_cell(v).strip())[0].strip():
                return True
        elif _cell(v).strip():
            return True
    return False


def _inherit(
    records: list[dict[str, Any]], given: dict[str, str], out: list[dict[str, Any]]
) -> None:
    """Append `records` to `out`, each with the fields of `given` it does not carry."""
    for rec in records:
        missing = {_INHERITED[f]: v for f, v in given.items() if not _carries(rec, f)}
        out.append({**rec, **missing} if missing else rec)


def _grouped(name: str, obj: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The recordings of a grouping object (`name`: the key it sits under, "" for the
    document): every value a list of records, all of them recordings of the same fields,
    under keys that are all device serials, all account ids or all days, as the object's name
    says (and the keys' shape shows), or as their shape alone shows (days, or serials when
    the records lack one). Each record carries its key where it has no such field; None when
    `obj` is no such object."""
    if not obj:
        return None
    for v in obj.values():  # (a loop, not all(): every object of every document asks)
        if not isinstance(v, list):
            return None
    groups = [(str(k), v) for k, v in obj.items() if v]
    if not groups or not all(isinstance(r, dict) for _k, v in groups for r in v):
        return None
    shapes = {_recording_fields(v) for _k, v in groups}
    if len(shapes) != 1 or None in shapes:
        return None
    keys = [k for k, _v in groups]
    fld = _group_field(norm_key(name)) if name else None
    if fld == "device_serial":
        fits = all(_serial_shaped(k) for k in keys)
    elif fld == "customer_id":
        fits = all(_account_shaped(k) for k in keys)
    elif fld == "timestamp":
        fits = all(_is_day(k) for k in keys)
    elif all(_is_day(k) for k in keys):
        fld, fits = "timestamp", True
    else:
        fld = "device_serial"
        fits = all(_serial_shaped(k, by_shape_alone=True) for k in keys) and not all(
            _carries(r, fld) for _k, v in groups for r in v
        )
    if not fits:
        return None
    out: list[dict[str, Any]] = []
    for key, records in groups:
        _inherit(records, {fld: _intern(key.strip())}, out)
    return out


def _parent_fields(parent: dict[str, Any], *, days: bool) -> dict[str, str]:
    """The fields a parent object gives the recordings within it: its device serial
    (a serial's shape under a serial's name, or a device object's), the device's type
    (beside a serial), its account id, and, with `days`, its day."""
    found: dict[str, str] = {}
    kind = ""
    for k, v in parent.items():
        key = norm_key(str(k))
        if isinstance(v, dict) and key in ("device", "sourcedevice"):
            serial, device_type = _device_fields(v)
            if serial and _serial_shaped(serial):
                found.setdefault("device_serial", serial)
                kind = kind or device_type
            continue
        if not isinstance(v, str | int) or isinstance(v, bool):
            continue
        cell = _cell(v).strip()
        if not cell:
            continue
        if key in _FIELD_NAMES["device_serial"] and key not in _GENERAL_NAMES:
            if _serial_shaped(cell):
                found.setdefault("device_serial", cell)
        elif key in _FIELD_NAMES["device_type"] or key in DEVICE_TYPE_KEYS:
            kind = kind or cell
        elif key in CUSTOMER_KEYS and not is_linked_account(key, parent):
            if _account_shaped(cell):
                found.setdefault("customer_id", cell)
        elif days and key in _FIELD_NAMES["timestamp"] and _is_day(cell.split("T")[0]):
            found.setdefault("timestamp", cell)
    if kind and "device_serial" in found:
        found["device_type"] = kind
    return found


def _with_parents(
    records: list[dict[str, Any]], holder: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """`records`, the list found in `holder` (the object it is the value of; None for the
    document), read as grouped recordings where they are: a list of parent objects each
    holding one list of recordings under the same name (their children, each carrying its
    parent's fields: `_parent_fields`), or recordings in an object that names their device or
    account. Any other list as it is."""
    children = _children(records)
    if children is not None:
        return children
    if holder is not None:
        given = _parent_fields(holder, days=False)
        if given and _recording_fields(records) is not None:
            out: list[dict[str, Any]] = []
            _inherit(records, given, out)
            return out
    return records


def _children(parents: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The recordings of a list of parent objects that are no recordings themselves, each
    holding its recordings as one list under the same name, with the fields each parent
    gives them; None when the list is no such thing."""
    name: str | None = None
    for parent in parents:
        held = [k for k, v in parent.items() if isinstance(v, list) and _is_records(v)]
        if len(held) > 1 or (held and name is not None and held[0] != name):
            return None
        if held:
            name = held[0]
    if name is None or _recording_fields(parents) is not None:
        return None
    lists = [p[name] for p in parents if isinstance(p.get(name), list) and p[name]]
    if not all(_is_records(v) for v in lists):
        return None
    shapes = {_recording_fields(v) for v in lists}
    if len(shapes) != 1 or None in shapes:
        return None
    out: list[dict[str, Any]] = []
    for parent, records in zip(
        (p for p in parents if isinstance(p.get(name), list) and p[name]), lists, strict=True
    ):
        _inherit(records, _parent_fields(parent, days=True), out)
    return out


class _RecordRows(Sequence[tuple[str, ...]]):
    """Rows of JSON records made when read, so a large record list is not kept twice."""

    __slots__ = ("_records", "_columns")

    def __init__(self, records: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
        self._records = records
        self._columns = columns

    def __len__(self) -> int:
        return len(self._records)

    def _row(self, rec: dict[str, Any]) -> tuple[str, ...]:
        return tuple([_cell(rec.get(c)) for c in self._columns])

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, ...]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(i, slice):
            return [self._row(rec) for rec in self._records[i]]
        return self._row(self._records[i])

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return (self._row(rec) for rec in self._records)


def _json_columns(records: list[dict[str, Any]]) -> tuple[str, ...]:
    columns: dict[str, None] = {}
    for rec in records:
        for key in rec:
            columns.setdefault(str(key), None)
    return tuple(columns)


def json_view(member: str, doc: Any) -> Table | None:
    """The table `table_from_json` would give, its rows made from the records when read
    (for a large document the index keeps parsed anyway, such as the manifest)."""
    records = _records(doc)
    if records is None:
        return None
    cols = _json_columns(records)
    return Table(member=member, columns=cols, rows=_RecordRows(records, cols))


def table_from_json(member: str, doc: Any) -> Table | None:
    records = _records(doc)
    if records is None:
        return None
    cols = _shared_columns(_json_columns(records))
    rows = [tuple([_cell(rec.get(c)) for c in cols]) for rec in records]
    return Table(member=member, columns=cols, rows=rows)


def json_lines(text: str) -> list[dict[str, Any]] | None:
    """The objects of JSON Lines text (one JSON object a line, blank lines aside), or None
    when any line is something else."""
    records: list[dict[str, Any]] = []
    # (a JSON string may hold U+2028 and the other characters `str.splitlines` breaks at)
    for line in split_lines(text):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("{"):
            return None
        try:
            record = parse_json(line)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        records.append(record)
    return records or None


def json_records_table(member: str, text: str) -> Table | None:
    """The table of a text that is JSON records: a JSON document holding a list of records,
    or JSON Lines. None when it is neither."""
    try:
        doc: Any = parse_json(text.lstrip("\ufeff"))
    except ValueError:
        doc = json_lines(text)
    if doc is None:
        return None
    table = table_from_json(member, doc)
    if table is None and isinstance(doc, dict):  # one record (a JSON Lines text of one line)
        table = table_from_json(member, [doc])
    return table


def recording_columns(table: Table) -> dict[str, str] | None:
    """Map recording fields to the table's columns, or None when it holds no recordings."""
    mapping = _recording_columns(table.columns, table.member.endswith(VOICE_HISTORY))
    return dict(mapping) if mapping is not None else None


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _recording_columns(
    columns: tuple[str, ...], voice_history: bool
) -> tuple[tuple[str, str], ...] | None:
    normalised = {norm_key(c): c for c in columns}
    mapping: dict[str, str] = {}
    for fld, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in normalised and normalised[alias] not in mapping.values():
                mapping[fld] = normalised[alias]
                break
    if "utterance_id" not in mapping:
        # no utterance-id column (or one under a name not known): a table that is plainly a
        # voice history still lists recordings, each known by its audio file or its row
        return tuple(mapping.items()) if _plainly_voice_history(mapping, voice_history) else None
    if voice_history or norm_key(mapping["utterance_id"]) != "id":
        return tuple(mapping.items())
    # a bare "id" column only counts beside something only a voice history has
    if {"audio_member", "transcript", "device_serial"} & set(mapping):
        return tuple(mapping.items())
    return None


def other_recording_columns(table: Table, mapping: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """For each recording field of `mapping`, the table's other columns under a name of that
    field, by preference: where a row leaves its field's column empty, its value is in one of
    these (records merged from two sources, one writing "time" and "device": {...}, the
    other "createdAt" and "deviceSerialNumber")."""
    return dict(_other_columns(table.columns, tuple(mapping.items())))


@lru_cache(maxsize=4096)
def _other_columns(
    columns: tuple[str, ...], mapping: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    normalised = {norm_key(c): c for c in columns}
    used = {col for _fld, col in mapping}
    out = []
    for fld, _col in mapping:
        others = tuple(
            normalised[a]
            for a in _ALIASES[fld]
            if a in normalised
            and normalised[a] not in used
            # a linked service's account ("app": ..., "userId": ...) is no account of a row
            and not (fld == "customer_id" and is_linked_account(a, columns))
        )
        if others:
            out.append((fld, others))
    return tuple(out)


# column names too general to make a table a voice history by themselves ("device" may be
# a model's name, "text" and "file" any note or attachment)
_GENERAL_NAMES = frozenset({"device", "deviceid", "devices", "text", "file"})


def _plainly_voice_history(mapping: dict[str, str], voice_history: bool) -> bool:
    """Whether a table with no utterance-id column is plainly a voice history: a device
    serial column, a timestamp column and an audio-file or transcript column (under names
    that say so, unless the member is the voice history itself)."""
    if "device_serial" not in mapping or "timestamp" not in mapping:
        return False

    def named(fld: str) -> bool:
        col = mapping.get(fld)
        return col is not None and (voice_history or norm_key(col) not in _GENERAL_NAMES)

    return named("device_serial") and (named("audio_member") or named("transcript"))


def _unnamed_id(audio: str, row: int, member: str) -> str:
    """The id of a recording its table gives none: its audio file's name (the utterance's id
    where the pipeline names files by it), else its row."""
    name = audio.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return stem.strip() or f"{member.rsplit('/', 1)[-1]} row {row}"


# keys of a device given as an object (``{"serial": ..., "type": ...}``), normalised, by
# preference: an explicit serial beats a bare id
_DEVICE_SERIAL_KEYS = ("serial", "serialnumber", "deviceserial", "deviceserialnumber", "dsn")
_DEVICE_ID_KEYS = ("deviceid", "id")
# (the checks read these as device-type fields, whose values are no customer ids)
DEVICE_TYPE_KEYS = ("type", "devicetype", "model", "devicemodel", "devicefamily", "family")


def split_device(serial: str, device_type: str = "") -> tuple[str, str]:
    """A voice-history row's device serial and type from its cells.

    Some layouts give the device as an object (JSON ``"device": {"serial": ..., "type": ...}``,
    whose cell is that object's JSON text): it yields its serial, and its type when the row has
    no type of its own; an object naming no serial yields no serial. A list of device objects
    (Alexa's ``"sourceDeviceIds": [{"serialNumber": ..., "deviceType": ...}]``) or of serials
    yields its first device's. A device given as a string stays as it is.
    """
    if not serial.lstrip().startswith(("{", "[")):
        return serial, device_type
    parse = _device_object_cached if len(serial) <= DEVICE_CACHED else _device_object
    found, kind = parse(serial)
    if found is None:
        return serial, device_type
    return found, device_type if device_type.strip() else kind


DEVICE_CACHED = 1024  # device objects up to this long are remembered (rows repeat a few devices)


def _device_object(text: str) -> tuple[str | None, str]:
    """(serial, type) of a device object's JSON text; serial None when it is no object."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None, ""
    return _device_fields(doc)


def _device_fields(doc: Any) -> tuple[str | None, str]:
    """(serial, type) of a device object as parsed (a list of devices: its first); serial
    None when it is no object."""
    if isinstance(doc, list):  # a list of devices: its first (an empty list names none)
        first_device = next((d for d in doc if d not in (None, "", {})), None)
        if isinstance(first_device, str | int):
            return _share(str(first_device).strip()), ""
        doc = first_device if isinstance(first_device, dict) else {}
    if not isinstance(doc, dict):
        return None, ""
    fields = {norm_key(str(k)): v for k, v in doc.items()}

    def first(keys: tuple[str, ...]) -> str:
        for key in keys:
            value = fields.get(key)
            if value is not None and not isinstance(value, dict | list):
                cell = _cell(value).strip()
                if cell:
                    return _share(cell)
        return ""

    return first(_DEVICE_SERIAL_KEYS) or first(_DEVICE_ID_KEYS), first(DEVICE_TYPE_KEYS)


_device_object_cached = lru_cache(maxsize=1024)(_device_object)


class _Names:
    """An archive's members by the path an audio cell may give another way: as it lands when
    extracted ("./Alexa/Audio/U1.wav", "Alexa\\Audio\\U1.wav", "/Alexa/Audio/U1.wav"), or by
    its bare file name ("U1.wav") when exactly one member of the table's archive has it."""

    __slots__ = ("_members", "_prefix", "_bare")

    def __init__(self, members: set[str], prefix: str) -> None:
        self._members = members
        self._prefix = prefix
        self._bare: dict[str, str] | None = None  # file name -> its one member, "" for two

    def member(self, cell: str, bases: tuple[str, str]) -> str:
        """The member `cell` names, or `cell` when none (or two) may be it."""
        parts = [p for p in cell.replace("\\", "/").split("/") if p not in ("", ".")]
        path = "/".join(parts)
        if not path:
            return cell
        for base in ("", *bases):
            if base + path in self._members:
                return base + path
        if len(parts) > 1:
            return cell
        if self._bare is None:
            self._bare = {}
            for m in self._members:
                if m.startswith(self._prefix) and "!" not in m[len(self._prefix) :]:
                    name = m.rsplit("/", 1)[-1]
                    self._bare[name] = "" if name in self._bare else m
        return self._bare.get(path) or cell


def _filled(
    row: Sequence[str], where: dict[str, int], others: dict[str, list[int]]
) -> Sequence[str]:
    """`row` with each recording field's empty cell taken from the first of that field's
    other columns (`other_recording_columns`) that holds a value in this row."""
    filled: list[str] | None = None
    for fld, alternatives in others.items():
        at = where[fld]
        if row[at].strip():
            continue
        value = next((row[i] for i in alternatives if row[i].strip()), "")
        if value:
            if filled is None:
                filled = list(row)
            filled[at] = value
    return row if filled is None else filled


def recordings_from(table: Table, members: set[str], root: str = "") -> list[Recording]:
    """The recordings a table describes; their audio files named from the table's archive,
    or from where the export's layout starts (`root`: an export compressed as a folder),
    when not from the top; a cell written another way is the member it names (`_Names`)."""
    mapping = recording_columns(table)
    if mapping is None:
        return []
    prefix = table.member.rsplit("!", 1)[0] + "!" if "!" in table.member else ""
    out: list[Recording] = []
    where = {fld: table.col(col) for fld, col in mapping.items()}
    at = where.get("timestamp")
    day_first = day_order(row[at] for row in table.rows) if at is not None else None
    # where a row leaves a field's column empty, the other columns of that field, and the
    # day order each of the other time columns shows
    others = {
        fld: [table.col(c) for c in cols]
        for fld, cols in other_recording_columns(table, mapping).items()
    }
    orders: dict[int, bool | None] = {}  # made when a row's time first comes from one
    # each field's cell, stripped, or "" where the table has no such column (its position
    # looked up once, not per row)
    audio_at, uid_at = where.get("audio_member"), where.get("utterance_id")
    serial_at, type_at = where.get("device_serial"), where.get("device_type")
    customer_at, transcript_at = where.get("customer_id"), where.get("transcript")
    by_name: _Names | None = None  # made when a cell first names no member as written
    for n, given in enumerate(table.rows, 1):
        row = _filled(given, where, others) if others else given
        audio = row[audio_at].strip() if audio_at is not None else ""
        uid = row[uid_at].strip() if uid_at is not None else _unnamed_id(audio, n, table.member)
        if not uid:
            continue
        if audio and audio not in members:
            audio = next((b + audio for b in (prefix, root) if b + audio in members), audio)
            if audio not in members:
                if by_name is None:
                    by_name = _Names(members, prefix)
                audio = by_name.member(audio, (prefix, root))
        ts = row[at].strip() if at is not None else ""
        order = day_first
        if ts and at is not None and not given[at].strip():
            # the time came from another time column: read in the order that column shows
            i = next(i for i in others["timestamp"] if given[i].strip())
            if i not in orders:
                orders[i] = day_order(r[i] for r in table.rows)
            order = orders[i]
        serial, device_type = split_device(
            row[serial_at].strip() if serial_at is not None else "",
            row[type_at].strip() if type_at is not None else "",
        )
        out.append(
            Recording(
                utterance_id=uid,
                timestamp=parse_export_time(ts, order),
                customer_id=row[customer_at].strip() if customer_at is not None else "",
                device_serial=serial,
                device_type=device_type,
                audio_member=audio,
                transcript=row[transcript_at].strip() if transcript_at is not None else "",
                source_member=table.member,
            )
        )
    return out
