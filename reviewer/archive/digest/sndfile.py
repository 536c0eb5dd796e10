"""A recording's facts as libsndfile reads them, from the head the reader keeps.

The WAV parser lays out the common recordings; what it refuses (RIFX, RF64, A-law, µ-law,
64-bit float, block layouts it does not know) is asked of libsndfile (`soundfile`) before it is
called malformed. libsndfile reads a virtual file: the kept head of the recording, at the
member's full length. It takes a recording's length from its header and the file's length, so
a recording longer than the head keeps its true duration (a cut one, the duration of the
bytes present); reads past the head find nothing, as at the end of a file, so libsndfile
never walks invented bytes looking for chunks. Only the header is read, nothing is decoded,
and the facts are judged by the bounds any recording keeps (`SOUND_MAX_CHANNELS`, the
`SOUND_*_RATE`s: an absurd header is refused before libsndfile sees it), so a hostile header is
still malformed, while 16 channels or 768 kHz, which libsndfile reads, are not.
"""

from __future__ import annotations

from reviewer.domain.archive.errors import WavError
from reviewer.domain.archive.wav import (
    SOUND_MAX_CHANNELS,
    SOUND_MAX_RATE,
    SOUND_MIN_RATE,
    WAVE_FORMAT_PCM,
    WavHeader,
    wav_header,
)
from reviewer.domain.model import AudioInfo

# bits per sample of libsndfile's sub-types, for a recording without a WAV header to say it
_SUBTYPE_BITS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
    "ULAW": 8,
    "ALAW": 8,
}
_WAV_FORMATS = ("WAV", "WAVEX", "RF64", "W64")
MAX_FRAMES_PER_BYTE = 8  # no coding libsndfile reads packs more sound into a byte but MPEG:
# MPEG audio in a WAV (format 0x0055, as some recorders and converters write it) at its lowest
# bit rate, 8 kbit/s at 24 kHz, holds 24 frames a byte, and libsndfile times such a stream by
# the file's size
MPEG_FRAMES_PER_BYTE = 32
_MPEG = frozenset(("MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"))


class HeadFile:
    """A file of `size` bytes whose first bytes are `head`; the rest reads as nothing.

    The calls libsndfile makes through it never raise: a seek lands in [0, size]."""

    def __init__(self, head: bytes, size: int) -> None:
        self._head = memoryview(head)
        self._size = max(size, len(head))
        self._pos = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = self._pos if whence == 1 else self._size if whence == 2 else 0
        self._pos = min(max(base + offset, 0), self._size)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buf: memoryview) -> int:
        piece = self._head[self._pos : self._pos + len(buf)]
        n = len(piece)
        buf[:n] = piece
        self._pos += n
        return n

    def read(self, n: int = -1) -> bytes:
        end = len(self._head) if n < 0 else self._pos + n
        piece = bytes(self._head[self._pos : end])
        self._pos += len(piece)
        return piece


def _judge(channels: int, rate: int) -> None:
    if not 1 <= channels <= SOUND_MAX_CHANNELS:
        raise WavError(f"absurd channel count {channels}")
    if not SOUND_MIN_RATE <= rate <= SOUND_MAX_RATE:
        raise WavError(f"absurd sample rate {rate} Hz")


def sndfile_info(head: bytes, total: int) -> AudioInfo:
    """Duration, rate, channels and bits of the recording whose first bytes are `head` and
    whose full size is `total`, as libsndfile reads them; `WavError` with what is absurd in
    its header, or with libsndfile's reason when it cannot read it."""
    try:
        header: WavHeader | None = wav_header(head)
    except WavError:
        header = None  # not a WAV header: libsndfile may still know the format
    if header is not None:  # absurd values are refused before libsndfile sees them
        _judge(header.channels, header.rate)
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: libsndfile itself is missing
        raise WavError(f"no decoder for other formats ({type(exc).__name__})") from None
    try:
        with soundfile.SoundFile(HeadFile(head, total)) as sound:
            frames, rate = int(sound.frames), int(sound.samplerate)
            channels, subtype, major = int(sound.channels), sound.subtype, sound.format
    except Exception as exc:  # noqa: BLE001 - libsndfile and its binding raise several kinds
        lines = str(getattr(exc, "error_string", "") or exc).strip().splitlines()
        raise WavError(f"libsndfile: {lines[0].rstrip('.') if lines else 'unreadable'}") from None
    _judge(channels, rate)
    most = MPEG_FRAMES_PER_BYTE if subtype in _MPEG else MAX_FRAMES_PER_BYTE
    if not 0 <= frames <= most * total:
        raise WavError(f"its header claims {frames:,} frames in {total:,} bytes")
    bits = _SUBTYPE_BITS.get(subtype)
    if header is not None:
        stated = header.valid_bits if header.encoding == WAVE_FORMAT_PCM else header.bits
        bits = stated or bits
    return AudioInfo(
        format="wav" if major in _WAV_FORMATS else str(major).lower(),
        duration_s=round(frames / rate, 3),
        rate=rate,
        channels=channels,
        bits=bits,
    )
