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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.correct.catalogue import catalogue_pdf
from reviewer.domain.archive import Limits, read_member
from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.wav import parse_wav
from reviewer.domain.corrections import CorrectionPlan, Reason, Redactor
from reviewer.domain.model import ExportIndex, MemberKind, Request

NOTICE_MEMBER = "Corrections-notice.txt"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed: the same input gives the same archive
TEXT_KINDS = (MemberKind.CSV, MemberKind.JSON, MemberKind.TEXT)


class BuildError(Exception):
    """The corrected archive cannot be built (one line, for the reviewer)."""


@dataclass(slots=True)
class Built:
    path: Path
    sha256: str
    bytes: int
    members: list[str]
    withheld_members: list[str]
    withheld_utterances: list[str]
    redacted: dict[str, int] = field(default_factory=dict)  # member -> occurrences replaced
    silenced: dict[str, list[list[float | None]]] = field(default_factory=dict)
    replaced_chars: int = 0  # catalogue characters the PDF fonts cannot show

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": str(self.path),
            "sha256": self.sha256,
            "bytes": self.bytes,
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
    out: dict[str, bytes] = {}
    redacted: dict[str, int] = {}
    seen: set[str] = set()
    for m in index.members:
        path = m.path
        if path in seen or m.kind is MemberKind.DIRECTORY or "!" in path:
            continue
        seen.add(path)
        if path in p.withheld_members or path == index.manifest_member:
            continue
        if path == index.transcript_member:
            continue  # rebuilt below
        try:
            data = read_member(archive, path, limits.max_member_bytes, limits)
        except ArchiveError as exc:
            raise BuildError(
                f"{path} cannot be read safely ({exc}): withhold it, or reject the export"
            ) from None
        if m.kind in TEXT_KINDS:
            data, n = _correct_text(path, m.kind, data, redactor, drop_values)
            if n:
                redacted[path] = n
        elif m.kind is MemberKind.AUDIO:
            spans = p.silences.get(path)
            if spans:
                data = _silence(path, data, spans)
            if redactor:
                data = _strip_wav_metadata(data, redactor)
        out[path] = data
    replaced = 0
    if index.transcript_member and index.transcript_member not in p.withheld_members:
        kept = []
        for e in index.transcripts:
            if e.utterance_id.casefold() in drop_values:
                continue
            text, n = redactor.redact(e.text) if redactor else (e.text, 0)
            if n:
                redacted[index.transcript_member] = redacted.get(index.transcript_member, 0) + n
            kept.append(type(e)(e.timestamp, e.timestamp_text, e.device_serial,
                                e.utterance_id, text, e.page))
        catalogue = catalogue_pdf(kept)
        out[index.transcript_member] = catalogue.data
        replaced = catalogue.replaced_chars
    out[NOTICE_MEMBER] = notice(request, p).encode("utf-8")
    if index.manifest_member:
        out[index.manifest_member] = _manifest(index, out)
    if not any(k for k in out if k not in (NOTICE_MEMBER, index.manifest_member)):
        raise BuildError("the corrections would leave nothing of the export to deliver")
    data = _zip(out, index.manifest_member)
    sha = hashlib.sha256(data).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = out_dir / f"{sha}.zip"
    if not final.exists():
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".building-", suffix=".zip")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Built(
        path=final,
        sha256=sha,
        bytes=len(data),
        members=sorted(out),
        withheld_members=sorted(p.withheld_members),
        withheld_utterances=sorted(p.withheld_utterances),
        redacted=redacted,
        silenced={m: [[s.start_s, s.end_s] for s in spans] for m, spans in p.silences.items()},
        replaced_chars=replaced,
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
    frame = info.channels * ((info.bits + 7) // 8)
    frames = layout.data_bytes // frame
    zero = b"\x80" if info.bits == 8 else b"\x00"  # 8-bit PCM is unsigned: silence is 128
    buf = bytearray(data)
    for span in spans:
        start = 0 if span.start_s is None else int(span.start_s * info.rate)
        end = frames if span.end_s is None else min(frames, int(-(-span.end_s * info.rate // 1)))
        start = max(0, min(start, frames))
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
        b"WAVE" + b"fmt " + struct.pack(order + "I", len(fmt)) + fmt
        + (b"\x00" if len(fmt) % 2 else b"")
        + b"data" + struct.pack(order + "I", len(sound)) + sound + pad
    )
    return data[:4] + struct.pack(order + "I", len(body)) + body


def _chunk(data: bytes, wanted: bytes) -> bytes | None:
    order = ">" if data[:4] == b"RIFX" else "<"
    at = 12
    while at + 8 <= len(data):
        cid = data[at : at + 4]
        (size,) = struct.unpack(order + "I", data[at + 4 : at + 8])
        if cid == wanted:
            return data[at + 8 : at + 8 + size]
        at += 8 + size + (size & 1)
    return None


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
    "recordings": lambda n: _n(n, "recording was", "recordings were")
    + " withheld, with its entries in the voice history and the transcripts",
    "files": lambda n: _n(n, "file was", "files were") + " withheld",
    "records": lambda n: "records belonging to "
    + _n(n, "another account were", "other accounts were") + " withheld",
    "texts": lambda n: _n(n, "name or other text was", "names or other texts were")
    + " replaced by [redacted] wherever they appeared",
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


def _manifest(index: ExportIndex, members: dict[str, bytes]) -> bytes:
    base: dict[str, Any] = dict(index.manifest) if isinstance(index.manifest, dict) else {}
    base["files"] = [
        {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for path, data in sorted(members.items())
        if path != index.manifest_member
    ]
    return (json.dumps(base, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _zip(members: dict[str, bytes], manifest: str | None) -> bytes:
    buf = io.BytesIO()
    order = ([manifest] if manifest in members else []) + sorted(
        p for p in members if p != manifest
    )
    with zipfile.ZipFile(buf, "w") as zf:
        for path in order:
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, members[path], compresslevel=6)
    return buf.getvalue()
