"""The review core's vocabulary: the request ticket, what an export holds, and findings.

These types are plain data. The archive reader (`reviewer.archive`) fills an
`ExportIndex`; the checks (`reviewer.domain.checks`) turn a `Request` and an `ExportIndex`
into `Finding`s; the report (`reviewer.domain.report`) turns findings into a verdict.
Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"critical": 0, "warning": 1, "info": 2}[self.value]


class Verdict(StrEnum):
    BLOCK = "block"
    REVIEW = "review"
    PASS = "pass"


# What a finding about the export archive as a whole (not one of its members) names as its
# member: its directory is lost, it is no ZIP archive, it holds bytes outside any member.
EXPORT_ITSELF = "(the export archive)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer must know about an export.

    `code` is stable and machine-readable (``wrong-customer``, ``zip-traversal`` ...);
    `detail` tells a reviewer in plain words what to look at; `members` names the archive
    members involved (``outer.zip!inner/file.csv`` for members of nested archives; a nested
    archive's path, or `EXPORT_ITSELF`, for a finding about a whole archive).
    """

    code: str
    severity: Severity
    title: str
    detail: str
    members: tuple[str, ...] = ()
    # What the finding is about, for the corrections it suggests: the names a third-party
    # finding quotes, the other customer's id a foreign-records finding names.
    subjects: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "detail": self.detail,
            "members": list(self.members),
        }
        if self.subjects:
            out["subjects"] = list(self.subjects)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            code=str(data["code"]),
            severity=Severity(data["severity"]),
            title=str(data["title"]),
            detail=str(data["detail"]),
            members=tuple(str(m) for m in data.get("members", ())),
            subjects=tuple(str(s) for s in data.get("subjects", ())),
        )


# --------------------------------------------------------------------------- request ticket


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 (DE, GB): whose bank holidays the clock skips
    region: str = ""  # ISO 3166-2 subdivision without the country (ENG, SCT, BY): theirs too


@dataclass(frozen=True, slots=True)
class Device:
    serial: str
    type: str = ""
    name: str = ""
    registered_at: date | None = None


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    name: str
    relation: str = ""


@dataclass(frozen=True, slots=True)
class Requester:
    customer_id: str
    name: str = ""
    email: str = ""
    phone: str = ""
    locale: str = ""
    time_zone: str = ""  # IANA name (Europe/Berlin): the clock's days are the requester's
    account_created_at: date | None = None
    addresses: tuple[Address, ...] = ()
    devices: tuple[Device, ...] = ()
    household: tuple[HouseholdMember, ...] = ()
    # whether the ticket lists the requester's devices: an empty list says they have none (the
    # incident's requester), a ticket without the field says nothing about them
    devices_listed: bool = True

    def device(self, serial: str) -> Device | None:
        for d in self.devices:
            if d.serial == serial:
                return d
        return None


@dataclass(frozen=True, slots=True)
class Request:
    """The ticket from the ticketing / identity-verification side: who asked."""

    request_id: str
    requester: Requester
    received_at: datetime | None = None
    due_at: datetime | None = None
    verification_method: str = ""
    verified_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------- export index


class MemberKind(StrEnum):
    AUDIO = "audio"
    PDF = "pdf"
    CSV = "csv"
    JSON = "json"
    TEXT = "text"
    ARCHIVE = "archive"
    DIRECTORY = "directory"
    OTHER = "other"


@dataclass(slots=True)
class AudioInfo:
    """What a recording is, as read from its bytes (never from a header we did not check)."""

    format: str  # "wav", "mp3", "ogg", ...
    duration_s: float | None = None
    rate: int | None = None
    channels: int | None = None
    bits: int | None = None


@dataclass(slots=True)
class Member:
    """One archive member as listed and, where it was safe, read."""

    path: str  # display path; nested members are "outer.zip!inner/path"
    declared_size: int
    compressed_size: int
    kind: MemberKind
    type_label: str  # human description: "WAV audio", "CSV table", "PDF document", ...
    read_bytes: int | None = None  # real bytes inflated; None when not read
    sha256: str | None = None  # of the inflated bytes; None when not fully read
    readable: bool = False  # fully read with a good CRC
    audio: AudioInfo | None = None


@dataclass(slots=True)
class Table:
    """Rows of a CSV member, or records of a JSON member that is a list of objects.

    Each row is a tuple of cells aligned with `columns` (a table of 100,000 rows keeps no
    dict per row); `col` gives a column's position, `records` the rows as dicts.
    """

    member: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]  # a list, or a view computed from JSON records

    @classmethod
    def from_records(
        cls, member: str, columns: Iterable[str], records: Iterable[dict[str, str]]
    ) -> Table:
        """A table of `records` (column -> cell dicts; a missing cell is empty)."""
        cols = tuple(columns)
        return cls(member, cols, [tuple([r.get(c, "") for c in cols]) for r in records])

    def col(self, column: str) -> int:
        """The position of `column` in each row: its last one when a header repeats it, as
        in `records` (ValueError when the table has none)."""
        cols = self.columns
        return len(cols) - 1 - cols[::-1].index(column)

    def values(self, column: str) -> Iterator[str]:
        """Every row's cell in `column`."""
        i = self.col(column)
        return (row[i] for row in self.rows)

    def records(self) -> Iterator[dict[str, str]]:
        """The rows as column -> cell dicts, made one at a time."""
        cols = self.columns
        return (dict(zip(cols, row, strict=True)) for row in self.rows)

    def text(self) -> str:
        """The table as comma-separated lines, header first (what the identity scan reads)."""
        lines = [",".join(self.columns)]
        lines.extend(",".join(row) for row in self.rows)
        return "\n".join(lines)


@dataclass(slots=True)
class Recording:
    """One voice interaction, from the voice history (or an equivalent table)."""

    utterance_id: str
    timestamp: datetime | None
    customer_id: str
    device_serial: str
    device_type: str
    audio_member: str  # member path of its audio, or ""
    transcript: str
    source_member: str  # the table the row came from


@dataclass(slots=True)
class TranscriptEntry:
    """One entry of the transcript catalogue PDF."""

    timestamp: datetime | None
    timestamp_text: str
    device_serial: str
    utterance_id: str
    text: str
    page: int  # 1-based


@dataclass(slots=True)
class ExportIndex:
    """Everything the checks and the reviewer need to know about one export archive."""

    archive_path: str
    archive_sha256: str
    archive_bytes: int
    members: list[Member] = field(default_factory=list)
    # Findings raised by reading itself: hostile archives, corrupt or unreadable members.
    read_findings: list[Finding] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    manifest_member: str | None = None
    profile: dict[str, Any] | None = None  # Account/Profile.json or an equivalent
    tables: dict[str, Table] = field(default_factory=dict)  # member path -> table
    json_docs: dict[str, Any] = field(default_factory=dict)  # member path -> parsed JSON
    recordings: list[Recording] = field(default_factory=list)
    transcripts: list[TranscriptEntry] = field(default_factory=list)
    transcript_member: str | None = None
    # Readable text per member that is not kept parsed (text, PDF, CSV and JSON that did not
    # parse or were cut), capped; the identity scan reads these and the parsed members
    # (`scan_texts`).
    texts: dict[str, str] = field(default_factory=dict)
    # Members whose text was only partly kept because of the cap.
    texts_truncated: list[str] = field(default_factory=list)
    # Comments delivered with the archive: its own (under `EXPORT_ITSELF`, a nested archive's
    # under its path) and its members' (under theirs); scanned with the texts.
    comments: dict[str, str] = field(default_factory=dict)
    # What a PDF carries beside its pages, per member: its document properties (title,
    # author ...) and its embedded files, as text; scanned with the texts.
    attached: dict[str, str] = field(default_factory=dict)

    def scan_texts(self) -> Iterator[tuple[str, str]]:
        """(member, text) for every member with readable text, in member order: the kept
        texts, and the text of each parsed JSON document or table, made when asked for (a
        large JSON list in pieces of whole records, so it is never rendered at once); then
        what PDFs carry beside their pages (`attached`) and the archive's comments
        (`comments`)."""
        texts, docs, tables = self.texts, self.json_docs, self.tables
        # one C encoder for all the small documents (JSONEncoder.encode makes one a call, half
        # the cost of a small document), called here: the same text as `_dumps`
        encode = _c_encoder()
        absent = _ABSENT
        # a duplicated name has one text: each path once, where it is first listed
        for path in dict.fromkeys([m.path for m in self.members]):
            text = texts.get(path)
            if text is not None:
                yield path, text
                continue
            doc = docs.get(path, absent)
            if doc is absent:
                table = tables.get(path)
                if table is not None:
                    yield path, table.text()
            elif type(doc) is dict and not _has_long_list(doc):
                # the common case, as _json_pieces gives it
                if encode is None:
                    text = _dumps(doc)
                else:
                    try:
                        text = "".join(encode(doc, 0))
                    except Exception:  # noqa: BLE001 - _dumps says what is wrong, as before
                        text = _dumps(doc)
                yield path, text
            else:
                for piece in _json_pieces(doc):
                    yield path, piece
        yield from self.attached.items()
        yield from self.comments.items()

    def member_text(self, path: str) -> Iterator[str]:
        """The readable text of one member, in one or more pieces (none when it has none)."""
        text = self.texts.get(path)
        if text is not None:
            yield text
        elif path in self.json_docs:
            yield from _json_pieces(self.json_docs[path])
        elif path in self.tables:
            yield self.tables[path].text()

    def member(self, path: str) -> Member | None:
        for m in self.members:
            if m.path == path:
                return m
        return None

    @property
    def audio_members(self) -> list[Member]:
        return [m for m in self.members if m.kind is MemberKind.AUDIO]

    @property
    def without_audio(self) -> list[str]:
        """The voice interactions the voice history lists with no audio file: counted among
        the recordings (one count everywhere), named wherever that count is shown."""
        return [r.utterance_id for r in self.recordings if not r.audio_member]

    @property
    def recording_count(self) -> int:
        """How many recordings the export holds: its voice interactions (with or without an
        audio file), or its audio files when more of them than rows describe."""
        return max(len(self.audio_members), len(self.recordings))

    @property
    def recording_seconds(self) -> float:
        return round(sum(m.audio.duration_s or 0.0 for m in self.members if m.audio is not None), 3)


JSON_PIECE = 2000  # records of a large JSON list rendered together
_ABSENT: Any = object()  # no parsed document under a path (a document may be null)
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_dumps = _ENCODER.encode  # as json.dumps(v, ensure_ascii=False)


def _c_encoder() -> Any:
    """The C encoder `JSONEncoder(ensure_ascii=False).encode` uses, or None without it."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    return make(
        {}, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )


def _has_long_list(doc: dict[str, Any]) -> bool:
    for v in doc.values():  # noqa: SIM110 - a plain loop: any() over a generator costs more
        if isinstance(v, list) and len(v) > JSON_PIECE:
            return True
    return False


def _json_pieces(doc: Any) -> Iterator[str]:
    """`doc` as JSON text; a list of many items (or an object holding such lists) as several
    texts, each of whole items, so no single text holds all of it."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def pieces(items: list[Any]) -> Iterator[str]:
        for i in range(0, len(items), JSON_PIECE):
            yield dumps(items[i : i + JSON_PIECE])

    if isinstance(doc, list) and len(doc) > JSON_PIECE:
        yield from pieces(doc)
    elif isinstance(doc, dict) and any(
        isinstance(v, list) and len(v) > JSON_PIECE for v in doc.values()
    ):
        big = {k for k, v in doc.items() if isinstance(v, list) and len(v) > JSON_PIECE}
        yield dumps({k: ([] if k in big else v) for k, v in doc.items()})
        for k in big:
            yield from pieces(doc[k])
    else:
        yield dumps(doc)


def jsonable(obj: Any) -> Any:
    """Dataclasses, dates and enums to plain JSON values (for storing an index)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, StrEnum):
        return obj.value
    return obj
