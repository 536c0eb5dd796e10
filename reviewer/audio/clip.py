"""A decoded recording ready to play or draw: raw PCM plus its format.

`Clip.from_member(data, name)` decodes a recording member: WAV bytes go through
`Clip.from_wav` (every variant the export contract lists, through the archive reader's RIFF
walker), everything else (Ogg Vorbis/Opus, MP3, FLAC, a WAV that walker does not lay out,
any format libsndfile reads) through `soundfile`, into PCM that ALSA plays; `peaks(clip, n)`
gives the min/max envelope a waveform display draws, one pair per column.
"""

from __future__ import annotations

import io
import sys
from array import array
from dataclasses import dataclass

from reviewer.domain.errors import ReviewerError, first_line

# Decoded PCM of a compressed recording is capped (a small Ogg can claim hours of audio).
MAX_DECODED_BYTES = 256 * 1024 * 1024
_DECODE_BLOCK_FRAMES = 1 << 16
_WAV_MAGIC = (b"RIFF", b"RIFX", b"RF64")
_FLOAT_SUBTYPES = ("FLOAT", "DOUBLE")


class ClipError(ReviewerError):
    """The bytes are not a playable recording; the message is one plain line."""


@dataclass(frozen=True, slots=True)
class Clip:
    """Interleaved little-endian PCM (8-bit unsigned, 16/24/32-bit signed)."""

    pcm: bytes
    rate: int
    channels: int
    bits: int

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ClipError(f"sample rate {self.rate} Hz cannot be played")
        if self.channels <= 0:
            raise ClipError(f"{self.channels} channels cannot be played")
        if self.bits not in (8, 16, 24, 32):
            raise ClipError(f"{self.bits}-bit samples cannot be played")

    @property
    def frame_bytes(self) -> int:
        return self.channels * (self.bits // 8)

    @property
    def frames(self) -> int:
        return len(self.pcm) // self.frame_bytes

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate

    def tail(self, start_s: float) -> bytes:
        """The PCM from `start_s` on, cut on a frame boundary."""
        frame = min(max(int(start_s * self.rate), 0), self.frames)
        return self.pcm[frame * self.frame_bytes : self.frames * self.frame_bytes]

    @classmethod
    def from_member(cls, data: bytes, name: str) -> Clip:
        """Decode a recording member's bytes, whatever its format: WAV (by its RIFF header)
        through `from_wav`, anything else (and a WAV the parser does not lay out: RIFX, RF64,
        A-law, µ-law, 64-bit float) through libsndfile (`soundfile`) into 16-bit PCM. A WAV
        that libsndfile cannot read either keeps the WAV parser's reason.
        Raises `ClipError` with one line when the bytes cannot be played."""
        if data[:4] == b"RIFF":
            try:
                return cls.from_wav(data)
            except ClipError as exc:
                wav_reason = exc
            try:  # a WAV the parser does not lay out (A-law, 64-bit float, ...)
                return cls.from_encoded(data)
            except ClipError:
                raise wav_reason from None
        try:
            return cls.from_encoded(data)
        except ClipError:
            if name.lower().endswith(".wav") and data[:4] not in _WAV_MAGIC:
                return cls.from_wav(data)
            raise

    @classmethod
    def from_encoded(cls, data: bytes) -> Clip:
        """Decode compressed audio (Ogg Vorbis/Opus, MP3, FLAC, ...) with libsndfile into
        16-bit PCM, keeping at most the first two channels."""
        if not data:
            raise ClipError("not a playable audio file: the file is empty")
        try:
            import soundfile
        except (ImportError, OSError) as exc:  # OSError: libsndfile itself is missing
            raise ClipError(f"not a playable audio file: no decoder ({first_line(exc)})") from None

        chunks: list[bytes] = []
        size = 0
        try:
            with soundfile.SoundFile(io.BytesIO(data)) as sound:
                rate, channels = int(sound.samplerate), int(sound.channels)
                keep = min(channels, 2)
                # libsndfile gives float samples to an integer read unscaled (0.5 becomes
                # 0): those are read as floats and scaled here
                floats = sound.subtype in _FLOAT_SUBTYPES
                while True:
                    if floats:
                        samples = sound.read(_DECODE_BLOCK_FRAMES, dtype="float32", always_2d=True)
                        block = (samples[:, :keep].clip(-1.0, 1.0) * 32767).astype("<i2")
                    else:
                        block = sound.read(_DECODE_BLOCK_FRAMES, dtype="int16", always_2d=True)
                        block = block[:, :keep]
                    if not len(block):
                        break
                    pcm = block.astype("<i2", copy=False).tobytes()
                    size += len(pcm)
                    if size > MAX_DECODED_BYTES:
                        raise ClipError(
                            "not a playable audio file: it decodes to more than "
                            f"{MAX_DECODED_BYTES // (1024 * 1024)} MiB of sound"
                        )
                    chunks.append(pcm)
        except ClipError:
            raise
        except Exception as exc:  # libsndfile and its Python binding raise several kinds
            reason = getattr(exc, "error_string", "") or first_line(exc)
            raise ClipError(f"not a playable audio file: {_one_line(reason)}") from None
        if rate <= 0 or keep <= 0:
            raise ClipError("not a playable audio file: the header gives no usable format")
        if not size:  # e.g. an Ogg stream cut before its first audio page
            raise ClipError("not a playable audio file: no sound could be decoded from it")
        return cls(pcm=b"".join(chunks), rate=rate, channels=keep, bits=16)

    @classmethod
    def from_wav(cls, data: bytes) -> Clip:
        """Decode WAV bytes (PCM or 32-bit float, any of the export's header variants) into
        a clip ALSA can play: float becomes 16-bit PCM and more than two channels keep the
        first two. Raises `ClipError` with one line when the bytes cannot be played."""
        from reviewer.domain.archive.wav import WAVE_FORMAT_IEEE_FLOAT, parse_wav

        try:
            layout = parse_wav(data)
        except ReviewerError as exc:
            raise ClipError(f"not a playable WAV file: {exc}") from None
        info = layout.info
        if not info.rate or not info.channels or not info.bits:
            raise ClipError("the WAV header gives no usable format")
        pcm = data[layout.data_offset : layout.data_offset + layout.data_bytes]
        # samples are as wide as they are stored (12-bit audio plays as the 16-bit samples
        # it is stored in, most significant bits first)
        bits, channels = 8 * layout.sample_bytes, info.channels
        if layout.encoding == WAVE_FORMAT_IEEE_FLOAT:
            pcm, bits = float_to_pcm16(pcm), 16
        if channels > 2:
            pcm, channels = first_two_channels(pcm, channels, bits // 8), 2
        return cls(pcm=pcm, rate=info.rate, channels=channels, bits=bits)


def _one_line(text: str) -> str:
    """The first line of `text`, without a trailing full stop."""
    lines = str(text).strip().splitlines()
    return (lines[0].strip() if lines else "unknown error").rstrip(".") or "unknown error"


def float_to_pcm16(pcm: bytes) -> bytes:
    """32-bit float samples (-1.0 to 1.0, clipped beyond) as 16-bit signed PCM."""
    floats = array("f", pcm[: len(pcm) - len(pcm) % 4])
    if sys.byteorder == "big":
        floats.byteswap()
    out = array("h", (int(max(-1.0, min(1.0, v)) * 32767) for v in floats))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def first_two_channels(pcm: bytes, channels: int, width: int) -> bytes:
    """Keep channels 0 and 1 of interleaved frames (ALSA plays mono or stereo here)."""
    frame = channels * width
    frames = len(pcm) // frame
    view = memoryview(pcm)
    if width in (1, 2, 4):
        code = {1: "B", 2: "H", 4: "I"}[width]
        samples = array(code)
        samples.frombytes(view[: frames * frame])
        out = array(code, bytes(frames * 2 * width))
        out[0::2] = samples[0::channels]
        out[1::2] = samples[1::channels]
        return out.tobytes()
    return b"".join(view[i * frame : i * frame + 2 * width] for i in range(frames))


def _samples(clip: Clip) -> tuple[array[int], float, float]:
    """All samples as an array, with the offset and scale that map them into [-1, 1]."""
    pcm = clip.pcm[: clip.frames * clip.frame_bytes]
    if clip.bits == 8:
        return array("B", pcm), 128.0, 128.0
    if clip.bits == 24:
        # The most significant byte of each sample is plenty for an envelope.
        return array("b", pcm[2::3]), 0.0, 128.0
    samples = array("h" if clip.bits == 16 else "i", pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples, 0.0, float(2 ** (clip.bits - 1))


def peaks(clip: Clip, columns: int) -> list[tuple[float, float]]:
    """Min and max of the signal in each of `columns` equal slices, scaled to [-1, 1].

    Channels are interleaved, so each slice covers every channel. A clip shorter than
    `columns` frames still gives `columns` pairs (the same frames repeat).
    """
    if columns <= 0 or clip.frames == 0:
        return [(0.0, 0.0)] * max(columns, 0)
    samples, offset, scale = _samples(clip)
    per_frame = clip.channels
    out: list[tuple[float, float]] = []
    frames = clip.frames
    for col in range(columns):
        lo_f = col * frames // columns
        hi_f = max((col + 1) * frames // columns, lo_f + 1)
        chunk = samples[lo_f * per_frame : hi_f * per_frame]
        lo = (min(chunk) - offset) / scale
        hi = (max(chunk) - offset) / scale
        out.append((max(-1.0, lo), min(1.0, hi)))
    return out
