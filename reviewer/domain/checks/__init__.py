"""The checks: each module holds one pure function `check(request, index) -> list[Finding]`.

`CHECKS` lists them in report order; `run_checks` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.domain.model import ExportIndex, Finding, Request

Check = Callable[[Request, ExportIndex], list[Finding]]

CHECKS: tuple[Check, ...] = ()


def run_checks(request: Request, index: ExportIndex) -> list[Finding]:
    findings: list[Finding] = list(index.read_findings)
    for check in CHECKS:
        findings.extend(check(request, index))
    return findings
