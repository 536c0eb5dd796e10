"""No screenshots: Textual's command palette offers "Screenshot", an SVG of the screen (customer
names, transcripts) written to the downloads folder with no audit record. The app leaves the
command out, and no key, action or method behind it writes a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from test_tui_support import (
    WRONG_CUSTOMER,
    Store,
    listed,
    make_app,
    open_request,
    screen_text,
    searching,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every folder Textual could put a screenshot in, inside the test's tmp dir: the downloads
    folder (XDG_DOWNLOAD_DIR), HOME (~/Downloads) and the working directory."""
    folders = {name: tmp_path / name for name in ("downloads", "home", "cwd")}
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(folders["downloads"]))
    monkeypatch.setenv("HOME", str(folders["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folders["home"] / ".config"))
    monkeypatch.chdir(folders["cwd"])
    return folders


def written(places: dict[str, Path]) -> list[Path]:
    return sorted(p for folder in places.values() for p in folder.rglob("*") if p.is_file())


async def palette_titles(pilot: Pilot[None]) -> list[str | None]:
    """Open the command palette and return the titles it lists, once it has gathered them,
    before anything is typed."""
    from textual.command import CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    palette = cast(CommandPalette, app.screen)
    await wait_for(pilot, lambda: not searching(palette))
    return listed(palette)


async def assert_no_screenshot_offered(pilot: Pilot[None]) -> None:
    from textual.command import CommandPalette

    app = pilot.app
    assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]
    titles = await palette_titles(pilot)
    assert "Quit" in titles and "Theme" in titles, titles  # Textual's own commands are listed
    assert not [t for t in titles if "screenshot" in (t or "").lower()], titles
    await pilot.press(*"screenshot")
    palette = cast(CommandPalette, app.screen)
    await wait_for(pilot, lambda: not searching(palette))  # the search for it has finished
    assert not [t for t in listed(palette) if "screenshot" in (t or "").lower()]
    text = screen_text(app)
    assert "Screenshot" not in text and "SVG" not in text, text
    await pilot.press("escape")
    await pilot.pause()


async def test_the_palette_lists_no_screenshot_command(
    store: Store, places: dict[str, Path]
) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await assert_no_screenshot_offered(pilot)  # at sign-in
        await sign_in(pilot, "alice")
        await open_request(pilot, WRONG_CUSTOMER)
        await assert_no_screenshot_offered(pilot)  # over a customer's request
    assert written(places) == []


async def test_no_key_action_or_method_writes_a_screenshot(
    store: Store, places: dict[str, Path]
) -> None:
    from textual.app import App

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        await open_request(pilot, WRONG_CUSTOMER)
        # No key reaches a screenshot: Textual binds none by default (its demo uses ctrl+s),
        # and nothing of the app's does either.
        bound = {k: b.binding.action for k, b in app.screen.active_bindings.items()}
        assert not [k for k, action in bound.items() if "screenshot" in action], bound
        assert "ctrl+s" not in bound
        await pilot.press("ctrl+s")
        # The action (a key, or a link's @click) and the methods behind it write nothing.
        await app.run_action("screenshot")
        await app.run_action("app.screenshot")
        assert app.deliver_screenshot() is None
        with pytest.raises(RuntimeError):
            app.save_screenshot()
        # The control, after them: Textual's own delivery writes into the folder looked at.
        # Deliveries are written in the order they were asked for, so once the control's
        # file is there, one asked for above would be there too.
        App.deliver_screenshot(app)
        await wait_for(pilot, lambda: bool(written(places)))
        assert [p.parent for p in written(places)] == [places["downloads"]]
