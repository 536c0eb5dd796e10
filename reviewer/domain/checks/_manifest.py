"""The manifest's file list, however a pipeline writes it (`listed_files`).

An entry gives a member's path (`path`, `file`, `name`, ...), its size (`bytes`, `size`, ...)
and a digest (`sha256`, or `checksum`, `digest`, `hash` holding one: hex, hex after an
"sha256:" prefix, or base64). The list is a list of such objects, a list of bare paths, or an
object mapping each path to its digest or to such an object. A digest of another kind (MD5,
SHA-1, SHA-512: told by its key, its prefix or its length) cannot be compared with the
SHA-256 the reader computes; the entry keeps its name so the check can say so.

Paths are compared as the archive's tools would extract them (`path_key`): "./a", "/a" and
"a\\b" are "a/b", a URL-encoded path is decoded, and Unicode is compared in one normal form.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from reviewer.domain.archive.fieldnames import norm_key

PATH_KEYS = ("path", "file", "filename", "filepath", "name", "member")
SIZE_KEYS = ("bytes", "size", "length", "filesize", "sizebytes", "bytesize")
SHA256_KEYS = ("sha256", "sha256hex", "sha256sum")
GENERIC_DIGEST_KEYS = ("checksum", "digest", "hash", "hashvalue")
OTHER_DIGEST_KEYS = {"md5": "MD5", "sha1": "SHA-1", "sha512": "SHA-512", "sha384": "SHA-384"}
# the digest kinds by the bytes they hold
_BY_LENGTH = {16: "MD5", 20: "SHA-1", 32: "SHA-256", 48: "SHA-384", 64: "SHA-512"}
_PREFIX = re.compile(r"\A([A-Za-z0-9-]{2,10})[:=](.+)\Z", re.S)
_HEX = re.compile(r"\A[0-9a-fA-F]+\Z")


@dataclass(slots=True)  # (not frozen: a manifest lists 100,000 files, each made at once)
class Listed:
    """One file the manifest lists."""

    path: str  # as the manifest writes it
    key: str  # as compared (`path_key`)
    size: int | None
    sha256: str | None  # lower-case hex
    other_digest: str | None  # the kind of a digest that is not SHA-256 ("MD5"), if that is all


def path_key(path: str) -> str:
    """A member path as extraction tools resolve it: "/" between its parts, no "./" or "/"
    before it, URL-encoding undone, Unicode in one normal form (NFC)."""
    if plain_paths(path):
        return path  # the common case, at once
    p = path.replace("\\", "/")
    if "%" in p:
        p = unquote(p)
    while p.startswith(("./", "/")):
        p = p[2:] if p.startswith("./") else p[1:]
    p = re.sub(r"/(?:\./)+", "/", re.sub(r"/{2,}", "/", p))
    return unicodedata.normalize("NFC", p)


def plain_paths(joined: str) -> bool:
    """Whether the paths in `joined` (one, or many joined by newlines) are each their own
    `path_key`: ASCII, with nothing extraction would resolve. One pass over all of them
    spares a call per path for the 100,000 an export may list."""
    return (
        joined.isascii()
        and "\\" not in joined
        and "%" not in joined
        and "./" not in joined
        and "//" not in joined
        and not joined.startswith("/")
        and "\n/" not in joined
    )


def _size(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def digest_of(value: str) -> tuple[str, str] | None:
    """(kind, lower-case hex) of a digest as written: hex, prefixed ("sha256:...",
    "md5=..."), or base64; None when it is none of these."""
    text = value.strip()
    named = ""
    m = _PREFIX.match(text)
    if m is not None and not _HEX.match(text):
        named, text = m[1].upper().replace("SHA", "SHA-").replace("--", "-"), m[2].strip()
    raw: bytes | None = None
    if _HEX.match(text) and len(text) % 2 == 0:
        raw = bytes.fromhex(text)
    else:
        padded = text + "=" * (-len(text) % 4)
        if "-" in text or "_" in text:  # base64url, as JSON Web tools write digests
            padded = padded.replace("-", "+").replace("_", "/")
        try:
            raw = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            return None
    kind = _BY_LENGTH.get(len(raw))
    if kind is None or (named and named != kind):
        return None
    return kind, raw.hex()


def _entry(path: str, fields: dict[str, Any]) -> Listed:
    keys = {norm_key(str(k)): v for k, v in fields.items()}
    size = next((_size(keys[k]) for k in SIZE_KEYS if k in keys), None)
    sha256: str | None = None
    other: str | None = None
    for k in (*SHA256_KEYS, *GENERIC_DIGEST_KEYS, *OTHER_DIGEST_KEYS):
        value = keys.get(k)
        if not isinstance(value, str) or not value.strip():
            continue
        found = digest_of(value)
        if found is None:
            if k in SHA256_KEYS:
                sha256 = value.strip().lower()  # as written: it is compared, and differs
            continue
        kind, hexed = found
        if kind == "SHA-256":
            sha256 = hexed
        elif other is None:
            other = kind
    return Listed(path, path_key(path), size, sha256, other if sha256 is None else None)


def listed_files(manifest: object) -> Iterator[Listed] | None:
    """The files `manifest` lists, one by one (a manifest may list 100,000: none is kept), or
    None when it has no file list it can be read from. Folder entries ("Alexa/Audio/") are
    left out: a folder holds no bytes to check."""
    if not isinstance(manifest, dict):
        return None
    files = manifest.get("files")
    if isinstance(files, list):
        return _from_list(files)  # (keeps what `_kept` keeps, itself)
    if isinstance(files, dict) and files:
        return _kept(_from_map(files))
    return None


def _kept(entries: Iterator[Listed]) -> Iterator[Listed]:
    return (e for e in entries if e.key and not e.key.endswith("/"))


def _from_list(files: list[Any]) -> Iterator[Listed]:
    """The entries of a file list, as `_kept` keeps them."""
    # whether the common entries' paths are all their own `path_key` (one test of them all)
    plain = plain_paths(
        "\n".join([p for i in files if isinstance(i, dict) and type(p := i.get("path")) is str])
    )
    for item in files:
        if isinstance(item, str) and item.strip():
            entry = _entry(item, {})
        elif isinstance(item, dict):
            # the common entry at once: {"path": ..., "bytes": n, "sha256": 64 hex digits}
            # (what is not hex differs from every digest, as it should)
            path, sha, size = item.get("path"), item.get("sha256"), item.get("bytes")
            if (
                len(item) == 3
                and type(path) is str
                and type(size) is int
                and type(sha) is str
                and len(sha) == 64
            ):
                key = path if plain else path_key(path)
                if key and not key.endswith("/"):
                    yield Listed(path, key, size, sha.lower(), None)
                continue
            fields = {norm_key(str(k)): v for k, v in item.items()}
            path = next((fields[k] for k in PATH_KEYS if isinstance(fields.get(k), str)), None)
            if path is None or not path.strip():
                continue
            entry = _entry(path, item)
        else:
            continue
        if entry.key and not entry.key.endswith("/"):
            yield entry


def _from_map(files: dict[Any, Any]) -> Iterator[Listed]:
    for path, value in files.items():
        if isinstance(value, dict):
            yield _entry(str(path), value)
        elif isinstance(value, str):
            yield _entry(str(path), {"digest": value})
        else:
            yield _entry(str(path), {"bytes": value})
