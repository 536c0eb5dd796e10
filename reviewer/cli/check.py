"""`reviewer check REQUEST_DIR [--json]`: review one request folder without a store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reviewer.domain.model import Verdict


@click.command()
@click.argument("request_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def check(request_dir: Path, as_json: bool) -> None:
    """Check the export in REQUEST_DIR against its request ticket.

    REQUEST_DIR holds request.json (the ticket) and export.zip (what would be delivered).
    The report opens with the verdict (block, review or pass), then the findings, most
    severe first, each naming the archive members to look at. On a terminal, a progress
    bar on stderr shows the reading (not with --json).

    \b
    Exit codes:
      0  verdict pass or review (nothing critical)
      1  verdict block (at least one critical finding)
      2  the request cannot be read at all, or bad usage
    """
    from reviewer.archive.review import review_request
    from reviewer.cli.exiting import finish
    from reviewer.cli.progress import ReadingBar, shown

    with ReadingBar(shown(as_json)) as bar:
        review = review_request(request_dir, progress=bar.reading(request_dir.name))
    report = review.report
    utf = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "").startswith("utf")
    try:
        if as_json:
            # Plain ASCII escapes where the output cannot take UTF-8: still the same JSON.
            doc = json.dumps(report.to_dict(), indent=2, ensure_ascii=not utf)
            sys.stdout.write(doc + "\n")
            sys.stdout.flush()
        else:
            from reviewer.cli.render import render_report

            if not utf and hasattr(sys.stdout, "reconfigure"):
                sys.stdout.reconfigure(errors="replace")  # "?" rather than a crash
            render_report(review, ascii_only=not utf)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): the verdict still sets the exit code.
        _silence_stdout()
    finish(1 if report.verdict is Verdict.BLOCK else 0)  # without freeing the index (see exiting)


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
