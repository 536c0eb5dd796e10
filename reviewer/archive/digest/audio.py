"""Recordings: format, duration, rate and channels from the head of the stream (and, for
OGG, its last bytes). A WAV the parser does not lay out is asked of libsndfile; one that
neither can read is a finding."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.archive.digest.sndfile import sndfile_info
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
            try:
                member.audio = sndfile_info(data, total)
            except WavError as other:
                why = str(exc) if str(other) == str(exc) else f"{exc} ({other})"
                ctx.hazards.add("audio-malformed", member.path, f"{member.path}: {why}")
    elif audio.format == "mp3":
        member.audio = mp3_info(data, total)
