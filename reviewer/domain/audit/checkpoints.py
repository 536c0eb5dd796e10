"""Signed checkpoints: a statement of the log's size and head hash at a time, signed with
Ed25519; signing one, checking its signature, and reading them from a checkpoint file's lines."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reviewer.domain.audit.chain import canonical, now_at
from reviewer.domain.audit.errors import AuditError

CHECKPOINT_CONTEXT = b"dsar-reviewer audit checkpoint v1\n"


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
