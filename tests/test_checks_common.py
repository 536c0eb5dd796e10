"""A builder of hand-made export indexes for the check tests, and tests of the shared helpers.

`ExportBuilder` assembles an `ExportIndex` the way the reader fills one for the reference
layout (members with their SHA-256, manifest, profile, tables, recordings, catalogue, texts),
so each check test states only what differs from a clean export.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
from typing import Any

from reviewer.domain.checks import run_checks
from reviewer.domain.checks._common import (
    attribute,
    listing,
    norm_key,
    referenced_members,
)
from reviewer.domain.checks._identity import RequesterMatcher, id_shape, shaped_ids
from reviewer.domain.checks._people import is_known_person
from reviewer.domain.model import (
    AudioInfo,
    ExportIndex,
    Finding,
    Member,
    MemberKind,
    Recording,
    Request,
    Table,
    TranscriptEntry,
)
from reviewer.domain.request import parse_datetime, request_from_dict

REQ_ID = "A3KX9ZQ2M7T1LB"
OTHER_ID = "A1B2C3D4E5F6G7"
SERIAL = "G070VM1A83120045"
OTHER_SERIAL = "G090LF09718700QT"

TICKET: dict[str, Any] = {
    "request_id": "DSAR-2018-0412",
    "received_at": "2018-08-02T09:14:00Z",
    "requester": {
        "customer_id": REQ_ID,
        "name": "Jonas Weber",
        "email": "jonas.weber@example.de",
        "phone": "+49 511 5550199",
        "locale": "de-DE",
        "account_created_at": "2014-03-11",
        "addresses": [
            {"street": "Lister Meile 12", "postcode": "30161", "city": "Hannover", "country": "DE"}
        ],
        "devices": [
            {
                "serial": SERIAL,
                "type": "Echo Dot",
                "name": "Living room",
                "registered_at": "2017-12-24",
            }
        ],
        "household": [{"name": "Anna Weber", "relation": "partner"}],
    },
}


def make_request(**requester: Any) -> Request:
    """The example ticket, with requester fields replaced by `requester`."""
    data = copy.deepcopy(TICKET)
    data["requester"].update(requester)
    return request_from_dict(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ExportBuilder:
    """A reference-layout export of the requester, clean unless a test says otherwise."""

    def __init__(self, customer_id: str = REQ_ID) -> None:
        self.customer_id = customer_id
        self.profile: dict[str, Any] = {
            "customer_id": customer_id,
            "name": "Jonas Weber",
            "email": "jonas.weber@example.de",
            "locale": "de-DE",
        }
        self.recordings: list[dict[str, str]] = []
        self.catalogue: list[dict[str, str]] | None = None  # None: same as the history
        self.tables: dict[str, tuple[list[str], list[dict[str, str]]]] = {
            "Devices/Devices.csv": (
                ["customer_id", "serial", "type", "registered_at"],
                [
                    {
                        "customer_id": customer_id,
                        "serial": SERIAL,
                        "type": "Echo Dot",
                        "registered_at": "2017-12-24",
                    }
                ],
            ),
            "Retail/SearchHistory.csv": (
                ["customer_id", "timestamp", "query"],
                [
                    {
                        "customer_id": customer_id,
                        "timestamp": "2018-03-01T10:00:00Z",
                        "query": "Kaffeemaschine",
                    }
                ],
            ),
            "Retail/OrderHistory.csv": (
                ["customer_id", "order_id", "date", "items", "total", "currency", "ship_city"],
                [
                    {
                        "customer_id": customer_id,
                        "order_id": "302-1111111-2222222",
                        "date": "2018-03-02",
                        "items": "Kaffeemaschine",
                        "total": "49.99",
                        "currency": "EUR",
                        "ship_city": "Hannover",
                    }
                ],
            ),
        }
        self.extra: dict[str, bytes] = {}  # more members: path -> bytes
        self.with_manifest = True

    def record(
        self,
        uid: str,
        when: str = "2018-05-01T18:00:00Z",
        *,
        customer: str | None = None,
        serial: str = SERIAL,
        text: str = "Alexa, wie wird das Wetter morgen",
        audio: bool = True,
    ) -> ExportBuilder:
        self.recordings.append(
            {
                "utterance_id": uid,
                "timestamp": when,
                "customer_id": self.customer_id if customer is None else customer,
                "device_serial": serial,
                "device_type": "Echo Dot",
                "audio_file": f"Alexa/Audio/{uid}.wav" if audio else "",
                "transcript": text,
            }
        )
        return self

    def rows(self, path: str, *rows: dict[str, str]) -> ExportBuilder:
        cols, existing = self.tables[path]
        existing.extend({c: r.get(c, "") for c in cols} for r in rows)
        return self

    # ------------------------------------------------------------------ build

    def build(self) -> ExportIndex:
        index = ExportIndex(archive_path="export.zip", archive_sha256="0" * 64, archive_bytes=0)
        contents: dict[str, bytes] = {}

        profile = json.dumps(self.profile).encode()
        contents["Account/Profile.json"] = profile
        index.json_docs["Account/Profile.json"] = json.loads(profile)
        index.profile = index.json_docs["Account/Profile.json"]
        index.texts["Account/Profile.json"] = profile.decode()

        history_cols = [
            "utterance_id",
            "timestamp",
            "customer_id",
            "device_serial",
            "device_type",
            "audio_file",
            "transcript",
        ]
        tables = dict(self.tables)
        tables["Alexa/VoiceHistory.csv"] = (history_cols, self.recordings)
        for path, (cols, rows) in tables.items():
            buf = io.StringIO()
            writer = csv.DictWriter(buf, cols, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            contents[path] = buf.getvalue().encode()
            index.tables[path] = Table.from_records(path, cols, rows)
            index.texts[path] = buf.getvalue()

        for r in self.recordings:
            index.recordings.append(
                Recording(
                    utterance_id=r["utterance_id"],
                    timestamp=parse_datetime(r["timestamp"]),
                    customer_id=r["customer_id"],
                    device_serial=r["device_serial"],
                    device_type=r["device_type"],
                    audio_member=r["audio_file"],
                    transcript=r["transcript"],
                    source_member="Alexa/VoiceHistory.csv",
                )
            )
            if r["audio_file"]:
                contents[r["audio_file"]] = b"RIFF" + r["utterance_id"].encode()

        catalogue = self.recordings if self.catalogue is None else self.catalogue
        lines = []
        for page, r in enumerate(catalogue, start=1):
            ts = parse_datetime(r["timestamp"])
            index.transcripts.append(
                TranscriptEntry(
                    timestamp=ts,
                    timestamp_text=r["timestamp"],
                    device_serial=r["device_serial"],
                    utterance_id=r["utterance_id"],
                    text=r["transcript"],
                    page=page,
                )
            )
            lines.append(f"{r['timestamp']}  {r['device_serial']}  {r['utterance_id']}")
            lines.append(r["transcript"])
        contents["Alexa/Transcripts.pdf"] = ("\n".join(lines)).encode()
        index.transcript_member = "Alexa/Transcripts.pdf"
        index.texts["Alexa/Transcripts.pdf"] = "\n".join(lines)

        contents.update(self.extra)
        for path, data in self.extra.items():
            if path.endswith((".txt", ".csv", ".json")):
                index.texts[path] = data.decode()

        if self.with_manifest:
            doc = {
                "export_id": "EXP-1",
                "customer_id": self.customer_id,
                "generated_at": "2018-08-02T09:00:00Z",
                "files": [
                    {"path": p, "bytes": len(d), "sha256": _sha(d)}
                    for p, d in sorted(contents.items())
                ],
            }
            raw = json.dumps(doc).encode()
            index.manifest = doc
            index.manifest_member = "manifest.json"
            index.json_docs["manifest.json"] = doc
            index.texts["manifest.json"] = raw.decode()
            contents = {"manifest.json": raw, **contents}

        for path, data in contents.items():
            index.members.append(_member(path, data))
        return index


def _member(path: str, data: bytes) -> Member:
    ext = path.rsplit(".", 1)[-1].lower()
    kind = {
        "wav": MemberKind.AUDIO,
        "mp3": MemberKind.AUDIO,
        "ogg": MemberKind.AUDIO,
        "pdf": MemberKind.PDF,
        "csv": MemberKind.CSV,
        "json": MemberKind.JSON,
        "txt": MemberKind.TEXT,
    }.get(ext, MemberKind.OTHER)
    return Member(
        path=path,
        declared_size=len(data),
        compressed_size=len(data),
        kind=kind,
        type_label=kind.value,
        read_bytes=len(data),
        sha256=_sha(data),
        readable=True,
        audio=AudioInfo(format=ext, duration_s=2.0) if kind is MemberKind.AUDIO else None,
    )


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def clean_export() -> ExportBuilder:
    return (
        ExportBuilder()
        .record("u001", "2018-01-05T08:00:00Z", text="Alexa, spiel Musik von Herbert Grönemeyer")
        .record("u002", "2018-02-10T19:30:00Z", text="Alexa, ruf Anna an")
        .record("u003", "2018-06-01T07:15:00Z", text="Wie wird das Wetter in Hannover")
    )


# --------------------------------------------------------------------------- tests


def test_clean_reference_export_has_no_findings() -> None:
    assert run_checks(make_request(), clean_export().build()) == []


def test_norm_key_and_listing() -> None:
    assert norm_key("Customer_ID") == norm_key("customerId") == "customerid"
    assert listing(["a", "b"]) == "a, b"
    assert listing([str(i) for i in range(13)], 10).endswith("9 and 3 more")


def test_attribution_counts_rows_per_account() -> None:
    b = clean_export().record("x1", customer=OTHER_ID).record("x2", customer=OTHER_ID)
    att = attribute(make_request(), b.build())
    assert att.foreign_by_table == {"Alexa/VoiceHistory.csv": {OTHER_ID: 2}}
    assert att.requester_rows == 3 + 3  # three recordings and one row in each retail/device table
    assert not att.wrong_customer


def test_known_people_are_the_requester_and_household_only() -> None:
    req = make_request()
    assert is_known_person("Anna Weber", req)
    assert is_known_person("Weber, Jonas", req)
    assert is_known_person("Anna", req)
    assert not is_known_person("Anna Schmidt", req)


def test_requester_matcher_normalises_the_phone_number() -> None:
    m = RequesterMatcher.for_request(make_request())
    assert m.found_in("Tel. 0511 / 555 01 99") == ["phone"]
    assert m.found_in("tel +49-511-5550199, JONAS.WEBER@EXAMPLE.DE") == ["e-mail", "phone"]
    assert m.found_in("Weber, Jonas") == ["name"]
    assert m.found_in("0511 5550198") == []


def test_id_shape_matches_ids_like_the_requesters_only() -> None:
    shape = id_shape(REQ_ID)
    assert shape is not None
    text = f"x {OTHER_ID} ABCDEFGHIJKLMN {REQ_ID}X A12 sha {SERIAL}"
    assert shaped_ids(shape, text) == {OTHER_ID}
    assert id_shape("12345") is None


def test_referenced_members_follow_rows_by_path_or_file_name() -> None:
    b = clean_export()
    b.extra["Alexa/Audio/loose.wav"] = b"RIFF"
    index = b.build()
    refs = referenced_members(index)
    assert "Alexa/Audio/u001.wav" in refs
    assert "Alexa/Audio/loose.wav" not in refs
    # A bare file name in any column counts too, once a probed row shows the column holds them.
    index.tables["Other/clips.csv"] = Table.from_records(
        "Other/clips.csv",
        ("n", "clip"),
        [{"n": "1", "clip": "32.50"}, {"n": "2", "clip": "loose.wav"}],
    )
    assert "Alexa/Audio/loose.wav" in referenced_members(index)


def test_email_finder_agrees_with_the_address_pattern() -> None:
    from reviewer.domain.checks._identity import EMAIL, emails

    text = (
        "Mail: Jonas.Weber@Example.DE, cc max_m+dsar@mail.example.co.uk; "
        "not@an address, @handle, x@y, user@host.c, "
        + "a" * 70
        + "@long.example.com and (anna@example.org), jürgen.weiß@bücher.example.de."
    )
    assert emails(text) == {m.casefold() for m in EMAIL.findall(text)}
    assert emails(text) == {
        "jonas.weber@example.de",
        "max_m+dsar@mail.example.co.uk",
        "anna@example.org",
        "jürgen.weiss@bücher.example.de",  # case-folded: "ß" is "ss"
    }


def test_folded_search_finds_a_needle_across_chunk_boundaries() -> None:
    from reviewer.domain.checks import _identity

    size = _identity.FOLD_CHUNK
    text = "x" * (size - 4) + " JONAS.Weber@example.DE " + "y" * size
    assert _identity.contains_folded(text, "jonas.weber@example.de")
    assert not _identity.contains_folded(text, "anna.weber@example.de")
    assert RequesterMatcher.for_request(make_request()).found_in(text) == ["e-mail"]
