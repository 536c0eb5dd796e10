"""unattributed-member: members nobody can say whose they are.

Audio that no row describes (when the requester has devices; otherwise `unknown-device`
reports it), tables with neither a customer column nor any identifier in them, and members of
a type no reader understands. Each needs a person to open it and decide. Members the reader
already reported as critical hazards are left to those findings.
"""

from __future__ import annotations

from reviewer.domain.checks._common import (
    all_tables,
    customer_column,
    listing,
    plural,
    referenced_members,
)
from reviewer.domain.checks._identity import RequesterMatcher, emails, id_shape, shaped_ids
from reviewer.domain.model import ExportIndex, Finding, MemberKind, Request, Severity

CODE = "unattributed-member"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    findings = []
    # Members the reader already flagged as critical (symlinks, bombs, corrupt) are not
    # reported a second time.
    flagged = {m for f in index.read_findings if f.severity is Severity.CRITICAL for m in f.members}
    if request.requester.devices:
        refs = referenced_members(index)
        loose = [
            m.path for m in index.audio_members if m.path not in refs and m.path not in flagged
        ]
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
    matcher = RequesterMatcher.for_request(request)
    shape = id_shape(request.requester.customer_id)
    bare_tables = []
    for path, table in all_tables(index):
        if customer_column(table) is not None or not table.rows:
            continue
        if any(
            matcher.found_in(text)
            or emails(text)
            or (shape is not None and shaped_ids(shape, text))
            for text in index.member_text(path)
        ):
            continue
        bare_tables.append((path, len(table.rows)))
    if bare_tables:
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title=f"{plural(len(bare_tables), 'table')} with no account or identifier",
                detail=(
                    listing(f"{p} ({plural(n, 'row')})" for p, n in bare_tables)
                    + ": no customer column and no identifier of anyone in the rows, so "
                    "nothing shows they are the requester's. Check where they came from."
                ),
                members=tuple(p for p, _ in bare_tables),
            )
        )
    opaque = [m.path for m in index.members if m.kind is MemberKind.OTHER and m.path not in flagged]
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
