"""A key that cannot act right now says why and what to do, instead of doing nothing."""

from __future__ import annotations

import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    CLEAN,
    make_app,
    open_request,
    screen_text,
    sign_in,
    store,
    template_store,
    wait_for,
)


def toasts(app) -> str:  # type: ignore[no-untyped-def]
    """The text of every notification on screen, as one line."""
    from textual.widgets._toast import Toast

    return " ".join(" ".join(str(t.render()).split()) for t in app.screen.query(Toast))


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


async def test_release_key_tells_a_reviewer_who_can_release(store) -> None:  # noqa: F811
    app = make_app(store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        await app.workers.wait_for_complete()
        await pilot.press("r")
        await wait_for(pilot, lambda: "needs the approver role" in toasts(app))
        assert "sign in" in toasts(app)
        assert app.screen is review
