"""The checks never fail on odd indexes: any JSON in the manifest and profile, odd tables,
recordings with missing fields. Whatever the reader hands over becomes findings, not errors."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_checks_common import OTHER_ID, REQ_ID, _member, make_request

from reviewer.domain.checks import run_checks
from reviewer.domain.model import (
    ExportIndex,
    Recording,
    Severity,
    Table,
    TranscriptEntry,
)

KEYS = st.sampled_from(
    ["customer_id", "customerId", "name", "fullName", "email", "files", "id", "locale", "x", ""]
)
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from([REQ_ID, OTHER_ID, "jonas.weber@example.de", "a@b.cd", "Anna Weber"]),
)
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
STAMP = st.one_of(st.none(), st.datetimes(timezones=st.sampled_from([UTC])), st.datetimes())


@st.composite
def indexes(draw: st.DrawFn) -> ExportIndex:
    index = ExportIndex(archive_path="x.zip", archive_sha256="0" * 64, archive_bytes=0)
    paths = draw(st.lists(st.text(min_size=1, max_size=12), max_size=6, unique=True))
    for p in paths:
        index.members.append(_member(p, draw(st.binary(max_size=8))))
    manifest = draw(JSON)
    if draw(st.booleans()):
        index.manifest = manifest if isinstance(manifest, dict) else {"files": manifest}
        index.manifest_member = "manifest.json"
        index.json_docs["manifest.json"] = index.manifest
    profile = draw(JSON)
    if isinstance(profile, dict):
        index.profile = profile
        index.json_docs["Account/Profile.json"] = profile
    for i in range(draw(st.integers(0, 3))):
        cols = tuple(draw(st.lists(KEYS, min_size=1, max_size=4, unique=True)))
        rows = [{c: draw(TEXT) for c in cols} for _ in range(draw(st.integers(0, 4)))]
        index.tables[f"t{i}.csv"] = Table.from_records(f"t{i}.csv", cols, rows)
        index.texts[f"t{i}.csv"] = "\n".join(",".join(r.values()) for r in rows)
    for i in range(draw(st.integers(0, 4))):
        index.recordings.append(
            Recording(
                utterance_id=draw(st.sampled_from(["u1", "u2", "", f"u{i}"])),
                timestamp=draw(STAMP),
                customer_id=draw(TEXT),
                device_serial=draw(st.one_of(TEXT, st.just('{"serial": 3}'), st.just("{"))),
                device_type=draw(TEXT),
                audio_member=draw(st.sampled_from(["", *paths])) if paths else "",
                transcript=draw(TEXT),
                source_member="t0.csv",
            )
        )
    if draw(st.booleans()):
        index.transcript_member = "Alexa/Transcripts.pdf"
        for _ in range(draw(st.integers(0, 3))):
            index.transcripts.append(
                TranscriptEntry(
                    timestamp=draw(STAMP),
                    timestamp_text=draw(TEXT),
                    device_serial=draw(TEXT),
                    utterance_id=draw(st.sampled_from(["u1", "u2", "u9"])),
                    text=draw(TEXT),
                    page=1,
                )
            )
    for name, text in draw(st.dictionaries(st.text(max_size=8), TEXT, max_size=3)).items():
        index.texts[name] = text
    return index


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=indexes(),
    devices=st.lists(
        st.fixed_dictionaries(
            {
                # (a ticket's serial holds no control character: the ticket is refused)
                "serial": TEXT.filter(lambda s: s.strip() and s.strip().isprintable()),
                "registered_at": st.sampled_from(["", "2017-01-01", None]),
            }
        ),
        max_size=2,
    ),
)
def test_checks_never_raise_and_findings_are_complete(
    index: ExportIndex, devices: list[dict[str, str]]
) -> None:
    request = make_request(devices=devices)
    for f in run_checks(request, index):
        assert f.code and f.title and f.detail
        assert isinstance(f.severity, Severity)
        assert all(isinstance(m, str) for m in f.members)
        assert len(set(f.members)) == len(f.members), f


def test_a_request_with_only_a_customer_id_still_gets_every_check() -> None:
    from reviewer.domain.request import request_from_dict

    bare = request_from_dict({"request_id": "R", "requester": {"customer_id": REQ_ID}})
    index = ExportIndex(archive_path="x", archive_sha256="0" * 64, archive_bytes=0)
    index.members.append(_member("notes.txt", b"hello"))
    index.texts["notes.txt"] = "hello"
    codes = [f.code for f in run_checks(bare, index)]
    assert codes == ["manifest-absent", "unattributable-archive"]
