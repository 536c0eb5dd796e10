"""wrong-customer: the archive as a whole is another account's (the incident).

Evidence: the manifest's customer_id, the account profile's customer id, and which account
most rows belong to. The profile's name and e-mail are quoted so a reviewer sees whose it is.
"""

from __future__ import annotations

from reviewer.domain.checks._common import (
    attribute,
    date_range,
    is_foreign_recording,
    listing,
    norm_id,
    norm_key,
    plural,
    unique,
)
from reviewer.domain.devices import serial_of
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "wrong-customer"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    att = attribute(request, index)
    if not att.wrong_customer:
        return []
    req = request.requester
    owner = att.owner_id
    evidence: list[str] = []
    members: list[str] = []
    if att.manifest_foreign:
        evidence.append(f"the manifest names customer {att.manifest_id}")
        members.append(index.manifest_member or "manifest.json")
    if att.profile_foreign or (att.profile_member and att.profile_id == owner):
        who = _profile_words(index.profile)
        evidence.append(
            f"the account profile {att.profile_member or ''} is customer {att.profile_id}{who}"
        )
        if att.profile_member:
            members.append(att.profile_member)
    foreign_total = sum(att.foreign_rows.values())
    if foreign_total:
        tables = sorted(att.foreign_by_table)
        owners = (
            owner
            if len(att.foreign_rows) == 1
            else ", ".join(f"{cid} ({n:,})" for cid, n in att.foreign_rows.most_common())
        )
        evidence.append(
            f"{foreign_total:,} of {att.attributed_rows:,} rows in "
            f"{plural(len(tables), 'table')} belong to {owners}"
        )
        members.extend(tables)
    if att.requester_rows:
        evidence.append(f"only {plural(att.requester_rows, 'row')} carry the requester's id")
    recs = [r for r in index.recordings if is_foreign_recording(r, request)]
    if recs:
        serials = sorted({serial_of(r) for r in recs if serial_of(r)})
        known = {norm_id(d.serial) for d in req.devices}
        strange = [s for s in serials if norm_id(s) not in known]
        words = f"{plural(len(recs), 'recording')} ({date_range(recs)})"
        if strange:
            words += f" from {plural(len(strange), 'device')} ({listing(strange, 5)})"
            words += (
                ", while the requester has no registered device"
                if not known
                else " the requester never registered"
            )
        evidence.append(words)
    detail = (
        f"This export is not the requester's: it belongs to customer {owner}, while the "
        f"request is from {req.customer_id}{' (' + req.name + ')' if req.name else ''}. "
        "Evidence: "
        + "; ".join(evidence)
        + ". Do not deliver it: the pipeline attached another account's archive."
    )
    return [
        Finding(
            code=CODE,
            severity=Severity.CRITICAL,
            title=f"Export belongs to another customer ({owner})",
            detail=detail,
            members=unique(members),
        )
    ]


def _profile_words(profile: object) -> str:
    if not isinstance(profile, dict):
        return ""
    name = email = ""
    for key, value in profile.items():
        k = norm_key(str(key))
        if k in {"name", "fullname", "customername"} and isinstance(value, str):
            name = value.strip()
        elif k in {"email", "emailaddress"} and isinstance(value, str):
            email = value.strip()
    parts = [p for p in (name, f"<{email}>" if email else "") if p]
    return f" ({' '.join(parts)})" if parts else ""
