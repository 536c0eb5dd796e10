"""The footer every screen shows: its bindings, rebuilt only when what it shows changes.

Textual's footer rebuilds all its keys whenever the screen says its bindings may have changed,
which happens on every focus move, tab switch and state refresh, several times in a row while
a screen fills. This one collects those notices into one check after the next refresh and
rebuilds only when the keys, their labels or whether they are enabled differ from what is on
screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, str], ...]


class KeysFooter(Footer):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: Shown | None = None
        self._check_pending = False

    def shown_keys(self) -> Shown:
        """What the footer would show now: key, label, action, enabled, tooltip."""
        bindings = self.screen.active_bindings
        keys = [
            (binding.key, binding.description, binding.action, enabled, tooltip or "")
            for _node, binding, enabled, tooltip in bindings.values()
            if binding.show
        ]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, tooltip = palette
                keys.append((binding.key, binding.description, binding.action, enabled, "palette"))
        return tuple(keys)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached:
            return
        shown = self.shown_keys()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()
