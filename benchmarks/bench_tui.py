"""The terminal app's speed, measured with Pilot against a real store.

1. Enter to review: from Enter on the incident-scale request in the queue (1,700 recordings,
   ~100 MB, `benchmarks/gen_export.py --kind incident`) to the review screen drawn with its
   profile, findings, recordings, catalogue, timeline and member list, served from the store
   without re-reading the archive. Target 1 s.
2. Keypress cost in a 100,000-member list (`gen_export.py --kind many`): each Down, Page Down
   and Up, from the key arriving from the terminal to the list's new cursor line drawn.
   Target 50 ms.
3. Space to audio start: from space on a loaded recording to the device accepting the audio
   (simpleaudio on ALSA's null device, through a temporary HOME with an .asoundrc), polled
   every millisecond while the key is processed. Target 100 ms.

    .venv/bin/python benchmarks/bench_tui.py
    .venv/bin/python benchmarks/bench_tui.py --rounds 10 --keys 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from installed import as_installed

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.strip import Strip

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

OUT = HERE / "out"
NULL_ASOUNDRC = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"
SIZE = (120, 40)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def ensure(kind: str) -> Path:
    folder = OUT / kind
    if not (folder / "export.zip").is_file():
        print(f"generating the {kind} export in {folder} ...", flush=True)
        subprocess.run(
            [sys.executable, str(HERE / "gen_export.py"), "--kind", kind, "--out", str(folder)],
            check=True,
        )
    return folder


def build(tmp: Path, folders: list[Path]) -> tuple[str, dict[str, str]]:
    """A store with carol (its first account, a supervisor), alice (a reviewer carol added)
    and every folder ingested; returns its URL and request ids."""
    from conftest import add_people

    from reviewer.archive.review import review_request
    from reviewer.store.service import ReviewService

    url = f"sqlite:///{tmp / 'reviewer.db'}"
    service = ReviewService.open(url)
    ids: dict[str, str] = {}
    try:
        add_people(
            service,
            [
                ("carol", "supervisor", "carol-bench-passphrase"),
                ("alice", "reviewer", "alice-bench-passphrase"),
            ],
        )
        for folder in folders:
            started = time.perf_counter()
            review = review_request(folder)
            service.ingest(review, folder / "export.zip", actor="bench")
            ids[folder.name] = review.request.request_id
            print(
                f"ingested {folder.name} ({review.request.request_id}) in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    finally:
        service.close()
    return url, ids


async def wait_until(
    pilot: Pilot[None], predicate: Callable[..., bool], limit_s: float = 60.0
) -> None:
    # `predicate` is called with no arguments; `...` lets a lambda made in a loop bind the
    # loop's variable as a default (`lambda row=row: ...`), which mypy cannot otherwise match.
    deadline = time.perf_counter() + limit_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.001)


async def run(url: str, ids: dict[str, str], rounds: int, keys: int) -> dict[str, list[float]]:
    from textual import events
    from textual.widgets import DataTable, Input

    from reviewer.store.service import ReviewService
    from reviewer.tui.app import ReviewerApp
    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.screens.review import ReviewScreen
    from reviewer.tui.widgets.members import MembersList
    from reviewer.tui.widgets.player import PlayerPane
    from reviewer.tui.widgets.recordings import RecordingsList

    results: dict[str, list[float]] = {
        "enter": [],
        "down": [],
        "pagedown": [],
        "up": [],
        "space": [],
    }
    app = ReviewerApp(ReviewService.open(url), outbox=Path(tempfile.gettempdir()) / "bench-outbox")
    async with app.run_test(size=SIZE) as pilot:
        signin = app.screen
        signin.query_one("#signin-name", Input).value = "alice"
        signin.query_one("#signin-passphrase", Input).value = "alice-bench-passphrase"
        signin.query_one("#signin-passphrase", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = app.screen
        table = queue.query_one("#queue-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == len(ids))

        async def open_request(request_id: str) -> ReviewScreen:
            table.move_cursor(row=table.get_row_index(request_id))
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("enter")
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None,
            )
            await pilot.pause()  # the handler has filled every pane; one more frame drawn
            results["enter"].append(time.perf_counter() - started)
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            return screen

        # 1. Enter to review, incident scale.
        for _ in range(rounds):
            review = await open_request(ids["incident"])
            await app.workers.wait_for_complete()
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is queue)
        enter = list(results["enter"])

        # 3. Space to audio start, incident recordings.
        review = await open_request(ids["incident"])
        await pilot.press("2")
        player = review.query_one("#player", PlayerPane)
        recordings = review.query_one("#recordings-list", RecordingsList)
        await wait_until(pilot, lambda: player.player is not None)
        assert player.player is not None
        if not player.player.available:
            print(f"no audio output ({player.player.reason}): space-to-audio not measured")
        else:
            for _ in range(rounds):
                row = recordings.current
                await wait_until(
                    pilot,
                    lambda row=row: player.item is not None and player.item.member == row.member,
                )
                device = player.player
                started = time.perf_counter()
                press = asyncio.create_task(pilot.press("space"))
                await wait_until(
                    pilot, lambda device=device: device.is_playing
                )  # the device has the audio
                results["space"].append(time.perf_counter() - started)
                await press
                await wait_until(pilot, lambda: player._started)
                await pilot.press("space")
                await pilot.press("down")
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is queue)

        # 2. Keys through a 100,000-member list.
        review = await open_request(ids["many"])
        await pilot.press("5")
        members = review.query_one("#members-list", MembersList)
        await pilot.pause()
        # Time each key from the moment the terminal delivers it to the moment the list has
        # drawn its new cursor line (Textual paces frames at 60 per second).
        drawn: list[tuple[float, int]] = []
        original = members.render_line

        def render_line(y: int) -> Strip:
            strip = original(y)
            drawn.append((time.perf_counter(), int(members.scroll_y) + y - members._header_lines))
            return strip

        members.render_line = render_line  # type: ignore[method-assign]
        driver = app._driver
        assert driver is not None
        for key, n in (("down", keys), ("pagedown", keys // 10), ("up", keys)):
            for _ in range(n):
                before = members.cursor
                drawn.clear()
                started = time.perf_counter()
                driver.send_message(events.Key(key, None))
                await wait_until(
                    pilot,
                    lambda before=before: (
                        members.cursor != before and any(row == members.cursor for _t, row in drawn)
                    ),
                )
                stamp = next(t for t, row in drawn if row == members.cursor)
                results[key].append(stamp - started)
                await pilot.pause()
        results["enter"] = enter
        print(f"members listed: {len(members._all):,}")
    return results


def report(results: dict[str, list[float]]) -> None:
    targets = {"enter": 1.0, "down": 0.05, "pagedown": 0.05, "up": 0.05, "space": 0.1}
    labels = {
        "enter": "Enter to review screen (incident)",
        "down": "Down in 100,000-member list",
        "pagedown": "Page Down in 100,000-member list",
        "up": "Up in 100,000-member list",
        "space": "space to audio start",
    }
    print(f"{'measure':<36} {'n':>4} {'median':>10} {'p95':>10} {'max':>10} {'target':>8}")
    for key, values in results.items():
        if not values:
            continue
        ms = [v * 1000 for v in values]
        print(
            f"{labels[key]:<36} {len(ms):>4} {statistics.median(ms):>8.1f}ms {pct(ms, 0.95):>8.1f}ms"
            f" {max(ms):>8.1f}ms {targets[key] * 1000:>6.0f}ms"
        )


def main() -> int:
    as_installed()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="openings and plays to time (default 5)"
    )
    parser.add_argument(
        "--keys", type=int, default=200, help="Down and Up presses to time (default 200)"
    )
    args = parser.parse_args()
    folders = [ensure("incident"), ensure("many")]
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / ".asoundrc").write_text(NULL_ASOUNDRC)
        os.environ["HOME"] = str(home)
        os.environ["REVIEWER_HOME"] = str(Path(tmp) / "data")
        os.environ.pop("REVIEWER_AUDIO", None)
        url, ids = build(Path(tmp), folders)
        results = asyncio.run(run(url, ids, args.rounds, args.keys))
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
