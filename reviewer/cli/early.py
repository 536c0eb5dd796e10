"""What a command starts before its command line is parsed and the rest of the CLI imported.

`check` reads an export, and an export's transcript catalogue is parsed in a child process
whose start-up (an interpreter importing pypdf, about 0.1 s of processor time) would
otherwise compete with the reading: that child starts first, so its start-up overlaps the
CLI's own imports. `read_export` takes it, and stops it when the export holds no PDF; if the
command never reads an export it is stopped at exit. (`ingest` reads its first request in a
forked child of its own while the store opens, `reviewer.cli.ahead`: a PDF child started
here would belong to the wrong process.)"""

from __future__ import annotations

EXPORT_READERS = ("check",)


def command_of(argv: list[str]) -> str | None:
    """The subcommand named in `argv` (the program's own options passed over), or None when
    there is none or help is asked for."""
    if "-h" in argv or "--help" in argv:
        return None
    i = 1
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            return arg
        i += 2 if arg == "--db" else 1
    return None


def start_pdf_reader(argv: list[str]) -> None:
    if command_of(argv) not in EXPORT_READERS:
        return
    from reviewer.archive.limits import Limits
    from reviewer.archive.pdfservice import start_spare

    start_spare(Limits())
