"""locale-mismatch: the profile's own postal address against the ticket's addresses."""

from __future__ import annotations

from typing import Any

import pytest
from test_checks_common import clean_export, make_request

from reviewer.domain.checks import locale_match
from reviewer.domain.model import Finding, Request, Severity

GB = {"street": "27 Cranley Gardens", "postcode": "N10 3AP", "city": "London", "country": "GB"}
DE = {"street": "Lister Meile 12", "postcode": "30161", "city": "Hannover", "country": "DE"}
BAKER = {"street": "22 Baker Street", "postcode": "NW1 6XE", "city": "London", "country": "GB"}
STRANGER = {"street": "Kastanienallee 7", "postcode": "10435", "city": "Berlin"}


def _address_findings(request: Request, profile: dict[str, Any]) -> list[Finding]:
    """The address findings for a clean export whose profile also has `profile`'s keys
    (the clean export ships to Hannover, so other tickets' ship-city warnings are left out)."""
    index = clean_export().build()
    assert isinstance(index.profile, dict)
    index.profile.update(profile)
    return [f for f in locale_match.check(request, index) if "address" in f.title]


def test_a_profile_with_an_address_the_ticket_does_not_list_is_a_warning() -> None:
    """Like another phone number: someone else's address in the requester's profile is a
    warning. The requester's own address written another way (postcode spacing, case,
    "Str." for "Straße", a floor after the number, an address given as one line) is theirs."""
    request = make_request(
        addresses=[
            {"street": "Lister Meile 12", "postcode": "30161", "city": "Hannover"},
            {"street": "Hauptstraße 3", "postcode": "80331", "city": "München"},
        ]
    )
    same: list[object] = [
        {"street": "Lister Meile 12", "postcode": "30161", "city": "Hannover", "country": "DE"},
        {"street": "LISTER MEILE 12, 2. OG", "postalCode": " 30161", "city": "hannover"},
        {"streetAddress": "Hauptstr. 3", "zip": "80331", "town": "Muenchen"},
        {"city": "Hannover"},
        "Lister Meile 12, 30161 Hannover",
        [{"street": "Hauptstraße 3", "postcode": "80331", "city": "München"}],
    ]
    for value in same:
        index = clean_export().build()
        assert isinstance(index.profile, dict)
        index.profile["address"] = value
        assert locale_match.check(request, index) == [], value
    index = clean_export().build()
    assert isinstance(index.profile, dict)
    index.profile.update({"street": "Lister Meile 12", "postcode": "30161", "city": "Hannover"})
    assert locale_match.check(request, index) == []

    other: list[tuple[str, object]] = [
        ("address", {"street": "Kastanienallee 5", "postcode": "10435", "city": "Berlin"}),
        ("address", {"street": "Lister Meile 1", "postcode": "30161", "city": "Hannover"}),
        ("postalAddress", "Kastanienallee 5, 10435 Berlin"),
        ("addresses", [{"street": "Lister Meile 12", "postcode": "30161"}, {"city": "Berlin"}]),
    ]
    for key, value in other:
        index = clean_export().build()
        assert isinstance(index.profile, dict)
        index.profile[key] = value
        (f,) = locale_match.check(request, index)
        assert (f.code, f.severity) == ("locale-mismatch", Severity.WARNING), value
        assert f.members == ("Account/Profile.json",) and "address" in f.title
        assert "Lister Meile 12" in f.detail, value
    index = clean_export().build()
    assert isinstance(index.profile, dict)
    index.profile.update({"street": "Kastanienallee 5", "postcode": "10435", "city": "Berlin"})
    (f,) = locale_match.check(request, index)
    assert "Kastanienallee 5, 10435 Berlin" in f.detail
    # without addresses in the ticket there is nothing to compare with
    assert locale_match.check(make_request(addresses=[]), index) == []
    # fields the ticket does not give cannot disagree
    only_city = make_request(addresses=[{"city": "Hannover"}])
    index.profile.update({"city": "hannover"})
    assert locale_match.check(only_city, index) == []


# (ticket address, profile keys added): the requester's own address, written another way
RIGHT: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "flat_prefix": (GB, {"address": {**GB, "street": "Flat 3, 27 Cranley Gardens"}}),
    "gb_baker_flat": (BAKER, {"address": {**BAKER, "street": "Flat 3, 22 Baker Street"}}),
    "postcode_nospace": (GB, {"address": {**GB, "postcode": "N103AP"}}),
    "oneline_nospace_pc": (GB, {"address": "27 Cranley Gardens, London N103AP"}),
    "amazon_lines": (
        GB,
        {
            "addresses": [
                {
                    "addressLine1": "Flat 3",
                    "addressLine2": "27 Cranley Gardens",
                    "city": "London",
                    "postalCode": "N10 3AP",
                    "countryCode": "GB",
                }
            ]
        },
    ),
    "co_line1": (
        GB,
        {
            "address": {
                "line1": "c/o Tom Whitfield",
                "line2": "27 Cranley Gardens",
                "city": "London",
                "postcode": "N10 3AP",
            }
        },
    ),
    "co_in_street": (GB, {"address": {**GB, "street": "c/o Tom Whitfield, 27 Cranley Gardens"}}),
    "de_number_first": (DE, {"address": {**DE, "street": "12 Lister Meile"}}),
    "city_only_string": (GB, {"address": "London, UK"}),
    "country_only_string": (GB, {"address": "United Kingdom"}),
    "oneline_no_postcode": (GB, {"address": "27 Cranley Gardens, London"}),
    "oneline_multiline": (GB, {"address": "Flat 3\n27 Cranley Gardens\nLondon\nN10 3AP\nUK"}),
    "gdns_abbrev": (GB, {"address": {**GB, "street": "27 Cranley Gdns"}}),
    "baker_st": (BAKER, {"address": {**BAKER, "street": "22 Baker St."}}),
    "city_greater": (GB, {"address": {**GB, "city": "Greater London"}}),
    "city_borough": (GB, {"address": {**GB, "city": "London, Muswell Hill"}}),
    "de_D_prefix": (DE, {"address": {**DE, "postcode": "D-30161"}}),
    "de_separate_str": (
        {**DE, "street": "Listerstraße 12"},
        {"address": {**DE, "street": "Lister Straße 12"}},
    ),
    "de_joined_str": (
        {**DE, "street": "Lister Str. 12"},
        {"address": {**DE, "street": "Listerstrasse 12"}},
    ),
    "de_streetname_housenumber": (
        DE,
        {"address": {"streetName": "Lister Meile", "houseNumber": "12", "zip": 30161}},
    ),
    "nested_contact_own": (GB, {"contact": {"homeAddress": dict(GB)}}),
    "email_address_key": (GB, {"emailAddress": "eleanor@example.co.uk"}),
    "ip_address_key": (GB, {"lastLoginIpAddress": "192.0.2.17"}),
    "shipping_address_key": (GB, {"defaultShippingAddress": STRANGER}),
}

# a stranger's address, or another house of the requester's street
WRONG: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "stranger_fields": (GB, {"address": STRANGER}),
    "same_street_other_number": (GB, {"address": {**GB, "street": "29 Cranley Gardens"}}),
    "right_street_other_city": (GB, {"address": {**GB, "postcode": "", "city": "Leeds"}}),
    "nested_contact": (GB, {"contact": {"address": STRANGER}}),
    "nested_account_fields": (GB, {"account": STRANGER}),
    "default_address_key": (GB, {"defaultAddress": STRANGER}),
    "billing_address_key": (GB, {"billingAddress": STRANGER}),
    "streetname_housenumber": (
        DE,
        {"address": {"streetName": "Lister Meile", "houseNumber": "14", "plz": "30161"}},
    ),
    "oneline_other_postcode": (GB, {"address": "27 Cranley Gardens, Berlin 10435"}),
    "oneline_other_street": (GB, {"address": "Kastanienallee 7, London"}),
    "oneline_also_ours": (
        GB,
        {"address": "Kastanienallee 7, 10435 Berlin (previously 27 Cranley Gardens, N10 3AP)"},
    ),
    "street_number_only": (GB, {"address": {**GB, "street": "27"}}),
    "de_other_street_abbrev": (DE, {"address": {**DE, "street": "Lister Str. 12"}}),
}


@pytest.mark.parametrize("ticket, profile", RIGHT.values(), ids=RIGHT.keys())
def test_the_requesters_own_address_written_another_way_is_no_finding(
    ticket: dict[str, str], profile: dict[str, Any]
) -> None:
    assert _address_findings(make_request(addresses=[ticket]), profile) == []


@pytest.mark.parametrize("ticket, profile", WRONG.values(), ids=WRONG.keys())
def test_another_address_in_the_profile_is_a_warning(
    ticket: dict[str, str], profile: dict[str, Any]
) -> None:
    (f,) = _address_findings(make_request(addresses=[ticket]), profile)
    assert (f.code, f.severity) == ("locale-mismatch", Severity.WARNING)
    assert f.title == "The account profile has another address"
    assert f.members == ("Account/Profile.json",)
    assert ticket["street"] in f.detail


ORDERS = "Retail/OrderHistory.csv"


def _ship_city_findings(ticket_city: str, ship_city: str) -> list[Finding]:
    """The ship-city findings for a clean export whose one order ships to `ship_city`, for
    a requester living in `ticket_city`."""
    b = clean_export()
    b.tables[ORDERS][1].clear()
    b.rows(ORDERS, {"customer_id": b.customer_id, "order_id": "302-5", "ship_city": ship_city})
    request = make_request(addresses=[{**DE, "city": ticket_city}])
    return [f for f in locale_match.check(request, b.build()) if f.members == (ORDERS,)]


OWN_CITY = {
    "exonym_munich": ("München", "Munich"),
    "transliterated_muenchen": ("München", "Muenchen"),
    "accent_dropped_munchen": ("München", "Munchen"),
    "exonym_cologne": ("Köln", "Cologne"),
    "transliterated_koeln": ("Köln", "Koeln"),
    "exonym_hanover": ("Hannover", "Hanover"),
    "exonym_milan": ("Milano", "Milan"),
    "ticket_in_english": ("Vienna", "Wien"),
    "the_hague": ("Den Haag", "The Hague"),
    "kobenhavn": ("København", "Copenhagen"),
    "postcode_in_cell": ("Hannover", "30161 Hannover"),
    "country_prefixed_postcode": ("Hannover", "D-30161 Hannover"),
    "postal_district": ("London", "London N10"),
    "full_postcode": ("London", "LONDON N10 3AP"),
    "leading_words": ("Frankfurt am Main", "Frankfurt"),
    "leading_words_reversed": ("Frankfurt", "Frankfurt am Main"),
}
OTHER_CITY = {
    "brighton_for_london": ("London", "Brighton"),
    "new_york_for_york": ("York", "New York"),
    "cologne_for_munich": ("München", "Cologne"),
    "other_frankfurt": ("Frankfurt am Main", "Frankfurt (Oder)"),
    "other_city_with_postcode": ("Hannover", "10435 Berlin"),
    "exonym_of_another_city": ("Wien", "Prague"),
}


@pytest.mark.parametrize("ticket_city, ship_city", OWN_CITY.values(), ids=OWN_CITY.keys())
def test_orders_to_the_requesters_city_written_another_way_are_no_finding(
    ticket_city: str, ship_city: str
) -> None:
    assert _ship_city_findings(ticket_city, ship_city) == []


@pytest.mark.parametrize("ticket_city, ship_city", OTHER_CITY.values(), ids=OTHER_CITY.keys())
def test_orders_to_another_city_are_still_a_warning(ticket_city: str, ship_city: str) -> None:
    (f,) = _ship_city_findings(ticket_city, ship_city)
    assert (f.code, f.severity) == ("locale-mismatch", Severity.WARNING)
    assert f"{ship_city} (1)" in f.detail and "302-5" in f.detail
