"""The identity-evidence scan on other layouts, and its silence where specific checks speak."""

from __future__ import annotations

import json

from test_checks_common import OTHER_ID, REQ_ID, SERIAL, _member, clean_export, codes, make_request

from reviewer.domain.checks import evidence, run_checks
from reviewer.domain.model import ExportIndex, Severity, Table


def _other_layout(docs: dict[str, object], texts: dict[str, str] | None = None) -> ExportIndex:
    """No manifest, JSON instead of CSV: what another pipeline delivers."""
    index = ExportIndex(archive_path="export.zip", archive_sha256="0" * 64, archive_bytes=0)
    for path, doc in docs.items():
        raw = json.dumps(doc)
        index.members.append(_member(path, raw.encode()))
        index.json_docs[path] = doc
        index.texts[path] = raw
        if isinstance(doc, list) and all(isinstance(r, dict) for r in doc):
            cols = tuple(dict.fromkeys(k for r in doc for k in r))
            rows = [{k: str(v) for k, v in r.items()} for r in doc]
            index.tables[path] = Table.from_records(path, cols, rows)
    for path, text in (texts or {}).items():
        index.members.append(_member(path, text.encode()))
        index.texts[path] = text
    return index


def _clean_with_text(path: str, text: str) -> ExportIndex:
    """The clean reference export with one more member, a text read as `text`."""
    index = clean_export().build()
    index.members.append(_member(path, text.encode()))
    index.texts[path] = text
    return index


def test_the_requesters_own_data_in_another_layout_shows_its_evidence() -> None:
    index = _other_layout(
        {"data/account.json": {"account": {"id": REQ_ID, "email": "jonas.weber@example.de"}}},
        {"data/notes.txt": "Kontakt: 0511 555 0199"},
    )
    [f] = evidence.check(make_request(), index)
    assert (f.code, f.severity) == ("identity-evidence", Severity.INFO)
    assert f.members == ("data/account.json", "data/notes.txt")
    assert "phone in data/notes.txt" in f.detail


def test_a_foreign_email_and_customer_id_in_free_text_are_critical() -> None:
    index = _other_layout(
        {"data/account.json": {"account": {"id": REQ_ID}}},
        {
            "data/notes.txt": f"forwarded to max.mustermann@example.com for {OTHER_ID}",
            "data/more.txt": "cc: Max.Mustermann@Example.com",
        },
    )
    [f] = evidence.check(make_request(), index)
    assert (f.code, f.severity) == ("foreign-identifier", Severity.CRITICAL)
    assert f.members == ("data/notes.txt", "data/more.txt")
    assert OTHER_ID in f.detail and "max.mustermann@example.com" in f.detail


def test_an_account_id_of_any_shape_in_an_account_field_is_foreign() -> None:
    index = _other_layout(
        {
            "me.json": {"customerId": REQ_ID},
            "orders.json": [{"customer": {"id": "987654"}, "total": 3}],
        }
    )
    [f] = evidence.check(make_request(), index)
    assert f.members == ("orders.json",)
    assert "987654" in f.detail


def test_another_name_in_the_account_holder_field_is_foreign() -> None:
    index = _other_layout(
        {"user.json": {"user": {"id": REQ_ID, "name": "Erika Musterfrau"}}},
    )
    [f] = evidence.check(make_request(), index)
    assert f.members == ("user.json",)
    assert "Erika Musterfrau" in f.detail


def test_device_names_are_not_account_holders() -> None:
    index = _other_layout(
        {"devices.json": [{"customer_id": REQ_ID, "serial": "X", "name": "Living room TV"}]}
    )
    assert codes(evidence.check(make_request(), index)) == ["identity-evidence"]


def test_an_archive_without_any_trace_of_the_requester_is_unattributable() -> None:
    index = _other_layout({"stuff.json": {"weather": "sunny"}}, {"readme.txt": "export"})
    index.members.append(_member("audio/1.mp3", b"ID3"))
    [f] = evidence.check(make_request(), index)
    assert (f.code, f.severity) == ("unattributable-archive", Severity.CRITICAL)
    assert f.members == ("readme.txt", "stuff.json")


def test_an_archive_with_no_text_at_all_is_unattributable() -> None:
    index = ExportIndex(archive_path="x", archive_sha256="0" * 64, archive_bytes=0)
    index.members.append(_member("a.mp3", b"ID3"))
    [f] = evidence.check(make_request(), index)
    assert f.code == "unattributable-archive" and f.members == ()
    assert "the archive has no readable text" in f.detail


def test_exporter_role_mailboxes_named_in_the_manifest_are_allowed() -> None:
    b = clean_export()
    b.extra["README.txt"] = b"Questions: privacy@shop.example, or reply to noreply@shop.example"
    index = b.build()
    assert index.manifest is not None
    assert codes(evidence.check(make_request(), index)) == ["foreign-identifier"]
    index.manifest["contact"] = "privacy@shop.example"
    assert evidence.check(make_request(), index) == []
    # A person's address at the exporter's domain is still someone else's.
    index.texts["README.txt"] += " or peter@shop.example"
    [f] = evidence.check(make_request(), index)
    assert "peter@shop.example" in f.detail and "privacy@" not in f.detail


def test_on_the_reference_layout_foreign_rows_are_reported_once() -> None:
    b = clean_export().record("x1", customer=OTHER_ID)
    found = run_checks(make_request(), b.build())
    assert codes(found) == ["foreign-records"]


def test_a_foreign_email_in_the_requesters_profile_is_caught() -> None:
    b = clean_export()
    b.profile["email"] = "someone.else@example.org"
    [f] = evidence.check(make_request(), b.build())
    assert f.members == ("Account/Profile.json",)
    assert "someone.else@example.org" in f.detail


def test_serials_shaped_like_customer_ids_are_not_foreign() -> None:
    serial = "A000ABCDEF1234"  # a device serial that happens to have the customer id shape
    req = make_request(
        devices=[
            {"serial": SERIAL, "registered_at": "2017-12-24"},
            {"serial": serial, "registered_at": "2015-01-01"},
        ]
    )
    b = clean_export().record("s1", serial=serial)
    assert run_checks(req, b.build()) == []


def test_an_e_mail_address_written_in_disguise_is_still_someone_elses() -> None:
    """URL-encoded in a mailto: link, an HTML character reference, or "[at]" and "(dot)" as
    people write them to keep addresses from harvesters: the stranger's address is found, in
    the member that holds it; the requester's own in disguise is not a foreign one."""
    forms = {
        "Retail/Notifications.html": '<a href="mailto:lukas.brandt%40example.de">Lukas</a>',
        "Retail/Receipt.html": "<p>lukas.brandt&#64;example.de</p>",
        "Retail/Notes.txt": "Kontakt: lukas.brandt [at] example (dot) de",
        "Retail/Mine.txt": "jonas.weber [at] example [dot] de",
    }
    for path, text in forms.items():
        index = _clean_with_text(path, text)
        found = [f for f in evidence.check(make_request(), index) if f.code == "foreign-identifier"]
        if path == "Retail/Mine.txt":
            assert found == [], path
            continue
        (f,) = found
        assert "lukas.brandt@example.de" in f.detail and f.members == (path,), path


def test_names_of_what_a_profile_lists_are_no_account_holders() -> None:
    """An address labelled "Home", a device called "Kitchen", a payment account "****4821":
    what the requester's own profile lists, not another account holder."""
    index = clean_export().build()
    assert isinstance(index.profile, dict)
    index.profile["addresses"] = [{"name": "Home", "city": "Hannover"}]
    index.profile["devices"] = [{"name": "Kitchen"}, {"name": "Study"}]
    index.profile["payment"] = [{"accountNumber": "****4821", "account": "Prime Household"}]
    assert "foreign-identifier" not in codes(evidence.check(make_request(), index))
    index.profile["name"] = "Lukas Brandt"  # the profile's own name is still judged
    assert "foreign-identifier" in codes(evidence.check(make_request(), index))


def test_an_id_split_by_markup_is_read_as_the_reader_sees_it() -> None:
    """An .xlsx cell in two rich-text runs stores the id as two strings between tags; read
    with the tags taken out (a line break where a shared string ends), it is one id again.
    Two cells side by side do not run together into one."""
    xml = (
        "<sst><si><r><t>Kunde </t></r><r><t>"
        + OTHER_ID[:8]
        + "</t></r><r><t>"
        + OTHER_ID[8:]
        + "</t></r></si><si><t>"
        + REQ_ID
        + "</t></si><si><t>A9Z8</t></si><si><t>Y7X6W5V4U3</t></si></sst>"
    )
    path = "Retail/Orders.xlsx!xl/sharedStrings.xml"
    index = _clean_with_text(path, xml)
    (f,) = [f for f in evidence.check(make_request(), index) if f.code == "foreign-identifier"]
    assert OTHER_ID in f.detail and f.members == (path,)
    assert "1 customer id that is not" in f.detail and "A9Z8Y7X6W5V4U3" not in f.detail


def test_an_image_at_twice_the_resolution_and_at_in_prose_are_no_addresses() -> None:
    """ "logo%402x.png" in a link is an image file; "collect it (at) amazon.co.uk lockers" is
    prose. A "(at)" with a "(dot)" after it is an address again."""
    texts = {
        "Retail/Mail.html": '<img src="https://example.com/amazon-logo%402x.png">',
        "Retail/Notes.txt": "Collect parcel (at) amazon.co.uk locker 12",
    }
    for path, text in texts.items():
        index = _clean_with_text(path, text)
        assert "foreign-identifier" not in codes(evidence.check(make_request(), index)), path
    index = _clean_with_text("Retail/N.txt", "Kontakt: lukas.brandt (at) example (dot) de")
    assert "foreign-identifier" in codes(evidence.check(make_request(), index))
