"""Account ids as other systems write them: grouped by dots, slashes or colons, in full-width
characters, with a zero-width space or another script's look-alike letter inside. Another
account's id so written is still another account's (and its recordings are named with its
rows); the requester's own id so written, or grouped by spaces, is still theirs.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cleancopy import clean_members, clean_ticket, review_changed, voice_history_rows

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

REQ_ID = "A1QH7RZ3N8VW2E"
THEIRS = "A5RT8XK2M9QW4N"
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in THEIRS)


def _voice_history(rows: list[list[str]]) -> str:
    header = clean_members()["Alexa/VoiceHistory.csv"].decode().splitlines()[0]
    return "\n".join([header, *(",".join(r) for r in rows)]) + "\n"


def _one_row_of(customer: str) -> tuple[str, str]:
    """The clean voice history with its first row's account set to `customer`: (its text,
    that row's audio member)."""
    rows = voice_history_rows()
    rows[0][2] = customer
    return _voice_history(rows), rows[0][5]


@pytest.mark.parametrize(
    "written",
    [
        "A5RT.8XK2.M9QW.4N",
        "A5RT/8XK2/M9QW/4N",
        "A5RT:8XK2:M9QW:4N",
        "A5RT 8XK2 M9QW 4N",
        FULL_WIDTH,
        THEIRS[:4] + "\u200b" + THEIRS[4:],
        "\u0410" + THEIRS[1:],  # a Cyrillic capital A
    ],
    ids=["dots", "slashes", "colons", "spaces", "full-width", "zero-width space", "cyrillic"],
)
def test_another_accounts_recording_row_however_its_id_is_written_blocks(
    tmp_path: Path, written: str
) -> None:
    text, audio = _one_row_of(written)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert f.subjects == (THEIRS,)
    # the row and its recording, so removing what the finding names removes the audio too
    assert set(f.members) == {"Alexa/VoiceHistory.csv", audio}, f.members
    assert "1 recording among them" in f.detail


@pytest.mark.parametrize(
    "written",
    ["A1QH.7RZ3.N8VW.2E", "a1qh-7rz3-n8vw-2e", "A1QH 7RZ3 N8VW 2E", "\u0410" + REQ_ID[1:]],
)
def test_the_requesters_recording_row_however_its_id_is_written_passes(
    tmp_path: Path, written: str
) -> None:
    text, _audio = _one_row_of(written)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize("written", ["2018/07/01", "12:30:00", "v2.1.3"])
def test_dates_times_and_versions_in_a_customer_column_are_no_account(
    tmp_path: Path, written: str
) -> None:
    orders = f"customer_id,order_id\n{REQ_ID},202-4417309-5518734\n{written},202-1\n"
    review = review_changed(tmp_path, {"Retail/Orders.csv": orders})
    assert not [f for f in review.report.findings if f.code == "foreign-records"]


@pytest.mark.parametrize("grouped", ["A1QH 7RZ3 N8VW 2E", "A1QH-7RZ3-N8VW-2E"])
@pytest.mark.parametrize("where", ["profile", "manifest", "ticket"])
def test_the_requesters_id_grouped_in_the_profile_manifest_or_ticket_passes(
    tmp_path: Path, grouped: str, where: str
) -> None:
    members = clean_members()
    ticket = clean_ticket()
    changes: dict[str, str] = {}
    if where == "ticket":
        ticket["requester"]["customer_id"] = grouped
    else:
        name = "Account/Profile.json" if where == "profile" else "manifest.json"
        doc = json.loads(members[name])
        doc["customer_id"] = grouped
        changes[name] = json.dumps(doc)
    review = review_changed(tmp_path, changes, ticket)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


NUMBER = "40817734"  # a requester whose account is a number


def _numeric(tmp_path: Path, changes: dict[str, str]) -> Review:
    """The clean export for a requester whose account id is `NUMBER`, with `changes`."""
    members = {
        p: b.decode().replace(REQ_ID, NUMBER)
        for p, b in clean_members().items()
        if p.endswith((".csv", ".json"))
    }
    ticket = clean_ticket()
    ticket["requester"]["customer_id"] = NUMBER
    review = review_changed(tmp_path, {**members, **changes}, ticket)
    return review


def test_another_number_under_a_client_id_column_blocks(tmp_path: Path) -> None:
    returns = f"Client ID,order_id,item\n{NUMBER},202-1,Kettle\n59102288,302-7,Drill\n"
    review = _numeric(tmp_path, {"Retail/Returns.csv": returns})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert f.subjects == ("59102288",) and f.members == ("Retail/Returns.csv",)


def test_an_apps_client_id_beside_its_name_is_no_account(tmp_path: Path) -> None:
    skills = (
        f"customer_id,skill_name,client_id\n{NUMBER},Spotify,9f86d081884c7d659a2feaa0c55ad015\n"
    )
    review = _numeric(tmp_path, {"Alexa/Skills.csv": skills})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_the_requesters_number_padded_with_zeros_passes(tmp_path: Path) -> None:
    orders = f"customer_id,order_id\n00{NUMBER},202-1\n{NUMBER},202-2\n"
    review = _numeric(tmp_path, {"Retail/Orders.csv": orders})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_recording_row_whose_account_is_a_persons_name_is_pointed_out(tmp_path: Path) -> None:
    """No account id in the account column, only a stranger's name: nothing says whose the
    row and its recording are, so a reviewer is told (a warning naming both)."""
    text, audio = _one_row_of("Lukas Brandt")
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.REVIEW
    [f] = [f for f in review.report.findings if "names no account" in f.title]
    assert f.code == "unattributed-member" and "'Lukas Brandt'" in f.detail
    assert set(f.members) == {"Alexa/VoiceHistory.csv", audio}


@pytest.mark.parametrize(
    "cell",
    [
        "Eleanor Whitfield",
        "n/a",
        "Generated 2018-08-02 by export v2",
        "Household",
        "Teen",
        "Prime Member",
        "Business Account",
    ],
)
def test_the_requesters_name_or_a_placeholder_in_the_account_column_passes(
    tmp_path: Path, cell: str
) -> None:
    orders = f"customer_id,order_id\n{REQ_ID},202-4417309-5518734\n{cell},202-1\n"
    review = review_changed(tmp_path, {"Retail/Orders.csv": orders})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    "cell",
    [
        "eleanor.whitfield@example.co.uk",
        "Eleanor Whitfield",
        f"{REQ_ID} (Eleanor Whitfield)",
        "Lukas Brandt",
    ],
    ids=["requester's e-mail", "requester's name", "id and name", "a stranger's name"],
)
def test_recordings_whose_account_cell_holds_no_id_are_still_checked_by_device_and_date(
    tmp_path: Path, cell: str
) -> None:
    """An account column that holds an e-mail address or a name instead of an id names no
    other account: its recordings are judged as the requester's, so one from a device the
    requester never registered and one made before their device was registered block."""
    rows = voice_history_rows()
    for row in rows:
        row[2] = cell
    unregistered, early = list(rows[0]), list(rows[1])
    unregistered[0], unregistered[3] = "U0AAA0000000001", "G0A0UQ0458810E1R"
    unregistered[5] = "Alexa/Audio/U0AAA0000000001.wav"
    early[0], early[1], early[3] = "U0AAA0000000002", "2017-11-01T10:00:00Z", "G000RA1103770K5V"
    early[5] = "Alexa/Audio/U0AAA0000000002.wav"
    wav = clean_members()[rows[0][5]]
    review = review_changed(
        tmp_path,
        {
            "Alexa/VoiceHistory.csv": _voice_history([*rows, unregistered, early]),
            unregistered[5]: wav,
            early[5]: wav,
            "Alexa/Transcripts.pdf": None,  # the device checks on their own
        },
    )
    codes = {f.code for f in review.report.findings if f.severity is Severity.CRITICAL}
    assert {"unknown-device", "previous-owner"} <= codes, [
        (f.code, f.title) for f in review.report.findings
    ]
    assert review.report.verdict is Verdict.BLOCK


SELLER = "A2MZ8T4KQ9XR3P"  # a marketplace seller's id, shaped like a customer id
ORDERS = "Retail/OrderHistory.csv"


def _orders_with(column: str, cell: str) -> str:
    """The clean order history with one more column, `cell` in every row."""
    head, *rows = clean_members()[ORDERS].decode().splitlines()
    return "\n".join([f"{head},{column}", *(f"{r},{cell}" for r in rows)]) + "\n"


SELLER_FORMS = {
    "seller_id column": {ORDERS: _orders_with("seller_id", SELLER)},
    "Merchant ID column": {ORDERS: _orders_with("Merchant ID", SELLER)},
    "Verkäufer-ID column": {ORDERS: _orders_with("Verkäufer-ID", SELLER)},
    "link ?m=": {
        ORDERS: _orders_with("product_url", f"https://www.amazon.co.uk/dp/B07PGL2N7J?m={SELLER}")
    },
    "link &smid=": {
        ORDERS: _orders_with("link", f"https://www.amazon.de/dp/B07PGL2N7J?th=1&smid={SELLER}")
    },
    "JSON sellerId": {
        "Retail/Offers.json": json.dumps([{"asin": "B07PGL2N7J", "sellerId": SELLER}])
    },
    "JSON soldBy object": {
        "Retail/Order-1.json": json.dumps(
            {
                "customerId": REQ_ID,
                "items": [{"asin": "B07PGL2N7J", "soldBy": {"name": "Kettle Co", "id": SELLER}}],
            }
        )
    },
    "Amazon's own, in a note": {
        "Retail/Note.txt": "Dispatched from and sold by Amazon (A3P5ROKL5A1OLE).\n"
    },
    "Amazon's own, amazon.de": {ORDERS: _orders_with("Sold by", "A3JWKAKR8XB7XF")},
}


@pytest.mark.parametrize("form", sorted(SELLER_FORMS))
def test_a_sellers_id_is_no_customers(tmp_path: Path, form: str) -> None:
    """An honest order history names who sold each item: a seller's id, shaped like a
    customer id, is nobody's account in this export."""
    review = review_changed(tmp_path, SELLER_FORMS[form])
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_sellers_id_excuses_the_same_id_nowhere_else(tmp_path: Path) -> None:
    """A value in a seller column is a seller's there; written unlabelled in another member,
    or in a customer field, it is still another account's id."""
    review = review_changed(
        tmp_path,
        {
            ORDERS: _orders_with("seller_id", SELLER),
            "Notes.txt": f"Records merged from {SELLER} on 2018-07-01.\n",
            "Account/Linked.json": json.dumps({"customerId": SELLER}),
        },
    )
    assert review.report.verdict is Verdict.BLOCK
    by_code = {f.code: f for f in review.report.findings}
    assert SELLER in by_code["foreign-identifier"].detail
    assert by_code["foreign-identifier"].members == ("Notes.txt",)
    assert by_code["foreign-records"].members == ("Account/Linked.json",)


DISGUISED = {
    "dashes": "A5RT-8XK2-M9QW-4N",
    "spaces": "A5RT 8XK2 M9QW 4N",
    "dots in threes": "A5R.T8X.K2M.9QW.4N",
    "zero-width space": THEIRS[:8] + "\u200b" + THEIRS[8:],
    "full-width": FULL_WIDTH,
    "cyrillic": "\u0410" + THEIRS[1:],
    "full-width, dashed": "-".join(
        [FULL_WIDTH[:4], FULL_WIDTH[4:8], FULL_WIDTH[8:12], FULL_WIDTH[12:]]
    ),
}
# what honest texts hold beside: an order number, a phone number, dates, a tracking number,
# a letterhead, the requester's own id grouped or in full-width
HONEST_NOTE = (
    "Order 123-4567890-1234567 of 2018-07-01 (01.07.2018), call +44 20 7946 0321, tracking "
    "AB 1234 5678 9GB, AMAZON EU SARL 38 AVENUE JOHN F. KENNEDY, account A1QH-7RZ3-N8VW-2E "
    "or " + "".join(chr(ord(c) + 0xFEE0) for c in REQ_ID) + ". "
)


def _in_place(place: str, written: str) -> tuple[str, str]:
    """(member, text) that holds `written` where no field name says it is an account."""
    if place == "json":
        doc = {"customerId": REQ_ID, "secondaryCustomerId": written, "note": HONEST_NOTE}
        return "Account/Linked.json", json.dumps(doc, ensure_ascii=False)
    if place == "csv":
        return "Retail/Gifts.csv", f"customer_id,linked_customer,item\n{REQ_ID},{written},Teapot\n"
    return "Notes.txt", f"{HONEST_NOTE}Records merged from {written} on 2018-07-01.\n"


@pytest.mark.parametrize("place", ["json", "csv", "txt"])
@pytest.mark.parametrize("form", sorted(DISGUISED))
def test_another_accounts_id_grouped_or_disguised_anywhere_blocks(
    tmp_path: Path, form: str, place: str
) -> None:
    member, text = _in_place(place, DISGUISED[form])
    review = review_changed(tmp_path, {member: text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    # read as the plain id; nothing else the texts hold is taken for one
    assert f.detail.startswith(f"1 customer id that is not the requester's: {THEIRS} (in {member})")
    assert f.members == (member,)


def test_numbers_dates_and_the_requesters_own_id_grouped_are_no_other_account(
    tmp_path: Path,
) -> None:
    """(A guard for the scan above: it passes without it too.)"""
    review = review_changed(tmp_path, {"Notes.txt": HONEST_NOTE + "\n"})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]
