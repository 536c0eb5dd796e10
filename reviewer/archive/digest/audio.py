"""Recordings: format, duration, rate and channels from the head of the stream (and, for
OGG, its last bytes); a WAV that cannot be laid out is a finding."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.domain.archive.audio import mp3_info, ogg_info
from reviewer.domain.archive.errors import WavError
from reviewer.domain.archive.wav import parse_wav
from reviewer.domain.model import Member


def digest_audio(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    data = box.pop()
    audio = member.audio
    if audio is None:
        return
    if audio.format == "ogg":
        member.audio = ogg_info(data, tail)
    elif audio.format == "wav":
        try:
            member.audio = parse_wav(data, total).info
        except WavError as exc:
            ctx.hazards.add("audio-malformed", member.path, f"{member.path}: {exc}")
    elif audio.format == "mp3":
        member.audio = mp3_info(data, total)
