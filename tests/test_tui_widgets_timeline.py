"""The recordings timeline in a tiny host app: a previous owner's and unknown devices' recordings
stand out in red, and are said in words."""

from __future__ import annotations

from datetime import date, datetime

from rich.style import Style
from test_tui_support import Store
from textual.app import App, ComposeResult

from reviewer.domain.model import Device, Recording, Requester
from reviewer.tui.widgets.timeline import (
    CELL_W,
    FIXED_W,
    RecordingTimeline,
    TimelinePane,
    month_index,
)

TV = "G070VM1A83120045"
STRANGER = "G090LF0964471234"


def rec(serial: str, when: str, kind: str = "Fire TV Stick") -> Recording:
    ts = datetime.fromisoformat(when)
    return Recording(
        utterance_id=f"utt-{serial[-4:]}-{when}",
        timestamp=ts,
        customer_id="A3KX9ZQ2M7T1LB",
        device_serial=serial,
        device_type=kind,
        audio_member="",
        transcript="",
        source_member="Alexa/VoiceHistory.csv",
    )


REQUESTER = Requester(
    customer_id="A3KX9ZQ2M7T1LB",
    name="Jonas Weber",
    account_created_at=date(2014, 3, 11),
    devices=(Device(TV, "Fire TV Stick", "Living room TV", date(2017, 12, 24)),),
)

RECORDINGS = (
    [rec(TV, "2017-10-05T10:00:00")] * 3  # a previous owner's
    + [rec(TV, "2017-12-10T10:00:00")]  # same month, before registration
    + [rec(TV, "2017-12-30T10:00:00")] * 2
    + [rec(TV, f"2018-0{m}-15T10:00:00") for m in range(1, 7) for _ in range(m)]
    + [rec(STRANGER, "2018-03-02T09:00:00", "Echo Dot")] * 5
)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordingTimeline(RECORDINGS, REQUESTER)


def cells(widget: RecordingTimeline, y: int) -> list[tuple[str, Style | None]]:
    out: list[tuple[str, Style | None]] = []
    for seg in widget.render_line(y):
        out.extend((ch, seg.style) for ch in seg.text)
    return out


def row_of(widget: RecordingTimeline, needle: str) -> int:
    lines = ["".join(ch for ch, _ in cells(widget, y)) for y in range(widget.size.height)]
    return next(y for y, line in enumerate(lines) if needle in line)


def month_x(widget: RecordingTimeline, year: int, month: int) -> int:
    return FIXED_W + (month_index(date(year, month, 1)) - widget.data.first) * CELL_W


async def test_a_row_per_device_with_counts_and_months() -> None:
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        lines = timeline.text_lines()
        assert "2017" in lines[0] and "2018" in lines[0]
        assert lines[1].strip().startswith("O N D J F M A M J")
        tv = next(line for line in lines if line.startswith("Living room TV 120045"))
        assert tv.split()[4] == "27"  # 3 + 1 + 2 + (1 + 2 + ... + 6)
        stranger = next(line for line in lines if line.startswith("? Echo Dot 471234"))
        assert stranger.split()[4] == "5"
        # The account predates the range: said at the edge rather than off screen.
        assert any(line.startswith("Account created") and "◀ 2014-03-11" in line for line in lines)


async def test_a_previous_owners_recordings_are_red_and_said_in_words() -> None:
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        early = timeline.get_component_rich_style("timeline--early", partial=True).color
        ok = timeline.get_component_rich_style("timeline--ok", partial=True).color
        registered = timeline.get_component_rich_style("timeline--registered", partial=True).color
        assert len({early, ok, registered}) == 3
        y = row_of(timeline, "Living room TV")
        row = cells(timeline, y)
        october, december, march = (
            row[month_x(timeline, 2017, 10)],
            row[month_x(timeline, 2017, 12) : month_x(timeline, 2017, 12) + 2],
            row[month_x(timeline, 2018, 3)],
        )
        assert october[0] in "░▒▓█" and october[1] is not None and october[1].color == early
        # The registration month: the marker, then the month's cell, red for the one before it.
        assert december[0][0] == "┃" and december[0][1] is not None
        assert december[0][1].color == registered
        assert december[1][1] is not None and december[1][1].color == early
        assert march[0] in "░▒▓█" and march[1] is not None and march[1].color == ok
        assert timeline.problems == [
            f"{TV}: 4 recordings before it was registered on 2017-12-24",
            f"{STRANGER}: 5 recordings from a device the requester never registered",
        ]
        text = timeline.text_lines()
        assert f"⚠ {TV}: 4 recordings before it was registered on 2017-12-24" in text


async def test_an_unknown_device_is_red_in_every_month() -> None:
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        early = timeline.get_component_rich_style("timeline--early", partial=True).color
        row = cells(timeline, row_of(timeline, "? Echo Dot"))
        assert all(
            style is not None and style.color == early
            for _, style in row[: FIXED_W - 1]
            if _ != " "
        )
        cell = row[month_x(timeline, 2018, 3)]
        assert cell[0] in "░▒▓█" and cell[1] is not None and cell[1].color == early


async def test_busier_months_are_darker() -> None:
    app = Host()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        row = cells(timeline, row_of(timeline, "Living room TV"))
        jan, jun = row[month_x(timeline, 2018, 1)][0], row[month_x(timeline, 2018, 6)][0]
        assert "░▒▓█".index(jan) < "░▒▓█".index(jun) == 3
        empty = row[month_x(timeline, 2017, 11)][0]
        assert empty == "·"


async def test_a_long_range_scrolls_sideways_and_the_labels_stay() -> None:
    long_history = [rec(TV, f"{y}-0{m}-01T08:00:00") for y in range(2015, 2019) for m in (1, 6)]

    class LongHost(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordingTimeline(long_history, REQUESTER)

    app = LongHost()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        timeline.focus()
        y = row_of(timeline, "Living room TV")
        before = "".join(ch for ch, _ in cells(timeline, y))
        timeline.scroll_to(x=timeline.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        after = "".join(ch for ch, _ in cells(timeline, y))
        assert before.startswith("Living room TV") and after.startswith("Living room TV")
        assert before[FIXED_W:] != after[FIXED_W:]
        assert "┃" in after  # the registration (Dec 2017) is near the right edge


async def test_nothing_to_place_is_said() -> None:
    class EmptyHost(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordingTimeline([], REQUESTER)

    app = EmptyHost()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        assert timeline.text_lines()[0] == "No dated recordings to place on a timeline."


async def test_a_stored_previous_owner_export_shows_the_early_recordings(store: Store) -> None:
    """The previous-owner sample, served from a real store: the device's early recordings."""
    svc = store.service()
    try:
        detail = svc.request_detail("DSAR-2018-0447")
    finally:
        svc.close()

    class StoreHost(App[None]):
        def compose(self) -> ComposeResult:
            yield TimelinePane()

        def on_mount(self) -> None:
            self.query_one(TimelinePane).load_detail(detail)

    app = StoreHost()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        timeline = app.query_one(TimelinePane)
        [problem] = timeline.problems
        assert problem.startswith("G0922H0481220PLM: ")
        assert problem.endswith("before it was registered on 2018-02-10")
        assert any(line.startswith("⚠ G0922H0481220PLM") for line in timeline.text_lines())


async def test_the_account_creation_is_marked_and_earlier_recordings_are_red() -> None:
    young = Requester(
        customer_id="A3KX9ZQ2M7T1LB",
        account_created_at=date(2017, 11, 5),
        devices=(Device(TV, "Fire TV Stick", "Living room TV", None),),
    )
    recordings = [rec(TV, "2017-10-05T10:00:00"), rec(TV, "2018-01-05T10:00:00")]

    class YoungHost(App[None]):
        def compose(self) -> ComposeResult:
            yield RecordingTimeline(recordings, young)

    app = YoungHost()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        timeline = app.query_one(RecordingTimeline)
        account = cells(timeline, row_of(timeline, "Account created"))
        assert account[month_x(timeline, 2017, 11)][0] == "◆"
        early = timeline.get_component_rich_style("timeline--early", partial=True).color
        row = cells(timeline, row_of(timeline, "Living room TV"))
        october = row[month_x(timeline, 2017, 10)]
        assert october[1] is not None and october[1].color == early
        assert timeline.problems == [
            f"{TV}: 1 recording before the account was created on 2017-11-05"
        ]


def test_a_serial_written_in_another_case_is_the_registered_device() -> None:
    # The unknown-device check compares serials regardless of case and spaces; so does the
    # timeline, so it raises no alarm the findings do not.
    from reviewer.tui.widgets.timeline import build_timeline, problems

    data = build_timeline([rec(f" {TV.lower()} ", "2018-02-01T10:00:00")], REQUESTER)
    assert [(row.serial, row.known, row.total) for row in data.rows] == [(TV, True, 1)]
    assert problems(data) == []


def test_the_timeline_and_the_previous_owner_check_agree_on_every_recording() -> None:
    """One rule: a device's own registration date, not the account's creation, is its floor;
    the account's creation counts only for a device registered on no known date."""
    from reviewer.domain.checks import previous_owner
    from reviewer.domain.model import ExportIndex, Request
    from reviewer.tui.widgets.timeline import build_timeline

    undated = "G0UNDATED0000001"
    requester = Requester(
        customer_id="A3KX9ZQ2M7T1LB",
        name="Jonas Weber",
        account_created_at=date(2019, 6, 1),  # after the TV was registered
        devices=(
            Device(TV, "Fire TV Stick", "Living room TV", date(2017, 12, 24)),
            Device(undated, "Echo Dot", "Kitchen", None),
        ),
    )
    recordings = [
        rec(TV, "2017-10-05T10:00:00"),  # before the TV's registration: a previous owner's
        rec(TV, "2018-05-01T10:00:00"),  # after it, though before the account: the requester's
        rec(undated, "2019-01-01T10:00:00", "Echo Dot"),  # before the account: early
        rec(undated, "2019-07-01T10:00:00", "Echo Dot"),
    ]
    index = ExportIndex(
        archive_path="x.zip", archive_sha256="0" * 64, archive_bytes=0, recordings=recordings
    )
    found = previous_owner.check(Request(request_id="R-1", requester=requester), index)
    flagged_by_check = {
        (r.device_serial, r.timestamp)
        for r in recordings
        if any(r.utterance_id in f.detail for f in found if f.code == previous_owner.CODE)
    }
    data = build_timeline(recordings, requester)
    early_in_timeline = {(row.serial, n) for row in data.rows for n in row.early.values()}
    assert {s for s, _ in flagged_by_check} == {TV, undated}
    assert early_in_timeline == {(TV, 1), (undated, 1)}
    assert sum(row.early_total for row in data.rows) == len(flagged_by_check) == 2
