"""Store an export index (without member texts) as JSON, and rebuild it for the review screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def index_to_json(index: ExportIndex) -> dict[str, Any]:
    """The index as plain JSON (written field by field: exports hold 100,000 members)."""
    members = []
    for m in index.members:
        a = m.audio
        members.append(
            {
                "path": m.path,
                "declared_size": m.declared_size,
                "compressed_size": m.compressed_size,
                "kind": m.kind.value,
                "type_label": m.type_label,
                "read_bytes": m.read_bytes,
                "sha256": m.sha256,
                "readable": m.readable,
                "audio": None
                if a is None
                else {
                    "format": a.format,
                    "duration_s": a.duration_s,
                    "rate": a.rate,
                    "channels": a.channels,
                    "bits": a.bits,
                },
            }
        )
    return {
        "archive_path": index.archive_path,
        "archive_sha256": index.archive_sha256,
        "archive_bytes": index.archive_bytes,
        "members": members,
        "read_findings": [f.to_dict() for f in index.read_findings],
        "manifest": jsonable(index.manifest),
        "manifest_member": index.manifest_member,
        "profile": jsonable(index.profile),
        "recordings": [
            {
                "utterance_id": r.utterance_id,
                "timestamp": _iso(r.timestamp),
                "customer_id": r.customer_id,
                "device_serial": r.device_serial,
                "device_type": r.device_type,
                "audio_member": r.audio_member,
                "transcript": r.transcript,
                "source_member": r.source_member,
            }
            for r in index.recordings
        ],
        "transcripts": [
            {
                "timestamp": _iso(t.timestamp),
                "timestamp_text": t.timestamp_text,
                "device_serial": t.device_serial,
                "utterance_id": t.utterance_id,
                "text": t.text,
                "page": t.page,
            }
            for t in index.transcripts
        ],
        "transcript_member": index.transcript_member,
        "table_members": sorted(index.tables),
        "texts_truncated": list(index.texts_truncated),
    }


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def index_from_json(data: dict[str, Any]) -> ExportIndex:
    kinds = {k.value: k for k in MemberKind}
    members = [
        Member(
            m["path"],
            m["declared_size"],
            m["compressed_size"],
            kinds[m["kind"]],
            m["type_label"],
            m.get("read_bytes"),
            m.get("sha256"),
            bool(m.get("readable")),
            AudioInfo(**m["audio"]) if m.get("audio") else None,
        )
        for m in data.get("members", [])
    ]
    recordings = [
        Recording(
            r["utterance_id"],
            _dt(r.get("timestamp")),
            r["customer_id"],
            r["device_serial"],
            r["device_type"],
            r["audio_member"],
            r["transcript"],
            r["source_member"],
        )
        for r in data.get("recordings", [])
    ]
    transcripts = [
        TranscriptEntry(
            _dt(t.get("timestamp")),
            t["timestamp_text"],
            t["device_serial"],
            t["utterance_id"],
            t["text"],
            int(t["page"]),
        )
        for t in data.get("transcripts", [])
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
