"""Identity evidence over every readable text member, whatever the layout.

`identity-evidence` (info): where the requester's identifiers were found, for an export
without a manifest that is otherwise clean.
`foreign-identifier` (critical): a customer id shaped like the requester's but not theirs,
an e-mail address that is not theirs, or another person's name in a name field of an account
record (also of a member named as an account's profile, `_profiles`, and after a text's
"Cliente:"). `other-person-details` (warning): another phone number in a member named as a
profile, or someone else's name with their phone number or address in another record (not a
contact's, a recipient's, a seller's, a device's). `unattributable-archive` (critical): no
trace of the requester at all (customer id, e-mail, phone or name); an archive nobody can
attribute is not a pass.

Serials, utterance ids and marketplace ids are no customer ids; nor are Amazon's own seller
ids, nor a seller's or merchant's id where the member gives it as one (a seller or merchant
column's value, a field or link parameter so labelled: "sellerId", "?m=A3P5ROKL5A1OLE"); nor
are Amazon's device type codes (an Echo Dot's A3S5BH2HU6VAYF, shaped like a customer id): the
well-known ones anywhere, and a code a device-type field gives (a device table's type column,
the voice history's device_type, the ticket's devices) in the member that gives it or where a
text labels it ("device type ...", a recording's product tag). The same value in a customer column
or field, or unlabelled elsewhere, is still judged as an id.

What the specific checks already report is not repeated: the ids in customer columns of tables
(`foreign-records`), and the other account's identifiers in the members named by
`wrong-customer`. The exporter's own role mailboxes (privacy@, noreply@ ...) are allowed only at
a domain the manifest itself names in such an address.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reviewer.domain.archive.fieldnames import is_linked_account
from reviewer.domain.archive.tabular import DEVICE_TYPE_KEYS
from reviewer.domain.checks._common import (
    CUSTOMER_KEYS,
    EMAIL_KEYS,
    HOLDER_NAME_KEYS,
    Attribution,
    account_id,
    all_tables,
    attribute,
    customer_column,
    is_requester_id,
    listing,
    norm_id,
    norm_key,
    plural,
    unique,
)
from reviewer.domain.checks._contacts import (
    contacts_finding,
    household_addresses,
    is_address_book,
)
from reviewer.domain.checks._identity import (
    MARKUP_EXT,
    SEPARATOR,
    Batch,
    DisguisedShape,
    RequesterMatcher,
    allowed_address,
    as_seen,
    batches,
    deobfuscated,
    emails,
    exporter_emails,
    find_emails,
    id_shape,
    joined_across_tags,
    labelled_values,
    mailbox_key,
    markup_text,
    spaced_text,
    walk_json,
)
from reviewer.domain.checks._known_ids import (
    AMAZON_SELLER_IDS,
    ECHO_DEVICE_TYPES,
    MARKETPLACE_IDS,
)
from reviewer.domain.checks._people import is_known_person, is_one_of
from reviewer.domain.checks._profiles import (
    ACCOUNT_PARENTS,
    ACCOUNTISH_PARENTS,
    FIRST_NAME_KEYS,
    LAST_NAME_KEYS,
    PHONE_KEYS,
    PROFILE_NAME_KEYS,
    contact_records,
    full_name,
    is_other_phone,
    is_profile_member,
    names_others,
    phones,
    profile_names,
    profile_objects,
)
from reviewer.domain.devices import recording_serial, serial_key
from reviewer.domain.model import ExportIndex, Finding, Request, Severity, Table

NAME_FIELD_KEYS = HOLDER_NAME_KEYS | {"name", "displayname"}
FIELD_KEYS = CUSTOMER_KEYS | NAME_FIELD_KEYS | {"id"}


@dataclass(slots=True)
class _Evidence:
    """What the scan found: where each of the requester's identifiers was seen
    (`requester_seen`, kind -> members), the identifiers that are someone else's (`foreign`,
    (kind, value) -> members), and every text member searched. `covered`: (member, identifier)
    pairs the specific checks already report; `not_ids`: serials and utterance ids, which are
    not customer ids whatever their shape; `device_types`: what device-type fields hold,
    value -> the members holding it there ("" for the ticket's), see `_is_device_type`;
    `sellers`: what seller or merchant columns hold, value -> the members holding it there."""

    covered: set[tuple[str, str]]
    not_ids: set[str]
    device_types: dict[str, set[str]]
    sellers: dict[str, set[str]]
    requester_seen: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    foreign: defaultdict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    searched: list[str] = field(default_factory=list)
    # other people's names and addresses in the requester's address book: member -> values
    contacts: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # other people's names with their contact details, and other phone numbers, in records
    # that may be another account's (a looser sign): member -> what they give
    details: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def known_foreign(self, token: str, member: str) -> bool:
        """Whether the customer id `token` is already someone else's in `member`, found here
        or reported by a specific check."""
        return member in self.foreign.get(("customer id", token), ()) or (
            (member, norm_id(token)) in self.covered
        )

    def foreign_hit(self, kind: str, value: str, member: str) -> None:
        key = value.casefold() if kind != "customer id" else norm_id(value)
        if (member, key) in self.covered:
            return
        if kind != "customer id" and is_address_book(member):
            self.contacts[member].add(value)
        else:
            self.foreign[(kind, value)].add(member)

    def not_foreign(self, pairs: set[tuple[str, str]]) -> None:
        """Take back the e-mail hits that are (member, address case-folded) in `pairs`, in the
        export and in the requester's contacts."""
        for (kind, value), members in list(self.foreign.items()):
            if kind == "e-mail":
                members -= {m for m in members if (m, value.casefold()) in pairs}
                if not members:
                    del self.foreign[(kind, value)]
        for member, values in list(self.contacts.items()):
            values -= {v for v in values if (member, v.casefold()) in pairs}
            if not values:
                del self.contacts[member]

    def not_foreign_mailboxes(self, mailboxes: set[str]) -> None:
        """Take back the e-mail hits of addresses delivering to one of `mailboxes`
        (`mailbox_key`)."""
        for kind, value in list(self.foreign):
            if kind == "e-mail" and mailbox_key(value) in mailboxes:
                del self.foreign[(kind, value)]


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    matcher = RequesterMatcher.for_request(request)
    att = attribute(request, index)
    ev = _Evidence(_covered(att, index, norm_id(req.customer_id)), *_device_facts(request, index))
    _scan_texts(ev, request, index, matcher)
    _scan_fields(ev, request, index)
    _scan_tables(ev, request, index, att)

    if ev.contacts or any(kind == "e-mail" for kind, _value in ev.foreign):
        # looked for only when needed
        ev.not_foreign_mailboxes(_requester_mailboxes(request, index, att))
        ev.not_foreign(household_addresses(request, index))
    findings = []
    if ev.foreign:
        findings.append(_foreign_identifier(ev.foreign, request))
    if ev.contacts:
        findings.append(contacts_finding(ev.contacts))
    # (a member naming another account's holder is reported as that)
    named = {m for (kind, _v), ms in ev.foreign.items() if kind == "name" for m in ms}
    details = {m: v for m, v in ev.details.items() if v and m not in named}
    if details:
        findings.append(_other_person_details(details, request))
    seen = {kind: members for kind, members in ev.requester_seen.items() if members}
    if not seen and not att.wrong_customer:
        findings.append(_unattributable_archive(ev.searched, matcher))
    elif seen and index.manifest is None and not ev.foreign:
        # No manifest to say whose export this is: show what the attribution rests on.
        findings.append(_identity_evidence(seen))
    return findings


def _requester_mailboxes(request: Request, index: ExportIndex, att: Attribution) -> set[str]:
    """The requester's mailbox (`mailbox_key`: also written with a "+tag"): the ticket's
    e-mail; for a ticket that gives none, the e-mail of a profile that is their account."""
    given = request.requester.email.strip()
    found = [given] if given else []
    if not given and att.profile_id and att.profile_id == att.requester_id:
        found = [str(v) for k, _p, v, _o in walk_json(index.profile or {}) if k in EMAIL_KEYS]
    return {mailbox_key(e) for e in found if "@" in e}


def _covered(att: Attribution, index: ExportIndex, req_id: str) -> set[tuple[str, str]]:
    """Identifiers that the specific checks already report, per member."""
    covered: set[tuple[str, str]] = set()
    for path, counts in att.foreign_by_table.items():
        covered |= {(path, cid) for cid in counts}
    if att.wrong_customer:
        owner = att.owner_id
        owner_ids = {owner, att.manifest_id, att.profile_id} - {"", req_id}
        owner_emails = {
            v.casefold() for k, _p, v, _o in walk_json(index.profile or {}) if k in EMAIL_KEYS
        }
        owner_names = {
            v.casefold()
            for k, _p, v, _o in walk_json(index.profile or {})
            if k in {"name", "fullname"}
        }
        # The members `wrong-customer` names: manifest, profile and the tables it counted.
        named = [index.manifest_member or "", att.profile_member or "", *att.foreign_by_table]
        for m in named:
            covered |= {(m, i) for i in owner_ids | owner_emails | owner_names}
    return covered


def _device_facts(
    request: Request, index: ExportIndex
) -> tuple[set[str], dict[str, set[str]], dict[str, set[str]]]:
    """In one pass over the tables: what is no customer id whatever its shape (serials,
    utterance ids, Amazon's marketplace ids, the values of device columns), and what
    device-type fields hold, value -> the members that hold it there: the ticket's device
    types (member ""), the recordings' (a voice history's device_type column, in any
    layout), and the type or model column of a table of devices (one with a serial or device
    column: Devices.csv's "type"); and what seller or merchant columns hold, value -> the
    members that hold it there (a seller's id, no customer's, in that member)."""
    not_ids = {serial_key(d.serial) for d in request.requester.devices}
    not_ids |= MARKETPLACE_IDS | AMAZON_SELLER_IDS
    # each serial, and each device type in each table, as written once (thousands of
    # recordings share a few devices)
    recs = index.recordings
    not_ids |= {recording_serial(r) for r in {r.device_serial: r for r in recs}.values()}
    not_ids |= {norm_id(r.utterance_id) for r in recs}
    types: defaultdict[str, set[str]] = defaultdict(set)
    sellers: defaultdict[str, set[str]] = defaultdict(set)
    for d in request.requester.devices:
        types[norm_id(d.type)].add("")
    for device_type, source in {(r.device_type, r.source_member): None for r in recs}:
        types[norm_id(device_type)].add(source)
    for path, table in all_tables(index):
        device_cols, seller_cols, type_cols = _device_columns(table.columns)
        for c in device_cols:
            not_ids.update(norm_id(cell) for cell in set(table.values(c)))
        for c in seller_cols:  # a seller's or merchant's id is no customer's
            for cell in table.values(c):
                sellers[norm_id(cell)].add(path)
        for c in type_cols:
            for cell in table.values(c):
                types[norm_id(cell)].add(path)
    types.pop("", None)
    sellers.pop("", None)
    return not_ids, dict(types), dict(sellers)


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _device_columns(
    columns: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A table's columns of serials and devices (no customer ids), its seller or merchant
    columns, and, in a table of devices (one with a serial or device column), its type
    columns."""
    keys = [(c, norm_key(c)) for c in columns]
    device = [(c, k) for c, k in keys if "serial" in k or "device" in k]
    return (
        tuple(c for c, k in device if k not in DEVICE_TYPE_KEYS),
        tuple(c for c, k in keys if _is_seller_key(k)),
        tuple(c for c, k in keys if k in DEVICE_TYPE_KEYS) if device else (),
    )


# Words of a field's name (`norm_key`) that say it names a seller or merchant: "seller_id",
# "merchantId", "Sold By", "Verkäufer-ID", "ID du vendeur"
_SELLER_WORDS = ("seller", "merchant", "soldby", "verkaufer", "vendeur", "vendedor", "venditore")


@lru_cache(maxsize=4096)
def _is_seller_key(key: str) -> bool:
    return key not in CUSTOMER_KEYS and any(w in key for w in _SELLER_WORDS)


# A value a text labels as a seller's: a link's seller parameter ("?m=", "&me=", "&smid=",
# "seller=", "pf_rd_m="), a seller or merchant field ("sellerId": "...", "Merchant ID: ...",
# "soldBy": {"name": "Amazon", "id": "..."}) (the label ends where the value starts)
_SELLER_LABEL = re.compile(
    r"(?:(?:[?&;]|&amp;)(?:m|me|smid|seller|sellerid|merchant|merchantid|pf_rd_m)="
    r"|(?:seller|merchant|sold[ _-]?by|verk[äa]ufer|vendeur|vendedor|venditore)"
    r"(?:[ _-]?(?:id|identifier|number|no))?[\"']?\s*[:=]\s*[\"']?"
    r"|(?:seller|merchant|sold[ _-]?by)[\"']?\s*:\s*\{[^{}]{0,80}?"
    r"[\"'](?:id|seller_?id|merchant_?id)[\"']\s*:\s*[\"']?)\Z",
    re.I,
)
_SELLER_REACH = 120  # characters before a value looked at for its seller label


def _is_seller_id(ev: _Evidence, token: str, member: str, text: str, start: int) -> bool:
    """Whether `token`, at `start` of `text` in `member`, is a seller's or merchant's id: one
    a seller column of that member holds, or one the text labels so. (The same value in a
    customer field, or unlabelled in another member, is still judged as an id.)"""
    return member in ev.sellers.get(token, ()) or (
        _SELLER_LABEL.search(text, max(0, start - _SELLER_REACH), start) is not None
    )


# A value a text labels as a device type: "device type A3S5BH2HU6VAYF", "deviceType=...",
# "device_model": "..."; in a recording's tags (read as "IPRD: ..." lines), the product,
# medium and source form it was made on (the label ends where the value starts)
_DEVICE_TYPE_LABEL = re.compile(
    r"(?:device[\s_-]?(?:type|model|family)[\"']?\s*[:=]?\s*[\"']?"
    r"|(?<![^\n\x00])(?:IPRD|IMED|ISRF): )\Z",  # a tag's line starts a member or follows one
    re.I,
)
_LABEL_REACH = 40  # characters before a value looked at for its label


def _is_device_type(ev: _Evidence, token: str, member: str, text: str, start: int) -> bool:
    """Whether `token`, at `start` of `text` in `member`, is a device type code rather than a
    customer id: a well-known one anywhere; one a device-type field gives, in the member that
    gives it or where the text labels it as a device type. (A customer id written into a
    type column, or labelled so, excuses nothing elsewhere.)"""
    if token in ECHO_DEVICE_TYPES:
        return True
    held = ev.device_types.get(token)
    if held is None:
        return False
    return member in held or (
        _DEVICE_TYPE_LABEL.search(text, max(0, start - _LABEL_REACH), start) is not None
    )


def _scan_texts(
    ev: _Evidence, request: Request, index: ExportIndex, matcher: RequesterMatcher
) -> None:
    """Every readable text: the requester's identifiers, other e-mail addresses, and ids shaped
    like the requester's customer id that are not theirs; every member's name: the last two."""
    req = request.requester
    req_id = norm_id(req.customer_id)
    req_email = req.email.strip().casefold()
    shape = id_shape(req.customer_id)
    disguised = DisguisedShape.of(req.customer_id)
    exporter = exporter_emails(index)
    not_ids = ev.not_ids
    for batch in batches(index.scan_texts(), ev.searched):
        matcher.collect(batch, ev.requester_seen)
        plain = _foreign_in(ev, batch, req_email, req_id, shape, exporter)
        if disguised is not None:
            _disguised_in(ev, batch, req_id, disguised)
        unmasked = deobfuscated(batch.text, written=False)
        # "%40" in a link, "&#64;" in a cell or value: the members are still SEPARATOR-split
        if unmasked is not None:
            seps = [m.start() for m in re.finditer(SEPARATOR, unmasked)]
            for address, start in find_emails(unmasked):
                if (
                    address not in plain
                    and address != req_email
                    and not allowed_address(address, exporter)
                ):
                    ev.foreign_hit("e-mail", address, batch.paths[bisect_right(seps, start)])
    # Member names too: a folder or file named after another account ("Alexa/A2MZ8T4KQ9XR3P/",
    # "lukas.brandt@example.de.txt"), which without a manifest no text spells out.
    for batch in batches((m.path, m.path) for m in index.members):
        _foreign_in(ev, batch, req_email, req_id, shape, exporter)
        if disguised is not None:
            _disguised_in(ev, batch, req_id, disguised)
    _scan_plain_texts(ev, index, req_email, req_id, shape, exporter, not_ids)


def _foreign_in(
    ev: _Evidence,
    batch: Batch,
    req_email: str,
    req_id: str,
    shape: re.Pattern[str] | None,
    exporter: set[str],
) -> set[str]:
    """Other e-mail addresses and ids shaped like the requester's in one batch; the addresses
    written plainly in it."""
    plain: set[str] = set()
    for address, start in find_emails(batch.text):
        plain.add(address)
        if address != req_email and not allowed_address(address, exporter):
            ev.foreign_hit("e-mail", address, batch.member_at(start))
    if shape is None:
        return plain
    # findall into a set first: almost every hit is the requester's own id, and only a batch
    # holding another one is walked hit by hit to name its members.
    not_ids = ev.not_ids
    tokens = set(shape.findall(batch.text))
    tokens.discard(req_id)
    if any(t not in not_ids and any(c.isdigit() for c in t) for t in tokens):
        for hit in shape.finditer(batch.text):
            token = hit.group(0)
            if token == req_id or token in not_ids or not any(c.isdigit() for c in token):
                continue
            member = batch.member_at(hit.start())
            if ev.known_foreign(token, member):
                continue  # nothing more to learn from this one: skip its label checks
            if not _is_device_type(
                ev, token, member, batch.text, hit.start()
            ) and not _is_seller_id(ev, token, member, batch.text, hit.start()):
                ev.foreign_hit("customer id", token, member)
    return plain


def _disguised_in(ev: _Evidence, batch: Batch, req_id: str, disguised: DisguisedShape) -> None:
    """Ids shaped like the requester's written grouped or disguised in one batch
    ("A5RT-8XK2-M9QW-4N", with a zero-width space, in full-width characters, with a
    Cyrillic "А"), judged as the plain id is."""
    for token, start in disguised.find(batch.text):
        if token == req_id or token in ev.not_ids:
            continue
        member = batch.member_at(start)
        if not _is_device_type(ev, token, member, batch.text, start) and not _is_seller_id(
            ev, token, member, batch.text, start
        ):
            ev.foreign_hit("customer id", token, member)


# An e-mail address as GPX writes it: <email id="oliver.barnes" domain="example.com"/>
_SPLIT_ADDRESS = re.compile(
    r"<(?:[\w.-]+:)?email\s[^<>]*?\bid=[\"']([^\"'<>@\s]{1,64})[\"'][^<>]*?"
    r"\bdomain=[\"']([^\"'<>@\s]{1,255}\.[^\"'<>@\s]{2,24})[\"']"
)


def _scan_plain_texts(
    ev: _Evidence,
    index: ExportIndex,
    req_email: str,
    req_id: str,
    shape: re.Pattern[str] | None,
    exporter: set[str],
    not_ids: set[str],
) -> None:
    """The plain texts once more: addresses people write disguised ("name [at] example [dot]
    com", "&#64;"), and markup whose tags split an id or an address (an .xlsx cell in two
    rich-text runs, <t>A2MZ8T4K</t></r><r><t>Q9XR3P</t>), read with the tags taken out."""
    for path, text in index.texts.items():
        if "domain=" in text:  # GPX writes an author's address in two attributes
            for m in _SPLIT_ADDRESS.finditer(text):
                address = f"{m[1]}@{m[2]}".casefold()
                if address != req_email and not allowed_address(address, exporter):
                    ev.foreign_hit("e-mail", address, path)
        # markup by its name, or by a closing tag in it (an e-mail's HTML body, a page saved
        # as .txt): an address split over its runs is one to a reader
        markup = path.lower().endswith(MARKUP_EXT) or "</" in text
        flat = markup_text(text) if markup else None
        disguised = deobfuscated(flat if flat is not None else text)
        if flat is None and disguised is None:
            continue
        seen = disguised if disguised is not None else flat
        assert seen is not None
        plain = emails(text)
        spaced: set[str] | None = None  # the markup's addresses element by element, if needed
        for address in emails(seen) - plain:
            if flat is not None and spaced is None:
                spaced = emails(spaced_text(text))
            if spaced is not None and joined_across_tags(address, spaced):
                continue  # the text of two fields run together, not an address
            if address != req_email and not allowed_address(address, exporter):
                ev.foreign_hit("e-mail", address, path)
        if shape is not None and flat is not None:
            joined = set(shape.findall(flat)) - set(shape.findall(text))
            for hit in shape.finditer(flat) if joined else ():
                token = hit.group(0)
                if (
                    token in joined
                    and token != req_id
                    and token not in not_ids
                    and any(c.isdigit() for c in token)
                    and not _is_device_type(ev, token, path, flat, hit.start())
                    and not _is_seller_id(ev, token, path, flat, hit.start())
                ):
                    ev.foreign_hit("customer id", token, path)


def _scan_fields(ev: _Evidence, request: Request, index: ExportIndex) -> None:
    """Structured fields: account ids of any shape, holders' names; in JSON documents, and
    where a text labels a value with such a field's name (an XML element, a "name: value"
    line)."""
    for path, doc in index.json_docs.items():
        if doc is index.manifest and isinstance(doc, dict):
            # The file list holds paths and hashes only; the integrity check reads it.
            doc = {k: v for k, v in doc.items() if k != "files"}
        is_profile = doc is index.profile
        # the objects under a key that names an account or its holder, found on the way
        held: list[dict[str, Any]] = []
        for key, parent, value, obj in walk_json(
            doc, FIELD_KEYS, holders=ACCOUNT_PARENTS, held=held
        ):
            is_id = (key in CUSTOMER_KEYS and not is_linked_account(key, map(str, obj))) or (
                key == "id" and parent in ACCOUNTISH_PARENTS
            )
            if is_id or _is_name_field(key, parent, obj, is_profile):
                _field(ev, request, path, value, is_id, not is_id)
        _profile_records(ev, request, index, path, doc, held)
    household = tuple(h.name for h in request.requester.household)
    for path, text in index.texts.items():
        profile = is_profile_member(path)
        other_phones: list[str] = []
        household_named = False
        for label, value in _labelled(text, path.lower().endswith(MARKUP_EXT)):
            key = norm_key(label.replace("#", " number").replace("\u2116", " number"))
            if key in TEXT_ID_KEYS:
                _field(ev, request, path, _text_id(value), True, False)
            elif key in TEXT_NAME_KEYS:
                _field(ev, request, path, value, False, True)
            if key in CUSTOMER_LABELS and not _text_id(value) and (name := full_name(value)):
                # "Cliente: Carlos Pérez Molina": the customer named, not numbered
                _field(ev, request, path, name, False, True)
            elif profile and key in PROFILE_NAME_KEYS and (name := full_name(value)):
                _field(ev, request, path, name, False, True)
                household_named = household_named or is_one_of(name, household)
            elif profile and key in PHONE_KEYS and is_other_phone(value, request):
                other_phones.append(f"phone {value.strip()}")
        if other_phones and not household_named and not is_address_book(path):
            ev.details[path].update(other_phones)  # (a household member's profile: theirs)


# Labels a text gives the customer under by a name ("Cliente: Sofía García Romero"), as
# well as by a number ("Customer: 40817734"). Not "client", in English a program as often.
CUSTOMER_LABELS = frozenset({"customer", "cliente", "kunde", "kundin", "klant"})


def _profile_records(
    ev: _Evidence,
    request: Request,
    index: ExportIndex,
    path: str,
    doc: object,
    held: list[dict[str, Any]],
) -> None:
    """A JSON document's account profiles (`profile_objects`): the full names they give
    their holder (another person's is another account's); in a member that is a profile by
    its name, another phone number. Elsewhere, a record giving another person's name with
    their phone number or postal address (`contact_records`): a looser sign. The requester's
    address book is theirs (`is_address_book`)."""
    if (not held and names_others(path) and not is_profile_member(path)) or is_address_book(path):
        return  # (most documents first: an order's, a device list's, with no account object)
    judged: set[int] = set()
    household = tuple(h.name for h in request.requester.household)
    for obj in profile_objects(doc, path, held):
        judged.add(id(obj))
        names = list(profile_names(obj))
        for name in names:
            _field(ev, request, path, name, False, True)
        # another number in a profile of the requester's, or of nobody named; a household
        # member's profile gives theirs (the requester's own profile: `locale-mismatch`)
        if (
            obj is doc
            and doc is not index.profile
            and not any(is_one_of(n, household) for n in names)
        ):
            ev.details[path].update(f"phone {p}" for p in phones(obj) if is_other_phone(p, request))
    if names_others(path):
        return
    for obj, name in contact_records(doc):
        if id(obj) not in judged and not is_known_person(name, request):
            ev.details[path].add(f"{name} with contact details")


def _labelled(text: str, markup: bool) -> Iterator[tuple[str, str]]:
    """`labelled_values` of `text`, and of `text` as a reader sees it where that differs
    (`as_seen`: "Customer\u00a0ID: ４０８１７７３５" is "Customer ID: 40817735" to a reader)."""
    yield from labelled_values(text, markup=markup)
    seen = as_seen(text)
    if seen is not None:
        yield from labelled_values(seen, markup=markup)


# Labels of an account id in a text: the customer keys but the words texts use for much
# else: "account" ("Account: Prime", "Account: 12345678" of a bank), "account number"
# (a bank account's, beside its sort code), "user id" and "account id" (a linked service's
# login: a text does not say whose, where a JSON field beside it would, `is_linked_account`).
TEXT_ID_KEYS = CUSTOMER_KEYS - {
    "account",
    "accountnumber",
    "userid",
    "accountid",
    "clientid",  # an app's OAuth client, in a log
}
# Labels of the holder's name in a text: not "full name" (a contact's, a recipient's) nor
# "account name" (what the household calls the account: "Whitfield Household").
TEXT_NAME_KEYS = HOLDER_NAME_KEYS - {"fullname", "accountname"}
# The account id a text gives after its label: one token holding a digit, perhaps grouped
# ("a2mz 8t4k q9xr 3p"), before any remark ("40817734 (closed)", "40817734.", "40817734,
# Account holder: ..."), not part of an address or a path ("user123@example.com")
_TEXT_ID = re.compile(
    r"[A-Za-z0-9_]*\d[A-Za-z0-9_]*(?:[ -][A-Za-z0-9_]+)*?(?=\s*(?:\Z|[,;(])|\.(?:\s|\Z))"
)
TEXT_ID_MIN = 6  # characters of an account id; shorter is a placeholder (0) or a card's last digits


def _text_id(value: str) -> str:
    """The account id a labelled value in a text holds, or "" when it holds none
    ("ending in 4821", "amzn1.ask.account...", "0")."""
    m = _TEXT_ID.match(value.strip())
    if m is None:
        return ""
    found = m.group(0)
    groups = re.split(r"[ -]", found)
    if any(len(g) > 4 and not any(c.isdigit() for c in g) for g in groups[1:]):
        found = groups[0]  # a number and words ("2 orders"), not an id written grouped
    return found if len(re.sub(r"[\s-]", "", found)) >= TEXT_ID_MIN else ""


def _field(
    ev: _Evidence, request: Request, path: str, value: str, is_id: bool, is_name: bool
) -> None:
    """One field's value in `path`: an account id (`is_id`), a holder's name (`is_name`)."""
    v = value.strip()
    if not v:
        return
    if is_id:
        if is_requester_id(v, request):  # also grouped or in lower case
            ev.requester_seen["customer id"].add(path)
        elif account_id(v) and norm_id(v) not in ev.not_ids:  # "" for no account id at all
            ev.foreign_hit("customer id", norm_id(v), path)
    elif is_name and request.requester.name:
        if is_known_person(v, request):
            ev.requester_seen["name"].add(path)
        elif any(ch.isalpha() for ch in v):
            ev.foreign_hit("name", v, path)


def _scan_tables(ev: _Evidence, request: Request, index: ExportIndex, att: Attribution) -> None:
    """Tables: the requester's own customer column, and holders' names that are not theirs."""
    req = request.requester
    for path, table in all_tables(index):
        col = customer_column(table)
        if col is not None and att.requester_by_table.get(path):
            ev.requester_seen["customer id"].add(path)
        name_cols = _holder_columns(table.columns)
        if path in index.json_docs or not req.name:
            continue
        if is_profile_member(path) and not is_address_book(path):
            _profile_rows(ev, request, path, table)
        if not name_cols:
            continue
        at = [table.col(c) for c in name_cols]
        for row in table.rows:
            for i in at:
                v = row[i].strip()
                if v and not is_known_person(v, request):
                    ev.foreign_hit("name", v, path)


def _profile_rows(ev: _Evidence, request: Request, path: str, table: Table) -> None:
    """A table that is an account's profile by its member's name ("account/perfil.csv"): the
    full names its name columns, or its first and last name columns, give."""
    keys = [norm_key(c) for c in table.columns]
    names = [i for i, k in enumerate(keys) if k in PROFILE_NAME_KEYS and k not in HOLDER_NAME_KEYS]
    first = [i for i, k in enumerate(keys) if k in FIRST_NAME_KEYS]
    last = [i for i, k in enumerate(keys) if k in LAST_NAME_KEYS]
    for row in table.rows:
        given = [row[i] for i in names]
        if first and last:
            given.append(f"{row[first[0]].strip()} {row[last[0]].strip()}")
        for value in given:
            if name := full_name(value):
                _field(ev, request, path, name, False, True)


def _foreign_identifier(foreign: dict[tuple[str, str], set[str]], request: Request) -> Finding:
    req = request.requester
    by_kind: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for (kind, value), members in foreign.items():
        by_kind[kind].append((value, members))
    parts = []
    all_members: list[str] = []
    for kind in ("customer id", "e-mail", "name"):
        items = sorted(by_kind.get(kind, []), key=lambda vm: (-len(vm[1]), vm[0]))
        if not items:
            continue
        words = {
            "customer id": ("customer id", "customer ids"),
            "e-mail": ("e-mail address", "e-mail addresses"),
            "name": ("account holder name", "account holder names"),
        }[kind]
        parts.append(
            f"{plural(len(items), *words)} that {'is' if len(items) == 1 else 'are'} not the "
            "requester's: " + listing((f"{v} (in {listing(sorted(ms), 3)})" for v, ms in items), 5)
        )
        for _v, ms in items:
            all_members.extend(sorted(ms))
    kinds = [k for k in ("customer id", "e-mail", "name") if k in by_kind]
    return Finding(
        code="foreign-identifier",
        severity=Severity.CRITICAL,
        title=f"Someone else's {' and '.join(kinds)} in the export",
        detail=(
            "; ".join(parts)
            + f". The requester is {req.customer_id}"
            + (f" <{req.email}>" if req.email else "")
            + ". Find out whose data these members hold before anything is delivered."
        ),
        members=unique(all_members),
    )


DETAILS_CODE = "other-person-details"


def _other_person_details(details: dict[str, set[str]], request: Request) -> Finding:
    """The warning for records that give someone else's name with their contact details, or
    another phone number in a profile (member -> what they give: "phone ...", "<name> with
    contact details")."""
    members = sorted(details)
    given = listing((f"{m} ({listing(sorted(details[m]), 3)})" for m in members), 5)
    values = {v for vs in details.values() for v in vs}
    phones_only = all(v.startswith("phone ") for v in values)
    names_only = not any(v.startswith("phone ") for v in values)
    what = []
    if not phones_only:
        what.append(
            "the name of someone who is neither the requester nor of the household, with a "
            "phone number or postal address"
        )
    if not names_only:
        theirs = request.requester.phone.strip()
        what.append(
            "a phone number that is not the requester's"
            + (f" ({theirs})" if theirs else "")
            + " in a member named as an account's profile"
        )
    return Finding(
        code=DETAILS_CODE,
        severity=Severity.WARNING,
        title="Someone else's contact details in a record like an account's",
        detail=(
            f"{given}: {'; '.join(what)}. It may be another account's profile merged into "
            "the export, or someone the requester deals with: find out whose record it is "
            "before delivery."
        ),
        members=tuple(members),
    )


def _unattributable_archive(searched_members: list[str], matcher: RequesterMatcher) -> Finding:
    searched = sorted(set(searched_members))
    looked_for = ", ".join(k for k, _p in matcher.patterns) or "none given"
    where = (
        f"appear in any of the {plural(len(searched), 'readable text member')}"
        if searched
        else "can be looked for: the archive has no readable text"
    )
    return Finding(
        code="unattributable-archive",
        severity=Severity.CRITICAL,
        title="Nothing in the export identifies the requester",
        detail=(
            f"None of the requester's identifiers ({looked_for}) {where}. Nobody can "
            "say whose data this is: it cannot be delivered as the requester's until "
            "someone establishes that it is."
        ),
        members=tuple(searched),
    )


def _identity_evidence(seen: dict[str, set[str]]) -> Finding:
    order: tuple[str, ...] = ("customer id", "e-mail", "phone", "name")
    found_kinds = [k for k in order if k in seen]
    return Finding(
        code="identity-evidence",
        severity=Severity.INFO,
        title="The requester's identifiers found, nobody else's",
        detail=(
            "Without a manifest, attribution rests on these: "
            + "; ".join(f"{k} in {listing(sorted(seen[k]), 3)}" for k in found_kinds)
            + ". No other customer id, e-mail address or account holder was found."
        ),
        members=unique(m for k in found_kinds for m in sorted(seen[k])),
    )


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _holder_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in columns if norm_key(c) in HOLDER_NAME_KEYS)


def _is_name_field(key: str, parent: str, obj: dict[str, Any], is_profile: bool) -> bool:
    if key in HOLDER_NAME_KEYS:
        return True
    if key not in {"name", "displayname"}:
        return False
    # the profile's own name, not the names of what it lists (an address labelled "Home",
    # a device called "Kitchen")
    if (is_profile and parent == "") or parent in ACCOUNTISH_PARENTS:
        return True
    return _has_email_key(tuple(obj))


@lru_cache(maxsize=4096)  # thousands of records share a few sets of keys
def _has_email_key(keys: tuple[Any, ...]) -> bool:
    return any(norm_key(str(k)) in EMAIL_KEYS for k in keys)
