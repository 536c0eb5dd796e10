"""The review screen's panes keep their borders at every terminal width a reviewer might use:
no line of a pane is drawn wider or narrower than the pane, so nothing from one pane shows
through into its neighbour."""

from __future__ import annotations

import pytest
from test_tui_support import (
    CLEAN,
    Store,
    make_app,
    open_request,
    screen_lines,
    sign_in,
)

from reviewer.tui.screens.review import NARROW


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


# Terminal widths to try: the common ones, and each side of every width where the layout
# changes (the review screen's narrow layout, the recordings list's compact rows) and of
# the odd and even widths that once drew a header one column too wide.
WIDTHS = sorted(
    {
        80,
        81,
        99,
        100,
        101,
        109,
        110,
        111,
        119,
        120,
        121,
        139,
        140,
        141,
        159,
        160,
        161,
        179,
        180,
        199,
        200,
        NARROW - 1,
        NARROW,
        NARROW + 1,
    }
)


def _header_line(lines: list[str]) -> str:
    found = [line for line in lines if "Secs" in line and "Transcript" in line]
    assert len(found) == 1, "\n".join(lines)
    return found[0]


@pytest.mark.slow
async def test_recordings_header_stays_inside_its_pane_at_every_width(store: Store) -> None:
    from reviewer.tui.widgets.player import PlayerPane

    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        await pilot.press("2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        player = review.query_one(PlayerPane)
        for width in WIDTHS:
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            line = _header_line(screen_lines(app))
            # The list's header, then its right border, then the player's left border: the
            # player's title is on its own border line, never on the header's.
            left = player.region.x
            assert line[0] == "│" and line[left - 1] == "│" and line[left] == "│", (width, line)
            assert line[1 : left - 1].rstrip().endswith("Transcript"), (width, line)
            assert "·" not in line[:left], (width, line)
