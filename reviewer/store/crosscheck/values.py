"""Values as the cross-check compares them: payloads, typed texts, seconds."""

from __future__ import annotations

import json

from reviewer.domain.audit.chain import json_object as loads

__all__ = ["loads", "seconds", "typed"]


def typed(value: object, gone: bool) -> str | None:
    """A text people typed, as compared: None for a purged request (the purge emptied the row's
    copy and removed the event's), otherwise its text (a mapping, such as acknowledgements, as
    canonical JSON; an absent text is empty)."""
    if gone:
        return None
    if isinstance(value, str) and value[:1] == "{":
        try:
            value = json.loads(value)
        except ValueError:
            return str(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else str(value)


def seconds(value: object) -> float | None:
    try:
        return round(float(value), 3)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
