"""Build the corrected archive: every kept member read through the safe reader (nothing is
extracted to disk), rows, recordings and catalogue entries withheld together, texts redacted,
spans silenced, the catalogue rebuilt, the manifest rewritten, and a notice to the requester
added. Deterministic: the same archive and corrections give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import struct
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.archive import Limits, RawMember, read_member, read_member_raw
from reviewer.correct.catalogue import Catalogue, catalogue_pdf
from reviewer.correct.wavhead import (
    PLAIN_CHUNKS,
    chunk_ids,
    chunks,
    plain_wav_head,
    span_frames,
)
from reviewer.correct.zipwrite import write_zip
from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.wav import parse_wav
from reviewer.domain.corrections import CorrectionPlan, Reason, Redactor
from reviewer.domain.model import ExportIndex, Member, MemberKind, Request

NOTICE_MEMBER = "Corrections-notice.txt"
TEXT_KINDS = (MemberKind.CSV, MemberKind.JSON, MemberKind.TEXT)


class BuildError(Exception):
    """The corrected archive cannot be built (one line, for the reviewer)."""


@dataclass(slots=True)
class Built:
    path: Path
    sha256: str
    size: int  # bytes
    members: list[str]
    withheld_members: list[str]
    withheld_utterances: list[str]
    redacted: dict[str, int] = field(default_factory=dict)  # member -> occurrences replaced
    silenced: dict[str, list[list[float | None]]] = field(default_factory=dict)
    replaced_chars: int = 0  # catalogue characters the PDF fonts cannot show
    # The members' bytes as written (not recorded; the proof searches them once their
    # SHA-256 matches what the reader reads back).
    contents: dict[str, bytes | RawMember] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": str(self.path),
            "sha256": self.sha256,
            "bytes": self.size,
            "members": self.members,
            "withheld_members": self.withheld_members,
            "withheld_utterances": self.withheld_utterances,
            "redacted": self.redacted,
            "silenced": self.silenced,
            "replaced_chars": self.replaced_chars,
        }


def build_corrected(
    archive: Path,
    index: ExportIndex,
    request: Request,
    p: CorrectionPlan,
    out_dir: Path,
    limits: Limits | None = None,
) -> Built:
    """Write the corrected archive into `out_dir` (named by its SHA-256) and return it."""
    limits = limits or Limits()
    if p.empty:
        raise BuildError("no corrections to apply")
    redactor = Redactor.of(p.redactions)
    drop_values = {v.casefold() for v in p.withheld_values} | {
        u.casefold() for u in p.withheld_utterances
    }
    out: dict[str, bytes | RawMember] = {}
    redacted: dict[str, int] = {}
    seen: set[str] = set()
    kept: list[Member] = []
    for m in index.members:
        path = m.path
        if path in seen or m.kind is MemberKind.DIRECTORY or "!" in path:
            continue  # a nested archive's members travel inside it
        seen.add(path)
        if path in p.withheld_members or path in (index.manifest_member, index.transcript_member):
            continue  # withheld; the manifest and the catalogue are made anew below
        kept.append(m)

    def corrected(m: Member) -> tuple[bytes | RawMember, int]:
        if m.kind is MemberKind.AUDIO and m.path not in p.silences:
            same = _unchanged_recording(archive, m.path, redactor, limits)
            if same is not None:
                return same, 0
        try:
            data = read_member(archive, m.path, limits.max_member_bytes, limits)
        except ArchiveError as exc:
            raise BuildError(
                f"{m.path} cannot be read safely ({exc}): withhold it, or reject the export"
            ) from None
        if m.kind in TEXT_KINDS:
            return _correct_text(m.path, m.kind, data, redactor, drop_values)
        if m.kind is MemberKind.AUDIO:
            spans = p.silences.get(m.path)
            if spans:
                data = _silence(m.path, data, spans)
            if redactor:
                data = _strip_wav_metadata(data, redactor)
        return data, 0

    def rebuilt_catalogue() -> tuple[Catalogue, int]:
        entries, n_all = [], 0
        for e in index.transcripts:
            if e.utterance_id.casefold() in drop_values:
                continue
            text, n = redactor.redact(e.text) if redactor else (e.text, 0)
            n_all += n
            entries.append(
                type(e)(
                    e.timestamp, e.timestamp_text, e.device_serial, e.utterance_id, text, e.page
                )
            )
        return catalogue_pdf(entries), n_all

    # Members are read (and inflated: ISA-L lets go of the GIL) side by side, kept in order,
    # while the catalogue (pure Python) is laid out beside them.
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 1))) as pool:
        catalogue = (
            pool.submit(rebuilt_catalogue)
            if index.transcript_member and index.transcript_member not in p.withheld_members
            else None
        )
        for m, (data, n) in zip(kept, pool.map(corrected, kept), strict=True):
            out[m.path] = data
            if n:
                redacted[m.path] = n
        replaced = 0
        if catalogue is not None:
            assert index.transcript_member is not None
            pdf, n = catalogue.result()
            out[index.transcript_member] = pdf.data
            replaced = pdf.replaced_chars
            if n:
                redacted[index.transcript_member] = n
    out[NOTICE_MEMBER] = notice(request, p).encode("utf-8")
    if index.manifest_member:
        out[index.manifest_member] = _manifest(index, out)
    if not any(k for k in out if k not in (NOTICE_MEMBER, index.manifest_member)):
        raise BuildError("the corrections would leave nothing of the export to deliver")
    order = ([index.manifest_member] if index.manifest_member in out else []) + sorted(
        path for path in out if path != index.manifest_member
    )
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".building-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as fh:
            sink = _Hashing(fh)
            write_zip(sink, [(path, out[path]) for path in order])
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        sha, size = sink.hexdigest(), sink.size
        final = out_dir / f"{sha}.zip"
        os.replace(tmp, final)  # the same bytes under the same name: replacing changes nothing
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Built(
        path=final,
        sha256=sha,
        size=size,
        members=sorted(out),
        withheld_members=sorted(p.withheld_members),
        withheld_utterances=sorted(p.withheld_utterances),
        redacted=redacted,
        silenced={m: [[s.start_s, s.end_s] for s in spans] for m, spans in p.silences.items()},
        replaced_chars=replaced,
        contents=out,
    )


# ------------------------------------------------------------------------------ text members


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def _correct_text(
    path: str, kind: MemberKind, data: bytes, redactor: Redactor, drop: set[str]
) -> tuple[bytes, int]:
    """A text member with its withheld records dropped and its texts redacted; the original
    bytes when nothing changed."""
    text, encoding = _decode(data)
    if kind is MemberKind.JSON:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if doc is not None:
            counter = [0, 0]  # redactions, dropped records
            new = _json_correct(doc, redactor, drop, counter)
            if counter == [0, 0]:
                return data, 0
            body = json.dumps(new, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
            return _encode(body, encoding), counter[0]
    if kind is MemberKind.CSV:
        corrected = _csv_correct(text, redactor, drop)
        if corrected is not None:
            body, n, dropped = corrected
            if n == 0 and dropped == 0:
                return data, 0
            return _encode(body, encoding), n
    new_text, n = redactor.redact(text) if redactor else (text, 0)
    return (data, 0) if n == 0 else (_encode(new_text, encoding), n)


def _json_correct(doc: Any, redactor: Redactor, drop: set[str], counter: list[int]) -> Any:
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for key, value in doc.items():
            new_key = key
            if redactor:
                new_key, n = redactor.redact(key)
                counter[0] += n
                while new_key in out:  # two keys redacted alike stay two keys
                    new_key += " "
            out[new_key] = _json_correct(value, redactor, drop, counter)
        return out
    if isinstance(doc, list):
        kept = []
        for item in doc:
            if drop and isinstance(item, dict) and _carries(item, drop):
                counter[1] += 1
                continue
            kept.append(_json_correct(item, redactor, drop, counter))
        return kept
    if isinstance(doc, str) and redactor:
        new, n = redactor.redact(doc)
        counter[0] += n
        return new
    return doc


def _carries(record: dict[str, Any], drop: set[str]) -> bool:
    return any(
        isinstance(v, str | int) and str(v).strip().casefold() in drop for v in record.values()
    )


def _csv_correct(text: str, redactor: Redactor, drop: set[str]) -> tuple[str, int, int] | None:
    terminator = "\r\n" if "\r\n" in text[:4096] else "\n"
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if not rows:
        return None
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=terminator)
    n = dropped = 0
    for i, row in enumerate(rows):
        if i > 0 and drop and any(cell.strip().casefold() in drop for cell in row):
            dropped += 1
            continue
        if redactor:
            new_row = []
            for cell in row:
                cell, k = redactor.redact(cell)
                n += k
                new_row.append(cell)
            row = new_row
        writer.writerow(row)
    return buf.getvalue(), n, dropped


# ------------------------------------------------------------------------------ recordings


def _silence(path: str, data: bytes, spans: list[Any]) -> bytes:
    try:
        layout = parse_wav(data)
    except WavError as exc:
        raise BuildError(
            f"{path}: only a PCM WAV can be silenced here ({exc}); withhold it instead"
        ) from None
    info = layout.info
    if not info.rate or not info.channels or not info.bits:
        raise BuildError(f"{path}: its sample format is unknown; withhold it instead")
    frame = layout.frame_bytes
    frames = layout.data_bytes // frame
    # PCM in 1-byte samples is unsigned: silence is 128
    zero = b"\x80" if layout.sample_bytes == 1 else b"\x00"
    buf = bytearray(data)
    for span in spans:
        start, end = span_frames(span.start_s, span.end_s, info.rate, frames)
        if end <= start:
            continue
        a = layout.data_offset + start * frame
        b = layout.data_offset + end * frame
        buf[a:b] = zero * (b - a)
    return bytes(buf)


def _strip_wav_metadata(data: bytes, redactor: Redactor) -> bytes:
    """A WAV whose chunks other than the sound name a redacted text: rewritten with only its
    `fmt ` and `data` chunks (the sound itself is untouched)."""
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RIFX") or data[8:12] != b"WAVE":
        return data
    try:
        layout = parse_wav(data)
    except WavError:
        return data
    if chunk_ids(data) <= PLAIN_CHUNKS:
        return data  # nothing but the sound and its format: no text to hide
    outside = data[: layout.data_offset] + data[layout.data_offset + layout.data_bytes :]
    if not _names_any(outside, redactor):
        return data
    fmt = _chunk(data, b"fmt ")
    if fmt is None:
        return data
    sound = data[layout.data_offset : layout.data_offset + layout.data_bytes]
    pad = b"\x00" if len(sound) % 2 else b""
    order = ">" if data[:4] == b"RIFX" else "<"
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack(order + "I", len(fmt))
        + fmt
        + (b"\x00" if len(fmt) % 2 else b"")
        + b"data"
        + struct.pack(order + "I", len(sound))
        + sound
        + pad
    )
    return data[:4] + struct.pack(order + "I", len(body)) + body


def _unchanged_recording(
    archive: Path, path: str, redactor: Redactor, limits: Limits
) -> RawMember | None:
    """A recording that goes out as it came, copied as stored; None when it must be read
    (it cannot be copied raw, or, with texts to redact, it is not a plain WAV of format and
    sound alone, so chunks that may hold text are searched)."""
    try:
        raw = read_member_raw(archive, path, limits)
    except ArchiveError:
        return None  # read_member says why, with the same words
    if raw is None:
        return None
    if redactor and plain_wav_head(raw) is None:
        return None
    return raw


def _chunk(data: bytes, wanted: bytes) -> bytes | None:
    return next((body for cid, body in chunks(data) if cid == wanted), None)


def _names_any(raw: bytes, redactor: Redactor) -> bool:
    for encoding in ("utf-8", "utf-16-le", "cp1252"):
        if redactor.found(raw.decode(encoding, errors="ignore")):
            return True
    return False


# ------------------------------------------------------------------------------ notice, manifest, zip


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# What the notice says for each count the plan keeps (`CorrectionPlan.reasons`).
NOTICE_WORDS = {
    "recordings": lambda n: (
        _n(n, "recording was", "recordings were")
        + " withheld, with its entries in the voice history and the transcripts"
    ),
    "files": lambda n: _n(n, "file was", "files were") + " withheld",
    "records": lambda n: (
        "records belonging to " + _n(n, "another account were", "other accounts were") + " withheld"
    ),
    "texts": lambda n: (
        _n(n, "name or other text was", "names or other texts were")
        + " replaced by [redacted] wherever they appeared"
    ),
    "silenced": lambda n: _n(n, "recording was", "recordings were") + " silenced in part or whole",
}


def notice(request: Request, p: CorrectionPlan) -> str:
    """The plain-words notice to the requester: what was withheld or redacted, by category
    and legal basis, never what it protects (no names, no ids, no file names)."""
    lines = [
        f"About this copy of your data (customer {request.requester.customer_id}, "
        f"request {request.request_id})",
        "",
        "Before this copy was sent to you, a reviewer checked it against your account and "
        "took out what should not be in it. Here is what was taken out, and why.",
        "",
    ]
    for reason in Reason:
        counts = p.reasons.get(reason)
        if not counts:
            continue
        parts = [NOTICE_WORDS[what](n) for what, n in sorted(counts.items())]
        lines.append(f"- {'; '.join(parts)}.")
        lines.append(f"  Why: {reason.notice}")
    lines += [
        "",
        "Where text was taken out it reads [redacted]; where sound was taken out of a "
        "recording you hear silence. If you think something was withheld that is yours, "
        "write to us and quote the request above: you may also complain to the data-protection "
        "authority.",
        "",
    ]
    return "\n".join(lines)


def _manifest(index: ExportIndex, members: dict[str, bytes | RawMember]) -> bytes:
    """The manifest rewritten to the members that go out. A member copied as stored has the
    bytes the reader hashed when the export was checked (the re-check compares again)."""
    base: dict[str, Any] = dict(index.manifest) if isinstance(index.manifest, dict) else {}
    hashed = {m.path: m.sha256 for m in index.members}

    def entry(path: str, data: bytes | RawMember) -> dict[str, Any]:
        if isinstance(data, RawMember):
            return {"path": path, "bytes": data.size, "sha256": hashed[path]}
        return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    base["files"] = [
        entry(path, data) for path, data in sorted(members.items()) if path != index.manifest_member
    ]
    return (json.dumps(base, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class _Hashing:
    """A file the archive is written to, hashed on the way."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self._h = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._h.update(data)
        self.size += len(data)
        return int(self._fh.write(data))

    def hexdigest(self) -> str:
        return self._h.hexdigest()
