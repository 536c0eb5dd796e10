"""Attribution that follows keys: members with no account of their own, linked to records
that have one by the keys they share.

A record attributed to an account by its own evidence (a row whose customer column names
it, a JSON document naming its customer) lends its keys to the members that carry them: an
items table holding the order id of the requester's order is the requester's, a recording
named after the requester's utterance id is theirs, a member a record lists by file name is
the record's. Links are followed from member to member until nothing changes.

Only members with no evidence of their own are linked (the caller names them); a member that
carries a key of another account's record is that account's, whatever else it carries, and a
key found in records of two accounts links nothing to the requester. A key is the value of a
field whose name says it is one (``order_id``, ``OrderId``, ``utteranceID``, ``id``,
``invoice number``) and that looks like one: at least six characters with a digit, no spaces
(a number alone needs eight digits), no day or time. A column that holds one value in every
row of an attributed table (an export's or a batch's id, a status) keys no record. Keys of things many accounts share (products, sellers,
skills, devices) and of people (customer, account, user) link nothing: people are attributed
by their own ids, and a device changes hands.

Linear in the data: every key value and every row is visited once (sets and postings, no
pairwise comparison).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reviewer.domain.checks._common import (
    CUSTOMER_KEYS,
    MemberNames,
    base_name,
    customer_column,
    is_file_column,
    norm_id,
    norm_key,
    record_customer,
)
from reviewer.domain.model import ExportIndex, Request

KEY_WORDS = frozenset(
    {"id", "ids", "uuid", "guid", "key", "number", "nr", "no", "num", "ref", "reference"}
)
# Names that end like a key but are not one.
NOT_KEYS = frozenset({"valid", "invalid", "paid", "unpaid", "prepaid", "android", "void", "hybrid"})
# Keys of things many accounts share, and of people and devices: they link nothing (a word
# anywhere in the name; a name that merely contains one is left out too, which can only leave
# a member unattributed, never attribute one).
SHARED = re.compile(
    "serial|device|dsn|product|asin|sku|isbn|ean|upc|gtin|catalog|category|seller|merchant|"
    "vendor|marketplace|store|shop|skill|brand|model|locale|language|currency|country|region|"
    "carrier|phone|tax|vat|postcode|postal|zip|customer|account|user|owner|holder|person|"
    "contact|household"
)
MIN_KEY = 6  # characters of a key value
MIN_DIGITS_KEY = 8  # digits of a key value that is a number alone
MAX_KEY = 128
MAX_DEPTH = 32
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_KEY = re.compile(rf"(?=\S*[0-9])\S{{{MIN_KEY},{MAX_KEY}}}")
_DATED = re.compile(r"\A(?:19|20)\d\d[-./]?[01]\d[-./]?[0-3]\d(?:[T ]|\Z)")


@lru_cache(maxsize=4096)
def is_key_field(name: str, parent: str = "") -> bool:
    """Whether a column or JSON key `name` (under the normalised key `parent`) holds keys."""
    k = norm_key(name)
    if not k or k in CUSTOMER_KEYS or SHARED.search(k):
        return False
    words = [w.lower() for w in _WORDS.findall(name)]
    if words and words[-1] in KEY_WORDS:
        # a bare "id" is its object's: {"product": {"id": ...}} is a product's
        return not (k in KEY_WORDS and SHARED.search(parent))
    return len(words) == 1 and k.endswith(("id", "uuid", "guid")) and k not in NOT_KEYS


def key_value(cell: object) -> str:
    """`cell` normalised as a key, or "" when it does not look like one."""
    if not isinstance(cell, str):
        if not isinstance(cell, int) or isinstance(cell, bool):
            return ""
        cell = str(cell)
    v = cell.strip()
    if _KEY.fullmatch(v) is None or (v.isdigit() and len(v) < MIN_DIGITS_KEY):
        return ""
    if _DATED.match(v):
        return ""  # a day or a time ("20180730", "2018-07-30T06:00:00Z"): many records' at once
    return v.upper()


def stem_key(path: str) -> str:
    """The key a member's file name is (``Alexa/Audio/<utterance id>.wav``), or ""."""
    name = base_name(path)
    return key_value(name.rpartition(".")[0] or name)


@dataclass(frozen=True, slots=True)
class Link:
    """Why a member is linked: `value`, a key of a record of `owner` in `source` (the
    requester's links, which no finding quotes, name the record only)."""

    owner: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Links:
    """`requester`: the members every row of which the requester's records link to.
    `foreign`: the members another account's records link to, with one such link each."""

    requester: frozenset[str] = frozenset()
    foreign: dict[str, Link] = field(default_factory=dict)


def follow_keys(request: Request, index: ExportIndex, candidates: Iterable[str]) -> Links:
    """Which of `candidates` (members with no account or identifier of their own) the keys
    of attributed records link to the requester, or to another account."""
    candidates = list(candidates)
    if not candidates:
        return Links()
    names = MemberNames(index)
    graph = _Graph(index, names, candidates)
    if not graph.paths:
        return Links()
    seeds = _Seeds(norm_id(request.requester.customer_id), graph)
    seeds.read(index, names)
    # Another account's links first: whatever they reach is not the requester's, even where
    # the requester's links reach it too (a key in records of both accounts, a table holding
    # rows of both).
    foreign = graph.spread(seeds.values[1], seeds.members[1])
    mine = graph.spread(seeds.values[0], seeds.members[0])
    return Links(
        requester=frozenset(
            graph.paths[n] for n in mine.first if n not in foreign.first and graph.whole(mine, n)
        ),
        foreign={graph.paths[n]: link for n, link in foreign.first.items()},
    )


@dataclass(slots=True)
class _Reach:
    """What one spread reached: the rows (by number), how many rows of each candidate, the
    first link to each candidate, and every key value it labelled."""

    rows: bytearray
    counts: list[int]
    first: dict[int, Link] = field(default_factory=dict)
    labelled: set[str] = field(default_factory=set)


class _Graph:
    """The candidates' rows, numbered across all candidates: the key values each row carries
    and the members it names; and for each key value, what carries it (a row number, or
    ``~n`` when candidate n is named after the key and so carried whole)."""

    def __init__(self, index: ExportIndex, names: MemberNames, candidates: Iterable[str]) -> None:
        self.paths: list[str] = []
        self.at: dict[str, int] = {}
        self.start: list[int] = [0]  # candidate n has rows start[n] to start[n + 1]
        self.node: list[int] = []  # row -> candidate
        self.values: list[tuple[str, ...]] = []
        self.refs: list[tuple[str, ...]] = []
        self.postings: dict[str, list[int]] = {}
        postings, values, refs, node = self.postings, self.values, self.refs, self.node
        for path in candidates:
            if path in self.at:
                continue
            n = len(self.paths)
            self.at[path] = n
            self.paths.append(path)
            table = index.tables.get(path)
            rows = table.rows if table is not None else ()
            keys, files = _plan(table.columns) if table is not None else ((), ())
            for row in rows:
                if len(keys) == 1:
                    v = key_value(row[keys[0]])
                    carried: tuple[str, ...] = (v,) if v else ()
                else:
                    carried = _values(row[i] for i in keys)
                for v in carried:
                    postings.setdefault(v, []).append(len(values))
                values.append(carried)
                refs.append(_files((row[i] for i in files), names) if files else ())
                node.append(n)
            if not rows:  # audio, or an empty table: one row with no keys
                values.append(())
                refs.append(())
                node.append(n)
            self.start.append(len(values))
            stem = stem_key(path)
            if stem:
                postings.setdefault(stem, []).append(~n)

    def whole(self, reach: _Reach, n: int) -> bool:
        return reach.counts[n] == self.start[n + 1] - self.start[n]

    def spread(self, values: dict[str, Link], members: dict[str, Link]) -> _Reach:
        """Follow links from `values` (keys of attributed records) and `members` (candidates
        they name) until nothing changes."""
        reach = _Reach(bytearray(len(self.values)), [0] * len(self.paths))
        rows, counts, first, labelled = reach.rows, reach.counts, reach.first, reach.labelled
        postings, at, start, node = self.postings, self.at, self.start, self.node
        carried, refs = self.values, self.refs
        whole: set[int] = set()
        named: list[tuple[int, Link]] = [(at[p], link) for p, link in members.items()]
        labelled.update(values)
        work: list[tuple[str, Link]] = list(values.items())
        targets: Iterable[int]
        while work or named:
            if named:  # a whole candidate
                n, link = named.pop()
                if n in whole:
                    continue
                whole.add(n)
                targets = range(start[n], start[n + 1])
            else:
                value, link = work.pop()
                targets = postings.get(value, ())
            for g in targets:
                if g < 0:
                    named.append((~g, link))
                    continue
                if rows[g]:
                    continue
                rows[g] = 1
                n = node[g]
                counts[n] += 1
                if n not in first:
                    first[n] = link
                for v in carried[g]:
                    if v not in labelled:
                        labelled.add(v)
                        work.append((v, link))
                for p in refs[g]:
                    m = at.get(p)
                    if m is not None:
                        named.append((m, link))
        return reach


def _constant(rows: Sequence[tuple[str, ...]], i: int) -> bool:
    """Whether column `i` holds one value in every row of a table of several rows: an
    export's or a batch's id, a status, which every record of the export may carry; not a
    key of one record."""
    if len(rows) < 2:
        return False
    first = rows[0][i]
    return all(row[i] == first for row in rows)


class _Seeds:
    """The keys and the members named of attributed records, the requester's and others',
    each with its first link; kept only where they reach a candidate (no other can link)."""

    __slots__ = ("requester", "values", "members", "_postings", "_at")

    def __init__(self, requester: str, graph: _Graph) -> None:
        self.requester = requester
        self._postings = graph.postings
        self._at = graph.at
        # [0]: the requester's, [1]: other accounts'
        self.values: tuple[dict[str, Link], dict[str, Link]] = ({}, {})
        self.members: tuple[dict[str, Link], dict[str, Link]] = ({}, {})

    def read(self, index: ExportIndex, names: MemberNames) -> None:
        """Every record attributed by its own customer id: table rows by their customer
        column (or the customer of the document they are records of), and JSON documents
        that are one record. The manifest lists members; it is no one's record."""
        skip = {index.manifest_member, *self._at}
        for path, table in index.tables.items():
            if path in skip or not table.rows:
                continue
            col = customer_column(table)
            owner = "" if col is not None else record_customer(index.json_docs.get(path))
            if col is None and not owner:
                continue
            at = table.col(col) if col is not None else -1
            keys, files = _plan(table.columns)
            keys = tuple(i for i in keys if i != at and not _constant(table.rows, i))
            if files:
                for row in table.rows:
                    who = row[at].strip().upper() if at >= 0 else owner
                    if who:
                        self.add(who, path, [row[i] for i in keys], [row[i] for i in files], names)
            elif keys:  # the common case, kept tight: cells of tables are strings
                postings, req = self._postings, self.requester
                mine, others = self.values
                link = Link(req, "", path)
                for row in table.rows:
                    who = row[at].strip().upper() if at >= 0 else owner
                    if not who:
                        continue
                    for i in keys:
                        v = row[i].strip().upper()
                        if v not in postings:
                            continue
                        if who == req:
                            mine.setdefault(v, link)
                        elif v not in others:
                            others[v] = Link(who, v, path)
        for path, doc in index.json_docs.items():
            if path in skip or path in index.tables or doc is index.manifest:
                continue
            owner = record_customer(doc)
            if owner:
                cells, listed = _walk_keys(doc)
                self.add(owner, path, cells, listed, names)

    def add(
        self,
        owner: str,
        source: str,
        cells: Iterable[object],
        files: Iterable[object],
        names: MemberNames,
    ) -> None:
        side = 0 if owner == self.requester else 1
        keys, postings = self.values[side], self._postings
        link = Link(owner, "", source)
        for cell in cells:
            if isinstance(cell, str | int) and not isinstance(cell, bool):
                v = str(cell).strip().upper()
                if v in postings and v not in keys:
                    keys[v] = link if side == 0 else Link(owner, v, source)
        named = self.members[side]
        for cell in files:
            if isinstance(cell, str) and cell:
                for p in names.resolve(cell):
                    if p in self._at and p not in named:
                        named[p] = Link(owner, base_name(p), source)


@lru_cache(maxsize=1024)
def _plan(columns: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The positions of the key columns and of the file columns of a table."""
    keys = tuple(i for i, c in enumerate(columns) if is_key_field(c))
    files = tuple(i for i, c in enumerate(columns) if is_file_column(c))
    return keys, files


def _values(cells: Iterable[object]) -> tuple[str, ...]:
    return tuple({v for c in cells if (v := key_value(c))})


def _files(cells: Iterable[object], names: MemberNames) -> tuple[str, ...]:
    return tuple({p for c in cells if isinstance(c, str) and c for p in names.resolve(c)})


def _walk_keys(doc: Any) -> tuple[list[object], list[object]]:
    """The values of key fields and of file fields anywhere in a JSON document, lists of them
    included (a stack, not recursion; nesting deeper than `MAX_DEPTH` is not followed)."""
    keys: list[object] = []
    files: list[object] = []
    # (node, its key as written, the normalised key of the object holding it, depth)
    stack: list[tuple[Any, str, str, int]] = [(doc, "", "", 0)]
    while stack:
        node, name, parent, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, dict):
            inner = norm_key(name)
            for k, value in node.items():  # JSON keys are strings
                if isinstance(value, dict | list):
                    stack.append((value, k, inner, depth + 1))
                elif is_key_field(k, inner):
                    keys.append(value)
                elif is_file_column(k):
                    files.append(value)
        elif isinstance(node, list):
            key = bool(name) and is_key_field(name, parent)
            file = not key and bool(name) and is_file_column(name)
            for item in node:
                if isinstance(item, dict | list):
                    stack.append((item, name, parent, depth + 1))
                elif key:
                    keys.append(item)
                elif file:
                    files.append(item)
    return keys, files
