"""The identity-evidence scan on other layouts, and its silence where specific checks speak."""

from __future__ import annotations

import json

from test_checks_common import (
    OTHER_ID,
    REQ_ID,
    SERIAL,
    ExportBuilder,
    _member,
    clean_export,
    codes,
    make_request,
)

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


def _parsed_only(index: ExportIndex) -> ExportIndex:
    """As the reader keeps it: a member parsed into a table or a JSON document keeps no text
    of its own (the identity scan renders it from the parsed form)."""
    for path in list(index.texts):
        if path in index.tables or path in index.json_docs:
            del index.texts[path]
    return index


def test_an_e_mail_address_written_with_a_character_reference_in_a_cell_or_value() -> None:
    """ "&#64;" and "&#x40;" in a CSV cell or a JSON string value are read as the "@" they are,
    as "%40" already is, and so is an address encoded character by character, without the
    semicolon browsers forgive, or escaped twice; the requester's own address so written is
    theirs."""
    whole = "".join(f"&#{ord(c)};" for c in "lukas.brandt@example.de")
    url = "".join(f"%{ord(c):02X}" for c in "lukas.brandt@example.de")
    forms = {f"lukas.brandt{at}example.de" for at in ("&#64;", "&#x40;", "&#X0040;", "&#64")}
    forms |= {"lukas.brandt&amp;#64;example.de", "lukas.brandt%2540example.de", whole, url}
    forms |= {"lukas&#46;brandt&#64;example&#46;de"}
    for written in sorted(forms):
        b = clean_export()
        b.rows(
            "Retail/SearchHistory.csv",
            {"customer_id": REQ_ID, "timestamp": "2018-03-02", "query": written},
        )
        [f] = evidence.check(make_request(), _parsed_only(b.build()))
        assert "lukas.brandt@example.de" in f.detail, written
        assert f.members == ("Retail/SearchHistory.csv",), written

        b = clean_export()
        b.profile["note"] = f"forward to {written}"
        [f] = evidence.check(make_request(), _parsed_only(b.build()))
        assert "lukas.brandt@example.de" in f.detail and f.members == ("Account/Profile.json",)

        b = clean_export()
        b.profile["note"] = written.replace("lukas", "jonas").replace("brandt", "weber")
        if "jonas" in b.profile["note"]:  # (the character-by-character forms spell no name)
            assert evidence.check(make_request(), _parsed_only(b.build())) == [], written


# Amazon's device type codes (Echo Dot 2nd and 3rd generation, Echo Show 5, Echo): shaped
# like a customer id, written where an export says what kind of device it was.
ECHO_TYPES = ("A3S5BH2HU6VAYF", "A1RABVCI4QCIKC", "A4ZP7ZC4PI6TO", "AB72C64C86AW2")
EXPORT_TYPE = "A9ZZ7QX2M4KD1"  # a type code only the export's device fields give


def _in_devices(b: ExportBuilder, code: str) -> ExportIndex:
    b.tables["Devices/Devices.csv"][1][0]["type"] = code
    return _parsed_only(b.build())


def _in_history(b: ExportBuilder, code: str) -> ExportIndex:
    b.recordings[1]["device_type"] = code
    return _parsed_only(b.build())


def _labelled_in_tags(b: ExportBuilder, code: str) -> ExportIndex:
    index = _in_history(b, code)
    index.texts["Alexa/Audio/u001.wav"] = f"INAM: Voice recording\nICMT: device type {code}"
    index.texts["Alexa/Audio/u002.wav"] = f"ICMT: deviceType={code}\nIPRD: {code}"
    return index


def test_echo_device_types_in_device_type_fields_are_no_customer_ids() -> None:
    """Amazon's own device type codes have the shape of a 13-character customer id: the
    well-known ones are nobody's account wherever they stand (an unlabelled tag too); a code
    only the export's device fields give is none in the member giving it (a device table's
    type column, the voice history's device_type) and where a text labels it so."""

    def in_any_tag(b: ExportBuilder, code: str) -> ExportIndex:
        index = _parsed_only(b.build())
        index.texts["Alexa/Audio/u001.wav"] = f"IART: {code}\nICMT: made on {code}"
        return index

    for customer_id in (REQ_ID, REQ_ID[:13]):
        request = make_request(customer_id=customer_id)
        for code, places in [
            *((c, (_in_devices, _in_history, _labelled_in_tags, in_any_tag)) for c in ECHO_TYPES),
            (EXPORT_TYPE, (_in_devices, _in_history, _labelled_in_tags)),
        ]:
            for where in places:
                index = where(ExportBuilder(customer_id).record("u001").record("u002"), code)
                assert run_checks(request, index) == [], (customer_id, code, where.__name__)


def test_a_value_in_a_type_column_or_behind_a_label_excuses_no_id_elsewhere() -> None:
    """Another customer's id written into a device table's type column is still theirs in
    any other member; a "device type" label or a product tag excuses only a code a device
    field gives."""
    other = OTHER_ID[:13]
    request = make_request(customer_id=REQ_ID[:13])

    def found(index: ExportIndex) -> list[tuple[str, tuple[str, ...]]]:
        return [(f.code, f.members) for f in evidence.check(request, index)]

    def readme(index: ExportIndex, text: str) -> ExportIndex:
        index.members.append(_member("README.txt", text.encode()))
        index.texts["README.txt"] = text
        return index

    index = readme(_in_devices(ExportBuilder(REQ_ID[:13]), other), f"Linked account: {other}")
    assert found(index) == [("foreign-identifier", ("README.txt",))]

    b = ExportBuilder(REQ_ID[:13]).record("u001")
    index = readme(_parsed_only(b.build()), f"device type {other}")
    index.texts["Alexa/Audio/u001.wav"] = f"IPRD: {other}"
    assert found(index) == [("foreign-identifier", ("Alexa/Audio/u001.wav", "README.txt"))]


def test_a_device_type_does_not_excuse_another_customers_id_in_a_customer_field() -> None:
    """A device-type value is no customer id where a device type is written; the same value
    in a customer column or field, or in a tag that does not say it is a device type, is
    still another customer's."""
    code = ECHO_TYPES[0]
    b = clean_export()
    b.recordings[0]["device_type"] = code
    b.rows("Retail/SearchHistory.csv", {"customer_id": code, "query": "lego"})
    assert codes(run_checks(make_request(), _parsed_only(b.build()))) == ["foreign-records"]

    b = clean_export()
    b.recordings[0]["device_type"] = code
    index = _parsed_only(b.build())
    assert isinstance(index.profile, dict)
    index.profile["orders"] = [{"order_id": "302-1", "customer": {"id": code}}]
    [f] = evidence.check(make_request(), index)
    assert f.code == "foreign-identifier" and f.members == ("Account/Profile.json",)

    b = clean_export()
    b.recordings[0]["device_type"] = EXPORT_TYPE
    index = _parsed_only(b.build())
    index.texts["Alexa/Audio/u001.wav"] = f"IART: {EXPORT_TYPE}"
    [f] = evidence.check(make_request(customer_id=REQ_ID[:13]), index)
    assert f.code == "foreign-identifier" and EXPORT_TYPE in f.detail
