"""Which words the catalogue highlights: the requester's identifiers, foreign identifiers
and third-party names, gathered from the ticket, the export index and the findings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.domain.model import ExportIndex, Finding, Request

THIRD_PARTY_CODE = "third-party-names"
QUOTED = re.compile(r'"([^"]{2,80})"')


@dataclass(frozen=True, slots=True)
class Terms:
    requester: tuple[str, ...]
    foreign: tuple[str, ...]
    third_party: tuple[str, ...]


def _clean(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def gather_terms(request: Request, index: ExportIndex, findings: tuple[Finding, ...]) -> Terms:
    r = request.requester
    mine = [r.customer_id, r.name, r.email, r.phone]
    mine += [h.name for h in r.household]
    mine += [d.serial for d in r.devices]
    own = {v.casefold() for v in mine if v}

    foreign: list[str] = []
    for rec in index.recordings:
        if rec.customer_id and rec.customer_id.casefold() not in own:
            foreign.append(rec.customer_id)
        if rec.device_serial and rec.device_serial.casefold() not in own:
            foreign.append(rec.device_serial)
    for doc in (index.profile or {}, index.manifest or {}):
        for key in ("customer_id", "name", "email"):
            value = doc.get(key) if isinstance(doc, dict) else None
            if isinstance(value, str) and value.strip() and value.strip().casefold() not in own:
                foreign.append(value)

    third: list[str] = []
    for f in findings:
        if f.code == THIRD_PARTY_CODE:
            third += QUOTED.findall(f.detail)
    return Terms(_clean(mine), _clean(foreign), _clean(third))
