"""Decoding recordings into clips and drawing their envelope."""

from __future__ import annotations

import io
import math
import wave

import pytest

from reviewer.audio import Clip, ClipError, peaks


def wav_bytes(samples: list[float], rate: int = 8000, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        frames = bytearray()
        for v in samples:
            for _ in range(channels):
                if width == 1:
                    frames += bytes([max(0, min(255, round(128 + v * 127)))])
                else:
                    top = 2 ** (8 * width - 1) - 1
                    frames += round(v * top).to_bytes(width, "little", signed=True)
        w.writeframes(bytes(frames))
    return buf.getvalue()


@pytest.mark.parametrize(("width", "channels"), [(1, 1), (2, 1), (2, 2), (3, 1), (4, 2)])
def test_a_wav_decodes_with_its_format_and_duration(width: int, channels: int) -> None:
    data = wav_bytes([0.0] * 4000, rate=8000, channels=channels, width=width)
    clip = Clip.from_wav(data)
    assert (clip.rate, clip.channels, clip.bits) == (8000, channels, width * 8)
    assert clip.duration_s == pytest.approx(0.5)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_the_envelope_follows_the_signal(width: int) -> None:
    # First half silence, second half a tone at 0.8 of full scale.
    samples = [0.0] * 800 + [0.8 * math.sin(2 * math.pi * i / 16) for i in range(800)]
    clip = Clip.from_wav(wav_bytes(samples, width=width))
    env = peaks(clip, 4)
    assert len(env) == 4
    for lo, hi in env[:2]:
        assert abs(lo) < 0.02 and abs(hi) < 0.02
    for lo, hi in env[2:]:
        assert hi == pytest.approx(0.8, abs=0.02)
        assert lo == pytest.approx(-0.8, abs=0.02)


def test_more_columns_than_frames_still_fills_every_column() -> None:
    clip = Clip.from_wav(wav_bytes([0.5, -0.5, 0.25]))
    assert len(peaks(clip, 10)) == 10
    assert peaks(Clip(b"", 8000, 1, 16), 5) == [(0.0, 0.0)] * 5


def test_the_tail_starts_on_a_frame_boundary() -> None:
    clip = Clip.from_wav(wav_bytes([0.1] * 8000, channels=2))
    tail = clip.tail(0.25)
    assert len(tail) == 6000 * 4
    assert clip.tail(10.0) == b""


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF", b"not a wav at all" * 10, wav_bytes([0.1] * 100)[:30]],
    ids=["empty", "riff-only", "garbage", "truncated-header"],
)
def test_unplayable_bytes_give_one_line(data: bytes) -> None:
    with pytest.raises(ClipError) as err:
        Clip.from_wav(data)
    assert "\n" not in str(err.value)


def test_a_zero_rate_is_refused() -> None:
    with pytest.raises(ClipError, match="0 Hz"):
        Clip(b"\0\0", 0, 1, 16)
