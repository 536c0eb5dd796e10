"""The chain's events: their canonical JSON bytes, the chain's time format, the refusal of
payloads that would record a secret, and the hash that links each event to the one before."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from reviewer.domain.audit.errors import AuditError

GENESIS: bytes = hashlib.sha256(b"dsar-reviewer audit chain v1").digest()
GENESIS_HEX: str = GENESIS.hex()

EVENT_FIELDS = ("seq", "at", "actor", "action", "subject", "payload")
# Payload keys that would carry a secret. An event holding one is refused, never recorded.
SECRET_KEY_WORDS = ("passphrase", "password", "passwd", "secret", "private_key", "privatekey")

_AT_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")


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


def json_object(text: str) -> dict[str, Any]:
    """The JSON object `text` holds, or an empty one when it holds none: a payload that is not
    an object names nothing."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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


def is_hex_hash(value: str) -> bool:
    return bool(HEX64_RE.match(value))


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

    def payload_object(self) -> dict[str, Any]:
        """The payload's fields, or none when it is no JSON object (`json_object`)."""
        return json_object(self.payload)

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
