"""The request ticket: what is required, what may be missing, and what is refused in one line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reviewer.domain.errors import RequestError
from reviewer.domain.request import load_request

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


def test_malformed_optional_fields_are_ignored_not_fatal(tmp_path: Path) -> None:
    data = {
        "request_id": "R-2",
        "due_at": "not a date",
        "requester": {
            "customer_id": "C2",
            "devices": [{"serial": "S1", "registered_at": "soon"}, "junk", {"type": "no serial"}],
            "household": "nobody",
        },
    }
    req = load_request(write(tmp_path, data))
    assert req.due_at is None
    assert [(d.serial, d.registered_at) for d in req.requester.devices] == [("S1", None)]
    assert req.requester.household == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must hold a JSON object"),
        ({"requester": {"customer_id": "C"}}, "no request_id"),
        ({"request_id": "R"}, "has no requester"),
        ({"request_id": "R", "requester": {"name": "x"}}, "no requester.customer_id"),
        ({"request_id": "R\n-1", "requester": {"customer_id": "C"}}, "not a printable id"),
        ({"request_id": "R" * 200, "requester": {"customer_id": "C"}}, "not a printable id"),
    ],
)
def test_unusable_tickets_are_refused_in_one_line(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(RequestError) as caught:
        load_request(write(tmp_path, data))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_not_json_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_bytes(b"{ nope")
    with pytest.raises(RequestError, match="not valid JSON"):
        load_request(tmp_path)
