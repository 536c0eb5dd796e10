"""The requester's address book: members that hold their contacts (Alexa's calling and
messaging contacts, an exported address book). The people in it are other people, but their
names and addresses there are the requester's data, not another account's: they are a
warning to look at (should the export carry them? GDPR Art. 15(4)), never a wrong export.
Another account's customer id in such a member is still one.
"""

from __future__ import annotations

import re

from reviewer.domain.checks._common import listing, plural, unique
from reviewer.domain.model import Finding, Severity

CODE = "third-party-names"
# a member named as contacts or an address book, in a few languages, or a vCard file
_ADDRESS_BOOK = re.compile(
    r"(?:contact|address[ _-]?book|adressbuch|kontakt|carnet|rubrica|agenda)[^/!]*\Z|\.vcf\Z",
    re.I,
)


def is_address_book(member: str) -> bool:
    """Whether `member`'s own name (not its folder's) says it holds the requester's contacts."""
    return _ADDRESS_BOOK.search(member.rsplit("/", 1)[-1]) is not None


def contacts_finding(contacts: dict[str, set[str]]) -> Finding:
    """The warning for other people's names and e-mail addresses (member -> values) found in
    the requester's address book."""
    people = sorted({v for values in contacts.values() for v in values})
    members = unique(sorted(contacts))
    return Finding(
        code=CODE,
        severity=Severity.WARNING,
        title="The requester's contacts hold other people's details",
        detail=(
            f"{listing(members, 3)} {'holds' if len(members) == 1 else 'hold'} "
            f"{plural(len(people), 'name or e-mail address', 'names or e-mail addresses')} of "
            f"other people ({listing(people, 5)}): the requester's address book, not another "
            "account's data. Decide whether the export should carry them (GDPR Art. 15(4)) "
            "before delivery."
        ),
        members=members,
    )
