"""manifest-other-request: the manifest says the archive was made for another request.

The contract's manifest names the customer (`wrong-customer` compares that); a pipeline's
manifest may also name the request it answers, or when it was generated. An archive whose
manifest names another request id (critical), or that was generated more than a day before
this request was received (warning: an archive made earlier, for something else, attached
to this request, as in the incident), is pointed out whoever its rows belong to.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from reviewer.domain.archive.times import parse_export_time
from reviewer.domain.checks._common import norm_key
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "manifest-other-request"
# in order: the first the manifest has is read (a pipeline's own case or ticket numbers are
# not the request's id, and are not read)
REQUEST_KEYS = ("requestid", "dsarid", "dsarrequestid")
GENERATED_KEYS = ("generatedat", "exportedat", "createdat")
EARLY = timedelta(days=1)  # clocks and time zones apart: a day earlier is not yet "before"


def check(request: Request, index: ExportIndex) -> list[Finding]:
    manifest = index.manifest
    if not isinstance(manifest, dict):
        return []
    where = index.manifest_member or "manifest.json"
    fields = {norm_key(str(k)): v for k, v in manifest.items() if k != "files"}
    findings: list[Finding] = []
    named = _text(next((fields[k] for k in REQUEST_KEYS if k in fields), None))
    if named and not _same_request(named, request.request_id):
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.CRITICAL,
                title="The manifest names another request",
                detail=(
                    f"{where} says the archive answers request {named}, not "
                    f"{request.request_id}: it was made for someone else's request, or "
                    "attached to the wrong one. Find out whose it is before anything is "
                    "delivered."
                ),
                members=(where,),
            )
        )
    stamp = _text(next((fields[k] for k in GENERATED_KEYS if k in fields), None))
    generated = parse_export_time(stamp) if stamp else None
    received = request.received_at
    if (
        generated is not None
        and received is not None
        and _aware(generated) < _aware(received) - EARLY
    ):
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.WARNING,
                title="The archive was generated before the request arrived",
                detail=(
                    f"{where} says it was generated at {generated:%Y-%m-%d %H:%M}, before "
                    f"request {request.request_id} was received at {received:%Y-%m-%d %H:%M}: "
                    "an archive made earlier, for something else, may have been attached to "
                    "this request."
                ),
                members=(where,),
            )
        )
    return findings


def _same_request(named: str, request_id: str) -> bool:
    """The same request in another spelling: case, separators ("DSAR_2018_0398",
    "DSAR20180398"), or without its prefix ("2018-0398")."""
    a, b = (re.sub(r"[^0-9a-z]", "", x.casefold()) for x in (named, request_id))
    return bool(a) and bool(b) and (a == b or a.endswith(b) or b.endswith(a))


def _text(value: Any) -> str:
    """A manifest field as text: a string, or a number (an id written as one); else ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _aware(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
