"""The audit chain's pure parts: canonical JSON, the hash formula, checkpoints, keys."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.audit import (
    GENESIS,
    GENESIS_HEX,
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    AuditError,
    Checkpoint,
    canonical,
    event_bytes,
    find_secret_keys,
    key_id,
    load_or_create_signing_key,
    load_signing_key,
    load_trusted_keys,
    make_event,
    sign_checkpoint,
    verify_chain,
)


def _chain(n: int) -> list[tuple[int, str, str, str, str, str, str, str]]:
    rows = []
    seq, prev = 0, GENESIS_HEX
    for i in range(n):
        e = make_event(seq, prev, f"user{i}", "sign-in", f"REQ-{i}", {"ok": i % 2 == 0})
        rows.append((e.seq, e.at, e.actor, e.action, e.subject, e.payload, e.prev_hash, e.hash))
        seq, prev = e.seq, e.hash
    return rows


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": {"d": [1, 2], "c": "Zoë"}}) == (
        '{"a":{"c":"Zoë","d":[1,2]},"b":1}'.encode()
    )


def test_canonical_json_refuses_nan_and_non_json() -> None:
    with pytest.raises(AuditError):
        canonical({"x": float("nan")})
    with pytest.raises(AuditError):
        canonical({"x": object()})


def test_genesis_is_fixed() -> None:
    assert hashlib.sha256(b"dsar-reviewer audit chain v1").digest() == GENESIS


def test_event_hash_is_sha256_of_zero_prev_and_canonical_event() -> None:
    e = make_event(
        0,
        GENESIS_HEX,
        "alice",
        "sign-off",
        "DSAR-1",
        {"decision": "approve"},
        at="2026-01-02T03:04:05.000006Z",
    )
    whole = {
        "seq": 1,
        "at": "2026-01-02T03:04:05.000006Z",
        "actor": "alice",
        "action": "sign-off",
        "subject": "DSAR-1",
        "payload": {"decision": "approve"},
    }
    body = json.dumps(whole, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert e.hash == hashlib.sha256(b"\x00" + GENESIS + body.encode()).hexdigest()
    assert e.prev_hash == GENESIS_HEX
    assert e.data == {"decision": "approve"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(deadline=None)  # a loaded machine is slow, never wrong
@given(
    seq=st.integers(1, 10**9),
    actor=st.text(max_size=30),
    action=st.text(max_size=30),
    subject=st.text(max_size=30),
    payload=st.dictionaries(st.text(alphabet="abcdefghij", max_size=8), json_values, max_size=5),
)
def test_fast_event_bytes_equal_canonical_of_the_parsed_event(
    seq: int, actor: str, action: str, subject: str, payload: dict[str, object]
) -> None:
    at = "2026-11-26T10:00:00.000000Z"
    text = canonical(payload).decode()
    whole = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "payload": payload,
    }
    assert event_bytes(seq, at, actor, action, subject, text) == canonical(whole)


def test_secret_keys_are_found_at_any_depth_and_refused() -> None:
    payload = {
        "name": "alice",
        "form": {"Pass-Phrase": "x", "rows": [{"db_password": 1}]},
        "client_secret": "y",
    }
    assert sorted(find_secret_keys(payload)) == [
        "client_secret",
        "form.Pass-Phrase",
        "form.rows[0].db_password",
    ]
    with pytest.raises(AuditError) as err:
        make_event(0, GENESIS_HEX, "alice", "sign-in", "", {"passphrase": "hunter2hunter2"})
    assert "hunter2" not in str(err.value)
    assert "passphrase" in str(err.value)


def test_signing_key_is_private_with_public_key_beside_it(tmp_path: Path) -> None:
    key_dir = tmp_path / "keys"
    key = load_or_create_signing_key(key_dir)
    mode = stat.S_IMODE(os.stat(key_dir / PRIVATE_KEY_NAME).st_mode)
    assert mode == 0o600
    assert (key_dir / PUBLIC_KEY_NAME).read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    again = load_or_create_signing_key(key_dir)
    assert key_id(again.public_key()) == key_id(key.public_key())
    assert list(load_trusted_keys(key_dir)) == [key_id(key.public_key())]
    (key_dir / PUBLIC_KEY_NAME).unlink()  # as if a crash came between the two writes
    load_or_create_signing_key(key_dir)
    assert list(load_trusted_keys(key_dir)) == [key_id(key.public_key())]


def test_a_private_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_or_create_signing_key(tmp_path)
    os.chmod(tmp_path / PRIVATE_KEY_NAME, 0o644)
    with pytest.raises(AuditError, match="chmod 600"):
        load_signing_key(tmp_path)


def test_checkpoint_signature_covers_size_head_and_time(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    rows = _chain(3)
    cp = sign_checkpoint(key, 3, rows[-1][7])
    keys = load_trusted_keys(tmp_path)
    assert verify_chain(rows, [cp], keys).ok
    for changed in (
        Checkpoint(2, cp.head, cp.at, cp.signature, cp.key_id),
        Checkpoint(cp.size, rows[1][7], cp.at, cp.signature, cp.key_id),
        Checkpoint(cp.size, cp.head, "2000-01-01T00:00:00.000000Z", cp.signature, cp.key_id),
    ):
        result = verify_chain(rows, [changed], keys)
        assert not result.ok
        assert "invalid signature" in (result.reason or "")


def test_non_canonical_base64_signature_is_refused(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    rows = _chain(2)
    cp = sign_checkpoint(key, 2, rows[-1][7])
    raw = base64.b64decode(cp.signature)
    assert cp.signature.endswith("==")
    # Same bytes, different text: the spare bits of the last base64 digit set.
    last = cp.signature[-3]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spare = alphabet[alphabet.index(last) ^ 1]
    other = cp.signature[:-3] + spare + "=="
    assert base64.b64decode(other) == raw
    bad = Checkpoint(cp.size, cp.head, cp.at, other, cp.key_id)
    assert not verify_chain(rows, [bad], load_trusted_keys(tmp_path)).ok


def test_checkpoint_by_an_unknown_key_is_refused(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    theirs = tmp_path / "theirs"
    load_or_create_signing_key(ours)
    rows = _chain(2)
    forged = sign_checkpoint(load_or_create_signing_key(theirs), 2, rows[-1][7])
    result = verify_chain(rows, [forged], load_trusted_keys(ours))
    assert not result.ok
    assert "not a trusted audit key" in (result.reason or "")


def test_verifier_names_the_first_bad_event(tmp_path: Path) -> None:
    rows = _chain(5)
    cp = [sign_checkpoint(load_or_create_signing_key(tmp_path), 2, rows[1][7])]
    keys = load_trusted_keys(tmp_path)
    assert verify_chain(rows, cp, keys).ok
    edited = list(rows)
    edited[2] = edited[2][:2] + ("mallory",) + edited[2][3:]
    result = verify_chain(edited, cp, keys)
    assert (result.ok, result.bad_seq, result.size) == (False, 3, 2)
    assert "edited" in (result.reason or "")
    gap = rows[:1] + rows[2:]
    result = verify_chain(gap, cp, keys)
    assert (result.ok, result.bad_seq) == (False, 2)
    ok = verify_chain(rows, cp, keys)
    assert (ok.size, ok.head, ok.unsigned_tail) == (5, rows[-1][7], 3)


def test_a_log_without_any_checkpoint_does_not_verify() -> None:
    result = verify_chain(_chain(5), [], {})
    assert (result.ok, result.bad_seq) == (False, 1)
    assert "5 events and no signed checkpoint" in (result.reason or "")
    assert verify_chain([], [], {}).ok  # an empty log has nothing to sign
