"""Text from a ticket or an export never reaches the terminal as control characters, anywhere
in the app: a request whose requester name, device name, transcript line (in the catalogue PDF
and the voice history) and member name carry ``ESC[2J ESC[31m`` (clear the screen, paint it
red) is ingested into a real store and opened in the app; every tab, the sign-off dialog and
the supervisor's screen and sign-off detail (after a rejection whose note carries the same
sequence) show it as the visible text ``\\x1b[2J\\x1b[31m`` and send no ESC of theirs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import FAST, add_people
from rich.console import Console
from test_tui_support import (
    PEOPLE,
    SAMPLES,
    Store,
    detail_of,
    fixed_clock,
    make_app,
    screen_text,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from reviewer.tui.screens.review import ReviewScreen

EVIL = "\x1b[2J\x1b[31m"
SHOWN = "\\x1b[2J\\x1b[31m"  # what the reviewer must see instead
REQUEST = "DSAR-2018-0398"  # the clean sample, with its input spiked
SPIKED_LINE = "turn the study lights off"
EVIL_MEMBER = f"Retail/{EVIL}notes.csv"
EVIL_ID = f"U{EVIL}0BAD"  # a voice-history row whose id and audio file are spiked
EVIL_AUDIO = f"Alexa/Audio/{EVIL_ID}.wav"  # and hold no WAV: the player says so, naming it
SIZE = (150, 60)  # tall enough that every pane and dialog shows its whole text


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


def spiked_request(where: Path) -> Path:
    """The clean sample's request folder with ESC sequences in the requester's name, a
    device's name (whose registration date is gone, so a warning quotes it), one transcript
    (catalogue PDF and voice history alike) and a member's name; the manifest is redone so
    the archive is otherwise sound."""
    sys.path.insert(0, str(SAMPLES))
    import exportkit as kit

    from reviewer.archive.review import review_request

    folder = Path(shutil.copytree(SAMPLES / "clean", where / "spiked"))
    original = review_request(SAMPLES / "clean")
    with zipfile.ZipFile(folder / "export.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    spiked = SPIKED_LINE.replace("study", f"{EVIL}study")
    members["Alexa/Transcripts.pdf"] = kit.transcript_pdf(
        [
            (t.timestamp_text, t.device_serial, t.utterance_id, t.text.replace(SPIKED_LINE, spiked))
            for t in original.index.transcripts
        ]
    )
    history = members["Alexa/VoiceHistory.csv"].decode().replace(SPIKED_LINE, spiked)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [
            EVIL_ID,
            "2018-07-13T10:00:00Z",
            "A1QH7RZ3N8VW2E",
            "G090LF0964130QAB",
            "Echo Dot",
            EVIL_AUDIO,
            "what is on the radio",
        ]
    )
    members["Alexa/VoiceHistory.csv"] = (history + buf.getvalue()).encode()
    members[EVIL_AUDIO] = b"RIFF but not a wave file at all"
    profile = json.loads(members["Account/Profile.json"])
    profile["name"] = f"Eleanor {EVIL}Whitfield"
    members["Account/Profile.json"] = json.dumps(profile).encode()
    members[EVIL_MEMBER] = b"a,b\n1,2\n"
    manifest = json.loads(members.pop("manifest.json"))
    members["manifest.json"] = kit.manifest(
        manifest["export_id"],
        manifest["customer_id"],
        manifest["generated_at"],
        sorted(members.items()),
    )
    (folder / "export.zip").write_bytes(kit.zip_bytes(sorted(members.items())))
    ticket = json.loads((folder / "request.json").read_text())
    ticket["requester"]["name"] = f"Eleanor {EVIL}Whitfield"
    kitchen = ticket["requester"]["devices"][0]
    kitchen["name"], kitchen["registered_at"] = f"Kitchen {EVIL}", None
    (folder / "request.json").write_text(json.dumps(ticket))
    return folder


@pytest.fixture
def spiked_store(tmp_path: Path) -> Store:
    from reviewer.archive.review import review_request
    from reviewer.store.service import ReviewService

    folder = spiked_request(tmp_path)
    review = review_request(folder)
    assert any(EVIL in (f.detail or "") for f in review.report.findings)  # a warning quotes it
    (tmp_path / "store").mkdir()
    url = f"sqlite:///{tmp_path / 'store' / 'reviewer.db'}"
    service = ReviewService.open(url, clock=fixed_clock, hasher=FAST)
    try:
        add_people(service, [(name, *PEOPLE[name]) for name in ("carol", "alice")])
        service.ingest(review, folder / "export.zip", actor="test")
    finally:
        service.close()
    return Store(url=url, root=tmp_path)


def sent_text(app: App[Any]) -> str:
    """Every character the app would write to the terminal for the screen as it is now,
    styles aside: the text of each segment the compositor draws (dialogs and the screens
    under them included)."""
    console = Console(
        width=app.size[0], height=app.size[1], file=io.StringIO(), force_terminal=True
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert update is not None
    return "".join(seg.text for seg in console.render(update) if not seg.control)


def assert_escaped(app: App[Any], where: str, *, shown: bool = True) -> None:
    text = sent_text(app)
    assert "\x1b" not in text, f"{where}: a raw ESC reaches the terminal:\n{text!r}"
    assert "\x1b" not in app.export_screenshot()
    if shown:
        assert SHOWN in screen_text(app), (
            f"{where}: the escaped text is not shown:\n{screen_text(app)}"
        )


async def open_spiked(pilot: Pilot[None]) -> ReviewScreen:
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.screens.review import ReviewScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one("#queue-table", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    assert_escaped(app, "queue")
    table.move_cursor(row=table.get_row_index(REQUEST))
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None
    )
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)


@pytest.mark.slow
async def test_every_tab_and_the_sign_off_dialog_show_input_escaped(spiked_store: Store) -> None:
    from reviewer.tui.dialogs.signoff import SignOffDialog
    from reviewer.tui.widgets.recordings import RecordingsList
    from reviewer.tui.widgets.recordings_pane import recording_rows

    app = make_app(spiked_store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        screen = await open_spiked(pilot)
        assert_escaped(app, "overview")  # header, profile, findings

        await pilot.press("2")
        recordings = screen.query_one("#recordings-list", RecordingsList)
        member = next(
            r.member
            for r in recording_rows(detail_of(screen))
            if r.recording and EVIL in r.recording.transcript
        )
        assert recordings.select_key(member)
        await settle(pilot)
        # The list row, the transcript beside the player and the player's title.
        assert_escaped(app, "recordings")
        assert screen_text(app).count(SHOWN) >= 2

        await pilot.press("3")
        await settle(pilot)
        assert_escaped(app, "catalogue")  # the selected entry on top and the list below
        assert screen_text(app).count(SHOWN) >= 2

        await pilot.press("2")
        assert recordings.select_key(EVIL_AUDIO)
        await settle(pilot)
        # The player's title (the id) and its status (why the file does not play, naming it).
        assert_escaped(app, "player")
        await pilot.press("3")
        await settle(pilot)
        assert_escaped(app, "catalogue without an entry")  # "<id>: no entry in the catalogue"

        await pilot.press("4")
        await settle(pilot)
        assert_escaped(app, "timeline")  # the device's label

        await pilot.press("5")
        await settle(pilot)
        assert_escaped(app, "members")

        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOffDialog))
        await settle(pilot)
        assert_escaped(app, "sign-off dialog")  # the warning quoting the device's name


async def test_the_supervisor_sees_a_rejection_note_escaped(spiked_store: Store) -> None:
    from textual.widgets import DataTable

    from reviewer.tui.dialogs.signoff_detail import SignOffDetailDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen

    service = spiked_store.service()
    try:
        detail = service.request_detail(REQUEST)
        service.reject(
            "alice", PEOPLE["alice"][1], detail.version_id, f"not hers:\n{EVIL}see the kitchen"
        )
    finally:
        service.close()
    app = make_app(spiked_store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "carol")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        screen = app.screen
        table = screen.query_one("#history-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await settle(pilot)
        assert_escaped(app, "supervisor history")
        table.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOffDetailDialog))
        await settle(pilot)
        assert_escaped(app, "sign-off detail")
        assert "not hers:" in screen_text(app)  # the note's two lines stay two lines
