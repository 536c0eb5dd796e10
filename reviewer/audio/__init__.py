"""Audio for the reviewer: decoded clips, their waveform envelope, and an output device.

Nothing here imports textual; the player pane in the terminal app drives a `Player`.
"""

from reviewer.audio.clip import Clip, ClipError, peaks
from reviewer.audio.player import AudioError, NullPlayer, Player, SimpleaudioPlayer, make_player

__all__ = [
    "AudioError",
    "Clip",
    "ClipError",
    "NullPlayer",
    "Player",
    "SimpleaudioPlayer",
    "make_player",
    "peaks",
]
