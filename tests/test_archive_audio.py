"""Recordings other than plain PCM WAV: MP3 and OGG, recognised as audio by their bytes, with
their duration where the bytes tell it; and every WAV variant libsndfile reads."""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile
import wavcraft
import zipcraft

from reviewer.archive import Limits, read_export
from reviewer.archive.planner import AUDIO_HEAD
from reviewer.domain.archive.audio import OGG_TAIL, hear, mp3_info, ogg_info
from reviewer.domain.model import AudioInfo, MemberKind, Severity

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


# the same at 64 kbit/s: 208-byte frames
SLOW_FRAME = b"\xff\xfb\x50\x00" + b"\x00" * (208 - 4)


def xing_frame(frames: int, stream: int | None = None) -> bytes:
    flags, fields = (1, struct.pack(">I", frames))
    if stream is not None:
        flags, fields = 3, fields + struct.pack(">I", stream)
    xing = FRAME_HEADER + b"\x00" * 32 + b"Xing" + struct.pack(">I", flags) + fields
    return xing + b"\x00" * (417 - len(xing))


def test_vbr_mp3_duration_from_xing_frame_count() -> None:
    # a 128 kbit/s header frame, then 999 frames at 64 kbit/s: the bit rate of the first
    # frame would say 13 s; the count says 26
    data = xing_frame(1000) + SLOW_FRAME * 999
    assert mp3_info(data, len(data)).duration_s == pytest.approx(1000 * 1152 / 44100, abs=1e-3)


def test_a_cut_vbr_mp3_is_not_given_the_duration_its_header_counts() -> None:
    """A Xing header's count is what the whole file held: a file cut to 10 of its frames holds
    0.26 s, not 26; with the stream's bytes in the header, its share of them, else unknown."""
    cut = xing_frame(1000) + SLOW_FRAME * 9
    assert mp3_info(cut, len(cut)).duration_s is None
    whole = 417 + 999 * 208
    cut = xing_frame(1000, whole) + SLOW_FRAME * 99  # a tenth of the stream's bytes
    assert mp3_info(cut, len(cut)).duration_s == pytest.approx(2.612, abs=0.05)


def test_a_vbr_mp3_without_a_vbr_header_gets_the_duration_of_its_frames() -> None:
    """No Xing or VBRI header: the frames are counted as a decoder counts them, not timed by
    the first frame's bit rate (which would say 3.9 s for these 5.2)."""
    data = id3(100) + FRAME * 100 + SLOW_FRAME * 100 + b"TAG" + bytes(125)
    assert mp3_info(data, len(data)).duration_s == pytest.approx(200 * 1152 / 44100, abs=1e-3)


def test_a_long_vbr_mp3_without_a_vbr_header_is_timed_by_its_average_frame() -> None:
    """Longer than the bytes the reader keeps: the frames kept tell the average frame size,
    and the file's bytes the rest."""
    data = (FRAME + SLOW_FRAME) * 5000  # 10,000 frames, 3.1 MB
    head = data[:AUDIO_HEAD]
    assert mp3_info(head, len(data)).duration_s == pytest.approx(10000 * 1152 / 44100, rel=0.01)


def vbri_frame(frames: int, stream: int) -> bytes:
    vbri = b"VBRI" + struct.pack(">HHHII", 1, 0, 75, stream, frames)
    head = FRAME_HEADER + b"\x00" * 32 + vbri
    return head + b"\x00" * (417 - len(head))


def test_a_vbri_header_gives_the_frame_count() -> None:
    data = vbri_frame(1000, 417 + 999 * 208) + SLOW_FRAME * 999
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


# ------------------------------------------------------------ WAVs that libsndfile reads


def test_every_wav_libsndfile_reads_gets_its_true_facts(tmp_path: Path) -> None:
    """RIFX, RF64, 64-bit float, A-law, µ-law, 8/24/32-bit PCM, 12/20/5-bit audio and 24-bit
    audio in 4-byte samples: each is a recording libsndfile decodes, so none is malformed, and
    each has its duration, rate, channels and bits, in an export read as it would be."""
    variants = wavcraft.variants()
    for v in variants:  # the rule the reader follows: libsndfile decodes every one of them
        assert soundfile.info(io.BytesIO(v.data)).samplerate == v.rate, v.name
    assert sum(len(v.data) > AUDIO_HEAD for v in variants) >= 2  # longer than the kept head
    archive = tmp_path / "export.zip"
    # stored: a pure tone deflates so well that it would look like a zip bomb
    recordings = {f"Alexa/Audio/{v.name}.wav": v.data for v in variants}
    archive.write_bytes(zipcraft.zip_of(recordings, zipfile.ZIP_STORED))
    index = read_export(archive, Limits())
    assert not [f for f in index.read_findings if f.code == "audio-malformed"]
    for v in variants:
        member = index.member(f"Alexa/Audio/{v.name}.wav")
        assert member is not None and member.kind is MemberKind.AUDIO, v.name
        assert member.audio is not None and member.audio.format == "wav", v.name
        assert member.type_label == "WAV audio", v.name  # RIFX and RF64 by their bytes too
        facts = (member.audio.rate, member.audio.channels, member.audio.bits)
        assert facts == (v.rate, v.channels, v.bits), v.name
        assert member.audio.duration_s == pytest.approx(v.seconds, abs=0.01), v.name
    assert index.recording_seconds == pytest.approx(sum(v.seconds for v in variants), abs=0.1)


def _read_one_recording(tmp_path: Path, data: bytes) -> AudioInfo:
    """What the reader finds of `data` as the export's one recording (stored: a tag chunk or
    a tone would deflate so well that it looks like a zip bomb); no finding allowed."""
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Alexa/Audio/a.wav": data}, zipfile.ZIP_STORED))
    index = read_export(archive, Limits())
    assert not index.read_findings
    (member,) = index.members
    assert member.audio is not None
    return member.audio


@pytest.mark.parametrize("align", [4, 3, 1])
def test_a_wrong_block_align_gives_the_duration_libsndfile_reads(
    align: int, tmp_path: Path
) -> None:
    """16-bit mono whose block align says otherwise (a common writer's slip): libsndfile goes
    by the bits, and so does the reviewer; the duration is not halved or doubled."""
    pcm = struct.pack("<24000h", *(((i * 37) % 2000) - 1000 for i in range(24000)))  # 1.5 s
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, align, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data"
    data = b"RIFF" + struct.pack("<I", len(body) + 4 + len(pcm)) + body
    data += struct.pack("<I", len(pcm)) + pcm
    assert soundfile.info(io.BytesIO(data)).duration == pytest.approx(1.5)
    audio = _read_one_recording(tmp_path, data)
    assert (audio.duration_s, audio.rate, audio.bits) == (1.5, 16000, 16)


@pytest.mark.parametrize(
    ("rate", "header"),
    [(24000, b"\xff\xf3\x14\xc0"), (48000, b"\xff\xfb\x14\xc0")],
    ids=["mpeg2-8kbit", "mpeg1-32kbit"],
)
def test_mp3_in_a_wav_at_a_low_bit_rate_is_a_recording(
    rate: int, header: bytes, tmp_path: Path
) -> None:
    """A WAV holding MPEG layer III (format 0x0055, as converters write it) at the lowest bit
    rates: 24 and 12 frames of sound a byte, more than any other coding packs. libsndfile
    decodes it, so it gets libsndfile's facts, not an "absurd frame count"."""
    length = 24 if rate == 24000 else 96  # 576 or 1,152 samples of silence a frame, mono
    stream = (header + bytes(length - 4)) * 100
    fmt = struct.pack("<HHIIHH", 0x55, 1, rate, 1000, 1, 0)
    fmt += struct.pack("<HHIHHH", 12, 1, 2, length, 1, 0)  # MPEGLAYER3WAVEFORMAT's tail
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"data", stream)
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    truth = soundfile.info(io.BytesIO(data))
    assert truth.subtype == "MPEG_LAYER_III" and truth.frames > 8 * len(data)
    audio = _read_one_recording(tmp_path, data)
    assert (audio.rate, audio.channels) == (rate, 1)
    assert audio.duration_s == pytest.approx(truth.duration, abs=1e-3)


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1)


def _wav_with(before_fmt: bytes = b"", before_data: bytes = b"", seconds: float = 1.5) -> bytes:
    pcm = struct.pack(f"<{int(16000 * seconds)}h", *([300, -300] * int(8000 * seconds)))
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    body = b"WAVE" + before_fmt + _chunk(b"fmt ", fmt) + before_data + _chunk(b"data", pcm)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("where", ["before fmt", "between fmt and data"])
def test_chunks_beyond_the_kept_head_are_followed(where: str, tmp_path: Path) -> None:
    """The reader keeps a recording's first bytes; a file whose fmt or data chunk starts past
    them (a large tag chunk first) is laid out from its chunk headers as they stream past."""
    tag = bytes(range(256)) * ((AUDIO_HEAD + 100_000) // 256)
    if where == "before fmt":
        data = _wav_with(_chunk(b"LIST", b"INFOISFT" + tag), b"")
    else:
        data = _wav_with(b"", _chunk(b"id3 ", tag))
    assert soundfile.info(io.BytesIO(data)).duration == pytest.approx(1.5)
    audio = _read_one_recording(tmp_path, data)
    assert (audio.duration_s, audio.rate, audio.channels, audio.bits) == (1.5, 16000, 1, 16)


def test_a_fmt_chunk_after_a_long_data_chunk_is_found(tmp_path: Path) -> None:
    """The data chunk starts in the kept head, the fmt chunk only after it, megabytes on: laid
    out as the WAV parser lays out the whole file (libsndfile wants fmt first)."""
    from reviewer.domain.archive.wav import parse_wav

    pcm = bytes(range(256)) * ((AUDIO_HEAD * 2) // 256)  # about 66 s at 16 kHz, 16-bit mono
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    body = b"WAVE" + _chunk(b"data", pcm) + _chunk(b"fmt ", fmt)
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    whole = parse_wav(data).info
    assert whole.duration_s == pytest.approx(len(pcm) / 32000, abs=1e-3)
    assert _read_one_recording(tmp_path, data) == whole


def test_a_recordings_info_tags_are_its_text(tmp_path: Path) -> None:
    """Recorders and pipelines write names, account ids and e-mail addresses into a WAV's
    LIST/INFO chunk: they are kept as the recording's text, which the identity scan reads."""
    info = b"INFO" + _chunk(b"INAM", b"Lukas Brandt\x00") + _chunk(b"ICMT", b"A2MZ8T4KQ9XR3P\x00")
    data = _wav_with(_chunk(b"LIST", info), b"")
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of({"Alexa/Audio/a.wav": data, "Alexa/Audio/b.wav": _wav_with()})
    )
    index = read_export(archive, Limits())
    assert index.texts["Alexa/Audio/a.wav"] == "INAM: Lukas Brandt\nICMT: A2MZ8T4KQ9XR3P"
    assert "Alexa/Audio/b.wav" not in index.texts  # no tags, no text
    member = index.member("Alexa/Audio/a.wav")
    assert member is not None and member.audio is not None and member.audio.duration_s == 1.5


def test_tags_after_a_chunk_without_its_pad_byte_are_read(tmp_path: Path) -> None:
    """A writer that drops the pad byte after an odd-sized chunk: the header is laid out
    past it, and so are the tags after it (one walk over the chunks serves both)."""
    odd = b"junk" + struct.pack("<I", 3) + b"abc"  # no pad byte
    info = b"INFO" + _chunk(b"IART", b"Lukas Brandt\x00")
    data = _wav_with(odd + _chunk(b"LIST", info))
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Alexa/Audio/a.wav": data}))
    index = read_export(archive, Limits())
    assert index.texts["Alexa/Audio/a.wav"] == "IART: Lukas Brandt"
    member = index.member("Alexa/Audio/a.wav")
    assert member is not None and member.audio is not None and member.audio.duration_s == 1.5


@pytest.mark.parametrize("piece", [1, 3, 7, 8, 4096])
def test_the_chunk_scout_sees_the_same_layout_in_any_pieces(piece: int) -> None:
    from reviewer.domain.archive.wav import ChunkScout, parse_wav

    data = _wav_with(_chunk(b"LIST", bytes(5001)), _chunk(b"JUNK", bytes(33)))
    scout = ChunkScout(data[:12])
    for at in range(0, len(data), piece):
        scout.feed(memoryview(data)[at : at + piece])
        if scout.done:
            break
    laid_out = scout.layout(len(data), 12)
    assert laid_out is not None
    head, total = laid_out
    assert parse_wav(head, total).info == parse_wav(data).info


def test_a_long_recording_libsndfile_reads_keeps_the_duration_of_the_bytes_present(
    tmp_path: Path,
) -> None:
    """An RF64 recording cut short (its header claims 30 s, 20 s are there) and a RIFX one whose
    size field is left open: the duration is what the member really holds, though only the
    first MiB of each is kept."""
    whole = wavcraft.written(30.0, 16000, 2, "RF64", "PCM_16")
    cut = whole[: len(whole) - 10 * 16000 * 4]
    riffx = bytearray(wavcraft.written(80.0, 8000, 1, "WAV", "PCM_16", "BIG"))
    at = riffx.index(b"data")
    riffx[at + 4 : at + 8] = b"\xff\xff\xff\xff"
    archive = tmp_path / "export.zip"
    recordings = {"a/cut.wav": cut, "a/open.wav": bytes(riffx)}
    archive.write_bytes(zipcraft.zip_of(recordings, zipfile.ZIP_STORED))
    index = read_export(archive, Limits())
    durations = {m.path: m.audio.duration_s for m in index.audio_members if m.audio}
    assert durations["a/cut.wav"] == pytest.approx(20.0, abs=0.01)
    assert durations["a/open.wav"] == pytest.approx(80.0, abs=0.01)
    assert not [f for f in index.read_findings if f.code == "audio-malformed"]


def rifx_header(channels: int, rate: int, bits: int, data: bytes, tag: int = 1) -> bytes:
    align = channels * ((bits + 7) // 8)
    fmt = struct.pack(">HHIIHH", tag, channels, rate, (rate * align) & 0xFFFFFFFF, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack(">I", len(fmt)) + fmt
    body += b"data" + struct.pack(">I", len(data)) + data
    return b"RIFX" + struct.pack(">I", len(body)) + body


BROKEN = {
    # what neither the WAV parser nor libsndfile can read, or what libsndfile reads from a
    # header no recording has
    "zero-hz.wav": rifx_header(1, 0, 16, bytes(1000)),
    "absurd-rate.wav": rifx_header(1, 4_000_000_000, 16, bytes(1000)),
    "no-channels.wav": rifx_header(0, 8000, 16, bytes(1000)),
    "too-many-channels.wav": rifx_header(1025, 8000, 16, bytes(4100)),
    "65-bit.wav": rifx_header(1, 8000, 65, bytes(1000)),
    "unknown-coding.wav": rifx_header(1, 8000, 16, bytes(1000), tag=0x7777),
    "huge-chunk.wav": b"RIFF\xff\xff\xff\xffWAVE"
    + wavcraft.chunk(b"JUNK", bytes(16), size=0xFFFFFFF0)
    + bytes(4000),
    "no-data.wav": b"RIFX\x00\x00\x00\x1cWAVEfmt \x00\x00\x00\x10" + bytes(16),
    "garbage.wav": b"RIFF" + bytes(2000),
    "text.wav": b"a recording was here " * 50,
}


def test_headers_at_the_edges_of_what_libsndfile_reads_are_facts_not_malformed(
    tmp_path: Path,
) -> None:
    """1 Hz and 1,000 channels are strange, but libsndfile decodes them: the recording gets
    the facts it reads (only beyond its 1,024 channels, or past 10 MHz, is a header absurd)."""
    edges = {
        "one-hz.wav": rifx_header(1, 1, 16, bytes(1000)),
        "thousand-channels.wav": rifx_header(1000, 8000, 16, bytes(4000)),
    }
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({f"Audio/{n}": d for n, d in edges.items()}))
    index = read_export(archive, Limits())
    assert not [f for f in index.read_findings if f.code == "audio-malformed"]
    for name, data in edges.items():
        truth = soundfile.info(io.BytesIO(data))
        member = index.member(f"Audio/{name}")
        assert member is not None and member.audio is not None, name
        assert (member.audio.rate, member.audio.channels) == (truth.samplerate, truth.channels)
        assert member.audio.duration_s == pytest.approx(truth.duration, abs=1e-3), name


def test_what_nothing_can_read_is_still_malformed_and_read_at_once(tmp_path: Path) -> None:
    """Read from their bytes alone: no header's claims (a 4 GiB chunk, a thousand channels)
    make the reader allocate or walk what is not there."""
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({f"Audio/{n}": d for n, d in BROKEN.items()}))
    tracemalloc.start()
    index = read_export(archive, Limits())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 32 << 20
    malformed = [f for f in index.read_findings if f.code == "audio-malformed"]
    assert len(malformed) == 1
    assert sorted(malformed[0].members) == sorted(f"Audio/{n}" for n in BROKEN)
    assert malformed[0].severity is Severity.WARNING
    for name in BROKEN:
        member = index.member(f"Audio/{name}")
        assert member is not None and member.kind is MemberKind.AUDIO
        assert member.audio is None or member.audio.duration_s is None


# ------------------------------------------------------ FLAC, and what is no MP3, Ogg or FLAC


def test_a_flac_recording_gets_its_facts_from_its_streaminfo(tmp_path: Path) -> None:
    """A FLAC recording's duration, rate, channels and bits, as its STREAMINFO block says
    (also behind an ID3 tag): a sampled one shorter than 2 s can count as played to its end."""
    short = wavcraft.written(1.25, 16000, 1, "FLAC", "PCM_16")
    wide = wavcraft.written(3.5, 48000, 2, "FLAC", "PCM_24")
    archive = tmp_path / "export.zip"
    recordings = {"Audio/short.flac": short, "Audio/wide.flac": id3(40) + wide}
    archive.write_bytes(zipcraft.zip_of(recordings))
    index = read_export(archive, Limits())
    facts = {m.path: m.audio for m in index.audio_members}
    assert facts["Audio/short.flac"] == AudioInfo("flac", 1.25, 16000, 1, 16)
    assert facts["Audio/wide.flac"] == AudioInfo("flac", 3.5, 48000, 2, 24)
    assert index.recording_seconds == pytest.approx(4.75, abs=1e-3)
    assert not [f for f in index.read_findings if f.code == "audio-malformed"]


def test_a_long_flac_keeps_its_duration_though_only_its_head_is_kept(tmp_path: Path) -> None:
    data = wavcraft.written(60.0, 44100, 2, "FLAC", "PCM_16")
    assert len(data) > AUDIO_HEAD
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Audio/long.flac": data}, zipfile.ZIP_STORED))
    index = read_export(archive, Limits())
    (member,) = index.audio_members
    assert member.audio is not None and member.audio.duration_s == 60.0
    assert not [f for f in index.read_findings if f.code == "audio-malformed"]


def compressed() -> dict[str, bytes]:
    return {
        "mp3": wavcraft.written(1.0, 16000, 1, "MP3", "MPEG_LAYER_III"),
        "ogg": wavcraft.written(1.0, 16000, 1, "OGG", "VORBIS"),
        "flac": wavcraft.written(1.0, 16000, 1, "FLAC", "PCM_16"),
    }


def test_what_is_no_mp3_ogg_or_flac_is_malformed(tmp_path: Path) -> None:
    """Bytes named as an MP3, Ogg or FLAC recording that are not one (random bytes, an empty
    file), or one cut before any duration can be known (inside its first frame, its headers or
    its metadata), are malformed as such a WAV is, and get no duration; the honest ones read."""
    real = compressed()
    junk = random.Random(7).randbytes(20000)
    broken = {
        "junk.mp3": junk,
        "junk.ogg": junk,
        "junk.flac": junk,
        "empty.mp3": b"",
        "cut.mp3": id3(20) + real["mp3"][:100],
        "cut.ogg": real["ogg"][:200],
        "cut.flac": real["flac"][:42],
    }
    archive = tmp_path / "export.zip"
    honest = {f"Audio/ok.{ext}": data for ext, data in real.items()}
    archive.write_bytes(zipcraft.zip_of({**honest, **{f"Audio/{n}": d for n, d in broken.items()}}))
    index = read_export(archive, Limits())
    (malformed,) = [f for f in index.read_findings if f.code == "audio-malformed"]
    assert sorted(malformed.members) == sorted(f"Audio/{n}" for n in broken)
    assert malformed.severity is Severity.WARNING
    for name in broken:
        member = index.member(f"Audio/{name}")
        assert member is not None and member.kind is MemberKind.AUDIO
        assert member.audio is not None and member.audio.duration_s is None, name
    for path in honest:
        member = index.member(path)
        assert member is not None and member.audio is not None
        assert member.audio.duration_s == pytest.approx(1.0, abs=0.1), path
    assert index.recording_seconds == pytest.approx(3.0, abs=0.2)


MALFORMED = [
    ("junk.mp3", b"no frames here " * 100, "not an MP3 file: no MPEG audio frame"),
    ("empty.mp3", b"", "empty: no MPEG audio frame"),
    ("cut.mp3", FRAME[:100], "cut short: its first MPEG frame needs 417 bytes, 100 are there"),
    ("tag.mp3", id3(300)[:200], "cut inside its ID3 tag"),
    ("info.mp3", xing_frame(1000), "cut short: no MPEG frame of sound after its Info header"),
    ("junk.ogg", bytes(300), "not an Ogg file: no OggS page at its start"),
    ("junk.flac", bytes(300), "not a FLAC file: no fLaC marker at its start"),
]


@pytest.mark.parametrize(("name", "data", "why"), MALFORMED, ids=[c[0] for c in MALFORMED])
def test_a_malformed_recording_says_why(tmp_path: Path, name: str, data: bytes, why: str) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({f"Audio/{name}": data}))
    (malformed,) = [
        f for f in read_export(archive, Limits()).read_findings if f.code == "audio-malformed"
    ]
    assert malformed.detail == f"Audio/{name}: {why}"


def test_the_bytes_of_a_cut_recording_give_its_duration() -> None:
    """A recording cut short lasts what its bytes hold: an MP3 by its frames' bit rate, an
    Ogg by its last page; never what its header says the whole file held."""
    whole = compressed()
    mp3 = hear("mp3", whole["mp3"][:600], b"", 600).info  # a quarter of it
    assert mp3.duration_s == pytest.approx(0.26, abs=0.03)
    ogg = wavcraft.written(8.0, 16000, 1, "OGG", "VORBIS")
    start, end = _ogg_pages(ogg)[-1]
    cut = ogg[: start + (end - start) // 2]  # the pages before the last one's are whole
    heard = hear("ogg", cut, cut[-OGG_TAIL:], len(cut))
    assert heard.problem is None and heard.info.duration_s is not None
    assert 2.0 < heard.info.duration_s < 6.0


def _ogg_pages(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each Ogg page of `data`."""
    pages, at = [], 0
    while at + 27 <= len(data):
        table = at + 27 + data[at + 26]
        end = table + sum(data[at + 27 : table])
        pages.append((at, end))
        at = end
    return pages


@pytest.mark.parametrize(("subtype", "rate"), [("VORBIS", 16000), ("OPUS", 48000)])
def test_a_cut_ogg_lasts_what_its_whole_pages_hold(subtype: str, rate: int) -> None:
    """An Ogg recording cut inside a page: the cut page's granule position counts samples
    whose bytes are not there (a decoder drops the page), so the duration is the last whole
    page's, as libsndfile reads it."""
    ogg = wavcraft.written(8.0, rate, 1, "OGG", subtype)
    start, end = _ogg_pages(ogg)[-1]
    cut = ogg[: start + (end - start) // 2]
    truth = soundfile.info(io.BytesIO(cut)).duration
    assert 1.0 < truth < 7.9
    heard = hear("ogg", cut, cut[-OGG_TAIL:], len(cut))
    assert heard.problem is None
    assert heard.info.duration_s == pytest.approx(truth, abs=1e-3)


def test_an_ogg_cut_inside_its_first_page_of_sound_is_cut_short() -> None:
    ogg = wavcraft.written(8.0, 16000, 1, "OGG", "VORBIS")
    start, end = next(p for p in _ogg_pages(ogg) if struct.unpack_from("<q", ogg, p[0] + 6)[0])
    cut = ogg[: start + (end - start) // 2]
    heard = hear("ogg", cut, cut[-OGG_TAIL:], len(cut))
    assert heard.problem == "cut short: no Ogg page of sound after its headers"
    assert heard.info.duration_s is None


def test_an_ogg_that_ends_after_its_headers_is_a_recording_of_no_sound(tmp_path: Path) -> None:
    """Headers, then a page that ends the stream (what libsndfile writes for no samples, as
    tinytag's no_audio.ogg): libsndfile reads it, 0 frames; not malformed."""
    buf = io.BytesIO()
    soundfile.write(buf, np.zeros((0, 2)), 8000, format="OGG", subtype="VORBIS")
    data = buf.getvalue()
    assert soundfile.info(io.BytesIO(data)).frames == 0
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"voice/empty.ogg": data}))
    index = read_export(archive, Limits())
    assert not index.read_findings
    member = index.member("voice/empty.ogg")
    assert member is not None and member.audio is not None
    assert (member.audio.duration_s, member.audio.rate, member.audio.channels) == (0.0, 8000, 2)
