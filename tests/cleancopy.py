"""The clean sample export with members changed, written as a real request folder.

`review_changed` copies `sample_archives/clean` (its ticket, possibly edited) and rewrites
its export.zip with `zipfile`, the manifest's sizes and hashes made to fit the new members,
so that what a test changes is judged on its content, not as tampering.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reviewer.archive.review import review_request
from reviewer.domain.review import Review

SAMPLES = Path(__file__).resolve().parents[1] / "sample_archives"
CLEAN = SAMPLES / "clean"


def sample_members(sample: str) -> dict[str, bytes]:
    """The members of `sample_archives/<sample>/export.zip`, name -> bytes."""
    with zipfile.ZipFile(SAMPLES / sample / "export.zip") as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def sample_ticket(sample: str) -> dict[str, Any]:
    """The parsed `sample_archives/<sample>/request.json`."""
    ticket: dict[str, Any] = json.loads((SAMPLES / sample / "request.json").read_text())
    return ticket


def clean_members() -> dict[str, bytes]:
    return sample_members("clean")


def clean_ticket() -> dict[str, Any]:
    return sample_ticket("clean")


VOICE_HISTORY_FIELDS = (
    "utterance_id",
    "timestamp",
    "customer_id",
    "device_serial",
    "device_type",
    "audio_file",
    "transcript",
)


def voice_history_text(rows: list[list[str]]) -> str:
    """A voice history CSV of `rows` under the clean sample's header."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(VOICE_HISTORY_FIELDS)
    writer.writerows(rows)
    return buf.getvalue()


def voice_history_rows() -> list[list[str]]:
    """The clean voice history's rows (no cell holds a comma)."""
    text = clean_members()["Alexa/VoiceHistory.csv"].decode()
    return [line.split(",", 6) for line in text.splitlines()[1:]]


def changed(
    members: dict[str, bytes], changes: Mapping[str, bytes | str | None]
) -> dict[str, bytes]:
    """`members` with `changes` made (member -> new bytes or text, None: removed)."""
    for path, data in changes.items():
        if data is None:
            members.pop(path, None)
        else:
            members[path] = data.encode() if isinstance(data, str) else data
    return members


def review_changed(
    tmp_path: Path,
    changes: Mapping[str, bytes | str | None],
    ticket: dict[str, Any] | None = None,
) -> Review:
    """Review the clean export with `changes` (member -> new bytes or text, None: removed)."""
    members = changed(clean_members(), changes)
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = [
        {"path": p, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(members.items())
        if p != "manifest.json"
    ]
    members["manifest.json"] = json.dumps(manifest, indent=2).encode()
    return review_members(tmp_path, members, ticket)


def review_members(
    tmp_path: Path, members: Mapping[str, bytes], ticket: dict[str, Any] | None = None
) -> Review:
    """Review an export of exactly `members` (in their order, deflated) for `ticket` (the
    clean sample's by default), its folder made in `tmp_path`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in members.items():
            z.writestr(path, data)
    folder = tmp_path / "DSAR-2018-0398"
    folder.mkdir()
    (folder / "export.zip").write_bytes(buf.getvalue())
    (folder / "request.json").write_text(json.dumps(ticket or clean_ticket()))
    return review_request(folder)
