"""foreign-records: rows or recordings of another account mixed into the requester's export.

When the archive as a whole is another account's, `wrong-customer` says so instead.
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import (
    account_id,
    attribute,
    is_foreign_recording,
    listing,
    norm_id,
    plural,
    unique,
)
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

CODE = "foreign-records"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    att = attribute(request, index)
    if att.wrong_customer or not att.foreign_rows:
        return []
    recordings: dict[str, list[Recording]] = defaultdict(list)
    for rec in index.recordings:
        if is_foreign_recording(rec, request):
            # keyed as the rows' accounts are ("A5RT 8XK2 M9QW 4N" is A5RT8XK2M9QW4N)
            recordings[account_id(rec.customer_id) or norm_id(rec.customer_id)].append(rec)
    findings = []
    for foreign_id, total in att.foreign_rows.most_common():
        per_table = [
            (path, counts[foreign_id])
            for path, counts in sorted(att.foreign_by_table.items())
            if counts.get(foreign_id)
        ]
        recs = recordings.get(foreign_id, [])
        parts = [f"{plural(n, 'row')} in {path}" for path, n in per_table]
        detail = (
            f"{plural(total, 'row')} of customer {foreign_id} "
            f"{'is' if total == 1 else 'are'} mixed into the export of "
            f"{request.requester.customer_id}: " + listing(parts) + "."
        )
        if recs:
            detail += (
                f" {plural(len(recs), 'recording')} among them, utterance ids "
                f"{listing(r.utterance_id for r in recs)}."
            )
        detail += " Remove them before delivery and find out how they got in."
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.CRITICAL,
                title=f"Records of another customer ({foreign_id}) mixed in",
                detail=detail,
                members=unique([p for p, _ in per_table] + [r.audio_member for r in recs]),
                subjects=(foreign_id,),
            )
        )
    return findings
