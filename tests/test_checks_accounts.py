"""wrong-customer and foreign-records on hand-built indexes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_checks_common import OTHER_ID, REQ_ID, ExportBuilder, clean_export, codes, make_request

from reviewer.domain.checks import foreign_records, run_checks, wrong_customer
from reviewer.domain.model import Severity


def _incident() -> ExportBuilder:
    b = ExportBuilder(customer_id=OTHER_ID)
    b.profile.update(name="Max Mustermann", email="max.mustermann@example.com")
    for i in range(5):
        b.record(f"w{i}", f"2017-0{i + 1}-03T10:00:00Z", serial="G0911W0000000001")
    return b


def test_the_whole_archive_of_another_account_is_wrong_customer() -> None:
    index = _incident().build()
    [f] = wrong_customer.check(make_request(), index)
    assert f.code == "wrong-customer"
    assert f.severity is Severity.CRITICAL
    assert OTHER_ID in f.title
    assert "Max Mustermann" in f.detail and "max.mustermann@example.com" in f.detail
    assert REQ_ID in f.detail
    assert f.members == (
        "manifest.json",
        "Account/Profile.json",
        "Alexa/VoiceHistory.csv",
        "Devices/Devices.csv",
        "Retail/OrderHistory.csv",
        "Retail/SearchHistory.csv",
    )


def test_wrong_customer_is_not_repeated_as_foreign_records_or_identifiers() -> None:
    findings = run_checks(make_request(), _incident().build())
    assert "wrong-customer" in codes(findings)
    assert "foreign-records" not in codes(findings)
    assert "foreign-identifier" not in codes(findings)
    assert "unattributable-archive" not in codes(findings)


def test_a_manifest_naming_another_customer_alone_is_enough() -> None:
    index = clean_export().build()
    assert index.manifest is not None
    index.manifest["customer_id"] = OTHER_ID
    [f] = wrong_customer.check(make_request(), index)
    assert f.members == ("manifest.json",)
    assert "manifest names customer " + OTHER_ID in f.detail


def test_mostly_foreign_rows_are_wrong_customer_even_with_the_requesters_manifest() -> None:
    b = clean_export()
    for i in range(10):
        b.record(f"x{i}", customer=OTHER_ID)
    index = b.build()
    [f] = wrong_customer.check(make_request(), index)
    assert f.members == ("Alexa/VoiceHistory.csv",)
    assert "10 of 16 rows" in f.detail


def test_a_few_foreign_rows_are_foreign_records_naming_table_and_audio() -> None:
    b = clean_export().record("x1", customer=OTHER_ID).record("x2", customer=OTHER_ID)
    b.rows(
        "Retail/OrderHistory.csv",
        {"customer_id": OTHER_ID, "order_id": "9", "ship_city": "Hannover"},
    )
    index = b.build()
    assert wrong_customer.check(make_request(), index) == []
    [f] = foreign_records.check(make_request(), index)
    assert f.code == "foreign-records"
    assert f.severity is Severity.CRITICAL
    assert f.members == (
        "Alexa/VoiceHistory.csv",
        "Retail/OrderHistory.csv",
        "Alexa/Audio/x1.wav",
        "Alexa/Audio/x2.wav",
    )
    assert "2 rows in Alexa/VoiceHistory.csv" in f.detail
    assert "1 row in Retail/OrderHistory.csv" in f.detail
    assert "x1, x2" in f.detail


def test_each_foreign_account_gets_its_own_finding() -> None:
    third = "A9Z9Z9Z9Z9Z9Z9"
    b = clean_export().record("x1", customer=OTHER_ID).record("y1", customer=third)
    found = foreign_records.check(make_request(), b.build())
    assert [f.members for f in found] == [
        ("Alexa/VoiceHistory.csv", "Alexa/Audio/x1.wav"),
        ("Alexa/VoiceHistory.csv", "Alexa/Audio/y1.wav"),
    ]


def test_ids_compare_without_case_or_padding() -> None:
    b = clean_export().record("u9", customer=f" {REQ_ID.lower()} ")
    assert run_checks(make_request(), b.build()) == []


def test_the_manifest_may_name_the_customer_under_another_key() -> None:
    index = clean_export().build()
    assert index.manifest is not None
    del index.manifest["customer_id"]
    index.manifest["customerId"] = OTHER_ID
    [f] = wrong_customer.check(make_request(), index)
    assert f.members == ("manifest.json",)
    index.manifest["customerId"] = True  # not an id at all
    assert wrong_customer.check(make_request(), index) == []


def test_single_record_json_documents_count_as_rows() -> None:
    from test_checks_common import _member

    index = clean_export().build()
    for i, cid in enumerate([OTHER_ID, REQ_ID, OTHER_ID]):
        path = f"Retail/Orders/o{i}.json"
        doc = {"order_id": str(i), "customer": {"id": cid}} if i else {"customer_id": cid}
        index.json_docs[path] = doc
        index.members.append(_member(path, b"{}"))
    [f] = foreign_records.check(make_request(), index)
    assert f.members == ("Retail/Orders/o0.json", "Retail/Orders/o2.json")
    assert "2 rows of customer " + OTHER_ID in f.detail
    assert run_checks(make_request(), index)[0].code == "foreign-records"
    assert "foreign-identifier" not in codes(run_checks(make_request(), index))


def test_customer_columns_in_other_languages_and_forms_name_the_other_account() -> None:
    """A German pipeline's "Kundennummer", the other account's id in lower case or grouped
    in fours: still someone else's rows. Words, a masked number and a skill's pseudonym in
    an account column are no account at all: the requester's own export is not held up."""
    from reviewer.domain.model import Table

    grouped = " ".join(OTHER_ID[i : i + 4] for i in range(0, len(OTHER_ID), 4))
    index = clean_export().build()
    index.tables["Retail/Bestellungen.csv"] = Table(
        "Retail/Bestellungen.csv",
        ("Kundennummer", "Bestellung"),
        [(REQ_ID.lower(), "1"), (OTHER_ID.lower(), "2"), (grouped, "3")],
    )
    (found,) = foreign_records.check(make_request(), index)
    assert found.members == ("Retail/Bestellungen.csv",) and OTHER_ID in found.detail
    assert "2 rows" in found.detail

    index = clean_export().build()
    index.tables["Alexa/Skills.csv"] = Table(
        "Alexa/Skills.csv",
        ("skill", "user_id", "account"),
        [
            ("Weather", "amzn1.ask.account.AFTQ3Z7EXAMPLE6H2KD4Y", "Prime Household"),
            ("Music", "****4821", REQ_ID),
        ],
    )
    assert foreign_records.check(make_request(), index) == []
    assert "foreign-identifier" not in codes(run_checks(make_request(), index))


def test_the_requesters_records_dated_before_their_account_existed_are_a_warning() -> None:
    """Searches and an order under the requester's id from years before the account was
    created (2014-03-11 in the ticket): a previous holder of the id, or rows mixed in. A day
    before is clocks and time zones; another account's rows are foreign-records' to say."""
    from reviewer.domain.checks import before_account
    from reviewer.domain.model import Table

    request = make_request()
    index = clean_export().build()
    assert before_account.check(request, index) == []
    index.tables["Retail/SearchHistory.csv"] = Table(
        "Retail/SearchHistory.csv",
        ("customer_id", "timestamp", "query"),
        [
            (REQ_ID, "2011-02-03T18:22:10Z", "lego technik"),
            (REQ_ID, "1315987304000", "wanderschuhe"),  # 2011-09-14, in epoch milliseconds
            (REQ_ID, "2014-03-10T23:30:00Z", "a day before: time zones"),
            (OTHER_ID, "2010-01-01T00:00:00Z", "another account's"),
        ],
    )
    (f,) = before_account.check(request, index)
    assert (f.code, f.severity, f.members) == (
        "before-account",
        Severity.WARNING,
        ("Retail/SearchHistory.csv",),
    )
    assert "2 rows in Retail/SearchHistory.csv date from as early as 2011-02-03" in f.detail


@pytest.mark.parametrize(
    ("when", "found"),
    [("2031-05-01T10:00:00Z", ["after-export"]), ("2018-07-30T23:59:00Z", [])],
    ids=["years after", "the day it was made"],
)
def test_recordings_dated_after_the_export_was_made(
    tmp_path: Path, when: str, found: list[str]
) -> None:
    """The clean sample's manifest says it was generated on 2018-07-30: no recording in it
    can be younger (a day's slack for time zones)."""
    from cleancopy import review_changed, voice_history_rows, voice_history_text

    rows = voice_history_rows()
    rows[0][1] = when
    review = review_changed(
        tmp_path,
        {"Alexa/VoiceHistory.csv": voice_history_text(rows), "Alexa/Transcripts.pdf": None},
    )
    assert [f.code for f in review.report.findings] == found
    if found:
        [f] = review.report.findings
        assert "2031-05-01" in f.detail and "2018-07-30" in f.detail
        assert f.members == ("Alexa/VoiceHistory.csv", f"Alexa/Audio/{rows[0][0]}.wav")


@pytest.mark.parametrize(
    ("member", "text", "found"),
    [
        (
            "Alexa/Reminders.csv",
            "customer_id,reminder_id,date,reminder\n"
            "A1QH7RZ3N8VW2E,R1,2018-12-01T09:00:00Z,put the bins out\n",
            [],
        ),
        (
            "Alexa/Calendar.csv",
            "customer_id,date,created_at,title\n"
            "A1QH7RZ3N8VW2E,2018-09-03T09:30:00Z,2018-07-01T10:00:00Z,Dentist\n",
            [],
        ),
        (
            "Alexa/Calendar.csv",
            "customer_id,date,created_at,title\n"
            "A1QH7RZ3N8VW2E,2018-09-03T09:30:00Z,2018-09-01T10:00:00Z,Dentist\n",
            ["after-export"],
        ),
        (
            "Retail/Wishlist.csv",
            "customer_id,date,item\nA1QH7RZ3N8VW2E,2018-12-01,Garden hose\n",
            ["after-export"],
        ),
    ],
    ids=["a reminder due later", "an event made before", "an event made after", "a wish list"],
)
def test_what_is_planned_ahead_counts_by_the_day_it_was_made(
    tmp_path: Path, member: str, text: str, found: list[str]
) -> None:
    """A reminder or a calendar event may be due after the export (2018-07-30) was made; the
    day it was made may not be, nor any other record's day."""
    from cleancopy import review_changed

    review = review_changed(tmp_path, {member: text})
    assert [f.code for f in review.report.findings] == found
