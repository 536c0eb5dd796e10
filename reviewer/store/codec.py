"""Store an export index (without member texts) as JSON, and rebuild it for the review screen."""

from __future__ import annotations

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
from reviewer.domain.request import parse_datetime


def index_to_json(index: ExportIndex) -> dict[str, Any]:
    return {
        "archive_path": index.archive_path,
        "archive_sha256": index.archive_sha256,
        "archive_bytes": index.archive_bytes,
        "members": jsonable(index.members),
        "read_findings": [f.to_dict() for f in index.read_findings],
        "manifest": jsonable(index.manifest),
        "manifest_member": index.manifest_member,
        "profile": jsonable(index.profile),
        "recordings": jsonable(index.recordings),
        "transcripts": jsonable(index.transcripts),
        "transcript_member": index.transcript_member,
        "table_members": sorted(index.tables),
        "texts_truncated": list(index.texts_truncated),
    }


def index_from_json(data: dict[str, Any]) -> ExportIndex:
    members = []
    for m in data.get("members", []):
        audio = m.get("audio")
        members.append(
            Member(
                path=m["path"],
                declared_size=int(m["declared_size"]),
                compressed_size=int(m["compressed_size"]),
                kind=MemberKind(m["kind"]),
                type_label=m["type_label"],
                read_bytes=m.get("read_bytes"),
                sha256=m.get("sha256"),
                readable=bool(m.get("readable")),
                audio=AudioInfo(**audio) if audio else None,
            )
        )
    recordings = [
        Recording(
            utterance_id=r["utterance_id"],
            timestamp=parse_datetime(r.get("timestamp")),
            customer_id=r["customer_id"],
            device_serial=r["device_serial"],
            device_type=r["device_type"],
            audio_member=r["audio_member"],
            transcript=r["transcript"],
            source_member=r["source_member"],
        )
        for r in data.get("recordings", [])
    ]
    transcripts = [
        TranscriptEntry(
            timestamp=parse_datetime(t.get("timestamp")),
            timestamp_text=t["timestamp_text"],
            device_serial=t["device_serial"],
            utterance_id=t["utterance_id"],
            text=t["text"],
            page=int(t["page"]),
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
