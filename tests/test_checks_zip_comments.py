"""Comments are delivered with the archive: unzip prints the archive's own before every
listing and extraction, zipinfo and 7-Zip show each member's. Another account's identifiers
in them are found as in any member's text, and named where they stand: the export itself, a
nested archive, or the member whose comment it is.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from cleancopy import clean_members, clean_ticket

from reviewer.archive.review import review_request
from reviewer.domain.model import EXPORT_ITSELF, Verdict
from reviewer.domain.review import Review

STRANGER = "Customer ID: A5RT8XK2M9QW4N, e-mail john.foreign@example.com"


def _zip(
    members: dict[str, bytes], comment: bytes = b"", comments: dict[str, bytes] | None = None
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in members.items():
            info = zipfile.ZipInfo(path, date_time=(2018, 8, 2, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.comment = (comments or {}).get(path, b"")
            z.writestr(info, data)
        z.comment = comment
    return buf.getvalue()


def _review(tmp_path: Path, data: bytes) -> Review:
    folder = tmp_path / "DSAR-2018-0398"
    folder.mkdir()
    (folder / "export.zip").write_bytes(data)
    (folder / "request.json").write_text(json.dumps(clean_ticket()))
    return review_request(folder)


def _with_extras(inner: bytes) -> dict[str, bytes]:
    """The clean export's members with the archive `inner` as Extras/extras.zip, listed."""
    members = clean_members()
    members["Extras/extras.zip"] = inner
    manifest = json.loads(members["manifest.json"])
    manifest["files"].append(
        {
            "path": "Extras/extras.zip",
            "bytes": len(inner),
            "sha256": hashlib.sha256(inner).hexdigest(),
        }
    )
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def _foreign(review: Review) -> tuple[str, ...]:
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert "A5RT8XK2M9QW4N" in f.detail and "john.foreign@example.com" in f.detail
    return f.members


def test_another_accounts_ids_in_the_archives_comment_block(tmp_path: Path) -> None:
    review = _review(tmp_path, _zip(clean_members(), comment=STRANGER.encode()))
    assert review.report.verdict is Verdict.BLOCK
    assert _foreign(review) == (EXPORT_ITSELF,)


@pytest.mark.parametrize("encoding", ["utf-8", "cp437"])
def test_another_accounts_ids_in_a_members_comment_block(tmp_path: Path, encoding: str) -> None:
    said = ("Übertragen: " + STRANGER).encode(encoding)
    review = _review(tmp_path, _zip(clean_members(), comments={"Account/Profile.json": said}))
    assert review.report.verdict is Verdict.BLOCK
    assert _foreign(review) == ("Account/Profile.json",)


def test_another_accounts_ids_in_a_nested_archives_comment_block(tmp_path: Path) -> None:
    inner = _zip({"notes.txt": b"delivery notes\n"}, comment=STRANGER.encode())
    members = _with_extras(inner)
    review = _review(tmp_path, _zip(members))
    assert review.report.verdict is Verdict.BLOCK
    assert _foreign(review) == ("Extras/extras.zip",)


def test_the_pipelines_own_comments_pass(tmp_path: Path) -> None:
    data = _zip(
        clean_members(),
        comment=b"Export DSAR-2018-0398 for customer A1QH7RZ3N8VW2E, generated 2018-08-02",
        comments={"Alexa/VoiceHistory.csv": b"written by export v2"},
    )
    review = _review(tmp_path, data)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]
    assert review.index.comments[EXPORT_ITSELF].startswith("Export DSAR-2018-0398")


def test_a_nested_archives_comment_keeps_its_members_comment_in_the_outer_one(
    tmp_path: Path,
) -> None:
    """The comment the outer archive gives its member extras.zip and the comment extras.zip
    gives itself stand under one name: both are scanned."""
    inner = _zip({"notes.txt": b"delivery notes\n"}, comment=b"written by export v2")
    members = _with_extras(inner)
    review = _review(tmp_path, _zip(members, comments={"Extras/extras.zip": STRANGER.encode()}))
    assert review.report.verdict is Verdict.BLOCK
    assert _foreign(review) == ("Extras/extras.zip",)


def test_a_member_named_as_the_archive_itself_keeps_the_archives_comment(tmp_path: Path) -> None:
    members = {**clean_members(), EXPORT_ITSELF: b"notes\n"}
    data = _zip(members, comment=STRANGER.encode(), comments={EXPORT_ITSELF: b"nothing here"})
    review = _review(tmp_path, data)
    assert review.report.verdict is Verdict.BLOCK
    assert EXPORT_ITSELF in _foreign(review)
