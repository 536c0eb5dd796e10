"""The audit chain: canonical events, the hash chain, signed checkpoints and the verifier.

Pure code, no database. The store (`reviewer.store.audit_log`) feeds it rows and checkpoints.

The chain
    Every event is a JSON object with the keys ``seq, at, actor, action, subject, payload``.
    Its canonical form is JSON with sorted keys, no spaces, UTF-8 (not ASCII-escaped) and no
    NaN or infinities (`canonical`). Event ``i`` (``seq`` counts from 1, without gaps) carries
    ``h_i = sha256(0x00 || h_{i-1} || canonical(event_i))``, with ``h_0 = GENESIS`` (32 bytes,
    the SHA-256 of ``b"dsar-reviewer audit chain v1"``). Hashes are stored as lowercase hex.

    The payload is stored as its own canonical JSON text and the hash covers those exact
    bytes, so any change to a stored byte changes the hash (`event_bytes` builds the canonical
    event straight from the stored text; it equals `canonical` of the parsed event).

Checkpoints
    A checkpoint states "the log had ``size`` events and its head hash was ``head`` at time
    ``at``", signed with Ed25519 over ``CHECKPOINT_CONTEXT || canonical({"at","head","size"})``.
    Checkpoints are kept in the database and also appended to a file kept apart from it. Without
    the private key nobody can make one, so a rewritten chain (every hash recomputed) or a cut
    tail no longer matches the signed heads.

Keys
    `load_or_create_signing_key(dir)` keeps the private key in ``dir/audit-signing.key``
    (PKCS#8 PEM, mode 0600) and the public key beside it in ``dir/audit-signing.pub`` (0600
    too); a key folder it creates is 0700, whatever the umask, so nobody else can add a key
    that `load_trusted_keys` would trust (`reviewer.domain.private`).
    `load_trusted_keys(dir)` reads every ``audit-signing*.pub`` in ``dir``; to trust the
    checkpoints of another terminal on a shared store, copy its ``audit-signing.pub`` there as
    ``audit-signing-<name>.pub``.

Verification
    `verify_chain(rows, checkpoints, keys)` walks the events in order and stops at the first bad
    one, returning its seq and the reason in plain words, or ok with the size and head.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reviewer.domain.errors import ReviewerError
from reviewer.domain.private import FILE_MODE, make_private_dir, open_private_new

GENESIS: bytes = hashlib.sha256(b"dsar-reviewer audit chain v1").digest()
GENESIS_HEX: str = GENESIS.hex()
CHECKPOINT_CONTEXT = b"dsar-reviewer audit checkpoint v1\n"
PRIVATE_KEY_NAME = "audit-signing.key"
PUBLIC_KEY_NAME = "audit-signing.pub"
TRUSTED_KEY_GLOB = "audit-signing*.pub"

EVENT_FIELDS = ("seq", "at", "actor", "action", "subject", "payload")
# Payload keys that would carry a secret. An event holding one is refused, never recorded.
SECRET_KEY_WORDS = ("passphrase", "password", "passwd", "secret", "private_key", "privatekey")

_AT_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")


class AuditError(ReviewerError):
    """The audit trail cannot be written or read (bad event, missing key, unreadable file)."""


# ---------------------------------------------------------------------------------------------
# Canonical form and the chain


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8, no NaN/Infinity."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise AuditError(f"audit payload is not plain JSON: {exc}") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise AuditError("audit payload text is not valid Unicode") from None


def now_at() -> str:
    """The current time in the chain's fixed format: UTC, microseconds, ``Z``."""
    return format_at(datetime.now(UTC))


def format_at(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise AuditError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def find_secret_keys(payload: Any, path: str = "") -> list[str]:
    """Paths of keys in `payload` (at any depth) whose name says they hold a secret."""
    found: list[str] = []
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            name = str(key)
            here = f"{path}.{name}" if path else name
            squashed = name.lower().replace("-", "").replace("_", "").replace(" ", "")
            if any(word.replace("_", "") in squashed for word in SECRET_KEY_WORDS):
                found.append(here)
            found.extend(find_secret_keys(value, here))
    elif isinstance(payload, list | tuple):
        for index, value in enumerate(payload):
            found.extend(find_secret_keys(value, f"{path}[{index}]"))
    return found


def payload_text(payload: Mapping[str, Any] | None) -> str:
    """The canonical text stored for a payload; refuses secrets and non-JSON values."""
    data: Mapping[str, Any] = {} if payload is None else payload
    if not isinstance(data, Mapping):
        raise AuditError("audit payload must be a JSON object")
    secrets = find_secret_keys(data)
    if secrets:
        raise AuditError(
            "audit events never record secrets; refused payload key(s): " + ", ".join(secrets)
        )
    return canonical(dict(data)).decode("utf-8")


def _enc(text: str) -> bytes:
    return encode_basestring(text).encode("utf-8")


def event_bytes(seq: int, at: str, actor: str, action: str, subject: str, payload: str) -> bytes:
    """The canonical bytes of an event, with `payload` given as its stored canonical text.

    Equal to ``canonical({"seq": seq, ..., "payload": json.loads(payload)})`` whenever the
    payload text is canonical, which `payload_text` guarantees; the hash covers the stored
    bytes exactly, so a payload altered in any way no longer matches.
    """
    return b"".join(
        (
            b'{"action":',
            _enc(action),
            b',"actor":',
            _enc(actor),
            b',"at":',
            _enc(at),
            b',"payload":',
            payload.encode("utf-8"),
            b',"seq":',
            str(seq).encode("ascii"),
            b',"subject":',
            _enc(subject),
            b"}",
        )
    )


def chain_hash(prev: bytes, body: bytes) -> bytes:
    """``sha256(0x00 || prev || body)``."""
    return hashlib.sha256(b"\x00" + prev + body).digest()


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """One event as recorded: its fields, the previous head and its own hash (hex)."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: str
    prev_hash: str
    hash: str

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.payload)
        return parsed

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "payload": self.data,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def make_event(
    prev_seq: int,
    prev_hash: str,
    actor: str,
    action: str,
    subject: str,
    payload: Mapping[str, Any] | None,
    at: str | None = None,
) -> ChainedEvent:
    """The next event of a chain whose head is (`prev_seq`, `prev_hash`)."""
    for name, value in (("actor", actor), ("action", action), ("subject", subject)):
        if not isinstance(value, str):
            raise AuditError(f"audit event {name} must be text")
    when = now_at() if at is None else at
    if not _AT_RE.match(when):
        raise AuditError(f"audit event time {when!r} is not in the chain's format")
    text = payload_text(payload)
    seq = prev_seq + 1
    try:
        body = event_bytes(seq, when, actor, action, subject, text)
    except UnicodeEncodeError:
        raise AuditError("audit event text is not valid Unicode") from None
    digest = chain_hash(bytes.fromhex(prev_hash), body)
    return ChainedEvent(seq, when, actor, action, subject, text, prev_hash, digest.hex())


# ---------------------------------------------------------------------------------------------
# Checkpoints and keys


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of the log's size and head hash at a time."""

    size: int
    head: str
    at: str
    signature: str  # base64 of the 64-byte Ed25519 signature
    key_id: str  # first 16 hex digits of the SHA-256 of the raw public key

    def message(self) -> bytes:
        return checkpoint_message(self.size, self.head, self.at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "head": self.head,
            "at": self.at,
            "signature": self.signature,
            "key_id": self.key_id,
        }

    def to_line(self) -> str:
        return canonical(self.to_dict()).decode("utf-8") + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        size = data["size"]
        if not isinstance(size, int) or isinstance(size, bool):
            raise ValueError("size is not an integer")
        fields = [data[k] for k in ("head", "at", "signature", "key_id")]
        if not all(isinstance(f, str) for f in fields):
            raise ValueError("a field is not text")
        return cls(size, *fields)


def checkpoint_message(size: int, head: str, at: str) -> bytes:
    return CHECKPOINT_CONTEXT + canonical({"at": at, "head": head, "size": size})


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_checkpoint(
    private_key: Ed25519PrivateKey, size: int, head: str, at: str | None = None
) -> Checkpoint:
    when = now_at() if at is None else at
    signature = private_key.sign(checkpoint_message(size, head, when))
    return Checkpoint(
        size,
        head,
        when,
        base64.b64encode(signature).decode("ascii"),
        key_id(private_key.public_key()),
    )


def checkpoint_signature_ok(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    try:
        signature = base64.b64decode(checkpoint.signature.encode("ascii"), validate=True)
        # Only the canonical encoding counts: base64 ignores the spare bits of its last digit.
        if base64.b64encode(signature).decode("ascii") != checkpoint.signature:
            return False
        public_key.verify(signature, checkpoint.message())
    except (InvalidSignature, binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return True


def parse_checkpoint_lines(lines: Iterable[str], source: str) -> list[Checkpoint]:
    """Checkpoints from a checkpoint file's lines; an unreadable line is an AuditError."""
    out: list[Checkpoint] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(Checkpoint.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"{source} line {number} is not a checkpoint ({exc})") from None
    return out


def load_or_create_signing_key(key_dir: Path) -> Ed25519PrivateKey:
    """The signing key in `key_dir`, created (0600, public key beside it) if there is none."""
    private_path = key_dir / PRIVATE_KEY_NAME
    if private_path.exists():
        key = load_signing_key(key_dir)
        if not (key_dir / PUBLIC_KEY_NAME).exists():  # a crash came between the two writes
            _write_public_key(key_dir, key)
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        make_private_dir(key_dir)
    except OSError as exc:
        raise AuditError(
            f"cannot create the audit key folder {key_dir}: {exc.strerror or exc}"
        ) from None
    try:
        fd = open_private_new(private_path)
    except FileExistsError:  # another process made it first: give it a moment to finish
        for _ in range(50):
            try:
                return load_signing_key(key_dir)
            except AuditError:
                time.sleep(0.02)
        return load_signing_key(key_dir)
    except OSError as exc:
        raise AuditError(
            f"cannot create the audit signing key in {key_dir}: {exc.strerror}"
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    _write_public_key(key_dir, key)
    return key


def _write_public_key(key_dir: Path, key: Ed25519PrivateKey) -> None:
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _atomic_write(key_dir / PUBLIC_KEY_NAME, public_pem)


def load_signing_key(key_dir: Path) -> Ed25519PrivateKey:
    path = key_dir / PRIVATE_KEY_NAME
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise AuditError(
                f"{path} is readable by others (mode {mode:o}); "
                f"make it private with: chmod 600 {path}"
            )
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise AuditError(f"cannot read the audit signing key {path}: {exc.strerror}") from None
    except ValueError:
        raise AuditError(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditError(f"{path} is not an Ed25519 key")
    return key


def load_trusted_keys(key_dir: Path) -> dict[str, Ed25519PublicKey]:
    """Every ``audit-signing*.pub`` in `key_dir`, by key id. Missing dir: no keys."""
    keys: dict[str, Ed25519PublicKey] = {}
    if not key_dir.is_dir():
        return keys
    for path in sorted(key_dir.glob(TRUSTED_KEY_GLOB)):
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError):
            raise AuditError(f"{path} is not a readable PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise AuditError(f"{path} is not an Ed25519 public key")
        keys[key_id(key)] = key
    return keys


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` whole with `data`, in a new 0600 file (mkstemp) renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify_chain` found.

    ok: the chain and every checkpoint verify. size/head: how far the walk got and the head hash
    there (on failure, the last good event). bad_seq/reason: the first bad event, in plain words.
    checkpoints: how many distinct signed checkpoints were checked; last_checkpoint: the largest
    size a valid checkpoint covers; unsigned_tail: events after it (protected by the chain only).
    """

    ok: bool
    size: int
    head: str
    bad_seq: int | None = None
    reason: str | None = None
    checkpoints: int = 0
    last_checkpoint: int = 0
    unsigned_tail: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "head": self.head,
            "bad_seq": self.bad_seq,
            "reason": self.reason,
            "checkpoints": self.checkpoints,
            "last_checkpoint": self.last_checkpoint,
            "unsigned_tail": self.unsigned_tail,
        }


EventRow = tuple[int, str, str, str, str, str, str, str]
"""(seq, at, actor, action, subject, payload, prev_hash, hash) as stored, ordered by seq."""

_LINK_BROKEN = (
    "its previous-hash does not link to the event before it: events were deleted, "
    "inserted or reordered, or the link was edited"
)
_EDITED = "its contents do not match its hash: the event was edited"

# Decisions: each is signed (a checkpoint over the chain up to it) in the transaction that
# records it, so none ever sits in the unsigned tail. The marker is the first event of the era
# in which that holds: a store made or upgraded by this version records it once, signed.
DECISIONS_SIGNED_MARKER = "audit-decisions-signed"
DECISION_ACTIONS = frozenset(
    {
        DECISIONS_SIGNED_MARKER,
        "sign-off",
        "rejection",
        "release",
        "delivery",
        "redelivery",
        "user-add",
        "user-disable",
        "user-enable",
        "user-unlock",
        "user-reset-passphrase",
        "policy-change",
        "lockout",
        "mark",
        "mark-withdrawn",
        "correction-proposed",
        "correction-withdrawn",
        "corrections-applied",
    }
)


def _time_went_back(at: str, before: str) -> str:
    return (
        f"its time {at} is earlier than the event before it ({before}): events were "
        "reordered, or written with a clock set back"
    )


@dataclass(slots=True)
class Segment:
    """The result of walking a run of consecutive events (see `walk_segment`).

    first_seq/start_prev: where the walk began and the previous hash it started from;
    end_seq/end_hash: the last event that verified and its hash; heads: the hash at each
    requested size within the run; bad: the first bad event in the run, (seq, reason).
    """

    first_seq: int
    start_prev: str
    end_seq: int
    end_hash: str
    heads: dict[int, str]
    bad: tuple[int, str] | None = None
    first_at: str = ""  # the time of the run's first event and of its last good one
    end_at: str = ""
    decisions: list[tuple[int, str]] = field(default_factory=list)  # (seq, action)
    marker: int | None = None  # the first DECISIONS_SIGNED_MARKER event of the run


def walk_segment(
    rows: Iterable[Any],
    first_seq: int,
    start_prev: str | None,
    want: Container[int] = frozenset(),
    last_seq: int | None = None,
) -> Segment:
    """Walk `rows` (EventRow tuples in seq order, starting at `first_seq`), recomputing each hash.

    `start_prev` is the hash the first event must link to; None takes the first row's own
    previous-hash (a later run of a log split for parallel checking; the caller then checks that
    the run before it ends on that hash). Stops at the first bad event. `last_seq`: the run
    must reach this event (events missing at its end are reported as bad).
    """
    sha256 = hashlib.sha256
    esc = encode_basestring
    template = '{"action":%s,"actor":%s,"at":%s,"payload":%s,"seq":%d,"subject":%s}'
    expected = first_seq
    prev_hex = start_prev
    prev_digest = bytes.fromhex(start_prev) if start_prev is not None else b""
    heads: dict[int, str] = {}
    seg = Segment(first_seq, start_prev or "", first_seq - 1, start_prev or "", heads)
    prev_at = ""
    decisions = seg.decisions
    for seq, at, actor, action, subject, payload, prev_hash, stored in rows:
        if seq != expected:
            seg.bad = (
                expected,
                f"found event {seq} where event {expected} belongs: events "
                f"were deleted, inserted or reordered",
            )
            break
        if prev_hex is None:  # first row of a later run
            if not isinstance(prev_hash, str) or not _HEX64_RE.match(prev_hash):
                seg.bad = (seq, _LINK_BROKEN)
                break
            prev_hex = seg.start_prev = seg.end_hash = prev_hash
            prev_digest = bytes.fromhex(prev_hash)
        if prev_hash != prev_hex:
            seg.bad = (seq, _LINK_BROKEN)
            break
        try:
            body = (
                template % (esc(action), esc(actor), esc(at), payload, seq, esc(subject))
            ).encode("utf-8")
        except (TypeError, UnicodeEncodeError):
            seg.bad = (seq, _EDITED)
            break
        digest = sha256(b"\x00" + prev_digest + body).digest()
        digest_hex = digest.hex()
        if stored != digest_hex:
            seg.bad = (seq, _EDITED)
            break
        if at < prev_at:
            seg.bad = (seq, _time_went_back(at, prev_at))
            break
        if not prev_at:
            seg.first_at = at
        if action in DECISION_ACTIONS:
            decisions.append((seq, action))
            if action == DECISIONS_SIGNED_MARKER and seg.marker is None:
                seg.marker = seq
        if seq in want:
            heads[seq] = digest_hex
        prev_digest, prev_hex, prev_at = digest, digest_hex, at
        expected += 1
    seg.end_seq = expected - 1
    seg.end_at = prev_at
    if prev_hex is not None:
        seg.end_hash = prev_hex
    if seg.bad is None and last_seq is not None and seg.end_seq < last_seq:
        seg.bad = (expected, f"event {expected} is missing: events were deleted")
    return seg


@dataclass(slots=True)
class CheckedCheckpoints:
    """Checkpoints whose signature verified, by size; problems found as (seq, reason)."""

    valid: dict[int, list[Checkpoint]]
    issues: list[tuple[int, str]]
    count: int


def distinct_checkpoints(checkpoints: Iterable[Checkpoint]) -> list[Checkpoint]:
    """One of each checkpoint (the database and the file hold the same ones)."""
    return list({(c.size, c.head, c.at, c.signature, c.key_id): c for c in checkpoints}.values())


def check_checkpoints(
    checkpoints: Iterable[Checkpoint], trusted_keys: Mapping[str, Ed25519PublicKey]
) -> CheckedCheckpoints:
    """Check every checkpoint's signature against the trusted keys."""
    out = CheckedCheckpoints({}, [], 0)
    for cp in checkpoints:
        out.count += 1
        key = trusted_keys.get(cp.key_id)
        covers = f"the checkpoint of {cp.at!r} covering events 1..{cp.size}"
        at = max(cp.size, 1)
        if key is None:
            out.issues.append(
                (at, f"{covers} is signed by key {cp.key_id!r}, which is not a trusted audit key")
            )
        elif not checkpoint_signature_ok(cp, key):
            out.issues.append((at, f"{covers} has an invalid signature (forged or altered)"))
        elif cp.size < 1:
            out.issues.append((1, f"{covers} claims an empty log"))
        else:
            out.valid.setdefault(cp.size, []).append(cp)
    return out


def merge_checked(parts: Iterable[CheckedCheckpoints]) -> CheckedCheckpoints:
    out = CheckedCheckpoints({}, [], 0)
    for part in parts:
        out.count += part.count
        out.issues.extend(part.issues)
        for size, cps in part.valid.items():
            out.valid.setdefault(size, []).extend(cps)
    return out


def judge(
    segments: Iterable[Segment], checked: CheckedCheckpoints, checkpoint_every: int = 0
) -> VerifyResult:
    """Combine consecutive walked runs (in order) and checked checkpoints into one verdict.

    `checkpoint_every` > 0: a checkpoint is made at every multiple of it, so one missing there
    means checkpoints were removed (from the database and the file alike).
    """
    problems: list[tuple[int, str]] = list(checked.issues)
    end_seq, end_hash, end_at = 0, GENESIS_HEX, ""
    last_good_cp = 0
    broken = False
    decisions: list[tuple[int, str]] = []
    marker: int | None = None
    for seg in segments:
        if broken:
            break
        if seg.first_at and seg.first_at < end_at:
            problems.append((seg.first_seq, _time_went_back(seg.first_at, end_at)))
            broken = True
            break
        decisions.extend(seg.decisions)
        if marker is None:
            marker = seg.marker
        if seg.first_seq != end_seq + 1 or (
            seg.end_seq >= seg.first_seq and seg.start_prev != end_hash
        ):
            problems.append(
                (
                    end_seq + 1,
                    _LINK_BROKEN
                    if seg.first_seq == end_seq + 1
                    else f"event {end_seq + 1} is missing: events were deleted",
                )
            )
            broken = True
            break
        for size in sorted(s for s in checked.valid if seg.first_seq <= s <= seg.end_seq):
            for cp in checked.valid[size]:
                if cp.head != seg.heads.get(size):
                    problems.append(
                        (
                            size,
                            f"the signed checkpoint of {cp.at!r} covering "
                            f"events 1..{size} does not match the chain: events "
                            f"up to {size} were rewritten",
                        )
                    )
                    broken = True
            if broken:
                break
            last_good_cp = size
        if seg.end_seq >= seg.first_seq:
            end_seq, end_hash, end_at = seg.end_seq, seg.end_hash, seg.end_at
        if seg.bad is not None:
            problems.append(seg.bad)
            broken = True
    if not broken and checked.valid:
        top = max(checked.valid)
        if top > end_seq:
            cp = checked.valid[top][0]
            problems.append(
                (
                    end_seq + 1,
                    f"the log ends at event {end_seq} but the signed "
                    f"checkpoint of {cp.at!r} covers {top} events: events "
                    f"{end_seq + 1}..{top} were cut off",
                )
            )
    if not broken and checkpoint_every > 0:
        for size in range(checkpoint_every, end_seq + 1, checkpoint_every):
            if size not in checked.valid:
                problems.append(
                    (
                        size,
                        f"no signed checkpoint covers events 1..{size}, though "
                        f"one is made every {checkpoint_every} events: "
                        f"checkpoints were removed",
                    )
                )
                break
    if not broken and end_seq > 0 and checked.count == 0:
        problems.append(
            (
                1,
                f"the log holds {end_seq} events and no signed checkpoint: its checkpoints "
                "were removed (every decision is signed when it is made)",
            )
        )
    elif not broken and marker is not None:
        # From the marker on, every decision is signed in the transaction that records it.
        for seq, action in decisions:
            if seq >= marker and seq <= end_seq and seq not in checked.valid:
                problems.append(
                    (
                        seq,
                        f"the {action} event has no signed checkpoint, though every decision "
                        "is signed when it is made: it was forged, or its checkpoint removed",
                    )
                )
                break
    tail = max(end_seq - last_good_cp, 0)
    if problems:
        seq, reason = min(problems)
        return VerifyResult(
            False,
            end_seq,
            end_hash,
            bad_seq=seq,
            reason=reason,
            checkpoints=checked.count,
            last_checkpoint=last_good_cp,
            unsigned_tail=tail,
        )
    return VerifyResult(
        True,
        end_seq,
        end_hash,
        checkpoints=checked.count,
        last_checkpoint=last_good_cp,
        unsigned_tail=tail,
    )


def verify_chain(
    rows: Iterable[Any],
    checkpoints: Iterable[Checkpoint],
    trusted_keys: Mapping[str, Ed25519PublicKey],
    checkpoint_every: int = 0,
) -> VerifyResult:
    """Walk `rows` (EventRow tuples in seq order, from event 1) and check every checkpoint."""
    checked = check_checkpoints(distinct_checkpoints(checkpoints), trusted_keys)
    return judge([walk_segment(rows, 1, GENESIS_HEX, checked.valid)], checked, checkpoint_every)


def is_hex_hash(value: str) -> bool:
    return bool(_HEX64_RE.match(value))
