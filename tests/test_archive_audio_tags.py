"""A recording's own tags are read like a WAV's LIST/INFO chunk: ID3v2 text frames of an
MP3 (2.3 and 2.4, every text encoding), Vorbis comments of an Ogg or a FLAC. Another
customer's id or address in them blocks; the requester's own recording, tagged or not,
passes (an honest FLAC among them, which once came out as text read only in part)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.archive.tags import audio_tags
from reviewer.domain.model import Finding, Severity, Verdict
from reviewer.domain.report import Report

STRANGER = "A2ZK8LMQ4T6XPB"
STRANGER_MAIL = "oliver.barnes@example.com"
OWN = "A1QH7RZ3N8VW2E"
OWN_MAIL = "eleanor.whitfield@example.co.uk"
UTTERANCE = "U0ABA3654614515C"


def only(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def sound(fmt: str, subtype: str, rate: int = 16000) -> bytes:
    data = (0.3 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype("float32")
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=rate, channels=1, format=fmt, subtype=subtype) as f:
        f.write(data)
    return buf.getvalue()


def syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3(version: int, frames: list[tuple[str, bytes]]) -> bytes:
    """An ID3v2.`version` tag of `frames` (v2.4 frame sizes are syncsafe)."""
    size = syncsafe if version == 4 else (lambda n: struct.pack(">I", n))
    body = b"".join(fid.encode() + size(len(p)) + b"\0\0" + p for fid, p in frames)
    return b"ID3" + bytes([version, 0, 0]) + syncsafe(len(body)) + body + b"\0" * 32


def utf16(s: str) -> bytes:
    return "\ufeff".encode("utf-16-le") + s.encode("utf-16-le")


def comments(**tags: str) -> bytes:
    """A Vorbis comment block (vendor, then KEY=value)."""
    items = [f"{k.upper()}={v}".encode() for k, v in tags.items()]
    vendor = b"test"
    out = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(items))
    return out + b"".join(struct.pack("<I", len(i)) + i for i in items)


def flac_with(block: bytes | None) -> bytes:
    """A FLAC recording whose metadata holds `block` as its VORBIS_COMMENT (or none)."""
    data = sound("FLAC", "PCM_16")
    at, blocks = 4, []
    while True:
        head = data[at]
        n = int.from_bytes(data[at + 1 : at + 4], "big")
        if head & 0x7F != 4:
            blocks.append((head & 0x7F, data[at + 4 : at + 4 + n]))
        at += 4 + n
        if head & 0x80:
            break
    if block is not None:
        blocks.append((4, block))
    out = b"fLaC"
    for i, (kind, body) in enumerate(blocks):
        last = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([kind | last]) + len(body).to_bytes(3, "big") + body
    return out + data[at:]


def ogg_with(**tags: str) -> bytes:
    data = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype("float32")
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", 16000, 1, format="OGG", subtype="VORBIS") as f:
        for k, v in tags.items():
            setattr(f, k, v)
        f.write(data)
    return buf.getvalue()


def review_recording(tmp_path: Path, ext: str, content: bytes) -> Report:
    """The clean export with one recording replaced by `content` in format `ext`."""
    rows = voice_history_rows()
    member = f"Alexa/Audio/{UTTERANCE}.{ext}"
    row = next(r for r in rows if r[0] == UTTERANCE)
    row[5] = member
    changes: dict[str, bytes | str | None] = {
        f"Alexa/Audio/{UTTERANCE}.wav": None,
        member: content,
        "Alexa/VoiceHistory.csv": voice_history_text(rows),
    }
    return review_changed(tmp_path, changes).report


def assert_blocks(report: Report, ext: str, mail: bool = True) -> None:
    [f] = only(report, "foreign-identifier")
    assert f.severity is Severity.CRITICAL
    assert f"Alexa/Audio/{UTTERANCE}.{ext}" in f.members
    assert STRANGER in f.detail
    assert not mail or STRANGER_MAIL in f.detail
    assert report.verdict is Verdict.BLOCK


def assert_passes(report: Report) -> None:
    assert report.verdict is Verdict.PASS, [(f.code, f.detail) for f in report.findings]


def test_id3v23_utf16_frames_naming_a_stranger_block(tmp_path: Path) -> None:
    tag = id3(3, [
        ("TIT2", b"\x01" + utf16("Voice recording") + b"\0\0"),
        ("TPE1", b"\x01" + utf16(STRANGER_MAIL) + b"\0\0"),
        ("TXXX", b"\x01" + utf16("customer_id") + b"\0\0" + utf16(STRANGER)),
    ])  # fmt: skip
    assert_blocks(review_recording(tmp_path, "mp3", tag + sound("MP3", "MPEG_LAYER_III")), "mp3")


def test_id3v23_latin1_comment_naming_a_stranger_blocks(tmp_path: Path) -> None:
    tag = id3(3, [
        ("TPE1", b"\x00" + STRANGER_MAIL.encode() + b"\0"),
        ("COMM", b"\x00eng\x00customer " + STRANGER.encode()),
    ])  # fmt: skip
    assert_blocks(review_recording(tmp_path, "mp3", tag + sound("MP3", "MPEG_LAYER_III")), "mp3")


def test_id3v24_utf8_and_utf16be_frames_are_read() -> None:
    tag = id3(4, [
        ("TPE1", b"\x03" + STRANGER_MAIL.encode() + b"\0"),
        ("TXXX", b"\x02" + "account".encode("utf-16-be") + b"\0\0" + STRANGER.encode("utf-16-be")),
        ("TIT2", b"\x03" + b"x" * 200),  # a size that needs syncsafe bytes
    ])  # fmt: skip
    tags = audio_tags("mp3", tag + b"\xff\xfb\x90\x00", b"", True)
    assert STRANGER_MAIL in tags.text and STRANGER in tags.text and not tags.cut


def test_an_id3_tag_running_past_the_kept_head_is_read_only_in_part() -> None:
    tag = id3(3, [("TPE1", b"\x00" + STRANGER_MAIL.encode() + b"\0")])
    tags = audio_tags("mp3", tag[:20], b"", False)
    assert tags.cut


def test_ogg_vorbis_comments_naming_a_stranger_block(tmp_path: Path) -> None:
    ogg = ogg_with(artist=STRANGER_MAIL, comment=f"customer {STRANGER}")
    assert_blocks(review_recording(tmp_path, "ogg", ogg), "ogg")


def test_a_flac_vorbis_comment_block_naming_a_stranger_blocks(tmp_path: Path) -> None:
    flac = flac_with(comments(artist=STRANGER_MAIL, comment=f"customer {STRANGER}"))
    assert_blocks(review_recording(tmp_path, "flac", flac), "flac")


@pytest.mark.parametrize(
    ("ext", "content"),
    [
        ("flac", lambda: flac_with(None)),
        ("flac", lambda: flac_with(comments(artist=OWN_MAIL, comment=f"customer {OWN}"))),
        ("ogg", lambda: ogg_with(artist=OWN_MAIL, title="Voice recording")),
        (
            "mp3",
            lambda: (
                id3(
                    3,
                    [
                        ("TPE1", b"\x01" + utf16(OWN_MAIL) + b"\0\0"),
                        ("TXXX", b"\x00customer_id\x00" + OWN.encode()),
                    ],
                )
                + sound("MP3", "MPEG_LAYER_III")
            ),
        ),  # fmt: skip
    ],
    ids=["flac-untagged", "flac-own-tags", "ogg-own-tags", "mp3-own-tags"],
)
def test_the_requesters_own_recording_passes(tmp_path: Path, ext: str, content: object) -> None:
    assert callable(content)
    report = review_recording(tmp_path, ext, content())
    assert_passes(report)
    assert not only(report, "text-too-large")


def wav_tagged_after(seconds: float, **info: str) -> bytes:
    """A stereo 48 kHz WAV of `seconds` whose LIST/INFO chunk follows its samples, as some
    recorders write it (the RIFF size counts it)."""
    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype("float32")
    buf = io.BytesIO()
    sf.write(buf, np.stack([tone, tone], axis=1), rate, format="WAV", subtype="PCM_16")
    wav = buf.getvalue()
    subs = b""
    for key, value in info.items():
        raw = value.encode() + b"\0"
        subs += key.encode() + struct.pack("<I", len(raw)) + raw + b"\0" * (len(raw) & 1)
    listed = b"LIST" + struct.pack("<I", 4 + len(subs)) + b"INFO" + subs
    out = wav + listed
    return out[:4] + struct.pack("<I", len(out) - 8) + out[8:]


def test_wav_tags_after_samples_beyond_the_kept_head_are_read(tmp_path: Path) -> None:
    """A 6 s stereo recording is 1.15 MB, past the 1 MiB the reader keeps: its tags, written
    after the samples, are still read, and a stranger's address in them blocks as it does in
    a short recording."""
    wav = wav_tagged_after(6.0, IART=STRANGER_MAIL, ICMT=f"customer {STRANGER}")
    assert len(wav) > 1 << 20
    assert_blocks(review_recording(tmp_path, "wav", wav), "wav")


def test_own_wav_tags_after_samples_pass(tmp_path: Path) -> None:
    wav = wav_tagged_after(6.0, IART=OWN_MAIL, ICMT=f"customer {OWN}")
    assert_passes(review_recording(tmp_path, "wav", wav))


def ape(**items: str) -> bytes:
    """An APEv2 tag (header, text items, footer), as taggers append it to an MP3."""
    body = b"".join(
        struct.pack("<II", len(v.encode()), 0) + k.encode() + b"\0" + v.encode()
        for k, v in items.items()
    )

    def block(flags: int) -> bytes:
        return (
            b"APETAGEX" + struct.pack("<IIII", 2000, len(body) + 32, len(items), flags) + bytes(8)
        )

    return block(0xA0000000) + body + block(0x80000000)


def id3v24_appended(frames: list[tuple[str, bytes]]) -> bytes:
    """An ID3v2.4 tag with a footer, which lets it stand after the frames."""
    body = b"".join(fid.encode() + syncsafe(len(p)) + b"\0\0" + p for fid, p in frames)
    return (
        b"ID3\x04\x00\x10" + syncsafe(len(body)) + body + b"3DI\x04\x00\x10" + syncsafe(len(body))
    )


@pytest.mark.parametrize("where", ["ape", "ape+id3v1", "id3v24-footer"])
def test_mp3_tags_after_the_frames_naming_a_stranger_block(tmp_path: Path, where: str) -> None:
    audio = sound("MP3", "MPEG_LAYER_III")
    if where.startswith("ape"):
        tagged = audio + ape(Artist=STRANGER_MAIL, Comment=f"customer {STRANGER}")
        if where.endswith("id3v1"):
            tagged += b"TAG" + b"Voice recording".ljust(30, b"\0") + bytes(95)
    else:
        frames = [
            ("TPE1", b"\x03" + STRANGER_MAIL.encode() + b"\0"),
            ("COMM", b"\x03eng\x00customer " + STRANGER.encode()),
        ]
        tagged = audio + id3v24_appended(frames)
    assert_blocks(review_recording(tmp_path, "mp3", tagged), "mp3")


def test_an_mp3_with_its_own_ape_tag_passes(tmp_path: Path) -> None:
    tagged = sound("MP3", "MPEG_LAYER_III") + ape(Artist=OWN_MAIL, Comment=f"customer {OWN}")
    assert_passes(review_recording(tmp_path, "mp3", tagged))
