"""Command palette: the current screen's actions, by name.

Every screen lists `ScreenActionsProvider` in its `COMMANDS`; the provider offers the screen's
bindings (and those of the focused widget and the app) that `check_action` allows right now,
so the palette never offers something that does not apply.
"""

from __future__ import annotations

from functools import partial

from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider

# Quit is the palette's own system command: listed once, not again for each key bound to it.
HIDDEN_ACTIONS = {"command_palette", "help_quit", "quit", "app.quit"}


class ScreenActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, ActiveBinding]]:
        commands: dict[tuple[str, str], tuple[str, str, ActiveBinding]] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or binding.action in HIDDEN_ACTIONS:
                continue
            name = binding.description or binding.tooltip
            if not name:
                continue
            help_text = binding.tooltip or f"key: {self.app.get_key_display(binding) or key}"
            commands.setdefault((binding.action, name), (name, help_text, active))
        return sorted(commands.values(), key=lambda c: c[0])

    async def _run(self, active: ActiveBinding) -> None:
        await self.app.run_action(active.binding.action, default_namespace=active.node)

    async def discover(self) -> Hits:
        for name, help_text, active in self._commands():
            yield DiscoveryHit(name, partial(self._run, active), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, active in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self._run, active), help=help_text
                )
