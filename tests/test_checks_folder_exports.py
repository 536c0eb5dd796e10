"""An export compressed as a folder: every member under one top folder ("Compress" on macOS
and Windows: "DSAR-2018-0398/manifest.json"), or named "./manifest.json" as bsdtar writes
a folder it is given as "."; or zipped once more, the export.zip holding nothing but the
archive of the export ("DSAR-2018-0398.zip!manifest.json"). Its manifest, profile and catalogue are found in that folder,
the manifest's paths read from it, and the voice history's audio files too: tampering is
caught as at the top, and the honest export passes.

Each test writes the clean sample's members (the manifest made to fit when asked) under a
prefix and reviews the archive as the app does.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pdfcraft
import pytest
from cleancopy import clean_members, review_members

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

PREFIXES = [
    "DSAR-2018-0398/",
    "./",
    "./DSAR-2018-0398/",
    "export/DSAR-2018-0398/",
    "DSAR-2018-0398.zip!",
    "DSAR-2018-0398.zip!DSAR-2018-0398/",
]


def _fitted(members: dict[str, bytes], listed_with_prefix: str = "") -> dict[str, bytes]:
    """`members` with a manifest that lists them as they are (paths with `listed_with_prefix`
    in front)."""
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = [
        {
            "path": listed_with_prefix + p,
            "bytes": len(b),
            "sha256": hashlib.sha256(b).hexdigest(),
        }
        for p, b in sorted(members.items())
        if p != "manifest.json"
    ]
    return {**members, "manifest.json": json.dumps(manifest, indent=2).encode()}


def _review(tmp_path: Path, prefix: str, members: dict[str, bytes]) -> Review:
    """Review `members` under `prefix`: a folder ("DSAR-2018-0398/"), or an archive of their
    own that the export holds alone ("DSAR-2018-0398.zip!", written as a real nested ZIP)."""
    if "!" in prefix:
        outer, _, inner = prefix.partition("!")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path, data in members.items():
                z.writestr(inner + path, data)
        return review_members(tmp_path, {outer: buf.getvalue()})
    return review_members(tmp_path, {prefix + p: b for p, b in members.items()})


def _problems(review: Review) -> list[tuple[str, str]]:
    return [(f.code, f.detail) for f in review.report.findings if f.severity is not Severity.INFO]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_honest_export_in_a_folder_passes(tmp_path: Path, prefix: str) -> None:
    review = _review(tmp_path, prefix, clean_members())
    assert review.report.verdict is Verdict.PASS, _problems(review)
    assert review.index.manifest_member == prefix + "manifest.json"
    assert review.index.profile is not None
    recordings = review.index.recordings
    heard = [r.audio_member for r in recordings if r.audio_member]
    assert heard and all(a.startswith(prefix) for a in heard)
    assert review.index.transcript_member == prefix + "Alexa/Transcripts.pdf"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_changed_and_an_added_member_in_a_folder_export_block(
    tmp_path: Path, prefix: str
) -> None:
    members = clean_members()
    members["Retail/OrderHistory.csv"] += (
        b"A1QH7RZ3N8VW2E,202-0000000-0000001,2018-07-01,1,9.99,GBP,London\n"
    )
    members["Retail/Wishlist.csv"] = b"customer_id,item\nA1QH7RZ3N8VW2E,kettle\n"
    review = _review(tmp_path, prefix, members)
    by_code = {f.code: f for f in review.report.findings}
    assert review.report.verdict is Verdict.BLOCK
    assert by_code["manifest-changed-member"].members == (prefix + "Retail/OrderHistory.csv",)
    assert by_code["manifest-unlisted-member"].members == (prefix + "Retail/Wishlist.csv",)
    assert "manifest-absent" not in by_code


def test_a_member_missing_from_a_folder_export_is_named_where_it_belongs(
    tmp_path: Path,
) -> None:
    members = clean_members()
    gone = next(p for p in members if p.endswith(".wav"))
    del members[gone]
    review = _review(tmp_path, "DSAR-2018-0398/", members)
    by_code = {f.code: f for f in review.report.findings}
    assert by_code["manifest-missing-member"].members == ("DSAR-2018-0398/" + gone,)


def test_a_folder_exports_manifest_may_list_the_folder_too(tmp_path: Path) -> None:
    prefix = "DSAR-2018-0398/"
    review = _review(tmp_path, prefix, _fitted(clean_members(), listed_with_prefix=prefix))
    assert review.report.verdict is Verdict.PASS, _problems(review)


def test_a_member_beside_the_folder_is_not_listed(tmp_path: Path) -> None:
    """Only the folder all members lie in is the export's: a file beside it leaves the
    manifest at the folder's level unread as the manifest, and says so."""
    members = {"DSAR-2018-0398/" + p: b for p, b in clean_members().items()}
    members["notes.txt"] = b"delivered by the pipeline\n"
    review = review_members(tmp_path, members)
    assert review.index.manifest_member is None
    assert "manifest-absent" in {f.code for f in review.report.findings}


@pytest.mark.parametrize("prefix", ["DSAR-2018-0398/", "DSAR-2018-0398.zip!"])
def test_an_ordinary_document_as_a_folder_exports_catalogue_is_named(
    tmp_path: Path, prefix: str
) -> None:
    members = clean_members()
    members["Alexa/Transcripts.pdf"] = pdfcraft.build(
        [b"BT /F1 12 Tf 72 720 Td (Minutes of the meeting) Tj ET"]
    )
    review = _review(tmp_path, prefix, _fitted(members))
    [f] = [f for f in review.report.findings if f.code == "catalogue-empty"]
    assert f.members[0] == prefix + "Alexa/Transcripts.pdf"
    assert review.report.verdict is Verdict.BLOCK


@pytest.mark.parametrize("beside", ["notes.txt", "__MACOSX/._DSAR-2018-0398.zip", "Wish!list.csv"])
def test_a_member_beside_a_wrapped_export_is_unlisted(tmp_path: Path, beside: str) -> None:
    """The export zipped once more holds its archive and something else: what lies outside
    the archive the manifest is in is listed nowhere, and blocks like any unlisted member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in clean_members().items():
            z.writestr(path, data)
    members = {
        "DSAR-2018-0398.zip": buf.getvalue(),
        beside: b"Lukas Brandt, Elbchaussee 12, Hamburg\n",
    }
    review = review_members(tmp_path, members)
    by_code = {f.code: f for f in review.report.findings}
    assert review.index.manifest_member == "DSAR-2018-0398.zip!manifest.json"
    assert by_code["manifest-unlisted-member"].members == (beside,)
    assert review.report.verdict is Verdict.BLOCK


def test_a_name_holding_an_exclamation_mark_is_a_member_of_the_export(tmp_path: Path) -> None:
    """ "!" separates a nested archive's members in the reviewer's paths; a member named with
    one ("Wish!list.csv") is still the export's own, and unlisted when the manifest does not
    list it."""
    members = clean_members()
    members["Retail/Wish!list.csv"] = b"customer_id,item\nA1QH7RZ3N8VW2E,kettle\n"
    review = review_members(tmp_path, members)
    by_code = {f.code: f for f in review.report.findings}
    assert by_code["manifest-unlisted-member"].members == ("Retail/Wish!list.csv",)


def _swapped_and_wrapped(name: str) -> bytes:
    """The clean export with one recording's bytes swapped after its manifest was written
    (another account's, same name), zipped as `name`."""
    members = clean_members()
    wav = next(p for p in members if p.endswith(".wav"))
    members[wav] = members[wav][:44] + bytes(reversed(members[wav][44:]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in members.items():
            z.writestr(path, data)
    return buf.getvalue()


def _listing(members: dict[str, bytes]) -> bytes:
    return json.dumps(
        {
            "customer_id": "A1QH7RZ3N8VW2E",
            "files": [
                {"path": p, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                for p, b in members.items()
            ],
        }
    ).encode()


@pytest.mark.parametrize(
    "beside",
    ["a manifest listing the archive", "another archive", "the archive's name holds !"],
)
def test_a_changed_member_inside_a_wrapped_export_is_found_by_its_own_manifest(
    tmp_path: Path, beside: str
) -> None:
    """However the wrapper is dressed (a manifest at the top that lists only it, a second
    archive beside it, a name holding "!"), the manifest inside it vouches for its members."""
    name = "DSAR-2018-0398!final.zip" if "!" in beside else "DSAR-2018-0398.zip"
    top = {name: _swapped_and_wrapped(name)}
    if beside == "another archive":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("Help/index.txt", "How to read your data\n")
        top["Help.zip"] = buf.getvalue()
    if beside == "a manifest listing the archive":
        top["manifest.json"] = _listing(top)
    review = review_members(tmp_path, top)
    by_code = {f.code: f for f in review.report.findings}
    assert "manifest-changed-member" in by_code, [
        (f.code, f.detail) for f in review.report.findings
    ]
    assert by_code["manifest-changed-member"].members[0].startswith(name + "!Alexa/Audio/")
    assert review.report.verdict is Verdict.BLOCK


def test_an_archive_with_a_manifest_of_its_own_in_a_folder_is_part_of_the_export(
    tmp_path: Path,
) -> None:
    """A retail archive with its own manifest, in the folders of an export that has none:
    the export's layout still starts at the top (its members are not all unlisted), and the
    archive's members agree with its manifest."""
    inner = {"orders.csv": b"customer_id,order_id\nA1QH7RZ3N8VW2E,202-1\n"}
    inner["manifest.json"] = _listing(inner)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in inner.items():
            z.writestr(path, data)
    members = clean_members()
    del members["manifest.json"]  # an export of another pipeline, with no manifest of its own
    members["Retail/compras-2018.zip"] = buf.getvalue()
    review = review_members(tmp_path, members)
    assert review.index.manifest_member is None
    assert review.report.verdict is Verdict.PASS, _problems(review)


@pytest.mark.parametrize(
    "name",
    [
        "Retail/OrderHistory.csv!DeliveryNotes.txt",
        "Alexa/Audio/U0ABA3654614515C.wav!U08DC7A44E3C9BE7.wav",
        "Docs/Alexa!notes",
    ],
)
def test_a_name_holding_an_exclamation_mark_after_a_file_is_the_exports_own(
    tmp_path: Path, name: str
) -> None:
    """ "!" after the name of a member that is no archive: the name is the export's own
    member (the reviewer lists no members of a CSV or a recording), unlisted when the
    manifest does not list it, and no ambiguous name."""
    members = clean_members()
    members["Docs/Alexa"] = b"notes\n"
    members[name] = b"Lukas Brandt, Elbchaussee 12, Hamburg\n"
    review = review_members(tmp_path, members)
    codes = {f.code for f in review.report.findings}
    by_code = {f.code: f for f in review.report.findings}
    assert "zip-ambiguous-name" not in codes
    assert name in by_code["manifest-unlisted-member"].members
    assert review.report.verdict is Verdict.BLOCK


def test_a_name_that_reads_as_a_nested_archives_member_blocks(tmp_path: Path) -> None:
    """A member named as the reviewer names a nested archive's member ("extras.zip!x"
    beside extras.zip): it could pass for one, so it is a finding of its own."""
    members = clean_members()
    members["Extras/extras.zip"] = _zipped({"notes.txt": b"delivery notes\n"})
    members["Extras/extras.zip!other.txt"] = b"Lukas Brandt, Elbchaussee 12, Hamburg\n"
    review = review_members(tmp_path, _fitted(members))
    [f] = [f for f in review.report.findings if f.code == "zip-ambiguous-name"]
    assert f.members == ("Extras/extras.zip!other.txt",) and f.severity is Severity.CRITICAL
    assert review.report.verdict is Verdict.BLOCK


def _zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in members.items():
            z.writestr(path, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "inner",
    [
        {"manifest.json": b'{"manifest_version": 3, "name": "Alexa helper"}', "bg.js": b"x"},
        {"manifest.json": b'{"files": ["dist/a.js"]}', "README.md": b"read me", "dist/a.js": b"x"},
        {
            "manifest.json": b'{"export_id": "old", "files": [{"path": "DSAR-2017-0001/N.txt"}]}',
            "N.txt": b"notes",
        },
    ],
    ids=["browser extension", "package", "older export"],
)
def test_an_archive_in_the_exports_folders_with_a_manifest_of_its_own_passes(
    tmp_path: Path, inner: dict[str, bytes]
) -> None:
    """An archive the export's own manifest vouches for, in its folders, holding a
    manifest.json of some other kind or an older export's: read for what it holds, its
    own manifest no concern."""
    members = clean_members()
    members["Documents/backup.zip"] = _zipped(inner)
    review = review_members(tmp_path, _fitted(members))
    assert review.report.verdict is not Verdict.BLOCK, _problems(review)
