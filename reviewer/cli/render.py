"""The human-readable check report: verdict on top, findings grouped by severity."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

VERDICT_STYLE = {Verdict.BLOCK: "bold white on red", Verdict.REVIEW: "bold black on yellow",
                 Verdict.PASS: "bold white on green"}
VERDICT_WORDS = {
    Verdict.BLOCK: "BLOCK: do not deliver this export",
    Verdict.REVIEW: "REVIEW: deliverable once the warnings are dealt with",
    Verdict.PASS: "PASS: nothing found against the requester",
}
SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MAX_MEMBERS_SHOWN = 8


def render_report(review: Review, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    report = review.report
    req = review.request.requester
    console.print(Text(f" {VERDICT_WORDS[report.verdict]} ", style=VERDICT_STYLE[report.verdict]))
    console.print(f"request   {escape(report.request_id)}  requester {escape(req.name or '?')} "
                  f"({escape(req.customer_id)})")
    console.print(f"archive   sha256 {report.archive_sha256}")
    s = report.stats
    console.print(f"contents  {s.members} members, {s.bytes:,} bytes, {s.recordings} recordings "
                  f"({s.recording_seconds:.0f} s), {s.transcript_entries} transcript entries")
    for severity, findings in report.by_severity().items():
        if not findings:
            continue
        console.print()
        console.print(Text(f"{severity.value.upper()} ({len(findings)})",
                           style=SEVERITY_STYLE[severity]))
        for f in findings:
            console.print(Text.assemble(("  ● ", SEVERITY_STYLE[severity]), (f.title, "bold"),
                                        (f"  [{f.code}]", "dim")))
            console.print(f"    {escape(f.detail)}", soft_wrap=False)
            shown = f.members[:MAX_MEMBERS_SHOWN]
            for m in shown:
                console.print(f"      - {escape(m)}", style="dim")
            if len(f.members) > len(shown):
                console.print(f"      … and {len(f.members) - len(shown)} more", style="dim")
    if not report.findings:
        console.print("\nNo findings.")
