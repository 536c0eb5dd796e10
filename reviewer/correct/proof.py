"""Proof that what was removed is gone: the corrected archive re-read through the same safe
reader, and every member's bytes searched again by an independent route.

- No redacted text remains: not in any member's text as the reader sees it (CSV, JSON, text,
  the catalogue as pypdf extracts it), nor in the raw bytes of any member searched in UTF-8,
  UTF-16 and Windows-1252 (a WAV's LIST chunk, a JSON key), nor in a PDF's decompressed
  streams and metadata, read here without pypdf.
- No withheld member or utterance remains: not as a member, not in the manifest, not as a
  voice-history row or catalogue entry, and its id is in no member's text.
- Every silenced span is digital silence, byte for byte.

A failed proof blocks the version.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.archive import Limits, read_export, read_member, read_member_raw
from reviewer.archive.progress import ProgressCallback
from reviewer.correct.wavhead import plain_wav_head, span_frames
from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.wav import parse_wav
from reviewer.domain.corrections import CorrectionPlan, Redactor, fold
from reviewer.domain.model import ExportIndex, Member, MemberKind

MAX_STREAM_BYTES = 64 << 20  # a PDF stream inflated past this is not searched further
STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


@dataclass(slots=True)
class Proof:
    ok: bool
    checks: list[dict[str, Any]] = field(default_factory=list)  # {"what", "ok", "detail"}

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": self.checks}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Proof | None:
        if not data:
            return None
        return cls(bool(data.get("ok")), list(data.get("checks", [])))

    @property
    def failures(self) -> list[str]:
        return [f"{c['what']}: {c['detail']}" for c in self.checks if not c["ok"]]


def prove(
    archive: Path,
    p: CorrectionPlan,
    limits: Limits | None = None,
    written: Mapping[str, object] | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Proof, ExportIndex]:
    """Re-read `archive` and prove the plan was carried out; also returns the index read.
    `progress` is told how far the re-reading has got (see `read_export`).

    `written`: the members' bytes as the builder wrote them. A member's bytes are searched
    from there only when their SHA-256 is the one the reader computed re-reading the archive
    (so they are the archive's bytes, not the builder's word for them); any other member is
    read again from the archive."""
    limits = limits or Limits()
    index = read_export(archive, limits, progress)
    checks: list[dict[str, Any]] = []

    def check(what: str, problems: list[str], ok_detail: str) -> None:
        checks.append(
            {
                "what": what,
                "ok": not problems,
                "detail": "; ".join(problems[:10])
                + (f" and {len(problems) - 10} more" if len(problems) > 10 else "")
                if problems
                else ok_detail,
            }
        )

    unreadable = [f.title for f in index.read_findings if f.severity.value == "critical"]
    check("the corrected archive reads safely", unreadable, "no hazard, every member readable")

    # Withheld members and utterances.
    paths = {m.path for m in index.members}
    listed = set()
    if isinstance(index.manifest, dict):
        listed = {
            str(f.get("path")) for f in index.manifest.get("files", []) if isinstance(f, dict)
        }
    left = sorted(m for m in p.withheld_members if m in paths or m in listed)
    check(
        "withheld members are gone",
        [f"{m} is still there" for m in left],
        f"{len(p.withheld_members)} withheld, none left (members and manifest)",
    )
    uids = {u.casefold() for u in p.withheld_utterances}
    values = {v.casefold() for v in p.withheld_values}
    rows = [
        r.utterance_id
        for r in index.recordings
        if r.utterance_id.casefold() in uids or r.customer_id.casefold() in values
    ]
    entries = [e.utterance_id for e in index.transcripts if e.utterance_id.casefold() in uids]
    mentioned = sorted(_mentions(index, uids | values))
    check(
        "withheld utterances and records are gone",
        [f"voice-history row {u}" for u in rows]
        + [f"catalogue entry {u}" for u in entries]
        + [f"{what} still named in {where}" for what, where in mentioned],
        f"{len(p.withheld_utterances)} utterances and {len(p.withheld_values)} identifiers "
        "withheld: no row, entry or mention left",
    )

    # Redacted texts, by the reader's text and by every member's raw bytes.
    redactor = Redactor.of(p.redactions)
    found: list[str] = []
    if redactor:
        for path, text in index.scan_texts():
            for term in redactor.found(text):
                found.append(f'"{term}" in {path}')
        needles = _needles(redactor)

        def search(m: Member) -> list[str]:
            data = (written or {}).get(m.path)
            if m.kind is MemberKind.AUDIO and not isinstance(data, bytes):
                head = _plain_head(archive, m.path, limits)  # read from the archive
                if head is not None:
                    return [
                        f'"{term}" in the bytes of {m.path}'
                        for term in _raw_terms(head, redactor, False, needles)
                    ]
            if (
                not isinstance(data, bytes)
                or m.sha256 is None
                or hashlib.sha256(data).hexdigest() != m.sha256
            ):
                try:
                    data = read_member(archive, m.path, limits.max_member_bytes, limits)
                except ArchiveError as exc:
                    return [f"{m.path} cannot be read to search it ({exc})"]
            return [
                f'"{term}" in the bytes of {m.path}'
                for term in _raw_terms(
                    _searchable(data, m.kind), redactor, m.kind is MemberKind.PDF, needles
                )
            ]

        members = [
            m for m in index.members if m.kind is not MemberKind.DIRECTORY and "!" not in m.path
        ]
        with ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1))) as pool:
            for problems in pool.map(search, members):
                found.extend(problems)
    check(
        "redacted texts are gone",
        sorted(set(found)),
        f"{len(p.redactions)} texts searched in every member, text and bytes: none found",
    )

    # Silenced spans.
    loud: list[str] = []
    for member, spans in sorted(p.silences.items()):
        try:
            data = read_member(archive, member, limits.max_member_bytes, limits)
            layout = parse_wav(data)
        except (ArchiveError, WavError) as exc:
            loud.append(f"{member} cannot be read back ({exc})")
            continue
        info = layout.info
        frame = layout.frame_bytes
        rate = info.rate or 1
        zero = 0x80 if layout.sample_bytes == 1 else 0
        frames = layout.data_bytes // frame
        for span in spans:
            start, end = span_frames(span.start_s, span.end_s, rate, frames)
            chunk = data[layout.data_offset + start * frame : layout.data_offset + end * frame]
            if chunk.count(zero) != len(chunk):
                loud.append(f"{member} {start / rate:.2f}-{end / rate:.2f} s is not silent")
    n_spans = sum(len(s) for s in p.silences.values())
    check(
        "silenced spans are digital silence",
        loud,
        f"{n_spans} span{'s' if n_spans != 1 else ''}, every sample silent",
    )
    return Proof(all(c["ok"] for c in checks), checks), index


def _mentions(index: ExportIndex, needles: set[str]) -> set[tuple[str, str]]:
    if not needles:
        return set()
    out = set()
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    for path, text in index.scan_texts():
        for m in pattern.finditer(text):
            out.add((m.group(1), path))
    return out


def _plain_head(archive: Path, path: str, limits: Limits) -> bytes | None:
    """What precedes the sound of a plain WAV (format and sound alone), read from the
    archive without inflating the sound; None when the recording must be read whole."""
    try:
        raw = read_member_raw(archive, path, limits)
    except ArchiveError:
        return None
    return None if raw is None else plain_wav_head(raw)


AUDIO_EDGE_BYTES = 128 << 10  # where a compressed recording keeps its tags (ID3, Vorbis comments)


def _searchable(data: bytes, kind: MemberKind) -> bytes:
    """The bytes of a member a text can hide in: all of them, except a recording's sound,
    where any short text turns up by chance (a WAV's chunks around its samples; the head and
    tail of other audio, where tags live)."""
    if kind is not MemberKind.AUDIO:
        return data
    try:
        layout = parse_wav(data)
    except WavError:
        if len(data) <= 2 * AUDIO_EDGE_BYTES:
            return data
        return data[:AUDIO_EDGE_BYTES] + b"\x00" + data[-AUDIO_EDGE_BYTES:]
    return data[: layout.data_offset] + b"\x00" + data[layout.data_offset + layout.data_bytes :]


def _needles(redactor: Redactor) -> list[tuple[str, tuple[bytes, ...]]]:
    """Each term as the bytes it may be written in: as typed, lower case and folded, in
    UTF-8, UTF-16 and Windows-1252 (lower-cased, to search lower-cased bytes)."""
    out = []
    for term in redactor.terms:
        needles = set()
        for v in {term, term.lower(), fold(term)}:
            for encoding in ("utf-8", "utf-16-le", "cp1252"):
                try:
                    needle = v.encode(encoding).lower()
                except UnicodeEncodeError:
                    continue
                if needle:
                    needles.add(needle)
        out.append((term, tuple(sorted(needles))))
    return out


def _raw_terms(
    data: bytes,
    redactor: Redactor,
    pdf: bool,
    needles: list[tuple[str, tuple[bytes, ...]]] | None = None,
) -> list[str]:
    """The terms found in a member's raw bytes (and, for a PDF, its inflated streams);
    `needles`: `_needles(redactor)`, made once for many members."""
    blobs = [data]
    if pdf:
        blobs += list(_pdf_streams(data))
    lowered = b"\x00".join(blobs).lower()
    found = {term for term, ns in (needles or _needles(redactor)) if any(n in lowered for n in ns)}
    if pdf and not found:  # text inside the PDF's strings, however it is spaced or escaped
        text = " ".join(_pdf_strings(b) for b in blobs)
        found.update(redactor.found(text))
    return sorted(found)


def _pdf_streams(data: bytes):  # type: ignore[no-untyped-def]
    for m in STREAM.finditer(data):
        raw = m.group(1)
        d = zlib.decompressobj()
        try:
            yield d.decompress(raw, MAX_STREAM_BYTES)
        except zlib.error:
            continue


LITERAL = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.DOTALL)


def _pdf_strings(blob: bytes) -> str:
    """The literal strings of a PDF content stream or object, unescaped, joined."""
    parts = []
    for m in LITERAL.finditer(blob):
        s = re.sub(rb"\\([nrtbf()\\])", lambda x: x.group(1), m.group(1))
        parts.append(s.decode("cp1252", errors="ignore"))
    return "".join(parts)
