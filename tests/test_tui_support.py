"""Shared pieces of the terminal app's tests: a throwaway store built from `sample_archives/`
through the real review service, a sound-free ALSA home, and helpers to read the screen.

The store is built once per session (Argon2 hashing and ingest are the slow part) and copied
for every test, so each test starts from the same state and may sign, reject and release.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest
from conftest import FAST, add_people, built_once, opened_earlier, signed_in

if TYPE_CHECKING:
    from textual.app import App
    from textual.command import CommandPalette
    from textual.pilot import Pilot
    from textual.screen import Screen

    from reviewer.store.service import RequestDetail, ReviewService, SignedIn
    from reviewer.tui.app import ReviewerApp
    from reviewer.tui.screens.review import ReviewScreen

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_archives"

# The clock every test store runs on: due dates and days left do not move under snapshots.
NOW = datetime(2018, 8, 20, 10, 0, tzinfo=UTC)

PEOPLE = {  # carol first: the first account of a store is a supervisor
    "carol": ("supervisor", "carol-test-passphrase"),
    "alice": ("reviewer", "alice-test-passphrase"),
    "bob": ("approver", "bob-test-passphrase"),
    "dave": ("approver", "dave-test-passphrase"),
}
NULL_ASOUNDRC = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"

CLEAN = "DSAR-2018-0398"
WRONG_CUSTOMER = "DSAR-2018-0412"
THIRD_PARTY = "DSAR-2018-0463"


def fixed_clock() -> datetime:
    return NOW


def sample_dirs() -> list[Path]:
    return sorted(
        p
        for p in SAMPLES.iterdir()
        if (p / "request.json").is_file() and (p / "export.zip").is_file()
    )


def build_store(where: Path, url: str | None = None) -> str:
    """A store (SQLite in `where`, unless `url` names another) with the four people above and
    every sample request ingested from a copy of the samples in `where`."""
    from reviewer.archive.review import review_request
    from reviewer.store.service import ReviewService

    inbox = where / "inbox"
    for case in sample_dirs():
        shutil.copytree(case, inbox / case.name)
    if url is None:
        url = f"sqlite:///{where / 'store' / 'reviewer.db'}"
        (where / "store").mkdir(parents=True)
    # The accounts are a month old by NOW: no sign-off in these stores is a new account's.
    people = ReviewService.open(url, clock=lambda: NOW - timedelta(days=30), hasher=FAST)
    try:
        add_people(
            people, [(name, role, passphrase) for name, (role, passphrase) in PEOPLE.items()]
        )
    finally:
        people.close()
    service = ReviewService.open(url, clock=fixed_clock, hasher=FAST)
    try:
        for case in sorted(inbox.iterdir()):
            service.ingest(review_request(case), case / "export.zip", actor="test")
    finally:
        service.close()
    return url


@dataclass
class Store:
    url: str
    root: Path

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def service(self, fixed: bool = True) -> ReviewService:
        """The store's service; on the fixed clock unless `fixed` is False (the real one)."""
        from reviewer.store.service import ReviewService

        return ReviewService.open(self.url, clock=fixed_clock if fixed else None, hasher=FAST)


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store of `build_store`, built once per test run (every worker shares it)."""
    return built_once(tmp_path_factory, "tui-store", build_store)


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Store:
    """A private copy of the session's store (archives stay in the session's inbox)."""
    shutil.copytree(template_store / "store", tmp_path / "store")
    return Store(url=f"sqlite:///{tmp_path / 'store' / 'reviewer.db'}", root=tmp_path)


@pytest.fixture
def pg_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Store:
    """The same store on PostgreSQL (a fresh schema of the session's test database)."""
    from conftest import pg_schema_url

    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    url = build_store(tmp_path, pg_schema_url(request.getfixturevalue("pg_database")))
    return Store(url=url, root=tmp_path)


@pytest.fixture
def null_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME with an .asoundrc whose default device is ALSA's null device (the audio device
    process the app starts reads the configuration of the HOME it inherits)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)  # the store may have made it for its audit key already
    (home / ".asoundrc").write_text(NULL_ASOUNDRC)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REVIEWER_AUDIO", raising=False)
    return home


def make_app(store: Store, service: ReviewService | None = None) -> ReviewerApp:
    from reviewer.tui.app import ReviewerApp

    return ReviewerApp(service or store.service(), outbox=store.outbox)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows right now, as plain text (from the app's own screenshot)."""
    svg = app.export_screenshot()
    lines: dict[str, list[str]] = {}
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        lines.setdefault(match.group(2), []).append(
            html.unescape(match.group(3)).replace("\xa0", " ")
        )
    return "\n".join(
        "".join(parts) for _y, parts in sorted(lines.items(), key=lambda kv: float(kv[0]))
    )


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows right now, one string per row, each exactly as wide as the
    terminal: every piece of text at its own column, blanks where nothing is drawn."""
    svg = app.export_screenshot()
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    pattern = (
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>(.*?)</text>'
    )
    line_height = 20 * 1.22
    for match in re.finditer(pattern, svg):
        text = html.unescape(match.group(4)).replace("\xa0", " ")
        char_width = float(match.group(3)) / max(len(text), 1)
        column = round(float(match.group(1)) / char_width)
        row = round((float(match.group(2)) - 20) / line_height)
        for i, ch in enumerate(text):
            if 0 <= row < height and 0 <= column + i < width:
                grid[row][column + i] = ch
    return ["".join(line) for line in grid]


def field_value(app: App[Any], label: str) -> str:
    """The value the screen shows beside `label` in a label/value list, its wrapped lines
    joined: a continuation line is one whose label column is blank, read from the value's
    own column (so a value that wraps under its label instead does not read back whole)."""
    lines = screen_lines(app)
    row = next(i for i, line in enumerate(lines) if re.search(rf"\b{re.escape(label)}  ", line))
    start = lines[row].index(label)
    value_at = (
        start
        + len(label)
        + len(lines[row][start + len(label) :])
        - len(lines[row][start + len(label) :].lstrip(" "))
    )
    border = re.compile(r"[█│▊▎]")

    def value(line: str) -> str:
        return border.split(line[value_at:], maxsplit=1)[0].strip()

    parts = [value(lines[row])]
    for line in lines[row + 1 :]:
        if line[start:value_at].strip() or not value(line):
            break
        parts.append(value(line))
    return " ".join(parts)


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[..., bool], limit_s: float = 30.0
) -> None:
    """Let the app run until `predicate` holds (workers, timers, audio); fail after the limit.

    `predicate` is called with no arguments; it is typed `Callable[..., bool]` because a
    predicate made in a loop binds the loop's variable as a default (`lambda row=row: ...`),
    which mypy cannot match to `Callable[[], bool]`."""
    import time

    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(
                "the app did not reach the expected state in time; the screen shows:\n"
                + screen_text(pilot.app)
            )
        await pilot.pause(0.05)


T = TypeVar("T", bound="Screen[Any]")


def searching(palette: CommandPalette) -> bool:
    """Whether the palette is still gathering the commands that match what was typed (a
    worker of its own, gone from the app's workers once it has finished)."""
    group = palette._GATHER_COMMANDS_GROUP
    return not palette.has_class("-ready") or any(
        w.node is palette and w.group == group for w in palette.workers
    )


def listed(palette: CommandPalette) -> list[str | None]:
    """The titles the command palette lists now (its "No matches" line left out)."""
    from textual.command import Command, CommandList

    commands = palette.query_one(CommandList)
    return [
        cast(Command, commands.get_option_at_index(i)).hit.text
        for i in range(commands.option_count)
        if commands.get_option_at_index(i).id != palette._NO_MATCHES
    ]


async def wait_for_screen(pilot: Pilot[Any], kind: type[T]) -> T:
    """Until a `kind` screen is on top and drawn (a pushed screen is drawn a moment after it
    is pushed; reading the screen before then finds nothing); returns it."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and bool(screen_text(app).strip()))
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


async def sign_in(pilot: Pilot[Any], name: str) -> None:
    from textual.widgets import Input

    from reviewer.tui.app import ReviewerApp
    from reviewer.tui.screens.signin import SignInScreen

    app = pilot.app
    assert isinstance(app, ReviewerApp)
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
    app.screen.query_one("#signin-name", Input).value = name
    app.screen.query_one("#signin-passphrase", Input).value = PEOPLE[name][1]
    app.screen.query_one("#signin-passphrase", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.user is not None and app.user.name == name)
    # Signed in an hour ago by the store's reckoning: the clock under these tests stands
    # still, and the service accepts played time only as long as the time since sign-in.
    assert app.user is not None
    opened_earlier(app.service, app.user, timedelta(hours=1))
    await pilot.pause()


async def open_request(pilot: Pilot[Any], request_id: str) -> ReviewScreen:
    """From the queue, open `request_id` and wait until its review screen has its detail."""
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.screens.review import ReviewScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one("#queue-table", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    table.move_cursor(row=table.get_row_index(request_id))
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None
    )
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def detail_of(screen: ReviewScreen) -> RequestDetail:
    """The request a review screen shows (it has one once `open_request` has returned)."""
    assert screen.detail is not None, "the review screen has no request loaded"
    return screen.detail


def inspect_whole_sample(st: Store, name: str, request_id: str) -> None:
    """What playing every sampled recording to its end and reading its transcript records."""
    service = st.service()
    try:
        detail = service.request_detail(request_id)
        me = session_of(service, name)
        for item in detail.sample.items:
            seconds = item.duration_s if item.duration_s is not None else 10.0
            service.record_inspection(me, detail.version_id, "played", item.member, seconds)
            if item.has_transcript:
                service.record_inspection(me, detail.version_id, "viewed_transcript", item.member)
    finally:
        service.close()


def session_of(service: ReviewService, name: str) -> SignedIn:
    """A session of one of `PEOPLE` on `service`."""
    return signed_in(service, name, PEOPLE[name][1])


def approve_through_the_service(st: Store, name: str, request_id: str) -> None:
    """A sign-off made through the service, after `inspect_whole_sample`: every box ticked,
    every warning acknowledged."""
    from reviewer.domain.signoff import CHECKLIST_KEYS

    inspect_whole_sample(st, name, request_id)
    service = st.service()
    try:
        detail = service.request_detail(request_id)
        gate = service.gate(name, detail.version_id)
        service.sign_off(
            name,
            PEOPLE[name][1],
            detail.version_id,
            "approve",
            "",
            dict.fromkeys(CHECKLIST_KEYS, True),
            {w.key: "checked" for w in gate.warnings},
        )
    finally:
        service.close()
