"""Load the request ticket (request.json) into a `Request`.

Only `request_id` and `requester.customer_id` are required (docs: shared/export-format.md);
every other field may be missing or null, which weakens the checks and is not an error. A field
that is present but malformed (a date that is no date, a list that is no list, an entry that
is no object, a household member without a name, a value JSON cannot round-trip) is a bad
ticket: one-line `RequestError` naming the field, since silently dropping it could turn a block
into a pass. The request id must be usable as a folder name (`REQUEST_ID_RE`), as it becomes
one in the outbox.

Tickets already in a store are read back with ``strict=False``: malformed optional fields are
then read as missing, so a ticket stored before these rules still opens.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from reviewer.domain.errors import RequestError
from reviewer.domain.model import Address, Device, HouseholdMember, Request, Requester

MAX_REQUEST_BYTES = 1 << 20  # a ticket is a few KB; refuse anything absurd before parsing
MAX_ID_CHARS = 128  # request ids name folders and appear in one-line messages
# A request id names the release folder in the outbox: letters, digits, '.', '_', '-', starting
# with a letter or digit (so never '.', '..', a path or a hidden name).
REQUEST_ID_RE = re.compile(rf"\A[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_ID_CHARS - 1}}}\Z")
MAX_INT_DIGITS = 4000  # below Python's int-conversion limit (4300), far above any real field
# A customer id is a short code and a name a person's name: a ticket holding more is a pipeline
# fault, refused in words rather than left for a store column to refuse in SQL.
MAX_CUSTOMER_ID_CHARS = 128
MAX_NAME_CHARS = 400
# The requester's identifiers are compared character by character: an invisible character in
# one (a zero-width space after an e-mail address) would make their own data look foreign.
IDENTIFIER_FIELDS = ("email", "phone")
SHOWN_CHARS = 40  # of a bad value, in a message
# The years a ticket's dates may fall in: a request, an account or a device outside them is
# a typing error (and the statutory clock's arithmetic would run out of years at 0001 or 9999)
FIRST_YEAR, LAST_YEAR = 1970, 2199

T = TypeVar("T")
D = TypeVar("D", bound=date)  # a date, or a date-time


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 date-time (a trailing Z allowed) or None; a bare date reads as midnight."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_date(value: Any) -> date | None:
    """ISO 8601 date, or the date of an ISO 8601 date-time, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        stamp = parse_datetime(value)
        return stamp.date() if stamp is not None else None


class _HugeNumber:
    """An integer literal too long to convert: kept as a marker, refused with its field."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _HugeNumber:
    return int(text) if len(text) <= MAX_INT_DIGITS else _HugeNumber(len(text))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | _HugeNumber):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text" if isinstance(value, str) else "null"


def _shown(value: str) -> str:
    return repr(value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…")


def _key_path(path: str, key: str) -> str:
    step = key if key.isidentifier() else repr(key)[:SHOWN_CHARS]
    return f"{path}.{step}" if path else step


def _unusable_value(data: Any) -> tuple[str, str] | None:
    """(field path, what) of the first value JSON cannot round-trip: NaN, Infinity, a number
    too long to convert. Iterative: a ticket may nest as deep as the JSON parser allowed."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _HugeNumber):
            return path, f"a number of {value.digits:,} digits"
        if isinstance(value, float) and not math.isfinite(value):
            return path, "NaN" if math.isnan(value) else "Infinity"
        if isinstance(value, dict):
            stack.extend((_key_path(path, str(k)), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))
    return None


class _Fields:
    """Reads optional fields: missing or null is None; malformed raises (strict) or reads as
    missing (not strict). Messages start with `where` (``request R-1``)."""

    def __init__(self, where: str, strict: bool) -> None:
        self.where = where
        self.strict = strict

    def bad(self, message: str) -> None:
        if self.strict:
            raise RequestError(f"{self.where}: {message}")

    def text(self, obj: dict[str, Any], key: str, field: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.bad(f"{field} must be text, not {_kind(value)}")
            return ""
        return value.strip()

    def _stamp(
        self,
        obj: dict[str, Any],
        key: str,
        field: str,
        parse: Callable[[Any], D | None],
        what: str,
    ) -> D | None:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            self.bad(f"{field} must be {what} as text, not {_kind(value)}")
            return None
        parsed = parse(value)
        if parsed is None:
            self.bad(f"{field} {_shown(value)} is not {what}")
        elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.bad(f"{field} {_shown(value)} is not a date between {FIRST_YEAR} and {LAST_YEAR}")
            return None
        return parsed

    def day(self, obj: dict[str, Any], key: str, field: str) -> date | None:
        return self._stamp(obj, key, field, parse_date, "an ISO 8601 date (YYYY-MM-DD)")

    def moment(self, obj: dict[str, Any], key: str, field: str) -> datetime | None:
        return self._stamp(
            obj, key, field, parse_datetime, "an ISO 8601 date-time (YYYY-MM-DDThh:mm:ssZ)"
        )

    def obj(self, obj: dict[str, Any], key: str, field: str) -> dict[str, Any]:
        value = obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(f"{field} must be an object, not {_kind(value)}")
            return {}
        return value

    def entries(
        self, obj: dict[str, Any], key: str, field: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """(field path, entry) for each object in the list at `key`."""
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(f"{field} must be a list, not {_kind(value)}")
            return []
        out = []
        for i, entry in enumerate(value):
            if isinstance(entry, dict):
                out.append((f"{field}[{i}]", entry))
            else:
                self.bad(f"{field}[{i}] must be an object, not {_kind(entry)}")
        return out


def _request_id(data: dict[str, Any], strict: bool) -> str:
    value = data.get("request_id")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RequestError("request.json has no request_id")
    if not isinstance(value, str):
        raise RequestError(f"request.json: request_id must be text, not {_kind(value)}")
    request_id = value.strip()
    if strict and not REQUEST_ID_RE.match(request_id):
        raise RequestError(
            f"request.json: request_id {_shown(request_id)} is not a usable id (letters, "
            f"digits, '.', '_' and '-', starting with a letter or digit, at most "
            f"{MAX_ID_CHARS} characters: it names the release folder)"
        )
    if len(value) > MAX_ID_CHARS or not value.isprintable():
        raise RequestError(
            f"request.json: request_id {_shown(request_id)} is not a printable id of at most "
            f"{MAX_ID_CHARS} characters"
        )
    return request_id


def request_from_dict(data: Any, *, strict: bool = True) -> Request:
    """The ticket `data` (parsed JSON) as a `Request`; RequestError when it cannot be used.

    ``strict=False`` is for tickets already stored: malformed optional fields read as missing.
    """
    if not isinstance(data, dict):
        raise RequestError(f"request.json must hold a JSON object, not {_kind(data)}")
    if strict and (unusable := _unusable_value(data)) is not None:
        path, what = unusable
        raise RequestError(f"request.json: {path} holds {what}, not a usable JSON value")
    request_id = _request_id(data, strict)
    where = f"request {request_id}"
    fields = _Fields(where, strict)
    req = data.get("requester")
    if req is None:
        raise RequestError(f"{where} has no requester")
    if not isinstance(req, dict):
        raise RequestError(f"{where}: requester must be an object, not {_kind(req)}")
    customer_id = req.get("customer_id")
    if customer_id is None or (isinstance(customer_id, str) and not customer_id.strip()):
        raise RequestError(f"{where} has no requester.customer_id")
    if not isinstance(customer_id, str):
        raise RequestError(f"{where}: requester.customer_id must be text, not {_kind(customer_id)}")
    if strict and not customer_id.strip().isprintable():
        raise RequestError(
            f"{where}: requester.customer_id {_shown(customer_id.strip())} holds control characters"
        )
    if strict and len(customer_id.strip()) > MAX_CUSTOMER_ID_CHARS:
        raise RequestError(
            f"{where}: requester.customer_id {_shown(customer_id.strip())} is longer than "
            f"{MAX_CUSTOMER_ID_CHARS} characters: no customer id is"
        )
    for key in IDENTIFIER_FIELDS:
        value = req.get(key)
        if strict and isinstance(value, str) and _hidden(value.strip()):
            raise RequestError(
                f"{where}: requester.{key} {_shown(value.strip())} holds control or invisible "
                "characters, which would make the requester's own data look foreign"
            )
    name = req.get("name")
    if strict and isinstance(name, str) and len(name.strip()) > MAX_NAME_CHARS:
        raise RequestError(
            f"{where}: requester.name is longer than {MAX_NAME_CHARS} characters: no name is"
        )
    verification = fields.obj(data, "identity_verification", "identity_verification")
    devices = []
    for field, d in fields.entries(req, "devices", "requester.devices"):
        serial = fields.text(d, "serial", f"{field}.serial")
        if not serial:
            fields.bad(f"{field} has no serial")
        elif strict and not serial.strip().isprintable():
            fields.bad(f"{field}.serial {_shown(serial.strip())} holds control characters")
            continue
        devices.append(
            Device(
                serial=serial,
                type=fields.text(d, "type", f"{field}.type"),
                name=fields.text(d, "name", f"{field}.name"),
                registered_at=fields.day(d, "registered_at", f"{field}.registered_at"),
            )
        )
    household = []
    for field, h in fields.entries(req, "household", "requester.household"):
        name = fields.text(h, "name", f"{field}.name")
        if not name:
            fields.bad(f"{field} has no name")
            continue
        household.append(
            HouseholdMember(name=name, relation=fields.text(h, "relation", f"{field}.relation"))
        )
    requester = Requester(
        customer_id=customer_id.strip(),
        name=fields.text(req, "name", "requester.name"),
        email=fields.text(req, "email", "requester.email"),
        phone=fields.text(req, "phone", "requester.phone"),
        locale=fields.text(req, "locale", "requester.locale"),
        time_zone=fields.text(req, "time_zone", "requester.time_zone"),
        account_created_at=fields.day(req, "account_created_at", "requester.account_created_at"),
        addresses=tuple(
            Address(
                street=fields.text(a, "street", f"{field}.street"),
                postcode=fields.text(a, "postcode", f"{field}.postcode"),
                city=fields.text(a, "city", f"{field}.city"),
                country=fields.text(a, "country", f"{field}.country"),
                region=fields.text(a, "region", f"{field}.region"),
            )
            for field, a in fields.entries(req, "addresses", "requester.addresses")
        ),
        devices=tuple(devices),
        household=tuple(household),
        devices_listed=req.get("devices") is not None,
    )
    return Request(
        request_id=request_id,
        requester=requester,
        received_at=fields.moment(data, "received_at", "received_at"),
        due_at=fields.moment(data, "due_at", "due_at"),
        verification_method=fields.text(verification, "method", "identity_verification.method"),
        verified_at=fields.moment(verification, "verified_at", "identity_verification.verified_at"),
        raw=data,
    )


TICKET_NAME = "request.json"  # the ticket in a request folder, beside its export


def load_request(path: Path) -> Request:
    """Read `path` (a request folder or its request.json)."""
    file = path / TICKET_NAME if path.is_dir() else path
    try:
        mode = file.stat().st_mode
        # read no more than a ticket may hold, from a regular file only (a FIFO or a device
        # would block, or never end)
        if not stat.S_ISREG(mode):
            raise RequestError(f"{file}: not a regular file")
        with open(file, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the stat
                raise RequestError(f"{file}: not a regular file")
            raw = fh.read(MAX_REQUEST_BYTES + 1)
    except FileNotFoundError:
        raise RequestError(f"{file}: no such file") from None
    except OSError as exc:
        raise RequestError(f"{file}: {exc.strerror or exc}") from None
    if len(raw) > MAX_REQUEST_BYTES:
        raise RequestError(
            f"{file}: too large for a request ticket (over {MAX_REQUEST_BYTES:,} bytes)"
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_parse_int, object_pairs_hook=_object)
    except UnicodeDecodeError:
        raise RequestError(f"{file}: not UTF-8 text") from None
    except _TwiceGiven as exc:
        # which of two values counts differs from one program to the next: a ticket that
        # names the requester twice names nobody for certain
        raise RequestError(
            f"{file}: the key {_shown(exc.key)} is given twice in one object, so which value "
            "counts is ambiguous: fix the ticket"
        ) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise RequestError(f"{file}: not valid JSON ({msg})") from None
    try:
        where = _half_character(data)
    except RecursionError:
        raise RequestError(f"{file}: not valid JSON (nested too deeply)") from None
    if where is not None:
        # "\ud800" is valid JSON but no character: nothing could store or print it
        raise RequestError(f"{file}: {where} holds an escaped half of a character (\\ud800)")
    where = _nul_at(data)
    if where is not None:
        # "\u0000" is valid JSON, but no text field of a store (PostgreSQL's) can hold it
        raise RequestError(f"{file}: {where} holds a NUL character (\\u0000)")
    return request_from_dict(data)


_HIDDEN = frozenset(("Cc", "Cf", "Zl", "Zp"))  # controls, format marks, line breaks


def _hidden(value: str) -> bool:
    """Whether `value` holds a character no one sees (a control, a zero-width or direction
    mark); a no-break space is a space, as a phone number copied from a page may hold."""
    return not value.isprintable() and any(unicodedata.category(c) in _HIDDEN for c in value)


class _TwiceGiven(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object of the ticket; `_TwiceGiven` when it names a key twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _TwiceGiven(key)
            seen.add(key)
    return obj


def _nul_at(data: Any) -> str | None:
    """The field (a key path) whose key or text holds a NUL, or None (iterative)."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path or "the ticket"
        elif isinstance(value, dict):
            for key, item in value.items():
                where = _key_path(path, str(key))
                if "\x00" in str(key):
                    return where
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def _half_character(value: Any, where: str = "") -> str | None:
    """The field (a key path) whose key or text holds a lone surrogate, or None."""
    if isinstance(value, str):
        return (where or "the ticket") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if _SURROGATE.search(str(key)):
                return path
            found = _half_character(item, path)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _half_character(item, f"{where}[{i}]")
            if found is not None:
                return found
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
