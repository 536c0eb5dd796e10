"""The signing key pair's files: the terminal's private key (created on first use, 0600 in a
0700 folder) and the public keys whose checkpoints are trusted."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reviewer.domain.audit.checkpoints import key_id
from reviewer.domain.audit.errors import AuditError
from reviewer.domain.private import FILE_MODE, make_private_dir, open_private_new

PRIVATE_KEY_NAME = "audit-signing.key"
PUBLIC_KEY_NAME = "audit-signing.pub"
TRUSTED_KEY_GLOB = "audit-signing*.pub"


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
