"""previous-owner: recordings made on a device before the requester registered it.

They are the previous owner's voice, not the requester's. A device without a registration
date is judged against the account's creation date, when the ticket has one; and because that
cannot tell a second-hand device's earlier owner from the requester, its recordings in the export
also raise a warning (`previous-owner-unchecked`): the rule could not be applied to them. So do
recordings on a dated device whose own time is missing or does not read as a time.
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import (
    date_range,
    is_foreign_recording,
    listing,
    plural,
    recording_members,
)
from reviewer.domain.devices import Floor, device_floors, recording_serial, serial_key
from reviewer.domain.model import Device, ExportIndex, Finding, Recording, Request, Severity

CODE = "previous-owner"
UNCHECKED_CODE = "previous-owner-unchecked"


def _label(d: Device) -> str:
    return " ".join(p for p in (d.serial, f"({d.name or d.type})" if d.name or d.type else "") if p)


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    found = device_floors(req)
    floors, undated = found.floors, found.undated
    if not floors and not undated:
        return []
    early: dict[str, list[Recording]] = defaultdict(list)
    unchecked: dict[str, list[Recording]] = defaultdict(list)
    # recordings on a dated device whose own time is missing or not read as a time
    undatable: dict[str, list[Recording]] = defaultdict(list)
    for rec in index.recordings:
        if is_foreign_recording(rec, request):
            continue
        serial = recording_serial(rec)
        if found.is_early(rec):
            early[serial].append(rec)
        elif serial in undated:
            unchecked[serial].append(rec)
        elif rec.timestamp is None and serial in floors:
            undatable[serial].append(rec)
    findings: list[Finding] = []
    done: set[str] = set()
    for d in req.devices:
        serial = serial_key(d.serial)
        if serial in done:
            continue
        done.add(serial)
        floor = floors.get(serial)
        if early.get(serial) and floor is not None:
            findings.append(_early(d, early[serial], floor))
        if unchecked.get(serial):
            findings.append(_undated_device(d, unchecked[serial]))
        if undatable.get(serial) and floor is not None:
            findings.append(_undated_recordings(d, undatable[serial], floor))
    return findings


def _early(d: Device, recs: list[Recording], floor: Floor) -> Finding:
    return Finding(
        code=CODE,
        severity=Severity.CRITICAL,
        title=f"Recordings from before the requester owned device {d.serial}",
        detail=(
            f"{plural(len(recs), 'recording')} on device {_label(d)} date from "
            f"{date_range(recs)}, before the requester {floor.what} on "
            f"{floor.since.isoformat()}: they are probably a previous owner's voice. "
            f"Utterance ids {listing(r.utterance_id for r in recs)}. Remove them "
            f"before delivery."
        ),
        members=tuple(recording_members(recs)),
    )


def _undated_device(d: Device, recs: list[Recording]) -> Finding:
    return Finding(
        code=UNCHECKED_CODE,
        severity=Severity.WARNING,
        title=f"Device {d.serial}: registration date unknown",
        detail=(
            f"Registration date unknown: recordings from device {_label(d)} cannot "
            f"be checked against a previous owner. The ticket gives no date on "
            f"which the requester registered it, and the export holds "
            f"{plural(len(recs), 'recording')} from it ({date_range(recs)}). "
            f"Find out when the requester got the device, or listen to the "
            f"earliest recordings, before delivery."
        ),
    )


def _undated_recordings(d: Device, recs: list[Recording], floor: Floor) -> Finding:
    one = len(recs) == 1
    return Finding(
        code=UNCHECKED_CODE,
        severity=Severity.WARNING,
        title=f"Device {d.serial}: recordings without a readable date",
        detail=(
            f"{plural(len(recs), 'recording')} from device {_label(d)} "
            f"{'has' if one else 'have'} no time that reads as a date (none given, or written "
            "in a form whose day and month cannot be told apart, such as 03/04/2016): "
            f"{'it' if one else 'they'} cannot be checked against the day the requester "
            f"{floor.what}, {floor.since.isoformat()}. Utterance ids "
            f"{listing(r.utterance_id for r in recs)}. Find out when they were made before "
            "delivery: a previous owner's voice is dated before it."
        ),
        members=tuple(recording_members(recs)),
    )
