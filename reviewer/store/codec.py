"""Store an export index (without member texts) as JSON, and rebuild it for the review screen.

Members, recordings and transcript entries are kept as rows of values under a list of field
names (``{"fields": [...], "rows": [[...], ...]}``) rather than one object per item: an export
can hold 100,000 members, and repeating every key would double the stored size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reviewer.domain.archive.tabular import split_device
from reviewer.domain.model import (
    AudioInfo,
    ExportIndex,
    Finding,
    Member,
    MemberKind,
    Recording,
    TranscriptEntry,
    jsonable,
)

FORMAT = 2
MEMBER_FIELDS = (
    "path", "declared_size", "compressed_size", "kind", "type_label", "read_bytes", "sha256",
    "readable", "audio",
)  # fmt: skip
AUDIO_FIELDS = ("format", "duration_s", "rate", "channels", "bits")
RECORDING_FIELDS = (
    "utterance_id", "timestamp", "customer_id", "device_serial", "device_type", "audio_member",
    "transcript", "source_member",
)  # fmt: skip
TRANSCRIPT_FIELDS = ("timestamp", "timestamp_text", "device_serial", "utterance_id", "text", "page")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def index_to_json(index: ExportIndex) -> dict[str, Any]:
    members = [
        [
            m.path,
            m.declared_size,
            m.compressed_size,
            m.kind.value,
            m.type_label,
            m.read_bytes,
            m.sha256,
            m.readable,
            None
            if m.audio is None
            else [m.audio.format, m.audio.duration_s, m.audio.rate, m.audio.channels, m.audio.bits],
        ]
        for m in index.members
    ]
    recordings = [
        [
            r.utterance_id,
            _iso(r.timestamp),
            r.customer_id,
            r.device_serial,
            r.device_type,
            r.audio_member,
            r.transcript,
            r.source_member,
        ]
        for r in index.recordings
    ]
    transcripts = [
        [_iso(t.timestamp), t.timestamp_text, t.device_serial, t.utterance_id, t.text, t.page]
        for t in index.transcripts
    ]
    return {
        "format": FORMAT,
        "archive_path": index.archive_path,
        "archive_sha256": index.archive_sha256,
        "archive_bytes": index.archive_bytes,
        "members": {
            "fields": list(MEMBER_FIELDS),
            "audio_fields": list(AUDIO_FIELDS),
            "rows": members,
        },
        "read_findings": [f.to_dict() for f in index.read_findings],
        "manifest": jsonable(index.manifest),
        "manifest_member": index.manifest_member,
        "profile": jsonable(index.profile),
        "recordings": {"fields": list(RECORDING_FIELDS), "rows": recordings},
        "transcripts": {"fields": list(TRANSCRIPT_FIELDS), "rows": transcripts},
        "transcript_member": index.transcript_member,
        "table_members": sorted(index.tables),
        "texts_truncated": list(index.texts_truncated),
    }


def index_from_json(data: dict[str, Any]) -> ExportIndex:
    kinds = {k.value: k for k in MemberKind}
    members = [
        Member(
            path,
            declared,
            compressed,
            kinds[kind],
            label,
            read,
            sha,
            bool(readable),
            AudioInfo(*audio) if audio else None,
        )
        for path, declared, compressed, kind, label, read, sha, readable, audio in _rows(
            data.get("members"), MEMBER_FIELDS
        )
    ]
    recordings = [  # an index stored before devices given as objects were split gets them split
        Recording(uid, _dt(ts), cid, *split_device(serial or "", dtype or ""), audio, text, source)
        for uid, ts, cid, serial, dtype, audio, text, source in _rows(
            data.get("recordings"), RECORDING_FIELDS
        )
    ]
    transcripts = [
        TranscriptEntry(_dt(ts), ts_text, serial, uid, text, int(page))
        for ts, ts_text, serial, uid, text, page in _rows(
            data.get("transcripts"), TRANSCRIPT_FIELDS
        )
    ]
    return ExportIndex(
        archive_path=data["archive_path"],
        archive_sha256=data["archive_sha256"],
        archive_bytes=int(data["archive_bytes"]),
        members=members,
        read_findings=[Finding.from_dict(f) for f in data.get("read_findings", [])],
        manifest=data.get("manifest"),
        manifest_member=data.get("manifest_member"),
        profile=data.get("profile"),
        recordings=recordings,
        transcripts=transcripts,
        transcript_member=data.get("transcript_member"),
        texts_truncated=list(data.get("texts_truncated", [])),
    )


def audio_member(data: dict[str, Any], path: str) -> tuple[bool, float | None]:
    """From a stored index, without building it: whether `path` is an audio member, and its
    length in seconds when the reader could tell."""
    for row in _rows(data.get("members"), MEMBER_FIELDS):
        if row[0] == path:
            audio = row[-1]
            duration = audio[1] if audio else None
            return row[3] == "audio", None if duration is None else float(duration)
    return False, None


def _rows(block: Any, fields: tuple[str, ...]) -> list[list[Any]]:
    """Rows in `fields` order, from the row format or from one object per item."""
    if not block:
        return []
    if isinstance(block, dict):
        stored = block["fields"]
        if tuple(stored) == fields:
            rows: list[list[Any]] = block["rows"]
        else:
            at = [stored.index(f) if f in stored else None for f in fields]
            rows = [[r[i] if i is not None else None for i in at] for r in block["rows"]]
        return rows
    out = []
    for item in block:  # one object per item
        row = [item.get(f) for f in fields]
        if fields is MEMBER_FIELDS and isinstance(row[-1], dict):
            row[-1] = [row[-1].get(f) for f in AUDIO_FIELDS]
        out.append(row)
    return out


def purged_index(data: dict[str, Any]) -> dict[str, Any]:
    """A stored index with nothing of the export's content left (`reviewer.domain.retention`):
    no member, recording, transcript, manifest, profile or finding text; the archive's hash and
    size stay. It loads as an empty export."""
    return {
        "format": FORMAT,
        "archive_path": "",
        "archive_sha256": data.get("archive_sha256", ""),
        "archive_bytes": int(data.get("archive_bytes") or 0),
        "members": {"fields": list(MEMBER_FIELDS), "audio_fields": list(AUDIO_FIELDS), "rows": []},
        "read_findings": [],
        "manifest": None,
        "manifest_member": None,
        "profile": None,
        "recordings": {"fields": list(RECORDING_FIELDS), "rows": []},
        "transcripts": {"fields": list(TRANSCRIPT_FIELDS), "rows": []},
        "transcript_member": None,
        "table_members": [],
        "texts_truncated": [],
        "purged": True,
    }


def index_counts(data: dict[str, Any]) -> dict[str, int]:
    """How many members, recordings and transcript entries a stored index holds."""
    return {
        what: len(_rows(data.get(what), fields))
        for what, fields in (
            ("members", MEMBER_FIELDS),
            ("recordings", RECORDING_FIELDS),
            ("transcripts", TRANSCRIPT_FIELDS),
        )
    }
