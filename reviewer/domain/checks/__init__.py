"""The checks: each module holds one pure function `check(request, index) -> list[Finding]`.

`CHECKS` lists them in report order; `run_checks` runs them all after the reader's own
findings (hostile archives, unreadable members).

Finding codes (the reader adds its own: ``zip-*``, ``audio-*``, ``pdf-*``, ``json-*``):

critical  wrong-customer, foreign-records, previous-owner, unknown-device,
          manifest-missing-member, manifest-changed-member, manifest-unlisted-member,
          manifest-invalid, manifest-other-request, catalogue-mismatch, catalogue-empty,
          foreign-identifier, unattributable-archive
warning   manifest-other-request (generated before the request arrived), unknown-device (a
          device table listing a device the requester never registered, or a ticket listing
          no devices), manifest-unverified (digests of a kind not computed: sizes only),
          before-account, after-export,
          previous-owner-unchecked, missing-recording, third-party-names, other-person-details,
          unattributed-member, locale-mismatch
info      manifest-absent, identity-evidence
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.domain.checks import (
    before_account,
    catalogue,
    evidence,
    foreign_records,
    locale_match,
    manifest,
    manifest_request,
    previous_owner,
    references,
    third_party,
    unattributed,
    unknown_device,
    wrong_customer,
)
from reviewer.domain.checks._common import shared_results
from reviewer.domain.model import ExportIndex, Finding, Request

Check = Callable[[Request, ExportIndex], list[Finding]]

CHECKS: tuple[Check, ...] = (
    wrong_customer.check,
    foreign_records.check,
    previous_owner.check,
    before_account.check,
    unknown_device.check,
    manifest.check,
    manifest_request.check,
    references.check,
    catalogue.check,
    evidence.check,
    third_party.check,
    unattributed.check,
    locale_match.check,
)


def run_checks(request: Request, index: ExportIndex) -> list[Finding]:
    findings: list[Finding] = list(index.read_findings)
    with shared_results():
        for check in CHECKS:
            findings.extend(check(request, index))
    return findings
