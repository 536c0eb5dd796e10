"""Recordings: format, duration, rate and channels from the head of the stream (and, for
OGG, its last bytes). A WAV the parser does not lay out is asked of libsndfile; one that
neither can read is a finding, and so is an MP3, Ogg or FLAC recording whose bytes are not
that format or are cut too short for any duration (`reviewer.domain.archive.audio.hear`). A WAV's LIST/INFO tags, an MP3's ID3 tags and the Vorbis
comments of an Ogg or FLAC recording (`reviewer.domain.archive.tags`) are kept as its text,
for the identity scan; so is the whole of a member named as a recording whose bytes are text (a table or a
document saved under a recording's name), which is read like any text member."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.archive.digest.sndfile import sndfile_info
from reviewer.archive.digest.text import keep_text
from reviewer.domain.archive.audio import hear
from reviewer.domain.archive.errors import WavError
from reviewer.domain.archive.sniff import looks_like_text, wide_text
from reviewer.domain.archive.tabular import decode_text
from reviewer.domain.archive.tags import audio_tags
from reviewer.domain.archive.wav import wav_info, wav_tags
from reviewer.domain.model import Member

TEXT_SNIFF = 4096  # first bytes that tell text from a recording


def digest_audio(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    data = box.pop()
    audio = member.audio
    if audio is None:
        return
    head = data[:TEXT_SNIFF]
    # no recording's bytes are text (a format whose head is not kept has none to look at)
    if head and (looks_like_text(head) or wide_text(head) is not None):
        keep_text(ctx, member.path, decode_text(data), len(data) < total)
    if audio.format in ("mp3", "ogg", "flac") and head:
        found = audio_tags(audio.format, data, tail, len(data) >= total)
        if found.lines or found.cut:  # names, ids and addresses a tagger wrote into the file
            keep_text(ctx, member.path, found.text, found.cut)
    if audio.format in ("mp3", "ogg", "flac"):
        heard = hear(audio.format, data, tail, total)
        member.audio = heard.info
        if heard.problem:
            ctx.hazards.add("audio-malformed", member.path, f"{member.path}: {heard.problem}")
    elif audio.format == "wav":
        tags = wav_tags(data)
        if tags:  # names, ids and addresses a recorder or pipeline wrote into the file
            keep_text(ctx, member.path, tags, False)
        try:
            member.audio = wav_info(data, total)
        except WavError as exc:
            try:
                member.audio = sndfile_info(data, total)
            except WavError as other:
                why = str(exc) if str(other) == str(exc) else f"{exc} ({other})"
                ctx.hazards.add("audio-malformed", member.path, f"{member.path}: {why}")
