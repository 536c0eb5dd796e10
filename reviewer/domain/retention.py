"""Storage limitation (GDPR Art. 5(1)(e)): how long a decided request's personal content is
kept, and what is left of a request once it is purged. Pure: no I/O.

A request is decided when its current export version is released (from the release's time) or
rejected (from the rejection's time). Its personal content is kept for the policy's retention
period after that, then `reviewer purge` removes it. What proves the decision stays: the
hashes of the archive and the ticket, the verdict, the finding codes and severities, who signed
what and when, the audit chain, and the digest of the disclosure record as it stood before the
purge. What the ticket and the archive said about people goes: names, identifiers, addresses,
devices, transcripts, member lists, finding texts (they quote identifiers), the sample's
recordings, the receipt's requester block, the targets of corrections (a text to redact, an
identifier), and what reviewers wrote beside their marks, corrections, clock changes, claims,
hand-overs, redeliveries and sign-offs, in the store's tables and beside the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reviewer.domain.states import ANSWERED, State

PURGED = "(purged)"


@dataclass(frozen=True, slots=True)
class Retention:
    """One request's place in the retention rule."""

    request_id: str
    state: State  # of its current export version
    decided_at: datetime | None  # the release's or the rejection's time
    purge_from: datetime | None  # decided_at + the retention period
    purged_at: datetime | None = None

    def refusal(self, now: datetime) -> str | None:
        """Why this request is not purged now, in words; None when it is due."""
        if self.purged_at is not None:
            return f"{self.request_id} was purged on {self.purged_at:%Y-%m-%d}"
        if self.state not in ANSWERED or self.decided_at is None or self.purge_from is None:
            return (
                f"{self.request_id} is {self.state.value}: only released or rejected requests "
                "are purged"
            )
        if now < self.purge_from:
            return (
                f"{self.request_id} is kept until {self.purge_from:%Y-%m-%d %H:%M} UTC "
                f"({self.state.value} on {self.decided_at:%Y-%m-%d})"
            )
        return None


def retention(
    request_id: str,
    state: State,
    decided_at: datetime | None,
    retention_days: int,
    purged_at: datetime | None = None,
) -> Retention:
    purge_from = None if decided_at is None else decided_at + timedelta(days=retention_days)
    return Retention(request_id, state, decided_at, purge_from, purged_at)


def kept_ticket(ticket: dict[str, Any], request_id: str) -> dict[str, Any]:
    """What a purged request keeps of its ticket: what its statutory clock is computed from
    (receipt, identity-verified and due times, the time zone and the country whose bank
    holidays count), nothing that names or identifies the requester."""
    requester = ticket.get("requester") if isinstance(ticket.get("requester"), dict) else {}
    assert isinstance(requester, dict)
    verification = ticket.get("identity_verification")
    kept_requester: dict[str, Any] = {"customer_id": PURGED}
    for field in ("locale", "time_zone"):
        if isinstance(requester.get(field), str):
            kept_requester[field] = requester[field]
    for address in requester.get("addresses") or []:
        if isinstance(address, dict) and str(address.get("country", "")).strip():
            kept_requester["addresses"] = [
                {k: address[k] for k in ("country", "region") if isinstance(address.get(k), str)}
            ]
            break
    out: dict[str, Any] = {"request_id": request_id, "requester": kept_requester}
    for field in ("received_at", "due_at", "identity_requested_at", "fee_received_at"):
        if isinstance(ticket.get(field), str):
            out[field] = ticket[field]
    if isinstance(verification, dict) and isinstance(verification.get("verified_at"), str):
        out["identity_verification"] = {"verified_at": verification["verified_at"]}
    return out


def kept_findings(findings: Any) -> list[dict[str, Any]]:
    """Findings without their words: a title or detail can quote an identifier."""
    out = []
    for f in findings if isinstance(findings, list) else []:
        if isinstance(f, dict):
            out.append(
                {
                    "code": str(f.get("code", "")),
                    "severity": str(f.get("severity", "info")),
                    "title": PURGED,
                    "detail": "",
                    "members": [],
                }
            )
    return out


def kept_report(report: dict[str, Any]) -> dict[str, Any]:
    """The stored report with its verdict, statistics and finding codes, without their words."""
    return {**report, "findings": kept_findings(report.get("findings"))}


def kept_sample(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample's size and parameters, without the recordings it named."""
    return {**sample, "items": [], "without_audio": []}


def kept_receipt(receipt: dict[str, Any]) -> dict[str, Any]:
    """A release's receipt without the requester's details and the signers' statements: the
    hashes, who released and signed what and when, and the audit head and checkpoint stay."""
    out = dict(receipt)
    request = out.get("request")
    if isinstance(request, dict):
        out["request"] = {
            k: v for k, v in request.items() if k in ("received_at", "due_at", "verified_at")
        }
    out["approvers"] = [
        {k: v for k, v in a.items() if k != "sampling_statement"}
        for a in out.get("approvers") or []
        if isinstance(a, dict)
    ]
    if "sampling_statement" in out:
        out["sampling_statement"] = ""
    return out


def kept_correction(correction: dict[str, Any] | None) -> dict[str, Any] | None:
    """A corrected version's record without the texts and identifiers it withheld: which
    version it came from, who proposed which kind of correction and why, and the proof's
    outcome stay."""
    if correction is None:
        return None
    proof = correction.get("proof") if isinstance(correction.get("proof"), dict) else {}
    assert isinstance(proof, dict)
    return {
        "from_version": correction.get("from_version"),
        "from_sha256": correction.get("from_sha256"),
        "corrections": [
            {k: c.get(k) for k in ("id", "by", "at", "kind", "reason")}
            for c in correction.get("corrections") or []
            if isinstance(c, dict)
        ],
        "proof": {
            "ok": bool(proof.get("ok")),
            "checks": [
                {"what": str(c.get("what", "")), "ok": bool(c.get("ok")), "detail": ""}
                for c in proof.get("checks") or []
                if isinstance(c, dict)
            ],
        },
        "purged": True,
    }
