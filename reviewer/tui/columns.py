"""Table columns fitted to the room there is, without ever cutting a value silently.

    specs = (ColumnSpec("Request", "request"),
             ColumnSpec("Requester", "requester", max_width=24, min_width=10, drop=2),
             ColumnSpec("Signed by", "signed", min_width=8, drop=1))
    widths = fit_widths(specs, natural_widths(specs, rows), room=78, padding=2)
    cell = shorten(Text("Eleanor Whitfield"), 10)          # "Eleanor W…"

Each column is as wide as its widest value or its header. When they do not all fit, the
columns that may shrink (`min_width`) give way first, in the order listed, each down to its
narrowest, their values shortened with an ellipsis; if that is not enough, whole columns are
left out in their `drop` order (and the others given their room back). A value is drawn whole
or ends with "…"; a column never runs past the edge while one may still be left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    label: str
    key: str
    max_width: int | None = None  # never wider: longer values are shortened
    min_width: int | None = None  # may shrink to this, values shortened (None: never shrinks)
    drop: int | None = None  # left out in this order when still short of room (None: never)


def cell_text(cell: object) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell))


def natural_widths(specs: Sequence[ColumnSpec], rows: Sequence[Sequence[object]]) -> list[int]:
    """Each column's width to show every value and the header whole (within `max_width`)."""
    widths = []
    for index, spec in enumerate(specs):
        width = max([len(spec.label)] + [cell_text(row[index]).cell_len for row in rows])
        if spec.max_width is not None:
            width = min(width, max(spec.max_width, len(spec.label)))
        widths.append(width)
    return widths


def fit_widths(
    specs: Sequence[ColumnSpec], natural: Sequence[int], room: int, padding: int
) -> list[int | None]:
    """Each column's width in `room` cells (each column also takes `padding` cells), or None
    for a column left out."""
    droppable = sorted(
        (i for i, s in enumerate(specs) if s.drop is not None),
        key=lambda i: specs[i].drop or 0,
    )
    left_out: set[int] = set()
    while True:
        widths: list[int | None] = [
            None if i in left_out else width for i, width in enumerate(natural)
        ]
        for i, spec in enumerate(specs):
            excess = _total(widths, padding) - room
            width = widths[i]
            if excess <= 0:
                break
            if width is not None and spec.min_width is not None:
                narrowest = max(spec.min_width, len(spec.label))  # the header stays whole
                if width > narrowest:
                    widths[i] = max(narrowest, width - excess)
        if _total(widths, padding) <= room or not droppable:
            return widths
        left_out.add(droppable.pop(0))


def _total(widths: Sequence[int | None], padding: int) -> int:
    return sum(w + padding for w in widths if w is not None)


def shorten(cell: object, width: int) -> Text:
    """`cell` as it fits `width` cells: whole, or cut with an ellipsis (styles kept)."""
    text = cell_text(cell)
    if text.cell_len <= width:
        return text
    short = text.copy()
    short.truncate(width, overflow="ellipsis")
    return short
