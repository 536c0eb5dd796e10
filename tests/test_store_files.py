"""The files the store writes for people (the sign-off history's CSV from the supervisor's
screen, the audit trail's CSV) go through one writer: a named pipe, a symbolic link or a
folder is refused and left as it was, a regular file is replaced whole and keeps its
permissions, and the temporary file is created fresh (a link planted where it goes is never
followed). Real store, real files, real FIFOs (never /dev)."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import FAST, add_people, signed_in
from test_tui_support import PEOPLE, Store, fixed_clock, make_app, sign_in, wait_for

from reviewer.domain.audit import AuditError
from reviewer.store.files import TargetRefused
from reviewer.store.service import ReviewService


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReviewService]:
    """An empty store with one supervisor (whose creation is an audit event)."""
    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    (tmp_path / "store").mkdir()
    svc = ReviewService.open(
        f"sqlite:///{tmp_path / 'store' / 'reviewer.db'}", clock=fixed_clock, hasher=FAST
    )
    add_people(svc, [("carol", *PEOPLE["carol"])])
    try:
        yield svc
    finally:
        svc.close()


def audit_csv(service: ReviewService, path: Path) -> int:
    return service.export_audit_csv(signed_in(service, "carol"), path)


def history_csv(service: ReviewService, path: Path) -> int:
    return service.history_csv(signed_in(service, "carol"), path)


Writer = Callable[[ReviewService, Path], int]
WRITERS: list[Writer] = [history_csv, audit_csv]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("write", WRITERS, ids=lambda w: w.__name__)
def test_a_named_pipe_is_refused_and_stays_a_pipe(
    service: ReviewService, tmp_path: Path, write: Writer
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fifo = out / "signoffs.csv"
    os.mkfifo(fifo)
    with pytest.raises((TargetRefused, AuditError)) as caught:
        write(service, fifo)
    assert str(caught.value) == (
        f"will not write over {fifo}: it is a named pipe (FIFO), not a regular file"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(out) == []


@pytest.mark.parametrize("write", WRITERS, ids=lambda w: w.__name__)
def test_a_symbolic_link_is_refused_and_what_it_points_at_is_kept(
    service: ReviewService, tmp_path: Path, write: Writer
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    link = out / "signoffs.csv"
    link.symlink_to(precious)
    with pytest.raises((TargetRefused, AuditError), match="it is a symbolic link"):
        write(service, link)
    assert link.is_symlink() and os.readlink(link) == str(precious)
    assert precious.read_text() == "keep me\n"
    assert leftovers(out) == []


@pytest.mark.parametrize("write", WRITERS, ids=lambda w: w.__name__)
def test_a_regular_file_is_replaced_whole_and_keeps_its_permissions(
    service: ReviewService, tmp_path: Path, write: Writer
) -> None:
    out = tmp_path / "signoffs.csv"
    out.write_text("an older export, longer than the new one will be\n" * 200)
    out.chmod(0o640)
    rows = write(service, out)
    with out.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == rows + 1 and "older" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_link_planted_where_the_temporary_file_went_is_never_followed(
    service: ReviewService, tmp_path: Path
) -> None:
    """The history's temporary file was always ``.<name>.tmp``: a link planted there had the
    export written through it, over whatever it pointed at."""
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    (tmp_path / ".signoffs.csv.tmp").symlink_to(precious)
    service.history_csv(signed_in(service, "carol"), tmp_path / "signoffs.csv")
    assert precious.read_text() == "keep me\n"
    assert (tmp_path / "signoffs.csv").read_text().startswith("at,request_id,")


async def test_the_supervisor_is_told_a_link_is_not_written(
    service: ReviewService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Input, Static

    from reviewer.tui.dialogs.export_csv import ExportCsvDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen

    monkeypatch.setenv("REVIEWER_AUDIO", "off")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    link = tmp_path / "history.csv"
    link.symlink_to(precious)
    app = make_app(Store(url=service.url, root=tmp_path), service)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "carol")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportCsvDialog))
        app.screen.query_one("#export-path", Input).value = str(link)
        await pilot.press("enter")
        status = screen.query_one("#supervisor-status", Static)
        await wait_for(pilot, lambda: "Not exported" in str(status.render()))
        assert str(status.render()) == (
            f"Not exported: will not write over {link}: it is a symbolic link, not a regular file"
        )
        assert isinstance(app.screen, SupervisorScreen)  # said on the screen, no error dialog
    assert link.is_symlink() and precious.read_text() == "keep me\n"
