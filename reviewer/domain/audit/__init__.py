"""The audit chain: canonical events, the hash chain, signed checkpoints and the verifier.

Pure code, no database. The store (`reviewer.store.audit_log`) feeds it rows and checkpoints.
This package's names are all importable from here; each concern has its own module:
`chain` (events and their hash), `checkpoints` (signed heads), `keys` (the key files),
`decisions` (the actions signed when they are made), `segments` (walking a run of events) and
`verify` (the verdict on a whole log).

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

from reviewer.domain.audit.chain import (
    EVENT_FIELDS,
    GENESIS,
    GENESIS_HEX,
    SECRET_KEY_WORDS,
    ChainedEvent,
    canonical,
    chain_hash,
    event_bytes,
    find_secret_keys,
    format_at,
    is_hex_hash,
    make_event,
    now_at,
    payload_text,
)
from reviewer.domain.audit.checkpoints import (
    CHECKPOINT_CONTEXT,
    CheckedCheckpoints,
    Checkpoint,
    check_checkpoints,
    checkpoint_message,
    checkpoint_signature_ok,
    distinct_checkpoints,
    key_id,
    merge_checked,
    parse_checkpoint_lines,
    sign_checkpoint,
)
from reviewer.domain.audit.decisions import DECISION_ACTIONS, DECISIONS_SIGNED_MARKER
from reviewer.domain.audit.errors import AuditError
from reviewer.domain.audit.keys import (
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    TRUSTED_KEY_GLOB,
    load_or_create_signing_key,
    load_signing_key,
    load_trusted_keys,
)
from reviewer.domain.audit.segments import EventRow, Segment, walk_segment
from reviewer.domain.audit.verify import VerifyResult, judge, verify_chain

__all__ = [
    "CHECKPOINT_CONTEXT",
    "DECISIONS_SIGNED_MARKER",
    "DECISION_ACTIONS",
    "EVENT_FIELDS",
    "GENESIS",
    "GENESIS_HEX",
    "PRIVATE_KEY_NAME",
    "PUBLIC_KEY_NAME",
    "SECRET_KEY_WORDS",
    "TRUSTED_KEY_GLOB",
    "AuditError",
    "ChainedEvent",
    "CheckedCheckpoints",
    "Checkpoint",
    "EventRow",
    "Segment",
    "VerifyResult",
    "canonical",
    "chain_hash",
    "check_checkpoints",
    "checkpoint_message",
    "checkpoint_signature_ok",
    "distinct_checkpoints",
    "event_bytes",
    "find_secret_keys",
    "format_at",
    "is_hex_hash",
    "judge",
    "key_id",
    "load_or_create_signing_key",
    "load_signing_key",
    "load_trusted_keys",
    "make_event",
    "merge_checked",
    "now_at",
    "parse_checkpoint_lines",
    "payload_text",
    "sign_checkpoint",
    "verify_chain",
    "walk_segment",
]
