"""The human-readable check report: verdict on top, findings grouped by severity."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

VERDICT_STYLE = {
    Verdict.BLOCK: "bold white on red",
    Verdict.REVIEW: "bold black on yellow",
    Verdict.PASS: "bold white on green",
}
VERDICT_WORDS = {
    Verdict.BLOCK: "BLOCK: do not deliver this export",
    Verdict.REVIEW: "REVIEW: deliverable once the warnings are dealt with",
    Verdict.PASS: "PASS: nothing found against the requester",
}
SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SEVERITY_MARK = {Severity.CRITICAL: "✖", Severity.WARNING: "▲", Severity.INFO: "·"}
MAX_MEMBERS_SHOWN = 8


def render_report(review: Review, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    report = review.report
    req = review.request.requester
    groups = report.by_severity()

    console.print(Text(f" {VERDICT_WORDS[report.verdict]} ", style=VERDICT_STYLE[report.verdict]))
    counts = (
        ", ".join(f"{len(fs)} {sev.value}" for sev, fs in groups.items() if fs) or "no findings"
    )
    console.print(Text(counts, style="bold"))
    console.print()

    s = report.stats
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim", no_wrap=True)
    head.add_column(overflow="fold")
    who = req.name or "(no name on the ticket)"
    head.add_row("request", Text(report.request_id))
    head.add_row("requester", Text(f"{who} ({req.customer_id})"))
    if req.email:
        head.add_row("e-mail", Text(req.email))
    devices = ", ".join(
        f"{d.serial} since {d.registered_at.isoformat()}" if d.registered_at else d.serial
        for d in req.devices
    )
    head.add_row("devices", Text(devices or "none registered"))
    head.add_row("archive", Text(f"{review.index.archive_path}"))
    head.add_row("sha256", Text(report.archive_sha256))
    head.add_row(
        "contents",
        Text(
            f"{s.members:,} members, {s.bytes:,} bytes, {s.recordings:,} recordings "
            f"({s.recording_seconds:,.0f} s), {s.transcript_entries:,} transcript entries"
        ),
    )
    console.print(head)

    for severity, findings in groups.items():
        if not findings:
            continue
        style = SEVERITY_STYLE[severity]
        console.print()
        console.print(Text(f"{severity.value.upper()} ({len(findings)})", style=style))
        for f in findings:
            console.print(
                Padding(
                    Text.assemble(
                        (f"{SEVERITY_MARK[severity]} ", style),
                        (f.title, "bold"),
                        (f"  [{f.code}]", "dim"),
                    ),
                    (0, 0, 0, 2),
                    expand=False,
                )
            )
            console.print(Padding(Text(f.detail), (0, 0, 0, 4), expand=False))
            shown = f.members[:MAX_MEMBERS_SHOWN]
            lines = Text()
            for m in shown:
                lines.append(f"- {m}\n", style="dim")
            if len(f.members) > len(shown):
                lines.append(f"… and {len(f.members) - len(shown):,} more members\n", style="dim")
            if shown:
                lines.rstrip()
                console.print(Padding(lines, (0, 0, 0, 6), expand=False))
    if not report.findings:
        console.print()
        console.print("No findings.")
