"""MP3 and OGG recordings: recognised as audio by their bytes, with their duration where the
bytes tell it."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import zipcraft

from reviewer.archive import Limits, read_export
from reviewer.domain.archive.audio import mp3_info, ogg_info
from reviewer.domain.model import MemberKind

# MPEG-1 layer III, 128 kbit/s, 44.1 kHz, stereo, no padding: 417-byte frames of 1,152 samples
FRAME_HEADER = b"\xff\xfb\x90\x00"
FRAME = FRAME_HEADER + b"\x00" * (417 - 4)


def id3(size: int) -> bytes:
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + syncsafe + b"\x00" * size


def test_cbr_mp3_duration_from_bit_rate() -> None:
    data = id3(5000) + FRAME * 200  # 200 frames = 5.224 s
    info = mp3_info(data, len(data))
    assert (info.format, info.rate, info.channels) == ("mp3", 44100, 2)
    assert info.duration_s == pytest.approx(200 * 1152 / 44100, rel=0.01)


def test_vbr_mp3_duration_from_xing_frame_count() -> None:
    xing = FRAME_HEADER + b"\x00" * 32 + b"Xing" + struct.pack(">II", 1, 1000)
    data = xing + b"\x00" * (417 - len(xing)) + FRAME * 10  # claims 1,000 frames
    assert mp3_info(data, len(data)).duration_s == pytest.approx(1000 * 1152 / 44100, abs=1e-3)


def test_garbage_after_an_id3_tag_has_no_duration() -> None:
    data = id3(10) + b"\x00" * 100
    info = mp3_info(data, len(data))
    assert info.format == "mp3" and info.duration_s is None


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")
@pytest.mark.parametrize(("rate", "channels", "seconds"), [(16000, 1, 2.5), (22050, 2, 1.25)])
def test_ogg_vorbis_duration(tmp_path: Path, rate: int, channels: int, seconds: float) -> None:
    out = tmp_path / "clip.ogg"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            str(rate),
            "-c",
            str(channels),
            str(out),
            "synth",
            str(seconds),
            "sine",
            "440",
        ],
        check=True,
    )
    data = out.read_bytes()
    info = ogg_info(data[:4096], data[-65536:])
    assert (info.rate, info.channels) == (rate, channels)
    assert info.duration_s == pytest.approx(seconds, abs=0.01)
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of({"voice/clip.ogg": data, "voice/clip.mp3": id3(8) + FRAME * 40})
    )
    index = read_export(archive, Limits())
    ogg, mp3 = index.member("voice/clip.ogg"), index.member("voice/clip.mp3")
    assert ogg is not None and ogg.kind is MemberKind.AUDIO and ogg.audio is not None
    assert ogg.audio.duration_s == pytest.approx(seconds, abs=0.01)
    assert (
        mp3 is not None
        and mp3.audio is not None
        and mp3.audio.duration_s == pytest.approx(40 * 1152 / 44100, rel=0.01)
    )
    assert index.recording_seconds == pytest.approx(seconds + 40 * 1152 / 44100, rel=0.01)
