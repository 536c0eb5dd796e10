"""The human-readable check report: verdict on top, findings grouped by severity.

Everything that comes from the input (ticket fields, member names, the findings' words, which
quote the archive) goes through `printable`: control characters are shown escaped, never sent
to the terminal, and text is printed as `Text`, never parsed as markup.
"""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.text import Text

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review
from reviewer.domain.text import printable

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
ASCII_MARK = {Severity.CRITICAL: "x", Severity.WARNING: "!", Severity.INFO: "-"}
MAX_MEMBERS_SHOWN = 8


def _wrapped(console: Console, text: str, indent: int, style: str = "") -> None:
    width = max(20, console.width - indent)
    pad = " " * indent
    for paragraph in printable(text).splitlines() or [""]:
        for line in textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]:
            console.print(Text(pad + line, style=style), soft_wrap=True)


class StdoutConsole(Console):
    """A console on standard output whose reader may go away (`reviewer check | head`): the
    rest of the output goes nowhere and the command ends with its own exit code (rich's own
    answer is to exit with 1, which for `check` means a blocked export)."""

    def on_broken_pipe(self) -> None:
        import os
        import sys

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def render_report(
    review: Review, console: Console | None = None, *, ascii_only: bool = False
) -> None:
    """Print the report; `ascii_only` for a terminal that cannot show the marks."""
    console = console or StdoutConsole(highlight=False)
    marks = ASCII_MARK if ascii_only else SEVERITY_MARK
    more = "..." if ascii_only else "…"
    report = review.report
    req = review.request.requester
    groups = report.by_severity()

    console.print(Text(f" {VERDICT_WORDS[report.verdict]} ", style=VERDICT_STYLE[report.verdict]))
    counts = ", ".join(f"{len(fs)} {sev.value}" for sev, fs in groups.items() if fs)
    console.print(Text(counts or "no findings", style="bold"))
    console.print()

    s = report.stats
    devices = ", ".join(
        f"{d.serial} since {d.registered_at.isoformat()}" if d.registered_at else d.serial
        for d in req.devices
    )
    rows = [
        ("request", report.request_id),
        ("requester", f"{req.name or '(no name on the ticket)'} ({req.customer_id})"),
        ("e-mail", req.email),
        ("devices", devices or "none registered"),
        ("archive", review.index.archive_path),
        ("sha256", report.archive_sha256),
        (
            "contents",
            f"{s.members:,} members, {s.bytes:,} bytes, {s.recordings:,} recordings "
            f"({s.recording_seconds:,.0f} s{_no_audio(review.index.without_audio)}), "
            f"{s.transcript_entries:,} transcript entries",
        ),
    ]
    for label, value in rows:
        if value:
            console.print(Text.assemble((f"{label:<11}", "dim"), printable(value)), soft_wrap=True)

    for severity, findings in groups.items():
        if not findings:
            continue
        style = SEVERITY_STYLE[severity]
        console.print()
        console.print(Text(f"{severity.value.upper()} ({len(findings)})", style=style))
        for f in findings:
            console.print(
                Text.assemble(
                    ("  " + marks[severity] + " ", style),
                    (printable(f.title), "bold"),
                    (f"  [{printable(f.code)}]", "dim"),
                ),
                soft_wrap=True,
            )
            _wrapped(console, f.detail, 4)
            shown = f.members[:MAX_MEMBERS_SHOWN]
            for m in shown:
                console.print(Text(f"      - {printable(m)}", style="dim"), soft_wrap=True)
            if len(f.members) > len(shown):
                hidden = len(f.members) - len(shown)
                console.print(Text(f"      {more} and {hidden:,} more members", style="dim"))
    if not report.findings:
        console.print()
        console.print("No findings.")


def _no_audio(ids: list[str]) -> str:
    """The recordings counted that have no audio file, named (a few of them)."""
    if not ids:
        return ""
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3:,} more" if len(ids) > 3 else "")
    return f"; {len(ids):,} with no audio file: {shown}"
