"""The requester's address book and calendar: other people's names and e-mail addresses in
them are the requester's data (a warning to look at), not another account's; another
account's customer id in them, and the same addresses anywhere else, still block. A household
member's own address beside his name (in any of the fields that give it) is his.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cleancopy import review_changed

from reviewer.domain.model import Severity, Verdict

CONTACTS_CSV = (
    "name,phone,email\n"
    "Sarah Jones,+44 7700 900123,sarah.jones@example.com\n"
    "Dr. Amir Patel,+44 20 7946 0999,reception@cranleysurgery.example.co.uk\n"
)
CONTACTS_JSON = json.dumps(
    {"contacts": [{"name": "Sarah Jones", "email": "sarah.jones@example.com"}]}
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Alexa/Contacts.csv", CONTACTS_CSV),
        ("Alexa/Communications/contacts.json", CONTACTS_JSON),
        (
            "Alexa/AddressBook.vcf",
            "BEGIN:VCARD\nFN:Sarah Jones\nEMAIL:sarah.jones@example.com\nEND:VCARD\n",
        ),
        (
            "Alexa/Calendar.ics",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Dinner\nDTSTART:20180512T190000Z\n"
            "ORGANIZER;CN=Eleanor Whitfield:mailto:eleanor.whitfield@example.co.uk\n"
            "ATTENDEE;CN=Sarah Jones:mailto:sarah.jones@example.com\nEND:VEVENT\n"
            "END:VCALENDAR\n",
        ),
    ],
)
def test_the_requesters_contacts_are_a_warning(tmp_path: Path, name: str, text: str) -> None:
    review = review_changed(tmp_path, {name: text})
    assert review.report.verdict is Verdict.REVIEW, [
        (f.code, f.detail) for f in review.report.findings
    ]
    [f] = [f for f in review.report.findings if f.severity is not Severity.INFO]
    assert (f.code, f.severity, f.members) == ("third-party-names", Severity.WARNING, (name,))
    assert "sarah.jones@example.com" in f.detail


def test_the_same_addresses_elsewhere_still_block(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Retail/Recipients.csv": CONTACTS_CSV})
    assert review.report.verdict is Verdict.BLOCK
    assert "foreign-identifier" in [f.code for f in review.report.findings]


def test_another_accounts_id_in_contacts_still_blocks(tmp_path: Path) -> None:
    text = "customer_id,name,email\nA2MZ8T4KQ9XR3P,Lukas Brandt,lukas.brandt@example.de\n"
    review = review_changed(tmp_path, {"Alexa/Contacts.csv": text})
    assert review.report.verdict is Verdict.BLOCK


def test_a_household_members_own_address_is_no_strangers(tmp_path: Path) -> None:
    """The clean sample's household lists Tom Whitfield: his address in a record that names
    him is his; the same list with a stranger's record still blocks."""
    tom = {"name": "Tom Whitfield", "email": "tom.whitfield@example.co.uk"}
    doc = {"household": [tom]}
    review = review_changed(tmp_path, {"Account/Household.json": json.dumps(doc)})
    assert review.report.verdict is Verdict.PASS, review.report.findings

    doc["household"].append({"name": "Lukas Brandt", "email": "lukas.brandt@example.de"})
    (tmp_path / "stranger").mkdir()
    review = review_changed(tmp_path / "stranger", {"Account/Household.json": json.dumps(doc)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert "lukas.brandt@example.de" in f.detail and "tom.whitfield" not in f.detail


@pytest.mark.parametrize(
    "fields",
    [
        {"profile_name": "Tom Whitfield"},
        {"profileName": "Tom Whitfield"},
        {"first_name": "Tom", "last_name": "Whitfield"},
        {"given_name": "Tom", "family_name": "Whitfield"},
    ],
    ids=["profile_name", "profileName", "first and last", "given and family"],
)
def test_a_household_members_address_beside_his_name_in_other_fields_passes(
    tmp_path: Path, fields: dict[str, str]
) -> None:
    record = {"customer_id": "A1QH7RZ3N8VW2E", "email": "tom.whitfield@example.co.uk", **fields}
    review = review_changed(tmp_path, {"Account/Profiles/Tom.json": json.dumps(record)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_strangers_address_beside_a_household_first_name_still_blocks(tmp_path: Path) -> None:
    record = {"email": "tom.brandt@example.de", "first_name": "Tom", "last_name": "Brandt"}
    review = review_changed(tmp_path, {"Account/Profiles/Tom.json": json.dumps(record)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert "tom.brandt@example.de" in f.detail


def test_a_calendars_event_id_and_a_household_attendee_are_no_strangers(tmp_path: Path) -> None:
    """An event's UID is shaped like an address and is no one's; Tom Whitfield of the
    household, named beside his address, is no stranger; another attendee still is named."""
    ics = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
        "UID:7f3c2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6@alexa.amazon.co.uk\r\n"
        "DTSTART:20180520T090000Z\r\nSUMMARY:Swimming\r\n"
        "ORGANIZER;CN=Eleanor Whitfield:mailto:eleanor.whitfield@example.co.uk\r\n"
        "ATTENDEE;CN=Tom Whitfield:mailto:tom.whitfield@example.co.uk\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    review = review_changed(tmp_path, {"Alexa/Calendar.ics": ics})
    assert review.report.verdict is Verdict.PASS, review.report.findings

    other = ics.replace(
        "END:VEVENT", "ATTENDEE;CN=Sarah Jones:mailto:sarah.jones@example.com\r\nEND:VEVENT"
    )
    (tmp_path / "other").mkdir()
    review = review_changed(tmp_path / "other", {"Alexa/Calendar.ics": other})
    [f] = [f for f in review.report.findings if f.code == "third-party-names"]
    assert "sarah.jones@example.com" in f.detail
    assert "tom.whitfield" not in f.detail and "alexa.amazon" not in f.detail
