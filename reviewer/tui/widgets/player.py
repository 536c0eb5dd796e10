"""The player pane: the selected recording's title, waveform, position, and audio status.

    pane = PlayerPane(player=None)          # None: probe the machine's audio output at mount
    pane.load(PlayItem(utterance_id="utt-0007", member="Alexa/Audio/utt-0007.wav",
                       device="Echo Dot G090...", when="2018-07-14 19:02", clip=clip))

Keys (while the pane has focus): `space` plays from the start and stops, `n` / `p` post
`PlayerPane.NextSample` / `PlayerPane.PreviousSample` (the screen that owns the list moves
its selection and calls `load` again). Audio starts on a worker thread, so the UI never
waits for the device; the position and playhead move on a timer while it plays.

When a playback stops (by `space`, by loading another recording, or at the clip's end) the
pane posts `PlayerPane.Played(utterance_id, seconds, member, reached_end)`: the seconds the
device actually played, which the app records as inspection evidence.

Without an audio output the status line says why ("No audio output: simpleaudio is not
installed") and everything else still works.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from reviewer.audio.clip import Clip
from reviewer.audio.player import AudioError, Player, make_player
from reviewer.domain.text import printable
from reviewer.tui.widgets.waveform import Waveform

TICK_S = 1 / 20


def clock(seconds: float) -> str:
    """0:02.4 style."""
    seconds = max(seconds, 0.0)
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


@dataclass(frozen=True, slots=True)
class PlayItem:
    """One recording as the pane shows it."""

    utterance_id: str
    member: str = ""  # the audio member's path in the archive (the evidence target)
    device: str = ""
    when: str = ""
    clip: Clip | None = None
    problem: str = ""  # why there is no clip: "not a playable WAV file: ...", "no audio file"


class PlayerPane(Vertical, can_focus=True):
    """Plays the selected recording and shows where it is."""

    DEFAULT_CSS = """
    PlayerPane {
        height: auto;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    PlayerPane:focus, PlayerPane:focus-within {
        border: round $accent;
        border-title-color: $text;
    }
    PlayerPane #player-title { height: auto; max-height: 2; text-style: bold; }
    PlayerPane Waveform { height: 4; }
    PlayerPane #player-position { height: 1; color: $text-muted; }
    PlayerPane #player-status { height: auto; color: $warning; }
    PlayerPane #player-status.-ok { color: $text-muted; }
    """

    BINDINGS = [
        Binding(
            "space",
            "toggle_play",
            "Play/Stop",
            id="player.toggle",
            tooltip="Play the recording from the start, or stop it",
        ),
        Binding(
            "n",
            "next_sample",
            "Next sample",
            id="player.next",
            tooltip="Go to the next sampled recording",
        ),
        Binding(
            "p",
            "previous_sample",
            "Prev sample",
            id="player.previous",
            tooltip="Go to the previous sampled recording",
        ),
    ]

    @dataclass
    class Played(Message):
        """A playback ended: `seconds` is how long the device actually played."""

        utterance_id: str
        seconds: float
        member: str = ""
        reached_end: bool = False

    @dataclass
    class Started(Message):
        """Audio has started for this recording."""

        utterance_id: str
        member: str = ""

    @dataclass
    class NextSample(Message):
        """The user asked for the next sampled recording."""

    @dataclass
    class PreviousSample(Message):
        """The user asked for the previous sampled recording."""

    @dataclass
    class _AudioReady(Message):
        player: Player

    @dataclass
    class _PlayStarted(Message):
        item: PlayItem

    @dataclass
    class _PlayFailed(Message):
        item: PlayItem
        reason: str

    def __init__(
        self,
        player: Player | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.player: Player | None = player
        self._owns_player = player is None  # probed here, so closed here
        self._gone = False  # unmounted: a probe that finishes later closes its own player
        self.item: PlayItem | None = None
        self._playing: PlayItem | None = None  # the item whose playback was asked for
        self._started = False  # the device has accepted `_playing`'s audio
        self._timer: Timer | None = None
        self._error = ""
        self.border_title = "Player"

    def compose(self) -> ComposeResult:
        yield Static("No recording selected", id="player-title", markup=False)
        yield Waveform(id="player-waveform")
        yield Static(self._position_text(), id="player-position", markup=False)
        yield Static("", id="player-status", markup=False)

    def on_mount(self) -> None:
        self._timer = self.set_interval(TICK_S, self._tick, pause=True)
        if self.player is None:
            self.query_one("#player-status", Static).update("Checking audio output…")
            self._probe()
        else:
            self._show_status()

    def on_unmount(self) -> None:
        self._gone = True
        # Leaving the screen must not leave a recording playing on its own.
        if self.player is None:
            return
        if self._playing is not None:
            self.player.stop()
        if self._owns_player:
            self.player.close()  # ends the audio device process; never waits

    # ------------------------------------------------------------------ public API

    @property
    def is_playing(self) -> bool:
        return self._playing is not None

    @property
    def waveform(self) -> Waveform:
        return self.query_one(Waveform)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#player-status", Static).render())

    def load(self, item: PlayItem | None) -> None:
        """Show `item`, stopping whatever was playing, unless `item` is the recording that is
        playing (selecting it again must not cut it off)."""
        playing = self._playing
        if (
            playing is not None
            and item is not None
            and (item.utterance_id, item.member) == (playing.utterance_id, playing.member)
            and item.clip is not None
        ):
            self.item = item
            return
        self.stop()
        self.item = item
        self._error = ""
        title = self.query_one("#player-title", Static)
        if item is None:
            title.update("No recording selected")
            self.waveform.clip = None
        else:
            parts = [item.utterance_id, item.device, item.when]
            if item.clip is not None:
                parts.append(clock(item.clip.duration_s))
            # The id and the device serial are the export's: escaped, never raw.
            title.update(printable(" · ".join(p for p in parts if p)))
            self.waveform.empty_text = printable(item.problem or "no audio for this recording")
            self.waveform.clip = item.clip
        self._update_position(0.0)
        self._show_status()

    def play(self) -> None:
        """Start the loaded recording from its beginning (a no-op without audio)."""
        item = self.item
        if item is None or item.clip is None or self._playing is not None:
            return
        if self.player is None or not self.player.available:
            self._show_status()
            return
        self._playing = item
        self._started = False
        self._update_position(0.0)
        self._start(self.player, item)

    def stop(self) -> None:
        """Stop the current playback, if any, and post `Played`."""
        if self._playing is None or self.player is None:
            return
        if not self._started:  # still starting: the start handler stops it
            self._playing = None
            self._update_position(0.0)
            return
        self.player.stop()
        self._finish()

    # ------------------------------------------------------------------ actions

    def action_toggle_play(self) -> None:
        if self._playing is not None:
            self.stop()
        else:
            self.play()

    def action_next_sample(self) -> None:
        self.post_message(self.NextSample())

    def action_previous_sample(self) -> None:
        self.post_message(self.PreviousSample())

    # ------------------------------------------------------------------ workers

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="audio-probe",
        description="probe audio",
    )
    def _probe(self) -> None:
        player = make_player()
        if self._gone:
            player.close()
        else:
            self.post_message(self._AudioReady(player))

    # The description is given: Textual would otherwise build one from repr() of the arguments,
    # which for a clip means formatting its whole PCM buffer (tens of ms before audio starts).
    @work(
        thread=True, exclusive=True, exit_on_error=False, group="audio", description="start audio"
    )
    def _start(self, player: Player, item: PlayItem) -> None:
        clip = item.clip
        assert clip is not None
        try:
            player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
        except AudioError as exc:
            self.post_message(self._PlayFailed(item, str(exc)))
            return
        self.post_message(self._PlayStarted(item))

    @on(_AudioReady)
    def _audio_ready(self, event: _AudioReady) -> None:
        event.stop()
        self.player = event.player
        self._show_status()

    @on(_PlayStarted)
    def _play_started(self, event: _PlayStarted) -> None:
        event.stop()
        if self._playing is not event.item:
            if self._playing is None and self.player is not None:
                # Stopped while it was starting: stop the device too, and say what it played.
                seconds = self.player.stop()
                item = event.item
                self.post_message(self.Played(item.utterance_id, seconds, item.member, False))
            return
        self._started = True
        if self._timer is not None:
            self._timer.resume()
        self.post_message(self.Started(event.item.utterance_id, event.item.member))

    @on(_PlayFailed)
    def _play_failed(self, event: _PlayFailed) -> None:
        event.stop()
        if self._playing is event.item:
            self._playing = None
        self._error = event.reason
        self._show_status()

    # ------------------------------------------------------------------ ticking

    def _tick(self) -> None:
        player = self.player
        if self._playing is None or player is None or not self._started:
            return
        self._update_position(player.position_s)
        if not player.is_playing:
            self._finish()

    def _finish(self) -> None:
        item, player = self._playing, self.player
        self._playing = None
        self._started = False
        if self._timer is not None:
            self._timer.pause()
        if item is None or player is None:
            return
        seconds = player.played_s
        duration = item.clip.duration_s if item.clip is not None else 0.0
        self._update_position(player.position_s)
        self.post_message(
            self.Played(item.utterance_id, seconds, item.member, seconds >= duration - 1e-6)
        )

    # ------------------------------------------------------------------ text

    def _position_text(self, position: float = 0.0) -> str:
        clip = self.item.clip if self.item is not None else None
        if clip is None:
            return "-:--.- / -:--.-"
        mark = "▶" if self._playing is not None else "■"
        return f"{mark} {clock(position)} / {clock(clip.duration_s)}"

    def _update_position(self, position: float) -> None:
        self.waveform.position_s = position
        self.query_one("#player-position", Static).update(self._position_text(position))

    def _show_status(self) -> None:
        status = self.query_one("#player-status", Static)
        player = self.player
        lines = []
        if player is not None and not player.available:
            lines.append(player.reason)
        if self.item is not None and self.item.clip is None:
            # The problem names the member: input, escaped; shown as text, never as markup.
            lines.append(printable(self.item.problem or "This recording has no audio."))
        if self._error:
            lines.append(self._error)
        if not lines and player is not None:
            lines.append("space play/stop · n/p next/previous sample")
        status.set_class(not (self._error or (player is not None and not player.available)), "-ok")
        status.update("\n".join(lines))
