"""third-party-names, unattributed-member and locale-mismatch."""

from __future__ import annotations

from test_checks_common import OTHER_ID, SERIAL, clean_export, make_request

from reviewer.domain.checks import locale_match, third_party, unattributed
from reviewer.domain.model import MemberKind, Severity


def test_names_of_people_outside_the_household_are_flagged_with_their_utterances() -> None:
    b = clean_export()
    b.record("t1", text="Alexa, erinnere mich an den Termin bei Dr. Schmidt")
    b.record("t2", text="Alexa, call Peter Lange")
    b.record("t3", text="Alexa, ruf Anna an")  # household
    b.record("t4", text="Frau Weber anrufen")  # the household's surname
    b.record("t5", text="Wie wird das Wetter in Hannover")
    [f] = third_party.check(make_request(), b.build())
    assert (f.code, f.severity) == ("third-party-names", Severity.WARNING)
    assert f.members == (
        "Alexa/Transcripts.pdf",
        "Alexa/VoiceHistory.csv",
        "Alexa/Audio/t1.wav",
        "Alexa/Audio/t2.wav",
    )
    assert '"Dr. Schmidt" (t1)' in f.detail and '"Peter Lange" (t2)' in f.detail
    assert "Art. 15(4)" in f.detail


def test_capitalised_pairs_and_stop_words() -> None:
    b = clean_export()
    b.record("t1", text="Termin mit Klaus Becker morgen")
    b.record("t2", text="Play Bohemian Rhapsody by Queen")
    b.record("t3", text="Turn On the Living Room lights")
    b.record("t4", text="Anna Schmidt kommt zum Essen")  # not Anna Weber
    [f] = third_party.check(make_request(), b.build())
    assert f.members == (
        "Alexa/Transcripts.pdf",
        "Alexa/VoiceHistory.csv",
        "Alexa/Audio/t1.wav",
        "Alexa/Audio/t4.wav",
    )
    assert "Klaus Becker" in f.detail and "Anna Schmidt" in f.detail


def test_another_accounts_recordings_are_left_to_the_critical_findings() -> None:
    b = clean_export().record("x1", customer=OTHER_ID, text="call Peter Lange")
    assert third_party.check(make_request(), b.build()) == []


def test_audio_no_row_describes_is_unattributed() -> None:
    b = clean_export()
    b.extra["Alexa/Audio/stray.wav"] = b"RIFF-stray"
    [f] = unattributed.check(make_request(), b.build())
    assert (f.code, f.severity, f.members) == (
        "unattributed-member",
        Severity.WARNING,
        ("Alexa/Audio/stray.wav",),
    )


def test_tables_without_account_or_identifier_and_opaque_members_are_unattributed() -> None:
    index = clean_export().build()
    from test_checks_common import _member

    from reviewer.domain.model import Table

    index.tables["Misc/Queries.csv"] = Table.from_records(
        "Misc/Queries.csv", ("timestamp", "query"), [{"timestamp": "2018", "query": "socks"}]
    )
    index.texts["Misc/Queries.csv"] = "timestamp,query\n2018,socks\n"
    index.tables["Misc/Mine.csv"] = Table.from_records(
        "Misc/Mine.csv", ("email",), [{"email": "jonas.weber@example.de"}]
    )
    index.members.append(_member("Photos/IMG_1.heic", b"\x00\x01"))
    found = unattributed.check(make_request(), index)
    assert [(f.code, f.members) for f in found] == [
        ("unattributed-member", ("Misc/Queries.csv",)),
        ("unattributed-member", ("Photos/IMG_1.heic",)),
    ]


def test_profile_locale_and_shipping_city_mismatches() -> None:
    b = clean_export()
    b.profile["locale"] = "en_GB"
    b.rows(
        "Retail/OrderHistory.csv",
        {"customer_id": b.customer_id, "order_id": "302-9", "ship_city": "Leeds"},
        {"customer_id": b.customer_id, "order_id": "302-8", "ship_city": "hannover"},
        {"customer_id": OTHER_ID, "order_id": "302-7", "ship_city": "York"},
    )
    found = locale_match.check(make_request(), b.build())
    assert [(f.code, f.severity, f.members) for f in found] == [
        ("locale-mismatch", Severity.WARNING, ("Account/Profile.json",)),
        ("locale-mismatch", Severity.WARNING, ("Retail/OrderHistory.csv",)),
    ]
    assert "en_GB" in found[0].detail and "de-DE" in found[0].detail
    assert "Leeds (1)" in found[1].detail and "302-9" in found[1].detail
    assert "York" not in found[1].detail
    # a total row (a spreadsheet's TRUE, a sum) and "N/A" name no city
    b = clean_export()
    b.rows(
        "Retail/OrderHistory.csv",
        {"customer_id": "", "order_id": "", "ship_city": "TRUE"},
        {"customer_id": "", "order_id": "", "ship_city": "149.97"},
        {"customer_id": b.customer_id, "order_id": "302-6", "ship_city": "N/A"},
    )
    assert locale_match.check(make_request(), b.build()) == []


def test_transcripts_in_another_language_than_the_requesters() -> None:
    b = clean_export()
    for i in range(60):
        b.record(
            f"e{i}", serial=SERIAL, text="what is the weather like tomorrow in the park please"
        )
    found = locale_match.check(make_request(), b.build())
    assert [f.members for f in found] == [("Alexa/VoiceHistory.csv", "Alexa/Transcripts.pdf")]
    assert "'en'" in found[0].detail
    b.profile["locale"] = "en-GB"
    assert locale_match.check(make_request(locale="en-GB"), b.build()) == []


def test_members_the_reader_flagged_are_not_unattributed_again() -> None:
    from test_checks_common import _member

    from reviewer.domain.model import Finding

    index = clean_export().build()
    index.members.append(_member("Alexa/Audio/latest.wav", b"/etc/passwd"))
    index.members[-1].kind = MemberKind.OTHER
    index.members.append(_member("Alexa/Audio/stray.wav", b"RIFF-2"))
    index.read_findings.append(
        Finding("zip-symlink", Severity.CRITICAL, "symlink", "d", ("Alexa/Audio/latest.wav",))
    )
    [f] = unattributed.check(make_request(), index)
    assert f.members == ("Alexa/Audio/stray.wav",)


def test_lower_case_transcripts_and_names_after_a_command_word() -> None:
    b = clean_export()
    b.record("l1", text="alexa call peter lange")
    b.record("l2", text="alexa call mom")
    b.record("l3", text="alexa text my wife")
    b.record("l4", text="alexa ruf anna an")  # household
    b.record("l5", text="Remind Klaus Becker about the invoice")
    b.record("l6", text="alexa read the text message")
    [f] = third_party.check(make_request(), b.build())
    assert f.members == (
        "Alexa/Transcripts.pdf",
        "Alexa/VoiceHistory.csv",
        "Alexa/Audio/l1.wav",
        "Alexa/Audio/l5.wav",
    )
    assert '"peter lange" (l1)' in f.detail and '"Klaus Becker" (l5)' in f.detail


def test_ship_to_given_as_an_address_object() -> None:
    from test_checks_common import _member

    from reviewer.domain.model import Table

    index = clean_export().build()
    index.tables["orders.json"] = Table.from_records(
        "orders.json",
        ("customerId", "orderId", "shipTo"),
        [
            {"customerId": "", "orderId": "1", "shipTo": '{"name": "J", "city": "Hannover"}'},
            {"customerId": "", "orderId": "2", "shipTo": '{"name": "J", "city": "Köln"}'},
            {"customerId": "", "orderId": "3", "shipTo": "Hannover"},
        ],
    )
    index.members.append(_member("orders.json", b"[]"))
    [f] = locale_match.check(make_request(), index)
    assert f.members == ("orders.json",)
    assert "Köln (1)" in f.detail and "orders 2" in f.detail


def test_a_profile_with_another_phone_number_is_a_warning() -> None:
    """Someone else's number merged into the requester's profile; the requester's own
    number written another way is the same number."""
    from test_checks_common import clean_export, make_request

    from reviewer.domain.checks import locale_match

    request = make_request()
    index = clean_export().build()
    assert isinstance(index.profile, dict)
    index.profile["phone"] = "0511 555 01 99"  # the ticket's +49 511 5550199
    assert [f for f in locale_match.check(request, index) if "phone" in f.title] == []
    index.profile["phone"] = "040 5550187"
    (f,) = [f for f in locale_match.check(request, index) if "phone" in f.title]
    assert f.code == "locale-mismatch" and "040 5550187" in f.detail


def test_a_known_persons_possessive_is_their_name_a_strangers_is_flagged_without_it() -> None:
    b = clean_export()
    b.record("p1", text="add Jonas Weber's dentist appointment to my calendar")  # requester
    b.record("p2", text="call Anna Weber’s mobile")  # household, curly apostrophe
    b.record("p3", text="remind Anna Weber's school")
    assert third_party.check(make_request(), b.build()) == []
    b.record("p4", text="add Lukas Brandt's dentist appointment to my calendar")
    b.record("p5", text="call Klaus Becker’s mobile")
    [f] = third_party.check(make_request(), b.build())
    assert f.members[-2:] == ("Alexa/Audio/p4.wav", "Alexa/Audio/p5.wav")
    assert '"Lukas Brandt" (p4)' in f.detail and '"Klaus Becker" (p5)' in f.detail
    assert "'s" not in f.detail and "’s" not in f.detail


def test_a_hyphenated_household_name_written_with_a_space_is_the_same_person() -> None:
    household = [
        {"name": "Anna Weber", "relation": "partner"},
        {"name": "Mary-Kate Weber", "relation": "daughter"},
    ]
    b = clean_export()
    b.record("h1", text="remind Mary Kate to pack her swimming kit")
    b.record("h2", text="call Mary Kate Weber")
    assert third_party.check(make_request(household=household), b.build()) == []
    b.record("h3", text="remind Mary Jane to pack her swimming kit")
    [f] = third_party.check(make_request(household=household), b.build())
    assert f.members[-1] == "Alexa/Audio/h3.wav" and '"Mary Jane" (h3)' in f.detail


def test_the_requesters_street_without_its_number_is_a_place() -> None:
    addresses = [
        {"street": "27 Cranley Gardens", "postcode": "N10 3AP", "city": "London", "country": "GB"},
        {"street": "Flat 2, 9 Muswell Road", "postcode": "N10 2BJ", "city": "London"},
    ]
    b = clean_export()
    b.record("s1", text="order a taxi to Cranley Gardens")
    b.record("s2", text="how long to drive to Muswell Road")
    b.record("s3", text="what's the weather like in London")
    request = make_request(addresses=addresses)
    assert third_party.check(request, b.build()) == []
    b.record("s4", text="order a taxi for Cranley Brandt")
    [f] = third_party.check(request, b.build())
    assert f.members[-1] == "Alexa/Audio/s4.wav" and '"Cranley Brandt" (s4)' in f.detail


def test_the_requesters_name_spelled_out_and_the_word_after_it_name_nobody_else() -> None:
    household = [{"name": "Anna Weber"}, {"name": "Sofía García"}]
    request = make_request(name="Jürgen Müller", household=household)
    b = clean_export()
    b.record("j1", text="sag Juergen Mueller Bescheid")
    b.record("j2", text="sag Jürgen Müller Bescheid")
    b.record("j3", text="Termin mit Sofia Garcia")
    assert third_party.check(request, b.build()) == []
    b.record("j4", text="sag Klaus Becker Bescheid")
    [f] = third_party.check(request, b.build())
    assert f.members[-1] == "Alexa/Audio/j4.wav" and '"Klaus Becker" (j4)' in f.detail
