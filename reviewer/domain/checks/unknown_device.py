"""unknown-device: recordings from a device serial the requester never registered.

When the requester has no devices at all (the incident's requester owned none), every
recording is from an unknown device, including audio no row describes. Recordings of another
account are reported by `foreign-records` / `wrong-customer` instead.
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import (
    date_range,
    is_foreign_recording,
    listing,
    norm_id,
    plural,
    recording_members,
    referenced_members,
)
from reviewer.domain.devices import serial_of
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

CODE = "unknown-device"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    known = {norm_id(d.serial) for d in req.devices}
    unknown: dict[str, list[Recording]] = defaultdict(list)
    for rec in index.recordings:
        if is_foreign_recording(rec, request):
            continue
        serial = norm_id(serial_of(rec))
        if serial not in known:
            unknown[serial_of(rec)].append(rec)
    owned = (
        "The requester has no registered devices at all"
        if not known
        else f"The requester registered only {listing(d.serial for d in req.devices)}"
    )
    findings = []
    for serial, recs in sorted(unknown.items(), key=lambda kv: -len(kv[1])):
        types = sorted({r.device_type for r in recs if r.device_type})
        what = f"device {serial}" if serial else "no device serial"
        if types:
            what += f" ({', '.join(types)})"
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.CRITICAL,
                title=(
                    f"Recordings from a device the requester never registered ({serial})"
                    if serial
                    else "Recordings with no device serial"
                ),
                detail=(
                    f"{plural(len(recs), 'recording')} from {what}, {date_range(recs)}. "
                    f"{owned}. Utterance ids {listing(r.utterance_id for r in recs)}. "
                    "These are not the requester's recordings unless the device is proven "
                    "to be theirs."
                ),
                members=tuple(recording_members(recs)),
            )
        )
    if not known:
        refs = referenced_members(index)
        loose = [m.path for m in index.audio_members if m.path not in refs]
        if loose:
            findings.append(
                Finding(
                    code=CODE,
                    severity=Severity.CRITICAL,
                    title="Audio recordings although the requester has no device",
                    detail=(
                        f"{plural(len(loose), 'audio member')} that no row describes; the "
                        "requester has no registered devices, so none of them can be the "
                        "requester's recordings."
                    ),
                    members=tuple(loose),
                )
            )
    return findings
