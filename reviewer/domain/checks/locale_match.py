"""locale-mismatch: where the export says the account lives or speaks, against the ticket.

The profile's locale, phone number and postal address against the requester's, order
shipping cities against the requester's addresses, and a cheap hint of the transcripts'
language against the requester's locale.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache

from reviewer.domain.checks._address import CITY_KEYS, agrees, profile_addresses, written
from reviewer.domain.checks._cities import same_city
from reviewer.domain.checks._common import (
    all_tables,
    customer_column,
    is_foreign_id,
    listing,
    norm_key,
    norm_text,
    plural,
    profile_member,
)
from reviewer.domain.checks._profiles import PROFILE_PHONE_KEYS, is_other_phone
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "locale-mismatch"
# A few very common function words per language: enough to tell a German catalogue from an
# English one, not a language detector.
FUNCTION_WORDS = {
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ich",
            "du",
            "wie",
            "was",
            "mir",
            "mich",
            "ein",
            "eine",
            "auf",
            "für",
            "bitte",
            "spiel",
            "spiele",
            "stell",
            "wetter",
            "morgen",
            "heute",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "and",
            "is",
            "not",
            "you",
            "what",
            "how",
            "my",
            "me",
            "a",
            "an",
            "on",
            "for",
            "please",
            "play",
            "set",
            "weather",
            "tomorrow",
            "today",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "est",
            "pas",
            "je",
            "tu",
            "comment",
            "quoi",
            "moi",
            "un",
            "une",
            "sur",
            "pour",
            "joue",
            "météo",
            "demain",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "y",
            "es",
            "no",
            "yo",
            "tú",
            "cómo",
            "qué",
            "mi",
            "un",
            "una",
            "en",
            "para",
            "por",
            "favor",
            "pon",
            "tiempo",
            "mañana",
            "hoy",
        ]
    ),
}
_WORDS = re.compile(r"[^\W\d_]+")
MIN_WORDS = 200  # below this the hint is too weak to say anything


def _lang(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].strip().lower()


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    findings = []
    profile_locale = ""
    if isinstance(index.profile, dict):
        for key, value in index.profile.items():
            if norm_key(str(key)) in {"locale", "language", "lang"} and isinstance(value, str):
                profile_locale = value.strip()
    if (
        req.locale
        and profile_locale
        and (profile_locale.replace("_", "-").lower() != req.locale.replace("_", "-").lower())
    ):
        member = profile_member(index)
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title="The account profile has another locale",
                detail=(
                    f"The export's profile says locale {profile_locale}, the request says "
                    f"{req.locale}. Make sure this is the requester's account."
                ),
                members=(member,) if member else (),
            )
        )
    phone = _profile_phone(request, index)
    if phone is not None:
        findings.append(phone)
    address = _profile_address(request, index)
    if address is not None:
        findings.append(address)
    cities = [a.city for a in req.addresses if a.city.strip()]
    if cities:
        findings.extend(_ship_cities(request, index, cities))
    if req.locale:
        hint = _language_hint(request, index)
        if hint:
            findings.append(hint)
    return findings


def _profile_phone(request: Request, index: ExportIndex) -> Finding | None:
    """The profile's own phone number against the requester's, by their last eight digits
    (so "+49 511 5550199" and "0511 555 01 99" agree): another number there is a sign of
    someone else's details merged into the requester's account."""
    if not isinstance(index.profile, dict):
        return None
    for key, value in index.profile.items():
        if norm_key(str(key)) not in PROFILE_PHONE_KEYS or not isinstance(value, str | int):
            continue
        if is_other_phone(str(value), request):
            member = profile_member(index)
            return Finding(
                code=CODE,
                severity=Severity.WARNING,
                title="The account profile has another phone number",
                detail=(
                    f"The export's profile gives phone {value}, the request "
                    f"{request.requester.phone}. Make sure this is the requester's account, "
                    "and that nobody else's details were merged into it."
                ),
                members=(member,) if member else (),
            )
    return None


def _profile_address(request: Request, index: ExportIndex) -> Finding | None:
    """The profile's own postal addresses against the requester's: one that is none of them
    is, like another phone number, a sign of someone else's details in the account. What
    counts as the profile's own address, and as the same address written another way, is
    `_address`'s."""
    wants = request.requester.addresses
    if not wants or not isinstance(index.profile, dict):
        return None
    other = [a for a in profile_addresses(index.profile) if not any(agrees(a, w) for w in wants)]
    if not other:
        return None
    member = profile_member(index)
    ours = listing(
        written({"street": w.street, "postcode": w.postcode, "city": w.city}) for w in wants
    )
    return Finding(
        code=CODE,
        severity=Severity.WARNING,
        title=f"The account profile has {'another address' if len(other) == 1 else 'other addresses'}",
        detail=(
            f"The export's profile gives {listing(written(a) for a in other)}; the request "
            f"lists {ours}. Make sure this is the requester's account, and that nobody else's "
            "details were merged into it."
        ),
        members=(member,) if member else (),
    )


def _ship_cities(request: Request, index: ExportIndex, cities: list[str]) -> list[Finding]:
    """Orders shipped to none of the requester's `cities`. The requester's own city written
    another way is no other city ("Munich" or "Muenchen" for "München", "30161 Hannover",
    "London N10", "Frankfurt" for "Frankfurt am Main"): `_cities.same_city`."""
    findings = []
    # city cell -> its city when none of the requester's, else "" (orders repeat a few)
    outside: dict[str, str] = {}
    for path, table in all_tables(index):
        city_col, order_col = _order_columns(table.columns)
        if city_col is None:
            continue
        cust = customer_column(table)
        other: Counter[str] = Counter()
        orders: list[str] = []
        cust_i = table.col(cust) if cust is not None else None
        # another account's rows are reported as foreign records
        foreign = (
            {c for c in set(table.values(cust)) if is_foreign_id(c, request)}
            if cust is not None
            else set()
        )
        city_i = table.col(city_col)
        order_i = table.col(order_col) if order_col else None
        for row in table.rows:
            if cust_i is not None and row[cust_i] in foreign:
                continue
            cell = row[city_i]
            city = outside.get(cell)
            if city is None:
                found = _city(cell.strip())
                city = outside[cell] = (
                    found if found and not any(same_city(found, c) for c in cities) else ""
                )
            if city:
                other[city] += 1
                if order_i is not None:
                    orders.append(row[order_i].strip())
        if not other:
            continue
        total = sum(other.values())
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title=f"{plural(total, 'order')} shipped outside the requester's cities",
                detail=(
                    f"In {path}, {plural(total, 'row')} ship to "
                    + listing(f"{c} ({n})" for c, n in other.most_common())
                    + f", none of the requester's addresses ({listing(sorted({norm_text(c) for c in cities}))})"
                    + (f"; orders {listing([o for o in orders if o])}" if any(orders) else "")
                    + ". Possibly another household's orders: check before delivery."
                ),
                members=(path,),
            )
        )
    return findings


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _order_columns(columns: tuple[str, ...]) -> tuple[str | None, str | None]:
    """A table's first city column (where an order was shipped) and its order column."""
    city = next(
        (
            c
            for c in columns
            if norm_key(c) in {"shipcity", "shippingcity", "deliverycity", "city", "shipto"}
        ),
        None,
    )
    order = next((c for c in columns if norm_key(c) in {"orderid", "order", "ordernumber"}), None)
    return city, order


_NO_CITY = frozenset({"true", "false", "null", "none", "n/a", "na", "-"})


def _city(cell: str) -> str:
    """A city cell, or the city of an address object written as JSON (``shipTo``); "" for
    what names no place: a number or a spreadsheet's TRUE/FALSE (a total row), "N/A"."""
    if not cell.startswith("{"):
        if cell.casefold() in _NO_CITY or not any(ch.isalpha() for ch in cell):
            return ""
        return cell
    try:
        doc = json.loads(cell)
    except ValueError:
        return ""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if norm_key(str(key)) in CITY_KEYS and isinstance(value, str):
                return value.strip()
    return ""


def _language_hint(request: Request, index: ExportIndex) -> Finding | None:
    want = _lang(request.requester.locale)
    if want not in FUNCTION_WORDS:
        return None
    counts: Counter[str] = Counter()
    total = 0
    texts = [r.transcript for r in index.recordings if not is_foreign_id(r.customer_id, request)]
    if not index.recordings:  # a catalogue without a voice history: judge the catalogue
        texts = [e.text for e in index.transcripts]
    for text, times in Counter(texts).items():  # each text once ("stopp", "gute Nacht")
        for w in _WORDS.findall(text.casefold()):
            total += times
            for lang, words in FUNCTION_WORDS.items():
                if w in words:
                    counts[lang] += times
    if total < MIN_WORDS or not counts:
        return None
    top, n = counts.most_common(1)[0]
    if top == want or n < 2 * counts.get(want, 0) or n < total * 0.1:
        return None
    members = sorted({r.source_member for r in index.recordings if r.source_member})
    if index.transcript_member:
        members.append(index.transcript_member)
    return Finding(
        code=CODE,
        severity=Severity.WARNING,
        title="Transcripts are in another language than the requester's",
        detail=(
            f"The transcripts read like {top!r} ({n} of {total} words are common {top} words, "
            f"{counts.get(want, 0)} are {want}), while the requester's locale is "
            f"{request.requester.locale}. Check that the recordings are the requester's."
        ),
        members=tuple(members),
    )
