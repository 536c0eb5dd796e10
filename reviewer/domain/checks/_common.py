"""Helpers shared by the checks: who a row belongs to, known names, short lists in words.

Everything here is linear in the size of the index (dicts and sets, no rescans).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from typing import Any, TypeVar, cast

from reviewer.domain.archive.catalogue import entries_in_text
from reviewer.domain.archive.fieldnames import CUSTOMER_KEYS as CUSTOMER_KEYS
from reviewer.domain.archive.fieldnames import is_linked_account
from reviewer.domain.archive.fieldnames import norm_key as norm_key
from reviewer.domain.archive.tabular import json_view
from reviewer.domain.model import (
    ExportIndex,
    Member,
    Recording,
    Request,
    Table,
    TranscriptEntry,
)

T = TypeVar("T")

# Keys that hold the account holder's name (only when the object is about an account).
NAME_KEYS = frozenset(
    {"name", "fullname", "customername", "accountname", "accountholder", "holder", "displayname"}
)
# Keys that are unambiguously the account holder's name, wherever they appear; also in the
# languages whose customer-number keys `CUSTOMER_KEYS` knows ("Kontoinhaber", "Titular de la
# cuenta", "Nom du client"). Not a bare "holder" or "titular": a card's holder is no account's.
HOLDER_NAME_KEYS = frozenset(
    {"customername", "accountname", "accountholder", "accountholdername", "fullname"}
    # German, French, Spanish, Italian, Dutch
    | {"kontoinhaber", "kontoinhaberin", "kundenname", "namedeskunden"}
    | {"titulaireducompte", "titulairedecompte", "nomduclient", "nomclient"}
    | {"titulardelacuenta", "titulardecuenta", "nombredelcliente", "nombrecliente"}
    | {"titolaredelconto", "intestatariodelconto", "nomedelcliente", "nomecliente"}
    | {"rekeninghouder", "accounthouder", "klantnaam", "naamvandeklant"}
)
EMAIL_KEYS = frozenset({"email", "emailaddress", "mail", "customeremail", "accountemail"})

FILE_COLUMN_WORDS = ("file", "audio", "recording", "path", "media", "attachment", "url", "wav")
PROBE_ROWS = 50  # rows looked at to find the columns that name members
MAX_LISTED = 10  # ids or values spelled out in a detail before "and N more"


def norm_id(value: object) -> str:
    return str(value).strip().upper() if value is not None else ""


def norm_text(value: str) -> str:
    """Case-folded, accents kept, whitespace collapsed: for comparing names and texts."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


_memo: ContextVar[dict[tuple[str, int, int], tuple[object, object, Any]] | None] = ContextVar(
    "shared_check_results", default=None
)


@contextmanager
def shared_results() -> Iterator[None]:
    """While open, what several checks derive from the same request and index (the
    attribution, the manifest's table) is worked out once. Each thread has its own."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(name: str, request: object, index: object, make: Callable[[], T]) -> T:
    """`make()`, worked out once per run of the checks (`shared_results`) for this request
    and index."""
    memo = _memo.get()
    if memo is None:
        return make()
    key = (name, id(request), id(index))
    hit = memo.get(key)
    if hit is not None and hit[0] is request and hit[1] is index:
        return cast(T, hit[2])
    value = make()
    memo[key] = (request, index, value)  # both held, so their ids stay theirs
    return value


def all_tables(index: ExportIndex) -> Iterator[tuple[str, Table]]:
    """(member, table) for every table of the index (those the reader found in texts too:
    `reviewer.domain.archive.texttables`), then the manifest's records.

    The reader keeps no table of the manifest's file list (the manifest check reads the
    document itself); the checks that read tables see it too, its rows made when read.
    """
    yield from index.tables.items()
    path = index.manifest_member
    if path is not None and path not in index.tables and index.manifest is not None:
        manifest = index.manifest
        view = shared("manifest-view", manifest, index, lambda: json_view(path, manifest))
        if view is not None:
            yield path, view


def audio_members(index: ExportIndex) -> list[Member]:
    """`index.audio_members`, listed once per run of the checks (several checks ask for it,
    and it walks every member)."""
    return shared("audio-members", index, index, lambda: index.audio_members)


def customer_column(table: Table) -> str | None:
    """The column of `table` that names the account a row belongs to, if any."""
    return _customer_column(table.columns)


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _customer_column(columns: tuple[str, ...]) -> str | None:
    for col in columns:
        key = norm_key(col)
        if key in CUSTOMER_KEYS and not is_linked_account(key, columns):
            return col
    return None


def listing(items: Iterable[str], limit: int = MAX_LISTED) -> str:
    """`a, b, c` or `a, b, c and 7 more`."""
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit:,} more"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Drop empties and duplicates, keep first-seen order."""
    return tuple(dict.fromkeys(i for i in items if i))


def as_utc_naive(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(UTC).replace(tzinfo=None)


def profile_member(index: ExportIndex) -> str | None:
    """The member the account profile was read from."""
    if index.profile is None:
        return None
    for path, doc in index.json_docs.items():
        if doc is index.profile:
            return path
    for path in index.json_docs:
        if path.rsplit("/", 1)[-1].lower() == "profile.json":
            return path
    return None


def is_requester_id(value: str, request: Request) -> bool:
    """`value` is the requester's customer id, in any case, grouped or not ("a4ws-6nb3 ...")."""
    return _is_id_of(value, request.requester.customer_id)


@lru_cache(maxsize=1 << 14)  # a table repeats its owner's id on every row
def _is_id_of(value: str, customer_id: str) -> bool:
    v = norm_id(value)
    req = norm_id(customer_id)
    if v == req:
        return True
    key = account_id(value)
    return bool(key) and key == (account_id(customer_id) or req)


def is_foreign_id(value: str, request: Request) -> bool:
    return _is_other_id(value, request.requester.customer_id)


def _is_other_id(value: str, customer_id: str) -> bool:
    """`value` holds an id, and not that of the requester `customer_id`."""
    return bool(norm_id(value)) and not _is_id_of(value, customer_id)


def is_foreign_recording(rec: Recording, request: Request) -> bool:
    """Whether a recording is another account's: its account cell holds an account id that
    is not the requester's. A cell holding none (the requester's e-mail or name, a
    stranger's name, words) says nothing of whose it is, and another account's id only
    `foreign-records` reports: such a recording is checked as the requester's (its device,
    its date), never passed over."""
    return _is_foreign_account(rec.customer_id, request.requester.customer_id)


@lru_cache(maxsize=1 << 14, typed=True)  # thousands of recordings share a few accounts
def _is_foreign_account(value: str, customer_id: str) -> bool:
    """`is_foreign_recording` of a recording whose account cell is `value`, for the
    requester `customer_id`."""
    return _is_other_id(value, customer_id) and bool(account_id(value))


def other_catalogues(index: ExportIndex) -> list[tuple[str, list[TranscriptEntry]]]:
    """Catalogue entries outside the catalogue, per member: a second catalogue PDF, one's text
    saved as a .txt, one in a nested archive, one embedded in the catalogue PDF itself or
    written into its properties (entries its pages do not hold) (worked out once per run of
    the checks)."""

    def find() -> list[tuple[str, list[TranscriptEntry]]]:
        found = []
        for path, text in index.texts.items():
            if path != index.transcript_member and (entries := entries_in_text(text)):
                found.append((path, entries))
        for path, text in index.attached.items():  # a PDF's properties and embedded files
            if entries := entries_in_text(text):
                found.append((path, entries))
        return found

    return shared("other-catalogues", index, index, find)


# --------------------------------------------------------------------------- attribution


@dataclass
class Attribution:
    """Whose rows the export holds, per table, as read from the customer columns."""

    requester_id: str = ""
    requester_rows: int = 0
    foreign_rows: Counter[str] = field(default_factory=Counter)  # foreign id -> rows
    # member -> foreign id -> rows; member -> requester rows
    foreign_by_table: dict[str, Counter[str]] = field(default_factory=dict)
    requester_by_table: dict[str, int] = field(default_factory=dict)
    manifest_id: str = ""
    profile_id: str = ""
    profile_member: str | None = None

    @property
    def attributed_rows(self) -> int:
        return self.requester_rows + sum(self.foreign_rows.values())

    @property
    def manifest_foreign(self) -> bool:
        return bool(self.manifest_id) and self.manifest_id != self.requester_id

    @property
    def profile_foreign(self) -> bool:
        return bool(self.profile_id) and self.profile_id != self.requester_id

    @property
    def rows_mostly_foreign(self) -> bool:
        foreign = sum(self.foreign_rows.values())
        return foreign > 0 and foreign > self.requester_rows

    @property
    def wrong_customer(self) -> bool:
        """The archive as a whole is another account's."""
        return self.manifest_foreign or self.profile_foreign or self.rows_mostly_foreign

    @property
    def owner_id(self) -> str:
        """The foreign account the archive belongs to (the most evident one)."""
        if self.manifest_foreign:
            return self.manifest_id
        if self.profile_foreign:
            return self.profile_id
        if self.foreign_rows:
            return self.foreign_rows.most_common(1)[0][0]
        return ""


_GROUPING = re.compile(r"[\s-]+")
_ID_CHARS = re.compile(r"\A[A-Z0-9_]+\Z")
# two groups of letters alone, one of them this long, are words ("Generated 2018-08-02 by
# export v2"): the groups of an id written grouped are short and most hold a digit
# ("a2mz 8t4k q9xr 3p"), and a label before an id is one word ("Kunde 40817734")
PROSE_WORD = 5


# Letters of other scripts that look like Latin ones, as they turn up in an id typed or
# pasted from elsewhere (a Cyrillic "А" in "А5RT8XK2M9QW4N")
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХУІЈЅаеорсхуіјѕΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTXYIJSaeopcxyijsABEZHIKMNOPTYX"
)
# Characters nobody sees, as a class's ranges: Unicode's default-ignorable code points of the
# Basic Multilingual Plane (a soft hyphen, zero-width spaces and joiners, direction marks,
# embeddings and isolates, the combining grapheme joiner, variation selectors, fillers); the
# few beyond it (tags) are left out: one of them in the class makes every search of it about
# twice as slow
INVISIBLE_CHARS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
)
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")


def seen_form(text: str) -> str:
    """`text` as a reader sees it: without the characters nobody sees (`INVISIBLE`), and with
    the compatibility forms of letters, digits, spaces and marks made those (NFKC: a
    full-width "４", a no-break space, the Kelvin sign's "K", a long "s")."""
    return unicodedata.normalize("NFKC", INVISIBLE.sub("", text))


# An id grouped by dots, slashes or colons ("A5RT.8XK2.M9QW.4N"): short groups of letters and
# digits, not digits alone and not short (not a date, a time or a version number)
_MARK_GROUPED = re.compile(r"\A[A-Za-z0-9]{2,6}(?:[./:][A-Za-z0-9]{1,6}){2,}\Z")
_GROUP_MARKS = re.compile(r"[./:]")
MARK_GROUPED_MIN = 8  # characters of an id grouped so


def account_id(cell: str) -> str:
    """The account id a customer column's cell holds, as compared (upper case, without the
    spaces or dashes that group it: "a2mz 8t4k q9xr 3p"; also grouped by dots, slashes or
    colons, in full-width characters, with a zero-width space or another script's look-alike
    letter inside), or "" when it holds none: words ("Prime Household", "Generated 2018-08-02
    by export v2"), a masked number ("****4821"), an Amazon-scoped pseudonym such as a
    skill's user id ("amzn1.ask.account..."), or no digit at all. A number is compared
    without the zeros that pad it."""
    if not cell.isascii():
        cell = seen_form(cell).translate(_LOOKALIKES)
    if _MARK_GROUPED.match(cell):
        joined = _GROUP_MARKS.sub("", cell)
        if len(joined) >= MARK_GROUPED_MIN and not joined.isdigit():
            cell = joined
    words = [w for w in _GROUPING.split(cell) if w.isalpha()]
    if len(words) >= 2 and max(map(len, words)) >= PROSE_WORD:
        return ""  # words, not a grouped id: a note or a footer in the column
    value = _GROUPING.sub("", cell).upper()
    if not value or not _ID_CHARS.match(value) or not any(c.isdigit() for c in value):
        return ""
    if value.isdigit():  # a number padded with zeros is the same number ("0040817734")
        return value.lstrip("0") or "0"
    return value


def _is_id_value(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(str(value).strip())


def attribute(request: Request, index: ExportIndex) -> Attribution:
    """Whose rows the export holds (worked out once per run of the checks)."""
    return shared("attribution", request, index, lambda: _attribute(request, index))


def _attribute(request: Request, index: ExportIndex) -> Attribution:
    req = norm_id(request.requester.customer_id)
    att = Attribution(requester_id=req)

    def whose(value: object) -> str:
        """The account a manifest's or profile's id names: the requester's as the ticket
        writes it when it is theirs, however grouped or cased."""
        return req if is_requester_id(str(value), request) else norm_id(value)

    if isinstance(index.manifest, dict):
        for key, value in index.manifest.items():
            if norm_key(str(key)) in CUSTOMER_KEYS and _is_id_value(value):
                att.manifest_id = whose(value)
                break
    if isinstance(index.profile, dict):
        for key, value in index.profile.items():
            if norm_key(str(key)) in CUSTOMER_KEYS and _is_id_value(value):
                att.profile_id = whose(value)
                break
        att.profile_member = profile_member(index)
    normed: dict[str, str] = {}  # cell -> its id (most rows repeat a few accounts)
    req_key = account_id(request.requester.customer_id)  # the requester's, grouped or not
    for path, table in all_tables(index):
        col = customer_column(table)
        if col is None:
            continue
        foreign: Counter[str] | None = None  # made for the first foreign row (most have none)
        mine = 0
        at = table.col(col)
        for row in table.rows:
            cell = row[at]
            value = normed.get(cell)
            if value is None:
                plain = norm_id(cell)
                value = normed[cell] = plain if plain == req else account_id(cell)
            if not value:
                continue
            if value in (req, req_key):
                mine += 1
            elif foreign is None:
                foreign = Counter({value: 1})
            else:
                foreign[value] += 1
        att.requester_rows += mine
        att.requester_by_table[path] = mine
        if foreign:
            att.foreign_by_table[path] = foreign
            att.foreign_rows.update(foreign)
    # A JSON document that is one record (an order, a recording) counts as one row.
    for path, doc in index.json_docs.items():
        if path in index.tables or doc is index.profile or doc is index.manifest:
            continue
        value = record_customer(doc)
        if not value:
            continue
        if value == req or is_requester_id(value, request):
            att.requester_rows += 1
            att.requester_by_table[path] = 1
        else:
            att.foreign_by_table[path] = Counter({value: 1})
            att.foreign_rows[value] += 1
    return att


def record_customer(doc: object) -> str:
    """The account a single-record JSON document names at its top level, if any:
    ``{"customer_id": ...}`` or ``{"customer": {"id": ...}}``."""
    if not isinstance(doc, dict):
        return ""
    for key in _customer_keys(tuple(doc)):
        value = doc[key]
        if _is_id_value(value):
            return norm_id(value)
        if isinstance(value, dict):
            inner = value.get("id")
            if _is_id_value(inner):
                return norm_id(inner)
    return ""


@lru_cache(maxsize=4096)  # thousands of records share a few sets of keys
def _customer_keys(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """The keys of a record's top level that name its account, in order."""
    return tuple(
        key
        for key in keys
        if (k := norm_key(str(key))) in CUSTOMER_KEYS and not is_linked_account(k, map(str, keys))
    )


@lru_cache(maxsize=4096)
def is_file_column(column: str) -> bool:
    key = norm_key(column)
    return any(w in key for w in FILE_COLUMN_WORDS)


class MemberNames:
    """Which members a cell names: by path, or by file name (``u123.wav``).

    The file-name map is built only when some cell looks like a bare file name.
    """

    __slots__ = ("paths", "_names")

    def __init__(self, index: ExportIndex) -> None:
        self.paths = {m.path for m in index.members}
        self._names: dict[str, list[str]] | None = None

    def resolve(self, cell: str | None) -> list[str]:
        if not cell:
            return []
        v = cell.strip()
        if v in self.paths:
            return [v]
        ext = v.rpartition(".")[2]
        if not (1 <= len(ext) <= 5 and ext.isalnum() and ext[0].isalpha()) or len(v) > 255:
            return []  # not a file name ("32.50", "Dr. Smith", a sentence)
        if "." not in v or "/" in v or "@" in v or " " in v:
            return []
        if self._names is None:
            self._names = {}
            for p in self.paths:
                self._names.setdefault(base_name(p), []).append(p)
        return self._names.get(v, [])


def base_name(path: str) -> str:
    """The file name of a member path (nested members: of the inner path)."""
    return path.rpartition("/")[2].rpartition("!")[2]


def referenced_members(index: ExportIndex) -> set[str]:
    """Member paths some row points at: recordings' audio, or a table cell naming a member.

    A cell counts when it equals a member's path or its file name (``u123.wav``). Only the
    columns named like files, or naming a member in their first rows, are read in full, so
    a table of orders costs a glance, not a scan.
    """
    names = MemberNames(index)
    # the manifest lists members; it describes none
    # (each table with its first rows)
    tables = [(table, table.rows[:PROBE_ROWS]) for table in index.tables.values() if table.rows]
    # The cells of the first rows of every table, each resolved once (cells repeat, and
    # thousands of small tables are then judged by one set operation each).
    probed: set[str] = set()
    for _table, head in tables:
        probed.update(chain.from_iterable(head))
    resolved = {cell: names.resolve(cell) for cell in probed}  # cell -> the members it names
    naming = {cell for cell, found in resolved.items() if found}

    def resolve(cell: str) -> list[str]:
        found = resolved.get(cell)
        if found is None:
            found = resolved[cell] = names.resolve(cell)
        return found

    refs = {r.audio_member for r in index.recordings if r.audio_member}
    for table, head in tables:
        cols = _file_columns(table.columns)
        if not naming.isdisjoint(chain.from_iterable(head)):  # a column naming a member
            by_column = zip(table.columns, zip(*head, strict=True), strict=True)
            cols = cols | {col for col, cells in by_column if not naming.isdisjoint(cells)}
        for col in cols:
            for cell in set(table.values(col)):
                refs.update(resolve(cell))
    return refs


@lru_cache(maxsize=4096)
def _file_columns(columns: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c for c in columns if is_file_column(c))


def recording_members(recs: Iterable[Recording]) -> list[str]:
    """The tables the recordings came from, then their audio members."""
    recs = list(recs)
    return list(unique([r.source_member for r in recs] + [r.audio_member for r in recs]))


def date_range(recs: Iterable[Recording]) -> str:
    # Naive and zone-aware times may mix (layouts differ): order them all as UTC.
    stamps = sorted(as_utc_naive(r.timestamp) for r in recs if r.timestamp is not None)
    if not stamps:
        return "undated"
    first, last = stamps[0].date().isoformat(), stamps[-1].date().isoformat()
    return first if first == last else f"{first} to {last}"
