"""An export that is one part of a split (multi-disk) archive: the last part holds the central
directory, the parts before it the members' bytes. Read alone it is cut off, and says so in
words, rather than as members whose headers are missing or overlap.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from reviewer.archive import Limits, read_export

EOCD_SIG = b"PK\x05\x06"


def _last_part(disk: int) -> bytes:
    """A real archive whose end record says it is part `disk + 1` of a split archive, with
    the central directory on that disk, as `zip -s` writes the last part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Alexa/VoiceHistory.csv", "utterance_id,timestamp\n" * 50)
        z.writestr("Account/Profile.json", '{"customer_id": "A1QH7RZ3N8VW2E"}')
    data = bytearray(buf.getvalue())
    at = data.rfind(EOCD_SIG)
    struct.pack_into("<HH", data, at + 4, disk, disk)
    return bytes(data)


def test_the_last_part_of_a_split_archive_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(_last_part(2))
    index = read_export(path, Limits())
    [f] = index.read_findings
    assert f.code == "zip-truncated"
    assert "last part of a split archive (part 3)" in f.detail


def test_a_split_part_nested_in_the_export_is_named(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("Archive/old.zip", _last_part(1))
    path = tmp_path / "export.zip"
    path.write_bytes(buf.getvalue())
    index = read_export(path, Limits())
    found = {(f.code, f.members) for f in index.read_findings}
    assert ("zip-truncated", ("Archive/old.zip",)) in found
    [f] = [f for f in index.read_findings if f.code == "zip-truncated"]
    assert "split archive (part 2)" in f.detail


def test_an_ordinary_archive_says_nothing_of_parts(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(_last_part(0))
    index = read_export(path, Limits())
    assert not [f for f in index.read_findings if f.code.startswith("zip-")]
