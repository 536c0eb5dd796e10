"""Another account's data in members of other layouts: JSON Lines (`.jsonl`, `.ndjson`), a
member named as a CSV table that holds JSON records, a delimited table in a `.txt` or under a
recording's name, and values labelled with a field's name in XML, HTML or "name: value"
text. Their customer column or label attributes each as a JSON field or a CSV row is,
whatever the shape of the ids.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from cleancopy import clean_members, review_changed, voice_history_rows

from reviewer.domain.archive.tabular import parse_csv
from reviewer.domain.model import Verdict

REQ_ID = "A1QH7RZ3N8VW2E"
THEIRS = "40817734"  # another system's account number: not shaped like the requester's id


def _lines(*records: Mapping[str, object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


MINE = {"customer_id": REQ_ID, "order_id": "202-4417309-5518734", "ship_city": "London"}
STRANGER = {"customer_id": THEIRS, "customer_name": "Gary Hollis", "order_id": "202-1"}


@pytest.mark.parametrize("name", ["Retail/Orders.jsonl", "Retail/Orders.ndjson"])
def test_another_accounts_rows_in_json_lines_block(tmp_path: Path, name: str) -> None:
    review = review_changed(tmp_path, {name: _lines(MINE, STRANGER)})
    assert review.report.verdict is Verdict.BLOCK
    by_code = {f.code: f for f in review.report.findings}
    assert THEIRS in by_code["foreign-records"].detail
    assert by_code["foreign-records"].members == (name,)
    assert "Gary Hollis" in by_code["foreign-identifier"].detail


def test_the_requesters_own_json_lines_pass(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Retail/Orders.jsonl": _lines(MINE, MINE)})
    assert review.report.verdict is Verdict.PASS, [f.code for f in review.report.findings]


@pytest.mark.parametrize(
    "text", [json.dumps([MINE, STRANGER]), _lines(MINE, STRANGER)], ids=["list", "lines"]
)
def test_another_accounts_json_records_in_a_csv_member_block(tmp_path: Path, text: str) -> None:
    review = review_changed(tmp_path, {"Retail/Returns.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail and f.members == ("Retail/Returns.csv",)


def test_a_csv_member_of_json_records_reads_as_their_table() -> None:
    table = parse_csv("Returns.csv", json.dumps({"returns": [MINE, STRANGER]}))
    assert table is not None
    assert table.columns == ("customer_id", "order_id", "ship_city", "customer_name")
    assert list(table.values("customer_id")) == [REQ_ID, THEIRS]
    one = parse_csv("Returns.csv", json.dumps(STRANGER) + "\n")
    assert one is not None and list(one.values("customer_name")) == ["Gary Hollis"]
    plain = parse_csv("Returns.csv", 'customer_id,note\nA1,"{not json}"\n')
    assert plain is not None and plain.columns == ("customer_id", "note")


MINE_CSV = f"customer_id,order_id,ship_city\n{REQ_ID},202-4417309-5518734,London\n"
STRANGER_CSV = MINE_CSV + f"{THEIRS},202-1,Leeds\n"


@pytest.mark.parametrize(
    "name", ["Retail/Returns.txt", "Retail/Returns", "Alexa/Audio/UZZZ000000000019.wav"]
)
def test_another_accounts_rows_in_a_table_under_another_name_block(
    tmp_path: Path, name: str
) -> None:
    review = review_changed(tmp_path, {name: STRANGER_CSV})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail and f.members == (name,)


ALIGNED = (
    "Order report\n\nCUSTOMER ID       ORDER               SHIP CITY\n"
    "----------------  ------------------  ---------\n"
    f"{REQ_ID}    202-4417309-5518734 London\n"
)


def test_another_accounts_row_in_a_table_of_aligned_columns_blocks(tmp_path: Path) -> None:
    text = ALIGNED + f"{THEIRS:<18}202-1               Leeds\n\nPrinted 2018-07-01\n"
    review = review_changed(tmp_path, {"Retail/Report.txt": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail and f.members == ("Retail/Report.txt",)


def test_the_requesters_table_of_aligned_columns_passes(tmp_path: Path) -> None:
    text = ALIGNED + "\nTotal: 1 order  Printed 2018-07-01\n"
    review = review_changed(tmp_path, {"Retail/Report.txt": text})
    assert review.report.verdict is Verdict.PASS, [f.code for f in review.report.findings]


def test_the_requesters_own_table_in_a_text_member_passes(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Retail/Returns.txt": MINE_CSV})
    assert review.report.verdict is Verdict.PASS, [f.code for f in review.report.findings]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "Account/Legacy.xml",
            f"<?xml version='1.0'?><account><customerId>{THEIRS}</customerId>"
            "<ns:AccountHolder>Gary Hollis</ns:AccountHolder></account>",
        ),
        ("Account/Legacy.html", f'<div data-x="1" customerId="{THEIRS}">Gary Hollis</div>'),
        ("Account/Legacy.yaml", f"account:\n  customer_id: '{THEIRS}'\n  full name: Gary Hollis\n"),
        ("Account/Legacy.ini", f"[account]\nCustomer ID = {THEIRS}\n"),
        ("Account/Legacy.txt", f"Account holder: Gary Hollis\nCustomer number: {THEIRS}\n"),
        ("Account/Legacy.xml", f"<account><customerId><![CDATA[{THEIRS}]]></customerId></account>"),
        ("Account/Legacy.xml", f"<account xmlns:c='urn:c' c:customerId=\"{THEIRS}\"/>"),
        ("Account/Legacy.html", f"<p><b>Customer number:</b> {THEIRS}</p>"),
        (
            "Account/Legacy.docx!word/document.xml",
            f"<w:p><w:r><w:t>Customer ID: {THEIRS}</w:t></w:r></w:p>",
        ),
        ("Account/Legacy.txt", f"Customer No.: {THEIRS}\n"),
        ("Account/Legacy.txt", f"Kunden-Nr.: {THEIRS}\n"),
        (
            "Account/Legacy.html",
            f"<table><tr><th>Customer ID</th><td>{THEIRS}</td></tr>"
            "<tr><th>Account holder name</th>\n  <td class='v'>Gary Hollis</td></tr></table>",
        ),
        ("Account/Legacy.html", f"<dl><dt>Customer number</dt><dd>{THEIRS}</dd></dl>"),
        ("Account/Legacy.txt", f'{{"customer_id": "{THEIRS}", "account_holder": "Gary Hol'),
        ("Account/Legacy.log", f'2018-07-01 12:00:00 session {{"customerId":{THEIRS}}}\n'),
        ("Account/Legacy.txt", f"Customer ID\uff1a {THEIRS}\n"),
        ("Account/Legacy.txt", f"Customer ID: {THEIRS} (closed), Account holder: Gary Hollis\n"),
        ("Account/Legacy.txt", f"Customer #: {THEIRS}\n"),  # "#" for number
        ("Account/Legacy.yaml", f"account:\n  customer_id:\n    '{THEIRS}'\n"),  # next line
        ("Account/Legacy.txt", f"Dear customer, your customer number is {THEIRS}.\n"),
        ("Account/Legacy.txt", f"Customer No {THEIRS}\n"),
        ("Account/Legacy.txt", f"Ihre Kundennummer {THEIRS}\n"),
        ("README.md", f"# Export\n\nCustomer: {THEIRS}\n"),
        (
            "Retail/Wishlist.html",
            f"<table><tr><th>Customer</th><td>{THEIRS}</td></tr>"
            "<tr><th>Account holder</th><td>Gary Hollis</td></tr></table>",
        ),
    ],
)
def test_a_labelled_account_id_or_holder_in_text_blocks(
    tmp_path: Path, name: str, text: str
) -> None:
    review = review_changed(tmp_path, {name: text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert THEIRS in f.detail and f.members == (name,)


@pytest.mark.parametrize(
    "text",
    [
        f"<account><customerId>{REQ_ID.lower()}</customerId>"
        "<accountHolder>Eleanor Whitfield</accountHolder></account>",
        "Account: Prime\nCustomer: Household\nOrder ID: 202-4417309-5518734\n"
        "Customer: since 2015, Prime member\nCustomer: 2 orders\n",
        "Account number: ****4821\nUser ID: amzn1.ask.account.AFXYZ123\n",
        "Linked service: Spotify\nUser ID: 31ybcqzq7xk2h4ldn6aa5xyz\n",
        "Payment: Visa\nAccount number: ending in 4821\n",
        "Account holder: Eleanor Whitfield\nSort code: 60-16-13\nAccount number: 31926819\n",
        "Customer ID: 0\ncustomer_id = 1\n",
        "Full name: John Smith\nPhone: +44 20 7946 0999\n",
        "Account name: Whitfield Household\n",
        f"Customer ID: {REQ_ID} (verified)\nCustomer number: {REQ_ID}.\n",
        f"Your customer number is {REQ_ID}. Customer # {REQ_ID.lower()}\nCustomer no 12\n",
        "Customer ID:\n  - see the profile\nOAuth client id 1234567890abcdef\n",
    ],
    ids=[
        "the requester's",
        "words",
        "masked and scoped",
        "a linked service's user",
        "a card's last digits",
        "a bank account",
        "placeholders",
        "a contact",
        "the household's name for the account",
        "remarks and addresses",
        "the requester's in a sentence, a short number",
        "a list under a label, a linked app's client id",
    ],
)
def test_labelled_values_that_are_no_other_account_pass(tmp_path: Path, text: str) -> None:
    review = review_changed(tmp_path, {"Account/Legacy.txt": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_log_whose_first_line_names_a_customer_is_no_table(tmp_path: Path) -> None:
    log = (
        "2018-07-01 12:00:00|customer|session start\n"
        "2018-07-01 12:00:01|device G090LF0964130QAB|wake word\n"
    )
    review = review_changed(tmp_path, {"Devices/Logs/echo.log": log})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    "name", ["Retail/Returns.log", "Retail/Returns.txt", "Alexa/Audio/UZZZ000000000019.wav"]
)
def test_another_accounts_json_lines_under_another_name_block(tmp_path: Path, name: str) -> None:
    review = review_changed(tmp_path, {name: _lines(MINE, STRANGER)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail and f.members == (name,)


@pytest.mark.parametrize("name", ["Retail/Returns.txt", "Retail/Returns.csv"])
def test_a_tables_footer_line_is_no_other_account(tmp_path: Path, name: str) -> None:
    text = MINE_CSV + "Generated 2018-08-02 by export v2\n"
    review = review_changed(tmp_path, {name: text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_voice_history_in_json_lines_gives_its_recordings(tmp_path: Path) -> None:
    """A previous owner's recording in a voice history written as JSON Lines is judged like
    one in the CSV: the reader takes the recordings from the table it holds."""
    from cleancopy import VOICE_HISTORY_FIELDS, voice_history_rows

    fields = VOICE_HISTORY_FIELDS
    rows = voice_history_rows()
    rows[0][1] = "2016-11-14T07:12:40Z"  # before the device was registered, 2017-03-02
    text = _lines(*(dict(zip(fields, row, strict=True)) for row in rows))
    review = review_changed(
        tmp_path,
        {
            "Alexa/VoiceHistory.csv": None,
            "Alexa/VoiceHistory.jsonl": text,
            "Alexa/Transcripts.pdf": None,
        },
    )
    assert len(review.index.recordings) == len(rows)
    assert review.report.verdict is Verdict.BLOCK
    assert [f.code for f in review.report.findings] == ["previous-owner"]


@pytest.mark.parametrize(
    "head",
    ["Returns export\n", "# exported 2018-08-02\n\n", "\n\n"],
    ids=["title", "comment", "blank"],
)
def test_a_tables_header_after_a_title_or_comment_is_found(tmp_path: Path, head: str) -> None:
    review = review_changed(tmp_path, {"Retail/Returns.txt": head + STRANGER_CSV})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail


LINKED_JSON = json.dumps(
    {
        "customer_id": REQ_ID,
        "linkedServices": [
            {"service": "Spotify", "accountId": "31kx7q2m9zf4h", "linkedAt": "2017-04-01"},
            {"service": "Audible", "accountId": "026-1187234-99", "linkedAt": "2017-05-01"},
        ],
    }
)
LINKED_XML = (
    f"<Account><CustomerId>{REQ_ID}</CustomerId><LinkedServices>"
    '<Service name="Spotify" accountId="31kx7q2m9zf4h"/>'
    "<Service name='Audible'><AccountId>026-1187234-99</AccountId></Service>"
    "</LinkedServices></Account>"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [("Account/LinkedServices.json", LINKED_JSON), ("Account/LinkedServices.xml", LINKED_XML)],
)
def test_linked_services_account_ids_are_no_other_customer(
    tmp_path: Path, name: str, text: str
) -> None:
    review = review_changed(tmp_path, {name: text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_another_customer_beside_a_service_column_still_blocks(tmp_path: Path) -> None:
    """Only a generic account key beside a service is the service's: a customer column is
    the exporter's customer whatever stands beside it."""
    text = f"customer_id,service,order_id\n{REQ_ID},Kindle,D01-1\n{THEIRS},Kindle,D01-2\n"
    review = review_changed(tmp_path, {"Digital/Orders.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail


def _xml_voice_history(rows: list[list[str]]) -> str:
    """The voice history as XML: one <Utterance> a row, its fields as attributes and its
    transcript as a child element, in a namespace."""
    items = "".join(
        f'  <v:Utterance id="{u}" timestamp="{t}" customerId="{c}" deviceSerial="{s}" '
        f'deviceType="{d}" audioFile="{a}"><v:Transcript>{tr}</v:Transcript></v:Utterance>\n'
        for u, t, c, s, d, a, tr in rows
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<v:VoiceHistory xmlns:v="urn:example:alexa">\n{items}</v:VoiceHistory>\n'
    )


def test_a_voice_history_in_xml_gives_its_recordings(tmp_path: Path) -> None:
    """An XML voice history's rows are recordings like a CSV's: the requester's own pass,
    and one from a device the requester never registered blocks, naming the device."""
    rows = voice_history_rows()
    (tmp_path / "honest").mkdir()
    (tmp_path / "stranger").mkdir()
    honest = review_changed(
        tmp_path / "honest",
        {"Alexa/VoiceHistory.csv": None, "Alexa/VoiceHistory.xml": _xml_voice_history(rows)},
    )
    assert honest.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in honest.report.findings
    ]
    assert len(honest.index.recordings) == len(rows)
    stranger = list(rows[0])
    stranger[0], stranger[3] = "UABCF2613F1B3AD9", "G0A0UQ0458810E1R"
    stranger[5] = "Alexa/Audio/UABCF2613F1B3AD9.wav"
    wav = clean_members()[rows[0][5]]
    review = review_changed(
        tmp_path / "stranger",
        {
            "Alexa/VoiceHistory.csv": None,
            "Alexa/VoiceHistory.xml": _xml_voice_history([*rows, stranger]),
            stranger[5]: wav,
        },
    )
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert "G0A0UQ0458810E1R" in f.title and stranger[5] in f.members


def test_another_accounts_records_in_xml_block_and_settings_stay_text(tmp_path: Path) -> None:
    orders = (
        "<Orders>"
        f'<Order customerId="{REQ_ID}" orderId="202-1"/>'
        f'<Order customerId="{THEIRS}" orderId="202-2"><ShipCity>Leeds</ShipCity></Order>'
        "</Orders>"
    )
    settings = (
        "<Settings><Setting name='wake'>Alexa</Setting><Setting name='lang'>en</Setting></Settings>"
    )
    review = review_changed(tmp_path, {"Retail/Orders.xml": orders, "Alexa/Settings.xml": settings})
    by_code = {f.code: f for f in review.report.findings}
    assert by_code["foreign-records"].members == ("Retail/Orders.xml",)
    assert "Alexa/Settings.xml" not in review.index.tables
