"""The manifest's file list as pipelines write it: digests as base64, after a "sha256:"
prefix, under `checksum` or `digest`; paths under `file` or `name`, as bare strings, as a
map; paths with "./", "/", backslashes, URL-encoding or another Unicode form. A right export
so described passes; a member changed, removed or added is still caught. A path listed twice
must match both entries. Digests of another kind (MD5, SHA-1) are compared by size only, and
the reviewer is told so.

Each test writes the clean sample's members into a new export.zip with its own manifest and
reviews it as the app does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cleancopy import clean_members, review_members

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

Entry = Callable[[str, bytes], Any]
TAMPERED = "Retail/OrderHistory.csv"


def _tampered(data: bytes) -> bytes:
    """The same number of bytes, the last digit changed (an order's price)."""
    i = max(i for i, b in enumerate(data) if chr(b).isdigit())
    return data[:i] + (b"9" if data[i : i + 1] != b"9" else b"8") + data[i + 1 :]


def _review(
    tmp_path: Path,
    files: Callable[[dict[str, bytes]], Any],
    change: Callable[[dict[str, bytes]], None] = lambda members: None,
) -> Review:
    """Review the clean export whose manifest lists `files(members)`; `change` alters the
    members after the manifest is made."""
    members = clean_members()
    doc = json.loads(members.pop("manifest.json"))
    doc["files"] = files(members)
    change(members)
    return review_members(tmp_path, {"manifest.json": json.dumps(doc).encode(), **members})


def _listing(entry: Entry) -> Callable[[dict[str, bytes]], Any]:
    return lambda members: [entry(p, d) for p, d in sorted(members.items())]


def _sha(d: bytes) -> bytes:
    return hashlib.sha256(d).digest()


FORMS: dict[str, Callable[[dict[str, bytes]], Any]] = {
    "base64": _listing(lambda p, d: {"path": p, "sha256": base64.b64encode(_sha(d)).decode()}),
    "prefixed": _listing(lambda p, d: {"path": p, "sha256": "sha256:" + _sha(d).hex()}),
    "base64url": _listing(
        lambda p, d: {"path": p, "sha256": base64.urlsafe_b64encode(_sha(d)).decode().rstrip("=")}
    ),
    "checksum": _listing(lambda p, d: {"path": p, "checksum": _sha(d).hex().upper()}),
    "file and size": _listing(lambda p, d: {"file": p, "size": len(d), "digest": _sha(d).hex()}),
    "name and length": _listing(lambda p, d: {"name": p, "length": str(len(d))}),
    "a map": lambda members: {p: _sha(d).hex() for p, d in members.items()},
    "dot slash": _listing(lambda p, d: {"path": "./" + p, "sha256": _sha(d).hex()}),
    "backslashes": _listing(lambda p, d: {"path": p.replace("/", "\\\\"), "bytes": len(d)}),
    "url-encoded": _listing(lambda p, d: {"path": p.replace("/", "%2F"), "bytes": len(d)}),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_right_export_passes_whatever_its_manifests_form(tmp_path: Path, form: str) -> None:
    review = _review(tmp_path, FORMS[form])
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize("form", ["base64", "prefixed", "checksum", "file and size", "a map"])
def test_a_changed_member_is_caught_whatever_its_manifests_form(tmp_path: Path, form: str) -> None:
    def change(members: dict[str, bytes]) -> None:
        members[TAMPERED] = _tampered(members[TAMPERED])

    review = _review(tmp_path, FORMS[form], change)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "manifest-changed-member"]
    assert f.members == (TAMPERED,) and "SHA-256 differs" in f.detail


def test_bare_paths_still_catch_a_removed_member(tmp_path: Path) -> None:
    def remove(members: dict[str, bytes]) -> None:
        del members["Retail/SearchHistory.csv"]

    review = _review(tmp_path, lambda members: sorted(members), remove)
    [f] = [f for f in review.report.findings if f.code == "manifest-missing-member"]
    assert f.members == ("Retail/SearchHistory.csv",)


def test_a_path_in_another_unicode_form_is_the_same_member(tmp_path: Path) -> None:
    name = unicodedata.normalize("NFD", "Retail/Résumé.txt")

    def files(members: dict[str, bytes]) -> Any:
        members[name] = b"notes"
        return [
            {"path": unicodedata.normalize("NFC", p), "sha256": _sha(d).hex()}
            for p, d in members.items()
        ]

    review = _review(tmp_path, files)
    assert not [f for f in review.report.findings if f.code.startswith("manifest-")]


def test_a_path_listed_twice_must_match_both_entries(tmp_path: Path) -> None:
    def files(members: dict[str, bytes]) -> Any:
        listed = [{"path": p, "sha256": _sha(d).hex()} for p, d in members.items()]
        return [*listed, {"path": TAMPERED, "sha256": _sha(_tampered(members[TAMPERED])).hex()}]

    review = _review(tmp_path, files)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "manifest-changed-member"]
    assert f.members == (TAMPERED,)


@pytest.mark.parametrize(
    ("key", "digest", "kind"),
    [("md5", hashlib.md5, "MD5"), ("sha1", hashlib.sha1, "SHA-1")],
)
def test_digests_of_another_kind_are_compared_by_size_and_said_so(
    tmp_path: Path, key: str, digest: Callable[[bytes], Any], kind: str
) -> None:
    def change(members: dict[str, bytes]) -> None:
        members[TAMPERED] = _tampered(members[TAMPERED])

    entry = _listing(lambda p, d: {"path": p, "bytes": len(d), key: digest(d).hexdigest()})
    review = _review(tmp_path, entry, change)
    assert review.report.verdict is Verdict.REVIEW
    [f] = [f for f in review.report.findings if f.code == "manifest-unverified"]
    assert f.severity is Severity.WARNING and kind in f.title and f.members == ("manifest.json",)
