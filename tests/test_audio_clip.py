"""Decoding recordings into clips and drawing their envelope."""

from __future__ import annotations

import io
import math
import wave

import pytest
import wavcraft

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


def riff(
    fmt_tag: int,
    channels: int,
    rate: int,
    bits: int,
    frames: bytes,
    *,
    extensible: bool = False,
    extra: bytes = b"",
) -> bytes:
    """A WAV built by hand: PCM, float or EXTENSIBLE headers, optional extra chunks."""
    import struct

    align = channels * bits // 8
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack(
            "<HHIIHHHHI", 0xFFFE, channels, rate, rate * align, align, bits, 22, bits, 0
        )
        fmt += struct.pack("<H", fmt_tag) + guid_tail
    else:
        fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_float_wavs_become_16_bit_pcm() -> None:
    import struct

    values = [0.0, 0.5, -0.5, 1.0, -1.0, 2.0]  # 2.0 is out of range: clipped
    clip = Clip.from_wav(riff(3, 1, 16000, 32, struct.pack("<6f", *values)))
    assert (clip.rate, clip.channels, clip.bits) == (16000, 1, 16)
    assert list(struct.unpack("<6h", clip.pcm)) == [0, 16383, -16383, 32767, -32767, 32767]


def test_extensible_headers_and_extra_chunks_decode() -> None:
    import struct

    info_chunk = b"LIST" + struct.pack("<I", 12) + b"INFOISFT" + struct.pack("<I", 0)
    frames = struct.pack("<4h", 100, -100, 200, -200)
    clip = Clip.from_wav(riff(1, 2, 22050, 16, frames, extensible=True, extra=info_chunk))
    assert (clip.rate, clip.channels, clip.bits) == (22050, 2, 16)
    assert clip.pcm == frames


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_more_than_two_channels_keep_the_first_two(width: int) -> None:
    # Four channels; each sample's bytes say which frame and channel it is.
    frames = b"".join(bytes([f * 4 + c]) * width for f in range(3) for c in range(4))
    clip = Clip.from_wav(riff(1, 4, 8000, width * 8, frames))
    assert clip.channels == 2
    expected = b"".join(bytes([f * 4 + c]) * width for f in range(3) for c in range(2))
    assert clip.pcm == expected


def test_every_sample_archive_recording_decodes_or_says_why() -> None:
    import zipfile
    from pathlib import Path

    from reviewer.domain.archive.wav import wav_info

    root = Path(__file__).resolve().parent.parent / "sample_archives"
    seen = 0
    for archive in sorted(root.glob("*/export.zip")):
        if archive.parent.name == "hostile":
            continue
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                if not name.lower().endswith(".wav"):
                    continue
                data = z.read(name)
                try:
                    clip = Clip.from_wav(data)
                except ClipError as exc:
                    assert "\n" not in str(exc)
                    continue
                seen += 1
                assert clip.channels in (1, 2) and clip.bits in (8, 16, 24, 32)
                assert clip.duration_s == pytest.approx(wav_info(data).duration_s, abs=0.002)
    assert seen >= 20


def test_the_audio_package_needs_no_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['textual'] = None\n"
        "import reviewer.audio, reviewer.audio.clip, reviewer.audio.player\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


OTHER_LAYOUT = (
    __import__("pathlib").Path(__file__).resolve().parent.parent
    / "sample_archives"
    / "other-layout"
    / "export.zip"
)


def test_the_ogg_recordings_of_an_export_decode_to_their_indexed_length() -> None:
    """The Ogg Vorbis members of the other-layout export play: as long as the archive index
    says, 16-bit PCM at the stream's rate, and not silence."""
    from reviewer.archive import read_export, read_member
    from reviewer.archive.limits import Limits

    index = read_export(OTHER_LAYOUT, Limits())
    oggs = [m for m in index.members if m.audio is not None and m.audio.format == "ogg"]
    assert len(oggs) == 6
    for member in oggs:
        assert member.audio is not None and member.audio.duration_s
        clip = Clip.from_member(read_member(OTHER_LAYOUT, member.path, 1 << 24), member.path)
        assert (clip.rate, clip.channels, clip.bits) == (member.audio.rate, 1, 16)
        assert clip.duration_s == pytest.approx(member.audio.duration_s, abs=0.01)
        loudest = max(max(abs(lo), abs(hi)) for lo, hi in peaks(clip, 50))
        assert loudest > 0.1, member.path


def tone(seconds: float, rate: int, channels: int) -> list[list[float]]:
    return [
        [0.5 * math.sin(2 * math.pi * 440 * i / rate)] * channels
        for i in range(int(seconds * rate))
    ]


@pytest.mark.parametrize(("fmt", "subtype"), [("MP3", None), ("FLAC", None), ("OGG", "OPUS")])
def test_mp3_flac_and_opus_recordings_decode(fmt: str, subtype: str | None) -> None:
    soundfile = pytest.importorskip("soundfile")
    rate = 48000 if subtype == "OPUS" else 22050
    buf = io.BytesIO()
    soundfile.write(buf, tone(1.5, rate, 2), rate, format=fmt, subtype=subtype)
    clip = Clip.from_member(buf.getvalue(), f"Alexa/Audio/u1.{fmt.lower()}")
    assert (clip.rate, clip.channels, clip.bits) == (rate, 2, 16)
    # MP3 encoders pad the start and end by a frame or so.
    assert clip.duration_s == pytest.approx(1.5, abs=0.06)
    env = peaks(clip, 10)
    assert all(hi == pytest.approx(0.5, abs=0.1) for _lo, hi in env[2:8])


def test_more_than_two_channels_of_compressed_audio_keep_two() -> None:
    soundfile = pytest.importorskip("soundfile")
    buf = io.BytesIO()
    soundfile.write(buf, tone(0.5, 16000, 4), 16000, format="FLAC")
    clip = Clip.from_member(buf.getvalue(), "a.flac")
    assert clip.channels == 2 and clip.frames == 8000


def test_a_wav_member_still_goes_through_the_wav_parser() -> None:
    import struct

    data = riff(3, 1, 16000, 32, struct.pack("<2f", 0.5, -0.5))
    assert Clip.from_member(data, "a.wav") == Clip.from_wav(data)


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "a.ogg", "not a playable audio file: the file is empty"),
        (b"not audio at all" * 20, "a.ogg", "not a playable audio file: "),
        (b"OggS" + bytes(200), "a.ogg", "not a playable audio file: "),
        (b"\xff\xfb\x90" + bytes(300), "a.mp3", "not a playable audio file: "),
        (b"garbage" * 20, "a.wav", "not a playable WAV file: "),
    ],
    ids=["empty", "garbage", "ogg-header-only", "mp3-header-only", "garbage-named-wav"],
)
def test_unplayable_members_give_one_line(data: bytes, name: str, says: str) -> None:
    with pytest.raises(ClipError) as err:
        Clip.from_member(data, name)
    message = str(err.value)
    assert message.startswith(says)
    assert "\n" not in message and "BytesIO" not in message


def test_a_truncated_ogg_plays_what_there_is_or_says_why() -> None:
    from reviewer.archive import read_member

    data = read_member(OTHER_LAYOUT, "alexa/recordings/UCA29D106451F6D1.ogg", 1 << 24)
    for cut in (0.3, 0.5, 0.9):
        try:
            clip = Clip.from_member(data[: int(len(data) * cut)], "cut.ogg")
        except ClipError as exc:
            assert str(exc).startswith("not a playable audio file: ")
            assert "\n" not in str(exc)
        else:  # never an empty clip that would count as played to its end at once
            assert 0 < clip.duration_s < 2.5


def test_every_wav_the_archive_reader_accepts_plays() -> None:
    """Each WAV variant libsndfile reads (RIFX, RF64, A-law, µ-law, 64-bit float, 12/20/5-bit
    audio, 24-bit audio in 4-byte samples) becomes a clip of the right length, in a sample
    format the player takes, and sounds: the tone is there, not silence or noise."""
    for v in wavcraft.variants():
        clip = Clip.from_member(v.data, f"Alexa/Audio/{v.name}.wav")
        assert clip.bits in (8, 16, 24, 32), v.name
        assert (clip.rate, clip.channels) == (v.rate, min(v.channels, 2)), v.name
        assert clip.duration_s == pytest.approx(v.seconds, abs=0.01), v.name
        loudest = max(max(abs(lo), abs(hi)) for lo, hi in peaks(clip, 20))
        assert loudest == pytest.approx(0.5, abs=0.05), v.name


def test_a_wav_neither_reader_decodes_keeps_the_wav_parser_reason() -> None:
    import struct

    data = riff(0x7777, 1, 8000, 16, bytes(100))
    with pytest.raises(ClipError) as err:
        Clip.from_member(data, "a.wav")
    assert str(err.value) == "not a playable WAV file: unsupported encoding 0x7777 " + (
        "(only PCM and float are read)"
    )
    rifx = b"RIFX" + struct.pack(">I", 4) + b"WAVE"
    with pytest.raises(ClipError, match="^not a playable audio file: ") as err:
        Clip.from_member(rifx, "b.wav")
    assert "\n" not in str(err.value)
