"""Duration and format facts of compressed recordings (OGG Vorbis/Opus, MP3), from their bytes.

OGG: the first page's identification header gives the sample rate and channels; the last
page's granule position gives the samples played. MP3: the first frame header gives the rate
and bit rate; a Xing/Info header gives the frame count, else the bit rate and size give an
estimate. Anything unreadable leaves the duration unknown (None); it is never an error.
"""

from __future__ import annotations

import struct

from reviewer.domain.model import AudioInfo

OGG_TAIL = 1 << 16  # bytes kept from the end of an OGG stream to find its last page


def ogg_info(head: bytes, tail: bytes) -> AudioInfo:
    info = AudioInfo(format="ogg")
    if not head.startswith(b"OggS") or len(head) < 28:
        return info
    segments = head[26]
    body = 27 + segments
    packet = head[body : body + 64]
    rate = channels = 0
    preskip = 0
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        channels = packet[11]
        (rate,) = struct.unpack_from("<I", packet, 12)
        info.bits = None
    elif packet[:8] == b"OpusHead" and len(packet) >= 12:
        channels = packet[9]
        (preskip,) = struct.unpack_from("<H", packet, 10)
        rate = 48000  # Opus granules always count 48 kHz samples
    else:
        return info
    info.rate, info.channels = (rate or None), (channels or None)
    last = tail.rfind(b"OggS")
    while last >= 0 and last + 14 <= len(tail):
        (granule,) = struct.unpack_from("<q", tail, last + 6)
        if granule > 0 and rate:
            info.duration_s = round(max(0, granule - preskip) / rate, 3)
            break
        last = tail.rfind(b"OggS", 0, last)
    return info


_MP3_BITRATES = {  # (version 1?, layer) -> kbit/s by index
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_info(head: bytes, total: int) -> AudioInfo:
    info = AudioInfo(format="mp3")
    pos = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        size = 0
        for b in head[6:10]:
            size = (size << 7) | (b & 0x7F)
        pos = 10 + size
    # find the first frame sync within the head
    while pos + 4 <= len(head):
        if head[pos] == 0xFF and head[pos + 1] & 0xE0 == 0xE0:
            break
        pos += 1
    if pos + 4 > len(head):
        return info
    b1, b2, b3 = head[pos + 1], head[pos + 2], head[pos + 3]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_i, rate_i = b2 >> 4, (b2 >> 2) & 3
    if version == 1 or layer == 0 or bitrate_i in (0, 15) or rate_i == 3:
        return info
    v1 = version == 3
    rate = _MP3_RATES[version][rate_i]
    kbps = _MP3_BITRATES[(v1, 4 - layer)][bitrate_i]
    mono = (b3 >> 6) == 3
    info.rate, info.channels = rate, 1 if mono else 2
    samples = 384 if layer == 3 else (1152 if v1 or layer == 2 else 576)
    side = (17 if mono else 32) if v1 else (9 if mono else 17)
    xing = pos + 4 + side
    if head[xing : xing + 4] in (b"Xing", b"Info") and len(head) >= xing + 12:
        (flags,) = struct.unpack_from(">I", head, xing + 4)
        if flags & 1:
            (frames,) = struct.unpack_from(">I", head, xing + 8)
            info.duration_s = round(frames * samples / rate, 3)
            return info
    if kbps:
        info.duration_s = round((total - pos) * 8 / (kbps * 1000), 3)
    return info
