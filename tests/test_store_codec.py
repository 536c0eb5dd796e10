"""An export index survives the trip into the store and back (JSON, as the database keeps it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from reviewer.domain.model import (
    AudioInfo,
    ExportIndex,
    Finding,
    Member,
    MemberKind,
    Recording,
    Severity,
    TranscriptEntry,
)
from reviewer.store.codec import index_from_json, index_to_json


def test_index_round_trip_keeps_every_field() -> None:
    cet = timezone(timedelta(hours=1))
    index = ExportIndex(
        archive_path="/inbox/DSAR-1/export.zip",
        archive_sha256="0f" * 32,
        archive_bytes=123456,
        members=[
            Member(
                "Alexa/Audio/a.wav",
                100,
                90,
                MemberKind.AUDIO,
                "WAV audio",
                100,
                "ab" * 32,
                True,
                AudioInfo("wav", 2.25, 16000, 1, 16),
            ),
            Member(
                "nested.zip!inner/ü.csv", 5, 7, MemberKind.CSV, "CSV table", None, None, False, None
            ),
            Member(
                "Alexa/Audio/b.mp3",
                9,
                9,
                MemberKind.AUDIO,
                "MP3 audio",
                9,
                None,
                True,
                AudioInfo("mp3"),
            ),
        ],
        read_findings=[
            Finding("zip-traversal", Severity.CRITICAL, "Path traversal", "d", ("../x",))
        ],
        manifest={"files": [{"path": "a", "bytes": 1}]},
        manifest_member="manifest.json",
        profile={"customer_id": "C1", "name": "Jonas"},
        recordings=[
            Recording(
                "u1",
                datetime(2018, 3, 1, 12, tzinfo=UTC),
                "C1",
                "DEV",
                "Echo",
                "Alexa/Audio/a.wav",
                "hallo",
                "Alexa/VoiceHistory.csv",
            ),
            Recording("u2", None, "C2", "", "", "", "", "other.json"),
        ],
        transcripts=[
            TranscriptEntry(
                datetime(2018, 3, 1, 13, tzinfo=cet), "2018-03-01 13:00", "DEV", "u1", "hallo", 2
            ),
            TranscriptEntry(None, "garbled", "", "", "text", 1),
        ],
        transcript_member="Alexa/Transcripts.pdf",
        texts_truncated=["big.csv"],
    )
    stored = json.loads(json.dumps(index_to_json(index)))
    back = index_from_json(stored)
    assert back.members == index.members
    assert back.recordings == index.recordings
    assert back.transcripts == index.transcripts
    assert back.transcripts[0].timestamp is not None and back.transcripts[
        0
    ].timestamp.utcoffset() == timedelta(hours=1)
    assert back.read_findings == index.read_findings
    assert (back.manifest, back.manifest_member, back.profile) == (
        index.manifest,
        "manifest.json",
        index.profile,
    )
    assert (back.archive_path, back.archive_sha256, back.archive_bytes) == (
        index.archive_path,
        index.archive_sha256,
        index.archive_bytes,
    )
    assert back.transcript_member == index.transcript_member and back.texts_truncated == ["big.csv"]


def test_an_index_stored_one_object_per_item_still_reads() -> None:
    from reviewer.domain.model import jsonable

    index = ExportIndex(
        archive_path="/x/export.zip",
        archive_sha256="0f" * 32,
        archive_bytes=10,
        members=[
            Member(
                "a.wav",
                1,
                1,
                MemberKind.AUDIO,
                "WAV audio",
                1,
                None,
                True,
                AudioInfo("wav", 1.0, 8000, 1, 8),
            )
        ],
        recordings=[
            Recording(
                "u1", datetime(2018, 3, 1, tzinfo=UTC), "C1", "D", "Echo", "a.wav", "t", "v.csv"
            )
        ],
        transcripts=[TranscriptEntry(None, "x", "D", "u1", "t", 1)],
    )
    legacy = dict(
        index_to_json(index),
        members=jsonable(index.members),
        recordings=jsonable(index.recordings),
        transcripts=jsonable(index.transcripts),
    )
    back = index_from_json(json.loads(json.dumps(legacy)))
    assert (back.members, back.recordings, back.transcripts) == (
        index.members,
        index.recordings,
        index.transcripts,
    )


def test_a_device_object_stored_before_it_was_split_reads_as_its_serial() -> None:
    # Stores ingested before the reader split JSON device objects hold their raw JSON text;
    # reading them back gives the serial (and type) without a re-ingest.
    raw = json.dumps({"serial": "G090LF1203380H2N", "type": "Echo Dot"})
    index = ExportIndex(
        archive_path="/x/export.zip",
        archive_sha256="0f" * 32,
        archive_bytes=10,
        recordings=[
            Recording("u1", None, "C1", raw, "", "", "t", "alexa/voice-history.json"),
            Recording("u2", None, "C1", "G070VM1A83120045", "Fire TV", "", "t", "v.csv"),
        ],
    )
    back = index_from_json(json.loads(json.dumps(index_to_json(index))))
    assert [(r.device_serial, r.device_type) for r in back.recordings] == [
        ("G090LF1203380H2N", "Echo Dot"),
        ("G070VM1A83120045", "Fire TV"),
    ]
