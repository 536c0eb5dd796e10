"""Postal addresses in an export's profile, and whether one may be a ticket's address.

Pure functions for `locale_match`. An address written another way is the same address:
"Flat 3, 27 Cranley Gdns" and "27 Cranley Gardens", "12 Lister Meile" and "Lister Meile 12",
"Lister Straße" and "Listerstraße", "N103AP" and "N10 3AP", "D-30161" and "30161",
"Greater London" and "London". A part one side leaves out is never a disagreement.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from reviewer.domain.checks._common import norm_key
from reviewer.domain.model import Address

# The profile's own postal addresses are under a key ending in one of these (normalised:
# `homeAddress`, `defaultAddress`, `postal_addresses`, `Anschrift`, `Rechnungsadresse`)...
ADDRESS_SUFFIXES = ("address", "addresses", "adresse", "adressen", "anschrift")
# ...unless the key names another kind of address (an e-mail, IP, MAC or web address) or
# one an order goes to: shipping, delivery and gift addresses are wherever the customer
# sends things (the orders' ship cities are judged by `locale_match._ship_cities`). A
# billing address is the account holder's own (the card's), so it is compared.
NOT_POSTAL = re.compile(
    r"(?:e?mail|ip|ipv[46]|mac|web|url|wallet|server|network|bluetooth)ad(?:d)?ress"
    r"|ship|deliver|gift|recipient|liefer|versand"
)
# Account-like objects of the profile whose own address is the account's: read one level in.
PARENT_KEYS = frozenset(
    {
        "contact",
        "contactinfo",
        "contactdetails",
        "customer",
        "account",
        "accountholder",
        "person",
        "personaldetails",
        "personalinfo",
        "holder",
        "user",
        "owner",
    }
)
# Address lines, joined in this order into one street.
LINE_KEYS = (
    "street",
    "streetaddress",
    "street1",
    "street2",
    "address1",
    "address2",
    "address3",
    "addressline1",
    "addressline2",
    "addressline3",
    "line1",
    "line2",
    "line3",
)
STREET_NAME_KEYS = frozenset({"streetname", "strasse", "straße"})
HOUSE_NUMBER_KEYS = frozenset({"housenumber", "hausnummer", "streetnumber", "buildingnumber"})
POSTCODE_KEYS = frozenset({"postcode", "postalcode", "zip", "zipcode", "plz", "postleitzahl"})
CITY_KEYS = frozenset({"city", "town", "locality", "ort", "stadt"})

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# The usual abbreviations, both ways to one form.
_SHORT = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "gardens": "gdns",
    "gdn": "gdns",
    "place": "pl",
    "lane": "ln",
    "square": "sq",
    "court": "ct",
    "drive": "dr",
    "crescent": "cres",
    "terrace": "ter",
    "close": "cl",
    "strasse": "str",
}
# A postcode-like part of a one-line address: a British one, or four to six digits.
_POSTCODE_LIKE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b|\b\d{4,6}\b")


def address_words(value: str) -> list[str]:
    """An address or a part of one as comparable words: case, accents, umlauts ("ue"),
    punctuation and the usual abbreviations ("Str." for "Straße", "Gdns" for "Gardens") aside."""
    text = unicodedata.normalize("NFKD", value.casefold().translate(_UMLAUTS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = []
    for word in re.findall(r"[^\W_]+", text):
        word = _SHORT.get(word, word)
        if word.endswith("strasse"):  # "Hauptstraße" as "Hauptstr."
            word = word[: -len("strasse")] + "str"
        words.append(word)
    return words


def _postcode(value: str) -> str:
    """A postcode without spaces, punctuation or a country prefix ("D-30161", "GB-N10 3AP")."""
    value = re.sub(r"^\s*[A-Za-z]{1,2}\s*-\s*(?=\w)", "", value)
    return "".join(address_words(value))


def _street_agrees(have: list[str], want: list[str]) -> bool:
    """Whether a profile street (words `have`, flat and care-of lines included) is the
    ticket's street (`want`): each of its words there, in any order, or its name run
    together ("Lister Straße" for "Listerstraße" and back) and its numbers there."""
    if set(want) <= set(have):
        return True
    numbers = [w for w in want if any(ch.isdigit() for ch in w)]
    if not set(numbers) <= set(have):
        return False
    name = "".join(w for w in want if w not in numbers)
    letters = [w for w in have if not any(ch.isdigit() for ch in w)]
    # the ticket's name as consecutive profile words, run together
    return any(
        "".join(letters[i:j]) == name
        for i in range(len(letters))
        for j in range(i + 1, len(letters) + 1)
    )


def _city_agrees(have: list[str], want: list[str]) -> bool:
    """One city's words within the other's ("Greater London", "London, Muswell Hill")."""
    short, long = sorted((have, want), key=len)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def _line_agrees(line: str, want: Address) -> bool:
    """Whether one line ("27 Cranley Gardens, London N10 3AP") may be `want`: it contradicts
    only by a postcode-like part that is not the ticket's postcode, or by a house number
    while the ticket's street is not in it. A line without digits (a city, a country) or
    without a postcode cannot contradict by it."""
    text = unicodedata.normalize("NFKD", line.casefold())
    street = address_words(want.street)
    postcode = _postcode(want.postcode)
    for match in _POSTCODE_LIKE.finditer(text):
        part = _postcode(match.group())
        if postcode and part not in postcode and part not in street:
            return False
    rest = _POSTCODE_LIKE.sub(" ", text)
    if not street or not any(ch.isdigit() for ch in rest):
        return True
    return _street_agrees(address_words(rest), street)


def agrees(have: dict[str, str] | str, want: Address) -> bool:
    """Whether a profile address (fields, or one line) may be the ticket's `want`: every part
    both give agrees. Nothing to compare is no disagreement."""
    if isinstance(have, str):
        return _line_agrees(have, want)
    street, postcode, city = (have.get(k, "") for k in ("street", "postcode", "city"))
    have_street, want_street = address_words(street), address_words(want.street)
    if have_street and want_street and not _street_agrees(have_street, want_street):
        return False
    have_code, want_code = _postcode(postcode), _postcode(want.postcode)
    if have_code and want_code and have_code != want_code:
        return False
    have_city, want_city = address_words(city), address_words(want.city)
    return not (have_city and want_city and not _city_agrees(have_city, want_city))


def address_fields(obj: dict[str, Any]) -> dict[str, str]:
    """The street (its lines joined), postcode and city an address object gives."""
    values: dict[str, str] = {}
    for key, value in obj.items():
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            values.setdefault(norm_key(str(key)), str(value).strip())
    lines = [values[k] for k in LINE_KEYS if k in values]
    name = next((values[k] for k in values if k in STREET_NAME_KEYS), "")
    number = next((values[k] for k in values if k in HOUSE_NUMBER_KEYS), "")
    if name or number:
        lines.append(f"{name} {number}".strip())
    out = {"street": ", ".join(lines)} if lines else {}
    for field, keys in (("postcode", POSTCODE_KEYS), ("city", CITY_KEYS)):
        if found := next((values[k] for k in values if k in keys), ""):
            out[field] = found
    return out


def _is_address_key(key: str) -> bool:
    k = norm_key(key)
    return k.endswith(ADDRESS_SUFFIXES) and not NOT_POSTAL.search(k)


def _postal_line(value: str) -> bool:
    """Not an e-mail, IP or MAC address that a loosely named key holds."""
    text = value.strip()
    return not (
        not text
        or "@" in text
        or re.fullmatch(r"(?:\d{1,3}\.){3}\d{1,3}|[\da-fA-F.-]*:[\da-fA-F:.-]*", text)
    )


def profile_addresses(
    profile: dict[str, Any], *, nested: bool = True
) -> list[dict[str, str] | str]:
    """The postal addresses the profile gives as its own: its own address fields, objects,
    lists of them or lines under an address key, and the same one level inside an
    account-like object (`contact`, `customer`, `account`, `person`, `holder`, `user`)."""
    found: list[dict[str, str] | str] = []
    if flat := address_fields(profile):
        found.append(flat)
    for key, value in profile.items():
        if nested and norm_key(str(key)) in PARENT_KEYS and isinstance(value, dict):
            found.extend(profile_addresses(value, nested=False))
        elif _is_address_key(str(key)):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and _postal_line(item):
                    found.append(item)
                elif isinstance(item, dict) and (fields := address_fields(item)):
                    found.append(fields)
    return found


def written(address: dict[str, str] | str) -> str:
    """An address as the finding writes it: "street, postcode city" or its one line."""
    if isinstance(address, str):
        return ", ".join(" ".join(line.split()) for line in address.splitlines() if line.strip())
    street, postcode, city = (address.get(k, "").strip() for k in ("street", "postcode", "city"))
    return ", ".join(p for p in (street, f"{postcode} {city}".strip()) if p)
