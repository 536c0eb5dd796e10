"""previous-owner: recordings made on a device before the requester registered it.

They are the previous owner's voice, not the requester's. A device without a registration
date is judged against the account's creation date, when the ticket has one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from reviewer.domain.checks._common import (
    date_range,
    is_foreign_recording,
    listing,
    norm_id,
    plural,
    recording_members,
    serial_of,
)
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

CODE = "previous-owner"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    floors: dict[str, tuple[date, str]] = {}
    for d in req.devices:
        if d.registered_at is not None:
            floors[norm_id(d.serial)] = (d.registered_at, "registered it")
        elif req.account_created_at is not None:
            floors[norm_id(d.serial)] = (req.account_created_at, "created the account")
    if not floors:
        return []
    early: dict[str, list[Recording]] = defaultdict(list)
    for rec in index.recordings:
        if rec.timestamp is None or is_foreign_recording(rec, request):
            continue
        serial = norm_id(serial_of(rec))
        limit = floors.get(serial)
        if limit is not None and rec.timestamp.date() < limit[0]:
            early[serial].append(rec)
    findings = []
    done: set[str] = set()
    for d in req.devices:
        recs = early.get(norm_id(d.serial))
        if not recs or norm_id(d.serial) in done:
            continue
        done.add(norm_id(d.serial))
        since, what = floors[norm_id(d.serial)]
        label = " ".join(
            p for p in (d.serial, f"({d.name or d.type})" if d.name or d.type else "") if p
        )
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.CRITICAL,
                title=f"Recordings from before the requester owned device {d.serial}",
                detail=(
                    f"{plural(len(recs), 'recording')} on device {label} date from "
                    f"{date_range(recs)}, before the requester {what} on {since.isoformat()}: "
                    f"they are probably a previous owner's voice. Utterance ids "
                    f"{listing(r.utterance_id for r in recs)}. Remove them before delivery."
                ),
                members=tuple(recording_members(recs)),
            )
        )
    return findings
