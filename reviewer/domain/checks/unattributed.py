"""unattributed-member: members nobody can say whose they are.

Audio that no row describes (when the requester has devices; otherwise `unknown-device`
reports it), tables with neither a customer column nor any identifier in them, and members of
a type no reader understands. Each needs a person to open it and decide. Members the reader
already reported as critical hazards are left to those findings.

Audio and tables that the keys of the requester's records link to are the requester's (an
items table carrying the order id of the requester's order, a recording named after the
requester's utterance id: see `_links`); those that carry a key of another account's record
are reported as that account's, never as the requester's.
"""

from __future__ import annotations

import re

from reviewer.domain.checks._common import (
    account_id,
    all_tables,
    audio_members,
    customer_column,
    is_requester_id,
    listing,
    plural,
    referenced_members,
)
from reviewer.domain.checks._identity import RequesterMatcher, emails, id_shape, shaped_ids
from reviewer.domain.checks._links import Link, follow_keys
from reviewer.domain.checks._people import is_known_person
from reviewer.domain.model import ExportIndex, Finding, MemberKind, Request, Severity

CODE = "unattributed-member"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    findings = []
    # Members the reader already flagged as critical (symlinks, bombs, corrupt) are not
    # reported a second time.
    flagged = {m for f in index.read_findings if f.severity is Severity.CRITICAL for m in f.members}
    loose: list[str] = []
    if request.requester.devices:
        refs = referenced_members(index)
        loose = [
            m.path for m in audio_members(index) if m.path not in refs and m.path not in flagged
        ]
    bare_tables = _bare_tables(request, index)
    links = follow_keys(request, index, [*loose, *(p for p, _ in bare_tables)])
    linked = links.requester | links.foreign.keys()
    loose = [p for p in loose if p not in linked]
    if loose:
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title=f"{plural(len(loose), 'recording')} that no row describes",
                detail=(
                    f"{listing(loose)}: no voice-history row names "
                    f"{'this audio' if len(loose) == 1 else 'these audio members'}, so "
                    "there is no date, device or account for "
                    f"{'it' if len(loose) == 1 else 'them'}. Listen before delivering, or "
                    "remove."
                ),
                members=tuple(loose),
            )
        )
    bare_tables = [(p, n) for p, n in bare_tables if p not in linked]
    if bare_tables:
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title=f"{plural(len(bare_tables), 'table')} with no account or identifier",
                detail=(
                    listing(f"{p} ({plural(n, 'row')})" for p, n in bare_tables)
                    + ": no customer column and no identifier of anyone in the rows, and no "
                    "key of an attributed record, so nothing shows they are the requester's. "
                    "Check where they came from."
                ),
                members=tuple(p for p, _ in bare_tables),
            )
        )
    if links.foreign:
        findings.append(_linked_elsewhere(links.foreign))
    findings.extend(_unread_accounts(request, index))
    other = MemberKind.OTHER
    opaque = [m.path for m in index.members if m.kind is other and m.path not in flagged]
    if opaque:
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title=f"{plural(len(opaque), 'member')} of a type the reviewer cannot read",
                detail=(
                    f"{listing(opaque)}: not audio, text, a table or a document, so "
                    f"{'its' if len(opaque) == 1 else 'their'} content cannot be checked "
                    f"against the requester. Open {'it' if len(opaque) == 1 else 'them'} by hand."
                ),
                members=tuple(opaque),
            )
        )
    return findings


def _bare_tables(request: Request, index: ExportIndex) -> list[tuple[str, int]]:
    """(member, rows) of the tables with no customer column and no identifier of anyone."""
    matcher = RequesterMatcher.for_request(request)
    shape = id_shape(request.requester.customer_id)
    bare = []
    for path, table in all_tables(index):
        if customer_column(table) is not None or not table.rows or path == index.manifest_member:
            continue  # (the manifest lists the export's members: it is no one's record)
        if any(
            matcher.found_in(text)
            or emails(text)
            or (shape is not None and shaped_ids(shape, text))
            for text in index.member_text(path)
        ):
            continue
        bare.append((path, len(table.rows)))
    return bare


def _linked_elsewhere(foreign: dict[str, Link]) -> Finding:
    """The members that carry a key of another account's record."""
    paths = sorted(foreign)
    owners = sorted({link.owner for link in foreign.values()})
    return Finding(
        code=CODE,
        severity=Severity.WARNING,
        title=(
            f"{plural(len(paths), 'member')} linked to another account's records "
            f"({listing(owners, 3)})"
        ),
        detail=(
            listing(
                f"{p} (key {foreign[p].value} of customer {foreign[p].owner}'s record in "
                f"{foreign[p].source})"
                for p in paths
            )
            + f": no account of {'its' if len(paths) == 1 else 'their'} own, but the key of "
            "a record of another account, so "
            f"{'it is' if len(paths) == 1 else 'they are'} not the requester's. Remove "
            f"{'it' if len(paths) == 1 else 'them'} with that account's records, or find out "
            "whose they are."
        ),
        members=tuple(paths),
    )


# What an account column holds when a row has no account: no one's, not another person's
_NO_ACCOUNT = frozenset(
    {"n/a", "na", "none", "null", "nil", "unknown", "-", "--", "guest", "anonymous", "0"}
)
MAX_SHOWN = 5  # values of an account column quoted in a finding
# Words of an account's type or a member's role, not of a person's name ("Prime Member",
# "Business Account", "Amazon Household")
_ACCOUNT_WORDS = frozenset(
    {"account", "member", "membership", "prime", "business", "household", "primary", "main"}
    | {"secondary", "family", "teen", "child", "adult", "guest", "amazon", "shared", "personal"}
    | {"student", "customer", "owner", "holder", "user", "admin", "default", "kids", "joint"}
)
# A person's name in an account column: two to four words of letters (one word is a role or a
# type, "Household", "Teen"; a footer line of the table, "Generated 2018-08-02 by export v2",
# is none)
_NAME_WORD = r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?"  # "Jean-Luc", "O'Brien", "Dr."
_NAME_LIKE = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}")


def _unread_accounts(request: Request, index: ExportIndex) -> list[Finding]:
    """Rows whose account column holds a person's name that is no account id and not the
    requester ("Lukas Brandt"): whose rows they are nobody can say,
    and no other check counts them (nor their recordings) as anyone's."""
    found: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    # The cells judged, and those that are such a name: tables repeat a few accounts, so
    # each cell is judged once and a table is then one set operation.
    judged: set[str] = set()
    names: set[str] = set()

    def is_odd(cell: str) -> bool:
        v = cell.strip()
        return bool(
            _NAME_LIKE.fullmatch(v)
            and v.casefold() not in _NO_ACCOUNT
            and _ACCOUNT_WORDS.isdisjoint(v.casefold().split())
            and not account_id(v)
            and not is_requester_id(v, request)
            and not is_known_person(v, request)
        )

    for path, table in all_tables(index):
        col = customer_column(table)
        if col is None:
            continue
        at = table.col(col)
        cells = {row[at] for row in table.rows}
        if not cells <= judged:
            fresh = cells - judged
            names.update(cell for cell in fresh if is_odd(cell))
            judged |= fresh
        odd = cells & names
        if not odd:  # (the common case: one or two accounts' ids, row after row)
            continue
        for cell in table.values(col):
            if cell in odd:
                rows[path] = rows.get(path, 0) + 1
                values = found.setdefault(path, [])
                if cell.strip() not in values and len(values) < MAX_SHOWN:
                    values.append(cell.strip())
    if not found:
        return []
    paths = sorted(found)
    audio = [
        r.audio_member
        for r in index.recordings
        if r.source_member in found
        and r.audio_member
        and r.customer_id.strip() in found[r.source_member]
    ]
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title=f"{plural(sum(rows.values()), 'row')} whose account column names no account",
            detail=(
                listing(
                    f"{p} ({plural(rows[p], 'row')}: {listing(repr(v) for v in found[p])})"
                    for p in paths
                )
                + ": the account column holds no account id and not the requester, so "
                "nothing says whose these rows"
                + (f" and their {plural(len(audio), 'recording')}" if audio else "")
                + " are. Find out before delivery."
            ),
            members=tuple(paths) + tuple(audio),
        )
    ]
