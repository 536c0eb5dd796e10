"""Long archive work at the terminal shows its progress: while the corrections are applied,
a line under the tabs names the step and, while the corrected archive is read back, shows a
bar with its bytes and members; the line goes once the corrected version is stored.

The terminal app reads no export itself (exports come in through `reviewer ingest`); applying
corrections is where it builds and reads an archive."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from test_tui_support import (
    THIRD_PARTY,
    Store,
    detail_of,
    make_app,
    open_request,
    screen_text,
    session_of,
    sign_in,
    wait_for,
)

SIZE = (120, 40)
READING = re.compile(r"\d[\d,]* of [\d,]+ members")


def propose_the_suggestions(store: Store) -> None:
    """alice proposes what the findings of the third-party request suggest."""
    service = store.service()
    try:
        version = service.request_detail(THIRD_PARTY).version_id
        me = session_of(service, "alice")
        for correction in service.suggested_corrections(version):
            service.propose_correction(me, version, correction)
    finally:
        service.close()


async def test_applying_corrections_shows_the_reading_while_it_runs(
    store: Store, null_audio: Path
) -> None:
    from textual.widgets import ProgressBar

    from reviewer.archive.progress import Progress
    from reviewer.tui.dialogs.confirm import ConfirmDialog
    from reviewer.tui.widgets.work_progress import WorkProgress

    propose_the_suggestions(store)
    app = make_app(store)
    service = app.service
    apply = service.apply_corrections
    held = threading.Event()  # the corrected archive's reading has reported its figures
    go_on = threading.Event()
    figures: list[Progress] = []

    def holding(*args: Any, reading: Any = None, **kwargs: Any) -> Any:
        """The service's own apply, its reading held at its first report until the test has
        looked at the screen."""

        def hold(p: Progress) -> None:
            reading(p)
            figures.append(p)
            if not held.is_set():
                held.set()
                go_on.wait(60)

        return apply(*args, reading=hold, **kwargs)

    service.apply_corrections = holding
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, THIRD_PARTY)
        v1 = detail_of(review).version_id
        work = review.query_one("#work-progress", WorkProgress)
        assert not work.running and not work.display  # nothing runs: no line
        assert not READING.search(screen_text(app))
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        try:
            await wait_for(pilot, held.is_set, limit_s=60)
            # the screen answers while the reading waits: the line is up with the figures
            await wait_for(pilot, lambda: READING.search(screen_text(app)) is not None)
            assert work.running and work.display
            text = screen_text(app)
            assert "Proving what was removed is gone" in text
            first = figures[0]
            assert f"of {first.members_total:,} members" in text
            bar = work.query_one("#work-bar", ProgressBar)
            assert bar.total == first.bytes_total
        finally:
            go_on.set()
        await wait_for(pilot, lambda: detail_of(review).version_id != v1, limit_s=60)
        await wait_for(pilot, lambda: not work.running)
        await pilot.pause()
        assert not work.display and not READING.search(screen_text(app))
        last = figures[-1]
        assert last.bytes_done == last.bytes_total
        assert last.members_done == last.members_total == len(detail_of(review).index.members)
        assert detail_of(review).correction is not None
