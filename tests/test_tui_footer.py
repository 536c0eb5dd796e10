"""The footer shows each screen's keys and is rebuilt only when they change: signing in,
opening a request and moving through its tabs never rebuilds it to show what it already shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_tui_support import (
    CLEAN,
    Store,
    make_app,
    open_request,
    screen_text,
    sign_in,
)

if TYPE_CHECKING:
    from textual.app import ComposeResult


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


async def test_footer_rebuilt_only_when_its_keys_change(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Footer

    builds: list[tuple[int, tuple[tuple[str, str, bool], ...]]] = []
    compose = Footer.compose

    def recording_compose(self: Footer) -> ComposeResult:
        if self._bindings_ready:
            keys = tuple(
                (binding.key, binding.description, enabled)
                for _node, binding, enabled, _tip in self.screen.active_bindings.values()
                if binding.show
            )
            builds.append((id(self), keys))
        return compose(self)

    monkeypatch.setattr(Footer, "compose", recording_compose)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "alice")
        await open_request(pilot, CLEAN)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        for key in ("2", "down", "down", "3", "4", "5", "1"):
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        text = screen_text(app).splitlines()
        footer = text[-1]
        assert "Sign off" in footer and "Queue" in footer, footer

    assert builds
    last: dict[int, tuple[tuple[str, str, bool], ...]] = {}
    repeats = 0
    for footer_id, keys in builds:
        if last.get(footer_id) == keys:
            repeats += 1
        last[footer_id] = keys
    assert repeats == 0, f"{repeats} of {len(builds)} footer builds showed what was already shown"
