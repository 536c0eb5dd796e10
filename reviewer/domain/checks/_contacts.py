"""The requester's address book and calendar: members that hold their contacts (Alexa's
calling and messaging contacts, an exported address book) and the people of their calendar's
events (the organiser and attendees of an .ics). The people in it are other people, but their
names and addresses there are the requester's data, not another account's: they are a
warning to look at (should the export carry them? GDPR Art. 15(4)), never a wrong export.
Another account's customer id in such a member is still one. Likewise the e-mail address of
someone of the household in a record or row that names them: theirs, not a stranger's
(`household_addresses`). (The requester's own records with another address are still caught.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.domain.checks._common import (
    EMAIL_KEYS,
    all_tables,
    listing,
    norm_key,
    plural,
    unique,
)
from reviewer.domain.checks._identity import walk_json
from reviewer.domain.checks._people import is_one_of
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "third-party-names"
# a member named as contacts, an address book or a calendar, in a few languages, or a vCard
# or iCalendar file (the people the requester invites or meets)
_ADDRESS_BOOK = re.compile(
    r"(?:contact|address[ _-]?book|adressbuch|kontakt|carnet|rubrica|agenda"
    r"|calendar|kalender|calendrier|calendario)[^/!]*\Z|\.(?:vcf|ics)\Z",
    re.I,
)


def is_address_book(member: str) -> bool:
    """Whether `member`'s own name (not its folder's) says it holds the requester's contacts
    or calendar."""
    return _ADDRESS_BOOK.search(member.rsplit("/", 1)[-1]) is not None


def contacts_finding(contacts: dict[str, set[str]]) -> Finding:
    """The warning for other people's names and e-mail addresses (member -> values) found in
    the requester's address book."""
    people = sorted({v for values in contacts.values() for v in values})
    members = unique(sorted(contacts))
    return Finding(
        code=CODE,
        severity=Severity.WARNING,
        title="The requester's contacts or calendar hold other people's details",
        detail=(
            f"{listing(members, 3)} {'holds' if len(members) == 1 else 'hold'} "
            f"{plural(len(people), 'name or e-mail address', 'names or e-mail addresses')} of "
            f"other people ({listing(people, 5)}): the requester's own contacts or calendar, not "
            "another account's data. Decide whether the export should carry them (GDPR Art. 15(4)) "
            "before delivery."
        ),
        members=members,
    )


# the fields of a record that give its person's name
PERSON_NAME_KEYS = frozenset(
    {"name", "fullname", "displayname", "customername", "accountholder", "profilename"}
    | {"membername", "personname", "contactname"}
)
# a name given in two fields: the first name's and the family name's
FIRST_NAME_KEYS = frozenset({"firstname", "givenname", "forename", "vorname", "prenom"})
LAST_NAME_KEYS = frozenset({"lastname", "familyname", "surname", "nachname", "nom"})


def household_addresses(request: Request, index: ExportIndex) -> set[tuple[str, str]]:
    """(member, address case-folded) for every e-mail address in a JSON record, a table row or
    a calendar's organiser or attendee whose name names someone of the household ("Tom
    Whitfield", "tom.whitfield@example.co.uk" in a household list); and a calendar's event ids,
    which are shaped like addresses and are no one's."""
    found = _calendar_ids(index)
    household = tuple(h.name for h in request.requester.household)
    if not household:
        return found
    for path, text in index.texts.items():
        # "ATTENDEE;CN=Tom Whitfield:mailto:...", the parameter's name in any case (RFC 5545)
        if is_address_book(path) and any(cn in text for cn in _CN_CASES):
            for m in _CN_MAILTO.finditer(text):
                if is_one_of(m[1].strip('"'), household):
                    found.add((path, m[2].casefold()))
    for path, doc in index.json_docs.items():
        for _key, _parent, value, obj in walk_json(doc, EMAIL_KEYS):
            if _names_one_of(obj.items(), household):
                found.add((path, value.strip().casefold()))
    for path, table in all_tables(index):
        keys = [norm_key(c) for c in table.columns]
        mail = [i for i, k in enumerate(keys) if k in EMAIL_KEYS]
        if not mail or not any(k in PERSON_NAME_KEYS | FIRST_NAME_KEYS for k in keys):
            continue
        for row in table.rows:
            if _names_one_of(zip(keys, row, strict=True), household):
                found.update((path, row[i].strip().casefold()) for i in mail if row[i].strip())
    return found


_CN_CASES = ("CN=", "cn=", "Cn=", "cN=")  # what `_CN_MAILTO` (IGNORECASE) takes for "CN="
# A calendar's person: the name and the address of an organiser or attendee (RFC 5545)
_CN_MAILTO = re.compile(r"CN=(\"[^\"\n]{1,200}\"|[^:;\n]{1,200})[^\n]*?mailto:([^\s;>]+)", re.I)
# A calendar event's id ("UID:7f3c...@alexa.amazon.co.uk"): shaped like an address, no one's
_UID_LINE = re.compile(r"^UID:\s*(\S+@\S+)\s*$", re.M | re.I)


def _calendar_ids(index: ExportIndex) -> set[tuple[str, str]]:
    """(member, id case-folded) for every event id of a calendar among the address books."""
    return {
        (path, m[1].casefold())
        for path, text in index.texts.items()
        if is_address_book(path) and "UID:" in text.upper()
        for m in _UID_LINE.finditer(text)
    }


def _names_one_of(fields: Iterable[tuple[object, object]], names: tuple[str, ...]) -> bool:
    """Whether a record's name field, or its first and last name fields together, name one
    of `names`."""
    first = last = ""
    for k, v in fields:
        if not isinstance(v, str) or not v.strip():
            continue
        key = norm_key(str(k))
        if key in PERSON_NAME_KEYS and is_one_of(v, names):
            return True
        if key in FIRST_NAME_KEYS:
            first = v.strip()
        elif key in LAST_NAME_KEYS:
            last = v.strip()
    return bool(first and last) and is_one_of(f"{first} {last}", names)
