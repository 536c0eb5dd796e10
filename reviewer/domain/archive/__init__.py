"""What the bytes of export members mean, without any I/O: the pure side of archive reading.

The archive itself (the ZIP container, limits, hazards, the PDF child process) is read by
the adapter `reviewer.archive`, which hands member bytes to the parsers here:

- `sniff`: what a member is, from its first bytes and its name;
- `wav`: a WAV recording's header (`wav_header`) and layout (`parse_wav`, `decode_wav`,
  `wav_info`);
- `audio`: duration and format facts of OGG and MP3 recordings;
- `tabular`: text decoding, CSV and JSON tables, the voice history's recordings;
- `spreadsheet`: an .xlsx workbook's worksheets as tables, from its parts' texts;
- `catalogue`: the transcript catalogue, from the transcript PDF's text;
- `errors`: `ArchiveError` (a member cannot be read safely) and `WavError`.
"""

from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.wav import decode_wav, parse_wav, wav_info

__all__ = ["ArchiveError", "WavError", "decode_wav", "parse_wav", "wav_info"]
