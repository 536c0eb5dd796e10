"""The request ticket: what is required, what may be missing, and what is refused in one line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.errors import RequestError
from reviewer.domain.request import load_request, request_from_dict

SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"


def write(tmp_path: Path, data: object) -> Path:
    (tmp_path / "request.json").write_text(json.dumps(data))
    return tmp_path


def test_the_reference_ticket_reads_whole() -> None:
    req = load_request(SAMPLES / "wrong-customer")
    assert req.request_id == "DSAR-2018-0412"
    assert req.requester.customer_id == "A3KX9ZQ2M7T1LB"
    assert req.requester.name == "Jonas Weber"
    assert req.requester.devices == ()  # the incident's requester owned no device
    assert req.requester.account_created_at == date(2014, 3, 11)
    assert req.verification_method


def test_only_the_two_ids_are_required(tmp_path: Path) -> None:
    req = load_request(write(tmp_path, {"request_id": "R-1", "requester": {"customer_id": "C1"}}))
    assert (req.request_id, req.requester.customer_id, req.requester.devices) == ("R-1", "C1", ())


def test_missing_or_null_optional_fields_weaken_the_ticket_without_refusing_it(
    tmp_path: Path,
) -> None:
    data = {
        "request_id": "R-2",
        "due_at": None,
        "received_at": "",
        "identity_verification": None,
        "requester": {
            "customer_id": "C2",
            "name": None,
            "devices": [{"serial": "S1", "registered_at": None}, {"serial": "S2"}],
            "household": None,
        },
    }
    req = load_request(write(tmp_path, data))
    assert (req.due_at, req.received_at, req.requester.name) == (None, None, "")
    assert [(d.serial, d.registered_at) for d in req.requester.devices] == [
        ("S1", None),
        ("S2", None),
    ]
    assert req.requester.household == ()


def test_a_registration_date_may_be_a_date_time(tmp_path: Path) -> None:
    data = {
        "request_id": "R-3",
        "requester": {
            "customer_id": "C",
            "devices": [{"serial": "S1", "registered_at": "2017-12-24T18:00:00Z"}],
        },
    }
    [device] = load_request(write(tmp_path, data)).requester.devices
    assert device.registered_at == date(2017, 12, 24)


def _ticket(**fields: object) -> dict[str, object]:
    """The clean sample's ticket with top-level `fields` replaced (requester fields given as
    ``requester__name=...``)."""
    data: dict[str, Any] = json.loads((SAMPLES / "clean" / "request.json").read_text())
    for key, value in fields.items():
        if key.startswith("requester__"):
            data["requester"][key.removeprefix("requester__")] = value
        else:
            data[key] = value
    return data


def _device(**fields: object) -> list[object]:
    return [{"serial": "G070VM1A83120045", "type": "Echo Dot", **fields}]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_ticket(request_id="../../etc/x"), "request_id '../../etc/x'"),
        (_ticket(request_id="a/b"), "request_id 'a/b'"),
        (_ticket(request_id="."), "request_id '.'"),
        (_ticket(request_id=".."), "request_id '..'"),
        (_ticket(request_id="/tmp/abs"), "request_id '/tmp/abs'"),
        (_ticket(request_id="DSAR ü 0398"), "request_id 'DSAR ü 0398'"),
        (_ticket(request_id="R" * 129), "request_id 'RRRR"),
        (_ticket(request_id=12345), "request_id must be text"),
        (_ticket(due_at="yesterday"), "due_at 'yesterday' is not an ISO 8601 date-time"),
        (_ticket(due_at=float("nan")), "due_at holds NaN"),
        (_ticket(due_at=20180901), "due_at must be an ISO 8601 date-time"),
        (_ticket(received_at=[]), "received_at must be"),
        (_ticket(identity_verification="yes"), "identity_verification must be an object"),
        (_ticket(requester="a string"), "requester must be an object"),
        (_ticket(requester__customer_id=42), "requester.customer_id must be text"),
        (_ticket(requester__customer_id="A1\x1b[2J"), "requester.customer_id"),
        (_ticket(requester__name=5), "requester.name must be text"),
        (_ticket(requester__account_created_at="2013-13-45"), "requester.account_created_at"),
        (_ticket(requester__devices="nope"), "requester.devices must be a list"),
        (_ticket(requester__devices=["junk"]), "requester.devices[0] must be an object"),
        (_ticket(requester__devices=[{"type": "Echo"}]), "requester.devices[0] has no serial"),
        (
            _ticket(requester__devices=_device(registered_at="not a date")),
            "requester.devices[0].registered_at 'not a date' is not an ISO 8601 date",
        ),
        (
            _ticket(requester__devices=_device(registered_at=2017)),
            "requester.devices[0].registered_at must be",
        ),
        (_ticket(requester__household="nobody"), "requester.household must be a list"),
        (_ticket(requester__household=[None, 5]), "requester.household[0] must be an object"),
        (_ticket(requester__household=[{"relation": "son"}]), "requester.household[0] has no name"),
        (_ticket(requester__addresses=[{"city": 7}]), "requester.addresses[0].city must be text"),
    ],
)
def test_a_malformed_field_is_refused_in_one_line_naming_it(
    tmp_path: Path, data: object, field: str
) -> None:
    (tmp_path / "request.json").write_text(json.dumps(data))
    with pytest.raises(RequestError) as caught:
        load_request(tmp_path)
    message = str(caught.value)
    assert field in message
    assert message.isprintable(), message  # one line, nothing a terminal would act on


def test_a_number_too_long_to_convert_is_refused_naming_its_field(tmp_path: Path) -> None:
    text = json.dumps(_ticket(request_id=0)).replace(
        '"request_id": 0', '"request_id": ' + "1" * 5001
    )
    (tmp_path / "request.json").write_text(text)
    with pytest.raises(RequestError, match=r"request_id holds a number of 5,001 digits"):
        load_request(tmp_path)


def test_a_stored_ticket_from_before_the_rules_still_reads() -> None:
    stored = _ticket(due_at="yesterday", requester__household=[None, {"name": "Tom"}])
    req = request_from_dict(stored, strict=False)
    assert req.due_at is None
    assert [h.name for h in req.requester.household] == ["Tom"]
    with pytest.raises(RequestError, match=r"household\[0\] must be an object"):
        request_from_dict(stored)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must hold a JSON object"),
        ({"requester": {"customer_id": "C"}}, "no request_id"),
        ({"request_id": "R"}, "has no requester"),
        ({"request_id": "R", "requester": {"name": "x"}}, "no requester.customer_id"),
        ({"request_id": "R\n-1", "requester": {"customer_id": "C"}}, "not a usable id"),
        ({"request_id": "R" * 200, "requester": {"customer_id": "C"}}, "not a usable id"),
    ],
)
def test_unusable_tickets_are_refused_in_one_line(
    tmp_path: Path, data: object, message: str
) -> None:
    with pytest.raises(RequestError) as caught:
        load_request(write(tmp_path, data))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_not_json_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_bytes(b"{ nope")
    with pytest.raises(RequestError, match="not valid JSON"):
        load_request(tmp_path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # the second customer id would win in one program and the first in another
        ('{"request_id": "R-1", "requester": {"customer_id": "B9ZZ", "customer_id": "A1QH"}}', "customer_id"),
        ('{"request_id": "R-1", "request_id": "R-2", "requester": {"customer_id": "A1QH"}}', "request_id"),
        ('{"request_id": "R-1", "requester": {"customer_id": "B9"}, "requester": {"customer_id": "A1"}}', "requester"),
    ],
)  # fmt: skip
def test_a_key_given_twice_is_refused_naming_it(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "request.json").write_text(text)
    with pytest.raises(RequestError, match=f"the key '{key}' is given twice in one object"):
        load_request(tmp_path)


def test_a_nul_anywhere_in_the_ticket_is_refused_naming_its_field(tmp_path: Path) -> None:
    """No store's text field (PostgreSQL's) can hold a NUL: refused in words, not in SQL."""
    write(tmp_path, {"request_id": "R-1", "requester": {"customer_id": "A1", "name": "Eve\x00"}})
    with pytest.raises(RequestError, match=r"requester\.name holds a NUL character"):
        load_request(tmp_path)
    write(tmp_path, {"request_id": "R-1", "requester": {"customer_id": "A1", "na\x00me": "Eve"}})
    with pytest.raises(RequestError, match="holds a NUL character"):
        load_request(tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("email", "eleanor.whitfield@example.co.uk\u200b", "holds control or invisible characters"),
        ("phone", "+44 20\x1b[2J 7946 0958", "holds control or invisible characters"),
        ("customer_id", "A" * 129, "is longer than 128 characters"),
        ("name", "Eleanor " * 60, "is longer than 400 characters"),
    ],
)
def test_identifiers_that_could_not_be_the_requesters_are_refused(
    tmp_path: Path, field: str, value: str, said: str
) -> None:
    """An invisible character after the requester's own e-mail would make every copy of it in
    the export look like someone else's; an id or name of hundreds of characters is no id or
    name at all."""
    requester = {"customer_id": "A1QH7RZ3N8VW2E", field: value}
    with pytest.raises(RequestError, match=f"requester.{field} .*{said}"):
        load_request(write(tmp_path, {"request_id": "R-1", "requester": requester}))


def test_a_name_with_accents_and_a_no_break_space_is_read(tmp_path: Path) -> None:
    requester = {"customer_id": "A1", "name": "Zoë\u00a0Ó Dálaigh", "email": "zoe@example.ie"}
    req = load_request(write(tmp_path, {"request_id": "R-1", "requester": requester}))
    assert req.requester.name == "Zoë\u00a0Ó Dálaigh"


def test_a_phone_number_with_no_break_spaces_is_read(tmp_path: Path) -> None:
    requester = {"customer_id": "A1", "phone": "+44\u00a020\u00a07946\u00a00958"}
    req = load_request(write(tmp_path, {"request_id": "R-1", "requester": requester}))
    assert req.requester.phone == "+44\u00a020\u00a07946\u00a00958"
