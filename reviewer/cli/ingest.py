"""`reviewer ingest PATH...`: check request folders and put them in the store for review."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli import interrupt
from reviewer.cli.acting import cli_actor, open_service
from reviewer.domain.model import Severity
from reviewer.domain.text import printable

# Folders an inbox may hold that are never requests: Python's bytecode caches of the scripts
# beside the requests.
NOT_REQUESTS = frozenset({"__pycache__"})


def request_folders(paths: tuple[Path, ...]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand PATHs (request folders or inboxes) into request folders, and what to skip.

    A PATH named explicitly must be a request folder or an inbox, not a link to one. In an
    inbox every folder is taken as a request (one without request.json is reported when it is
    read); plain files, hidden entries and Python's bytecode caches there are not requests and
    are passed over silently (an inbox may hold a README or the pipeline's own scripts, and
    `__pycache__/` beside them); a link to a folder is reported, never followed. A folder
    holding a request.json or an export.zip is a request folder, unless folders in it hold
    tickets: then it is an inbox, and the file at its top is reported, not taken for a request.
    """
    from reviewer.domain.request import TICKET_NAME
    from reviewer.domain.review import EXPORT_NAME

    folders: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_symlink():
            skipped.append((path, "a link, not followed: name the folder itself"))
        elif not path.exists():
            skipped.append((path, "no such file or folder"))
        elif not path.is_dir():
            skipped.append((path, "not a request folder or an inbox"))
        elif _own_request(path, TICKET_NAME, EXPORT_NAME):
            folders.append(path)
        else:
            try:
                entries = sorted(path.iterdir())
            except OSError as exc:
                skipped.append((path, exc.strerror or str(exc)))
                continue
            for name in (TICKET_NAME, EXPORT_NAME):  # left at the top of an inbox
                if (path / name).exists() or (path / name).is_symlink():
                    skipped.append((path / name, STRAY))
            for entry in entries:
                if entry.name.startswith(".") or entry.name in NOT_REQUESTS:
                    continue
                if not entry.is_dir():
                    continue  # a plain file (or a link to one): not a request
                if entry.is_symlink():
                    skipped.append((entry, "a link to a folder, not followed"))
                else:
                    folders.append(entry)
    return folders, skipped


STRAY = (
    "beside request folders in an inbox, not a request: a request is a folder holding "
    "request.json and export.zip"
)
LINKED = "{name} is a link, not followed: put the file itself in the request folder"


def _own_request(path: Path, ticket: str, export: str) -> bool:
    """Whether `path` is a request folder: it holds a ticket or an export, and no folder in it
    holds a ticket (else it is an inbox with a stray file at its top, which must not hide the
    requests in it)."""
    if not ((path / ticket).exists() or (path / export).exists()):
        return False
    try:
        return not any(
            e.is_dir() and not e.is_symlink() and (e / ticket).exists() for e in path.iterdir()
        )
    except OSError:
        return True  # read as a request: its own error says what is wrong


def unlinked(folders: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The folders whose ticket and export are files of their own, and the others with why: the
    store keeps the export's path to read it again on release, and a link may lead anywhere
    (out of the inbox, to a file that changes)."""
    from reviewer.domain.request import TICKET_NAME
    from reviewer.domain.review import EXPORT_NAME

    kept: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for folder in folders:
        linked = [n for n in (TICKET_NAME, EXPORT_NAME) if (folder / n).is_symlink()]
        if linked:
            skipped.append((folder, LINKED.format(name=" and ".join(linked))))
        else:
            kept.append(folder)
    return kept, skipped


def one_folder_per_request(folders: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The folders, but those whose tickets name the same request as another's, with why: which
    of them would be stored last, voiding the other's version, would depend on their names.
    A ticket that cannot be read is left for the reading to report."""
    from reviewer.domain.errors import ReviewerError
    from reviewer.domain.request import load_request

    ids: dict[Path, str] = {}
    for folder in folders:
        try:
            ids[folder] = load_request(folder).request_id
        except ReviewerError:
            continue
    by_id: dict[str, list[Path]] = {}
    for folder, rid in ids.items():
        by_id.setdefault(rid, []).append(folder)
    kept: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for folder in folders:
        same = by_id.get(ids.get(folder, ""), [folder])
        if len(same) > 1:
            rest = [str(f) for f in same if f != folder]
            others = ", ".join(rest[:2]) + (f" and {len(rest) - 2} more" if len(rest) > 2 else "")
            skipped.append(
                (folder, f"request {ids[folder]} is also in {others}: keep one folder per request")
            )
        else:
            kept.append(folder)
    return kept, skipped


def _utf8(path: Path) -> bool:
    """Whether `path` is text the store can keep (a name of bytes that are not UTF-8 is read
    by Python with escapes no database takes)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@click.command(short_help="Check request folders and store them for review.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what was stored and what was skipped as JSON on stdout.",
)
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check every request in PATHS and store it for review.

    Each PATH is a request folder (request.json + export.zip) or an inbox of them; plain
    files in an inbox are passed over. A request whose ticket and archive are both stored
    unchanged is left alone; a changed archive or a changed ticket for a known request
    becomes a new version, checked again, and voids the earlier sign-offs. Anything
    unreadable is reported and skipped, and so are: two folders whose tickets name the same
    request (both: keep one), a request.json or export.zip that is a link, and one left at
    the top of an inbox beside its request folders. On a terminal, a progress bar on stderr
    shows the requests and each export's reading (not with --json).

    \b
    Exit codes:
      0  every request stored (or already stored unchanged)
      1  something was skipped (each one named on stderr)
      2  bad usage, or the store cannot be opened
    """
    from reviewer.cli.ahead import ReadAhead, review_folder
    from reviewer.cli.exiting import finish
    from reviewer.cli.progress import ReadingBar, shown
    from reviewer.domain.errors import ReviewerError
    from reviewer.domain.review import EXPORT_NAME

    folders, skipped = request_folders(paths)
    for rule in (unlinked, one_folder_per_request):
        folders, refused = rule(folders)
        skipped.extend(refused)
    actor = cli_actor()
    lines: list[str] = []
    stored: list[dict[str, object]] = []
    # The first request is read while the store opens (its imports alone take as long as
    # reading an export), in a child process where it can (`reviewer.cli.ahead`).
    first = ReadAhead(folders[0], shown(as_json)) if folders and _utf8(folders[0]) else None
    warm: bool | None = None  # the PDF child's keep-warm setting before this inbox's
    if len(folders) > 1:
        from reviewer.archive.pdfservice import keep_warm

        warm = keep_warm()  # one PDF child for the rest of the inbox
    try:
        with (
            open_service(ctx, create=True) as svc,
            ReadingBar(shown(as_json), requests=len(folders)) as bar,
        ):
            for folder in folders:
                interrupt.check()  # between requests: a Ctrl-C stops here at the latest
                if not _utf8(folder):
                    # the store keeps the export's path as text, to read it again on release
                    skipped.append((folder, "its path is not UTF-8 text: rename the folder"))
                    bar.request_done()
                    continue
                try:
                    if first is not None and folder is first.folder:
                        review = first.result(bar.reading(folder.name))
                    else:
                        review = review_folder(folder, progress=bar.reading(folder.name))
                    result = svc.ingest(review, folder / EXPORT_NAME, actor=actor)
                except ReviewerError as exc:
                    # the reason, without the folder its line already names
                    reason = str(exc).removeprefix(f"{folder}: ").removeprefix(f"{folder}/")
                    skipped.append((folder, reason))
                except Exception as exc:  # noqa: BLE001 - one bad folder never aborts the rest
                    skipped.append((folder, f"{type(exc).__name__}: {exc}"))
                else:
                    crit = sum(1 for f in result.findings if f.severity is Severity.CRITICAL)
                    warn = sum(1 for f in result.findings if f.severity is Severity.WARNING)
                    stored.append(
                        {
                            "request_id": result.request_id,
                            "folder": str(folder),
                            "outcome": result.outcome,
                            "version": result.version_number,
                            "verdict": result.verdict.value,
                            "critical": crit,
                            "warnings": warn,
                        }
                    )
                    lines.append(
                        f"{result.request_id:<24} {result.outcome:<12} v{result.version_number} "
                        f"{result.verdict.value:<7} {crit} critical, {warn} warnings"
                    )
                bar.request_done()
    finally:
        if first is not None:
            first.close()  # a reading the store never took is stopped, not left behind
        if warm is not None:
            keep_warm(warm)  # (off: the inbox's PDF child is stopped now, not at the exit)
    if as_json:
        import json

        doc = {
            "stored": stored,
            "skipped": [{"path": str(path), "reason": reason} for path, reason in skipped],
        }
        click.echo(json.dumps(doc, indent=2))
    else:
        for line in lines:
            click.echo(printable(line))
    for path, reason in skipped:
        click.echo(f"reviewer: skipped {printable(str(path))}: {printable(reason)}", err=True)
    # The store is closed; what the command still holds (the reviews read, the store's
    # stack) is given back with the process, not freed object by object (`exiting`).
    finish(1 if skipped else 0)
