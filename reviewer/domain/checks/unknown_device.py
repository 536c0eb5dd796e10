"""unknown-device: recordings from a device serial the requester never registered
(critical), and devices the export lists under the requester that the ticket does not know
(warning).

When the requester has no devices at all (the incident's requester owned none), every
recording is from an unknown device, including audio no row describes. A ticket that does not
list the requester's devices at all (no `devices` field) says nothing about them: the
recordings' devices cannot be checked, which is one warning. Recordings of another account
are reported by `foreign-records` / `wrong-customer` instead.
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import (
    all_tables,
    audio_members,
    customer_column,
    date_range,
    is_foreign_recording,
    is_requester_id,
    listing,
    norm_key,
    other_catalogues,
    plural,
    recording_members,
    referenced_members,
)
from reviewer.domain.devices import recording_serial, serial_key, serial_of
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

CODE = "unknown-device"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    if not req.devices_listed:
        return _unlisted(request, index)
    known = {serial_key(d.serial) for d in req.devices}
    unknown: dict[str, list[Recording]] = defaultdict(list)  # serial as first written -> recs
    written: dict[str, str] = {}
    for rec in index.recordings:
        if is_foreign_recording(rec, request):
            continue
        key = recording_serial(rec)
        if key not in known:
            unknown[written.setdefault(key, serial_of(rec))].append(rec)
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
        loose = [m.path for m in audio_members(index) if m.path not in refs]
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
    findings.extend(_other_catalogues(index, known, owned))
    findings.extend(_listed(request, index, known, {_listed_key(s) for s in unknown}))
    return findings


def _other_catalogues(index: ExportIndex, known: set[str], owned: str) -> list[Finding]:
    """Transcript catalogue entries outside the catalogue (a second catalogue PDF, one's text
    saved as a .txt, one in a nested archive) from devices the requester never registered:
    another account's transcripts, as in the incident, whatever the file is called."""
    unknown: dict[str, list[str]] = defaultdict(list)  # member -> serials as written
    counts: dict[str, int] = defaultdict(int)
    for path, entries in other_catalogues(index):
        for entry in entries:
            key = serial_key(entry.device_serial)
            if key not in known:
                counts[path] += 1
                if entry.device_serial not in unknown[path]:
                    unknown[path].append(entry.device_serial)
    return [
        Finding(
            code=CODE,
            severity=Severity.CRITICAL,
            title=f"Transcripts from a device the requester never registered in {path}",
            detail=(
                f"{path} holds {plural(counts[path], 'transcript entry', 'transcript entries')} in the catalogue's "
                f"form from {plural(len(serials), 'device')} ({listing(serials)}). {owned}. "
                "They are not the requester's transcripts unless the device is proven to be "
                "theirs."
            ),
            members=(path,),
        )
        for path, serials in sorted(unknown.items())
    ]


def _unlisted(request: Request, index: ExportIndex) -> list[Finding]:
    """The requester's recordings when the ticket lists no devices at all: not one can be
    checked against the requester's devices."""
    recs = [r for r in index.recordings if not is_foreign_recording(r, request)]
    refs = referenced_members(index)
    loose = [m.path for m in audio_members(index) if m.path not in refs]
    if not recs and not loose:
        return []
    serials = sorted({serial_of(r) for r in recs if serial_of(r)})
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title="The ticket lists no devices: the recordings' devices are unchecked",
            detail=(
                f"The ticket has no devices field, so {plural(len(recs) + len(loose), 'recording')}"
                f" from {plural(len(serials), 'device')} ({listing(serials) or 'none named'}) "
                "cannot be checked against the devices the requester registered. Find out "
                "which devices are theirs before delivery."
            ),
            members=tuple(recording_members(recs)) + tuple(loose),
        )
    ]


SERIAL_KEYS = frozenset(
    {"serial", "deviceserial", "serialnumber", "devicesn", "dsn", "deviceserialno", "serialno"}
    | {"seriennummer", "seriennr", "numerodeserie", "numerodiserie", "numeroserie", "serienummer"}
)


def _listed_key(cell: str) -> str:
    """A device table's serial cell as compared (`serial_key`), or "" for what is no serial
    (no digit in it: "N/A", "-", "phone")."""
    key = serial_key(cell)
    return key if any(c.isdigit() for c in key) else ""


def _listed(
    request: Request, index: ExportIndex, known: set[str], reported: set[str]
) -> list[Finding]:
    """Devices a device table lists under the requester (or under nobody) that the ticket
    does not know, and no recording came from: the export's own device list naming a device
    the requester never registered (a stranger's Echo under her id). A warning: the
    identity side's list may lag a device registered last week."""
    known_keys = {_listed_key(s) for s in known}
    found: dict[str, list[str]] = defaultdict(list)
    for path, table in all_tables(index):
        serial_col = next((c for c in table.columns if norm_key(c) in SERIAL_KEYS), None)
        if serial_col is None or any(norm_key(c) == "utteranceid" for c in table.columns):
            continue  # no device list, or a voice history (its recordings are judged above)
        owner_col = customer_column(table)
        at = table.col(serial_col)
        owner_at = table.col(owner_col) if owner_col is not None else None
        for row in table.rows:
            serial = _listed_key(row[at])
            if not serial or serial in known_keys or serial in reported:
                continue  # no serial ("N/A", the app on a phone), or a known one
            owner_cell = row[owner_at].strip() if owner_at is not None else ""
            if owner_cell and not is_requester_id(owner_cell, request):
                continue  # another account's device: foreign-records says so
            if path not in found[row[at].strip()]:
                found[row[at].strip()].append(path)
    if not found:
        return []
    owned = (
        "The requester has no registered devices"
        if not known
        else f"The requester registered only {listing(d.serial for d in request.requester.devices)}"
    )
    members = sorted({p for paths in found.values() for p in paths})
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title="The export lists devices the requester never registered",
            detail=(
                f"{listing(sorted(found))} in {listing(members)}. {owned}. Find out whose "
                "devices these are: a device listed under the requester that is not theirs "
                "points to another account's data."
            ),
            members=tuple(members),
        )
    ]
