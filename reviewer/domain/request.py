"""Load the request ticket (request.json) into a `Request`.

Only `request_id` and `requester.customer_id` are required; every other field may be missing
(that weakens the checks, it is not an error). Malformed optional fields are ignored, never fatal.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reviewer.domain.errors import RequestError
from reviewer.domain.model import Address, Device, HouseholdMember, Request, Requester

MAX_REQUEST_BYTES = 1 << 20  # a ticket is a few KB; refuse anything absurd before parsing
MAX_ID_CHARS = 128  # request ids name folders and appear in one-line messages


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
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def request_from_dict(data: Any) -> Request:
    if not isinstance(data, dict):
        raise RequestError("request.json must hold a JSON object")
    request_id = data.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        raise RequestError("request.json has no request_id")
    if len(request_id) > MAX_ID_CHARS or not request_id.isprintable():
        raise RequestError(
            f"request.json: request_id {request_id[:40]!r} is not a printable id of at most "
            f"{MAX_ID_CHARS} characters"
        )
    req = data.get("requester")
    if not isinstance(req, dict):
        raise RequestError(f"request {request_id.strip()} has no requester")
    customer_id = req.get("customer_id")
    if not isinstance(customer_id, str) or not customer_id.strip():
        raise RequestError(f"request {request_id.strip()} has no requester.customer_id")
    verification = data.get("identity_verification")
    verification = verification if isinstance(verification, dict) else {}
    requester = Requester(
        customer_id=customer_id.strip(),
        name=_str(req.get("name")),
        email=_str(req.get("email")),
        phone=_str(req.get("phone")),
        locale=_str(req.get("locale")),
        account_created_at=parse_date(req.get("account_created_at")),
        addresses=tuple(
            Address(
                street=_str(a.get("street")),
                postcode=_str(a.get("postcode")),
                city=_str(a.get("city")),
                country=_str(a.get("country")),
            )
            for a in _dicts(req.get("addresses"))
        ),
        devices=tuple(
            Device(
                serial=_str(d.get("serial")),
                type=_str(d.get("type")),
                name=_str(d.get("name")),
                registered_at=parse_date(d.get("registered_at")),
            )
            for d in _dicts(req.get("devices"))
            if _str(d.get("serial"))
        ),
        household=tuple(
            HouseholdMember(name=_str(h.get("name")), relation=_str(h.get("relation")))
            for h in _dicts(req.get("household"))
            if _str(h.get("name"))
        ),
    )
    return Request(
        request_id=request_id.strip(),
        requester=requester,
        received_at=parse_datetime(data.get("received_at")),
        due_at=parse_datetime(data.get("due_at")),
        verification_method=_str(verification.get("method")),
        verified_at=parse_datetime(verification.get("verified_at")),
        raw=data,
    )


def load_request(path: Path) -> Request:
    """Read `path` (a request folder or its request.json)."""
    file = path / "request.json" if path.is_dir() else path
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        raise RequestError(f"{file}: no such file") from None
    except OSError as exc:
        raise RequestError(f"{file}: {exc.strerror or exc}") from None
    if size > MAX_REQUEST_BYTES:
        raise RequestError(f"{file}: {size} bytes is too large for a request ticket")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise RequestError(f"{file}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RequestError(f"{file}: not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise RequestError(f"{file}: not valid JSON ({msg})") from None
    return request_from_dict(data)
