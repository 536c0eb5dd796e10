"""`?`: every key that works where you are, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    """Lists the bindings active on the screen beneath (gathered before this one opened)."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, title: str, about: str, bindings: dict[str, ActiveBinding]) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._about = about
        self._keys = bindings
        self.entries: list[tuple[str, str]] = []  # (keys, what they do), as listed

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog-box"):
            yield Label(f"Help: {self._title}", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                if self._about:
                    yield Static(self._about, id="help-about", markup=False)
                yield Static(self._table(), id="help-keys")
            yield Label("Esc closes this help.  Ctrl+P opens the command palette.", classes="dim")

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("Key", no_wrap=True, style="bold cyan", width=16)
        table.add_column("Does", ratio=1)
        # Several keys for one action (escape and q ...) are listed together.
        grouped: dict[tuple[str, str], tuple[list[str], bool]] = {}

        # The screen's own keys first, then the app's, then the focused widget's.
        def rank(item: tuple[str, ActiveBinding]) -> int:
            node = item[1].node
            return 0 if isinstance(node, Screen) else 1 if isinstance(node, App) else 2

        for key, active in sorted(self._keys.items(), key=rank):
            binding = active.binding
            description = binding.description or binding.tooltip
            if not description:
                continue
            label = binding.key_display or self.app.get_key_display(
                Binding(key, binding.action, description)
            )
            keys, enabled = grouped.setdefault((binding.action, description), ([], active.enabled))
            if label not in keys:
                keys.append(label)
        self.entries = [
            (", ".join(keys), description) for (_a, description), (keys, _e) in grouped.items()
        ]
        for (_action, description), (keys, enabled) in grouped.items():
            table.add_row(", ".join(keys), Text(description, style="" if enabled else "dim"))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
