"""Enter on a finding about a whole archive: a nested archive's finding selects the nested
archive's row; a finding about the export archive itself says so on screen, since no member
row stands for it."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import zipcraft
from conftest import FAST, add_people
from test_tui_support import (
    PEOPLE,
    SAMPLES,
    Store,
    detail_of,
    fixed_clock,
    make_app,
    open_request,
    sign_in,
    wait_for,
)
from zipcraft import STORED, Entry

from reviewer.domain.model import EXPORT_ITSELF

if TYPE_CHECKING:
    from reviewer.tui.app import ReviewerApp

SIZE = (120, 40)
PREFIXED = "DSAR-2018-0398"  # the clean sample behind a self-extractor stub
NESTED = "DSAR-2018-0399"  # the clean sample with a nested archive holding stray bytes
INNER = "old/backup.zip"


def toasts(app: ReviewerApp) -> str:
    from textual.widgets._toast import Toast

    return " ".join(" ".join(str(t.render()).split()) for t in app.screen.query(Toast))


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


def requests(where: Path) -> list[Path]:
    prefixed = Path(shutil.copytree(SAMPLES / "clean", where / "prefixed"))
    export = prefixed / "export.zip"
    export.write_bytes(b"#!/bin/sh\nexit 0\n" + export.read_bytes())
    nested = Path(shutil.copytree(SAMPLES / "clean", where / "nested"))
    export = nested / "export.zip"
    inner = zipcraft.build([Entry("notes.txt", b"old notes", after=b"old draft " * 4)])
    with zipfile.ZipFile(export, "a") as zf:
        zf.writestr(zipfile.ZipInfo(INNER), inner, compress_type=STORED)
    ticket = json.loads((nested / "request.json").read_text())
    ticket["request_id"] = NESTED
    (nested / "request.json").write_text(json.dumps(ticket))
    return [prefixed, nested]


@pytest.fixture
def archive_store(tmp_path: Path) -> Store:
    from reviewer.archive.review import review_request
    from reviewer.store.service import ReviewService

    (tmp_path / "store").mkdir()
    url = f"sqlite:///{tmp_path / 'store' / 'reviewer.db'}"
    service = ReviewService.open(url, clock=fixed_clock, hasher=FAST)
    try:
        add_people(service, [(name, *PEOPLE[name]) for name in ("carol", "alice")])
        for folder in requests(tmp_path):
            service.ingest(review_request(folder), folder / "export.zip", actor="test")
    finally:
        service.close()
    return Store(url=url, root=tmp_path)


async def test_enter_on_a_whole_archive_finding(archive_store: Store) -> None:
    from textual.widgets import TabbedContent

    from reviewer.tui.widgets.findings import FindingsList
    from reviewer.tui.widgets.members import MembersList

    app = make_app(archive_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sign_in(pilot, "alice")
        for request_id, whole in ((PREFIXED, (EXPORT_ITSELF,)), (NESTED, (INNER,))):
            review = await open_request(pilot, request_id)
            found = detail_of(review).report.findings
            at = next(i for i, f in enumerate(found) if f.code == "zip-unlisted-bytes")
            assert found[at].members == whole
            tabs = review.query_one("#review-tabs", TabbedContent)
            before = tabs.active
            findings = review.query_one("#findings", FindingsList)
            findings.focus()
            findings.highlighted = at
            await pilot.press("enter")
            await pilot.pause()
            if request_id == PREFIXED:
                await wait_for(pilot, lambda: "whole export archive" in toasts(app))
                assert tabs.active == before
            else:
                members = review.query_one("#members-list", MembersList)
                await wait_for(pilot, lambda tabs=tabs: tabs.active == "members")
                assert members.current is not None and members.current.path == INNER
            await pilot.press("escape")
            await pilot.pause()
