"""The WAV reader on every variant real exports carry, built byte by byte, and in an archive."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest
import soundfile
import wavcraft
import zipcraft
from zipcraft import STORED, Entry

from reviewer.archive import Limits, read_export, read_member
from reviewer.correct.build import _silence
from reviewer.domain.archive import WavError, decode_wav
from reviewer.domain.archive.wav import parse_wav, wav_header
from reviewer.domain.model import MemberKind, Severity

PCM_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def tone(rate: int, seconds: float, channels: int, bits: int) -> bytes:
    """A 440 Hz tone as interleaved little-endian PCM frames."""
    frames = int(rate * seconds)
    width = bits // 8
    out = bytearray()
    for i in range(frames):
        v = math.sin(2 * math.pi * 440 * i / rate) * 0.5
        if bits == 8:
            sample = bytes([int(128 + v * 127)])
        else:
            sample = int(v * (2 ** (bits - 1) - 1)).to_bytes(width, "little", signed=True)
        out += sample * channels
    return bytes(out)


def chunk(cid: bytes, body: bytes, pad: bool = True) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if pad and len(body) % 2 else b"")


def fmt_chunk(
    rate: int,
    channels: int,
    bits: int,
    tag: int = 1,
    extensible: bool = False,
    align: int | None = None,
) -> bytes:
    align = channels * bits // 8 if align is None else align
    body = struct.pack(
        "<HHIIHH", 0xFFFE if extensible else tag, channels, rate, rate * align, align, bits
    )
    if extensible:
        body += struct.pack("<HHI", 22, bits, 0x3 if channels == 2 else 0x4)
        body += struct.pack("<H", tag) + PCM_GUID_TAIL
    return chunk(b"fmt ", body)


def riff(*chunks: bytes, size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if size is None else size) + body


def simple_wav(
    rate: int = 16000,
    seconds: float = 0.5,
    channels: int = 1,
    bits: int = 16,
    extensible: bool = False,
    extra: bytes = b"",
) -> bytes:
    pcm = tone(rate, seconds, channels, bits)
    return riff(fmt_chunk(rate, channels, bits, extensible=extensible), extra, chunk(b"data", pcm))


@pytest.mark.parametrize(
    ("rate", "channels", "bits"),
    [(8000, 1, 8), (16000, 1, 16), (22050, 2, 16), (44100, 2, 16), (48000, 1, 24), (32000, 2, 32)],
)
def test_plain_pcm_variants(rate: int, channels: int, bits: int) -> None:
    data = simple_wav(rate, 0.25, channels, bits)
    info, pcm = decode_wav(data)
    assert (info.format, info.rate, info.channels, info.bits) == ("wav", rate, channels, bits)
    assert info.duration_s == pytest.approx(0.25, abs=1e-3)
    assert pcm == tone(rate, 0.25, channels, bits)


def test_agrees_with_the_wave_module_on_what_it_can_read() -> None:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(11025)
        w.writeframes(tone(11025, 0.3, 2, 16))
    data = buf.getvalue()
    info, pcm = decode_wav(data)
    with wave.open(io.BytesIO(data)) as w:
        assert info.rate == w.getframerate() and info.channels == w.getnchannels()
        assert pcm == w.readframes(w.getnframes())
        assert info.duration_s == pytest.approx(w.getnframes() / w.getframerate(), abs=1e-3)


def test_extensible_header_that_python_311_wave_rejects() -> None:
    data = simple_wav(16000, 0.5, 2, 16, extensible=True)
    info, pcm = decode_wav(data)
    assert (info.rate, info.channels, info.bits) == (16000, 2, 16)
    assert info.duration_s == pytest.approx(0.5, abs=1e-3)
    assert len(pcm) == 16000 * 2 * 2 // 2


def test_list_info_and_unknown_chunks_are_skipped() -> None:
    info_list = chunk(b"LIST", b"INFO" + chunk(b"INAM", b"Kitchen Echo\x00"))
    junk = chunk(b"JUNK", b"\x00" * 27)  # odd size, with its pad byte
    data = simple_wav(8000, 1.0, 1, 16, extra=info_list + junk)
    info = parse_wav(data).info
    assert info.duration_s == pytest.approx(1.0, abs=1e-3)
    assert info.rate == 8000


def test_odd_chunk_without_its_pad_byte() -> None:
    pcm = tone(8000, 0.5, 1, 8)
    data = riff(fmt_chunk(8000, 1, 8), chunk(b"note", b"abc", pad=False), chunk(b"data", pcm))
    info, got = decode_wav(data)
    assert got == pcm and info.duration_s == pytest.approx(0.5, abs=1e-3)


def test_truncated_data_gives_the_duration_really_present() -> None:
    data = simple_wav(16000, 2.0, 1, 16)
    cut = data[: len(data) - 16000 * 2]  # one second missing, header still claims two
    layout = parse_wav(cut)
    assert layout.truncated
    assert layout.info.duration_s == pytest.approx(1.0, abs=1e-3)
    # a cut in the middle of a frame keeps whole frames only
    assert len(decode_wav(cut[:-1])[1]) % 2 == 0


def test_streaming_writer_sizes() -> None:
    pcm = tone(16000, 0.5, 1, 16)
    data = riff(
        fmt_chunk(16000, 1, 16), b"data" + struct.pack("<I", 0xFFFFFFFF) + pcm, size=0xFFFFFFFF
    )
    assert decode_wav(data)[0].duration_s == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "too short"),
        (b"ID3\x04" + b"\x00" * 40, "not a RIFF/WAVE"),
        (riff(chunk(b"data", b"\x00" * 100)), "no fmt"),
        (riff(fmt_chunk(16000, 1, 16)), "no data"),
        (riff(fmt_chunk(0, 1, 16), chunk(b"data", b"\x00" * 100)), "0 Hz"),
        (riff(fmt_chunk(16000, 0, 16), chunk(b"data", b"\x00" * 100)), "channel"),
        (riff(fmt_chunk(16000, 300, 16), chunk(b"data", b"\x00" * 100)), "channel"),
        (riff(fmt_chunk(16000, 1, 12), chunk(b"data", b"\x00" * 100)), "block align 1"),
        (riff(fmt_chunk(16000, 1, 33), chunk(b"data", b"\x00" * 100)), "33 bit"),
        (
            riff(fmt_chunk(16000, 3, 24, align=4), chunk(b"data", b"\x00" * 100)),
            "block align 4 does not match 3 x 24 bit",
        ),
        (
            riff(fmt_chunk(16000, 1, 32, tag=3, align=8), chunk(b"data", b"\x00" * 100)),
            "block align 8",
        ),
        (riff(fmt_chunk(16000, 1, 4, tag=0x11), chunk(b"data", b"\x00" * 100)), "0x0011"),
        (riff(chunk(b"fmt ", b"\x01\x00")), "fmt chunk too short"),
    ],
    ids=[
        "empty",
        "mp3",
        "no-fmt",
        "no-data",
        "zero-hz",
        "no-channels",
        "300-channels",
        "12-bit-in-1-byte",
        "33-bit",
        "24-bit-in-4-bytes-for-3-channels",
        "float-in-8-bytes",
        "adpcm",
        "short-fmt",
    ],
)
def test_malformed_raises_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(WavError) as err:
        decode_wav(data)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("bits", "width", "channels", "extensible"),
    [(12, 2, 4, False), (20, 3, 1, False), (5, 1, 5, False), (24, 4, 2, False), (24, 4, 2, True)],
    ids=["12-bit", "20-bit", "5-bit", "24-bit-in-4-bytes", "24-bit-in-4-bytes-extensible"],
)
def test_pcm_stored_wider_than_its_bits(
    bits: int, width: int, channels: int, extensible: bool
) -> None:
    """Integer PCM whose samples take more bytes than their bits need: the bits the header
    states, the samples as wide as the block align says, and the duration from the frames."""
    data = wavcraft.stored(0.5, 8000, channels, bits, width, extensible=extensible)
    layout = parse_wav(data)
    assert (layout.info.bits, layout.info.channels, layout.info.rate) == (bits, channels, 8000)
    assert (layout.sample_bytes, layout.frame_bytes) == (width, width * channels)
    assert layout.info.duration_s == pytest.approx(0.5, abs=1e-3)
    # libsndfile reads the same number of frames from these bytes
    assert soundfile.info(io.BytesIO(data)).frames == layout.data_bytes // layout.frame_bytes
    info, pcm = decode_wav(data)
    assert pcm == data[layout.data_offset :] and info == layout.info


@pytest.mark.parametrize(
    ("fmt", "subtype", "endian", "variant", "bits"),
    [
        ("WAV", "PCM_24", "BIG", "RIFX", 24),
        ("RF64", "PCM_16", "FILE", "RF64", 16),
        ("WAVEX", "DOUBLE", "FILE", "RIFF", 64),
        ("WAV", "ALAW", "FILE", "RIFF", 8),
    ],
)
def test_the_header_of_what_the_parser_leaves_to_libsndfile(
    fmt: str, subtype: str, endian: str, variant: str, bits: int
) -> None:
    """RIFX, RF64, 64-bit float and A-law headers are read (their bits, their data chunk)
    though the parser does not lay their sound out."""
    data = wavcraft.written(0.25, 16000, 2, fmt, subtype, endian)
    header = wav_header(data)
    assert (header.variant, header.channels, header.rate, header.bits) == (variant, 2, 16000, bits)
    assert header.data_offset + header.declared_bytes == len(data)
    with pytest.raises(WavError):
        parse_wav(data)


def test_silencing_pcm_stored_wider_than_its_bits_silences_whole_samples() -> None:
    """The corrected archive silences a span of 24-bit audio in 4-byte samples and of 5-bit
    audio in unsigned bytes: every byte of the span's samples, and nothing else."""
    for bits, width, zero in ((24, 4, 0), (5, 1, 0x80)):
        data = wavcraft.stored(1.0, 8000, 2, bits, width)
        layout = parse_wav(data)
        out = _silence("a.wav", data, [SimpleNamespace(start_s=0.25, end_s=0.5)])
        start = layout.data_offset + 2000 * layout.frame_bytes
        end = layout.data_offset + 4000 * layout.frame_bytes
        assert set(out[start:end]) == {zero}
        assert out[:start] == data[:start] and out[end:] == data[end:]


def test_recordings_in_an_archive(tmp_path: Path) -> None:
    good = simple_wav(16000, 1.5, 1, 16, extensible=True)
    stereo = simple_wav(22050, 0.5, 2, 16, extra=chunk(b"LIST", b"INFOxxxx"))
    broken = riff(fmt_chunk(0, 1, 16), chunk(b"data", b"\x00" * 100))
    mp3 = wavcraft.written(1.0, 16000, 1, "MP3", "MPEG_LAYER_III")
    ogg = wavcraft.written(0.25, 16000, 1, "OGG", "VORBIS")
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.build(
            [
                Entry("Alexa/Audio/U1.wav", good),
                Entry("Alexa/Audio/U2.wav", stereo, method=STORED),
                Entry("Alexa/Audio/U3.wav", broken),
                Entry("Alexa/Audio/U4.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + mp3),
                Entry("Other/clip.ogg", ogg),
            ]
        )
    )
    index = read_export(archive, Limits())
    u1, u2, u3 = (index.member(f"Alexa/Audio/U{i}.wav") for i in (1, 2, 3))
    assert u1 is not None and u1.audio is not None and u1.audio.duration_s == 1.5
    assert u2 is not None and u2.audio is not None and u2.audio.channels == 2
    assert u3 is not None and u3.kind is MemberKind.AUDIO
    malformed = [f for f in index.read_findings if f.code == "audio-malformed"]
    assert len(malformed) == 1 and malformed[0].severity is Severity.WARNING
    assert malformed[0].members == ("Alexa/Audio/U3.wav",)
    assert "0 Hz" in malformed[0].detail
    formats = {m.path: m.audio.format for m in index.audio_members if m.audio}
    assert formats["Alexa/Audio/U4.mp3"] == "mp3" and formats["Other/clip.ogg"] == "ogg"
    durations = {m.path: m.audio.duration_s for m in index.audio_members if m.audio}
    mp3_s = durations["Alexa/Audio/U4.mp3"]
    assert mp3_s == pytest.approx(1.0, abs=0.1)
    assert durations["Other/clip.ogg"] == pytest.approx(0.25, abs=1e-3)
    assert index.recording_seconds == pytest.approx(2.0 + (mp3_s or 0) + 0.25, abs=1e-3)
    # the app plays one recording straight from the archive
    info, pcm = decode_wav(read_member(archive, "Alexa/Audio/U1.wav", 10 << 20))
    assert info.rate == 16000 and len(pcm) == 16000 * 2 * 3 // 2
