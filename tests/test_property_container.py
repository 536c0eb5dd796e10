"""Property: as fair as the tools that read archives every day. An archive that Python's
zipfile reads without error (`testzip()` is None) and `unzip -tqq` accepts (exit 0) gets no
structural `zip-*` finding from `read_export`, whatever its member names and comments hold
(bytes that look like ZIP signatures included), its compression methods, data descriptors
or ZIP64 fields. Name hazards (traversal, backslashes, duplicates ...) are real hazards and
may appear, and so may findings about a member named as an archive (`x.zip`): zipfile and
unzip never open it, the reader judges it as an archive of its own. The same archive behind a
prefix (a self-extractor stub) gets exactly one: `zip-unlisted-bytes`, counting the prefix."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from zipcraft import Pipe

from reviewer.archive import Limits, read_export
from reviewer.archive.nesting import ARCHIVE_NAMES
from reviewer.domain.model import ExportIndex, Finding

pytestmark = pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")

STRUCTURAL = {
    "zip-truncated",
    "zip-unreadable",
    "zip-corrupt",
    "zip-bad-crc",
    "zip-size-mismatch",
    "zip-header-mismatch",
    "zip-overlapping",
    "zip-unlisted-bytes",
    "zip-directory-conflict",
}
SIGNATURES = [
    b"PK\x06\x07",  # ZIP64 locator
    b"PK\x05\x06",  # end of central directory
    b"PK\x06\x06",  # ZIP64 end record
    b"PK\x07\x08",  # data descriptor
    b"PK\x03\x04",
    b"PK\x01\x02",
    struct.pack("<IQI", 0, 5, 0),  # what follows a locator's signature
    struct.pack("<IQI", 0, 5, 1),
    b"\x00" * 4,
]
METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]

fragments = st.sampled_from(SIGNATURES) | st.binary(max_size=12)
lookalike_bytes = st.lists(fragments, max_size=5).map(b"".join)
# bytes a comment may end in that read as a ZIP64 locator (disk 0, no or one disk) when they
# stand just before the end record: the offset points at no ZIP64 end record
locator_lookalikes = st.builds(
    lambda offset, disks: b"PK\x06\x07" + struct.pack("<IQI", 0, offset, disks),
    st.integers(0, 1 << 20) | st.sampled_from([0, 5, (1 << 64) - 1]),
    st.sampled_from([0, 1]),
)
comments = st.tuples(lookalike_bytes, st.just(b"") | locator_lookalikes).map(b"".join)
names = st.lists(
    st.sampled_from(["PK\x06\x07", "PK\x05\x06", "Alexa/", "a.csv", "../"])
    | st.text(st.characters(codec="utf-8"), max_size=8),
    min_size=1,
    max_size=4,
).map("".join)
contents = st.binary(max_size=300) | st.sampled_from([b"", b"customer_id,query\nA1,lamp\n" * 30])


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    """An archive zipfile writes: random names, member and archive comments, methods,
    streamed (data descriptors) or not, ZIP64 fields forced or not."""
    pipe, buf = Pipe(), io.BytesIO()
    streamed = draw(st.booleans())
    with zipfile.ZipFile(pipe if streamed else buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        for _ in range(draw(st.integers(0, 4))):
            info = zipfile.ZipInfo(draw(names))
            info.compress_type = draw(st.sampled_from(METHODS))
            info.comment = draw(comments)
            with zf.open(info, "w", force_zip64=draw(st.booleans())) as fh:
                fh.write(draw(contents))
        zf.comment = draw(lookalike_bytes)
    return bytes(pipe.data) if streamed else buf.getvalue()


def accepted_by_zipfile_and_unzip(data: bytes, where: Path) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:
                return False
    except Exception:  # noqa: BLE001 - zipfile refusing it in any way takes it out
        return False
    archive = where / "check.zip"
    archive.write_bytes(data)
    return subprocess.run(["unzip", "-tqq", str(archive)], capture_output=True).returncode == 0


def about_the_archive_itself(finding: Finding) -> bool:
    """Whether a finding is about the archive's own structure, not only about members named
    as archives (or members inside them), which the reader opens and zipfile and unzip
    do not."""
    nested = [m for m in finding.members if "!" in m or m.lower().endswith(ARCHIVE_NAMES)]
    return not finding.members or len(nested) < len(finding.members)


def structural(index: ExportIndex) -> list[Finding]:
    return [f for f in index.read_findings if f.code in STRUCTURAL and about_the_archive_itself(f)]


def read(data: bytes, where: Path) -> ExportIndex:
    archive = where / "export.zip"
    archive.write_bytes(data)
    return read_export(archive, Limits())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=archives())
# An empty member named PK\x06\x07.ZIP: an archive by its name, and an empty one.
@example(
    data=b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x00\x00\x00\x08\x00\x00\x00PK\x06\x07.ZIPPK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00"
    b"\x00\x00!\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00"
    b"\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00PK\x06\x07.ZIPPK\x05\x06\x00\x00\x00\x00"
    b"\x01\x00\x01\x006\x00\x00\x00&\x00\x00\x00\x00\x00"
)
def test_what_zipfile_and_unzip_accept_has_no_structural_finding(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        accepted = accepted_by_zipfile_and_unzip(data, where)
        event(f"accepted by zipfile and unzip: {accepted}")
        assume(accepted)
        index = read(data, where)
    assert [(f.code, f.detail) for f in structural(index)] == []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert [m.path for m in index.members] == [i.filename for i in zf.infolist()]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    data=archives(),
    # (zeros carry nothing, and a split archive's marker alone at the start is none)
    prefix=st.binary(min_size=1, max_size=64).filter(
        lambda b: any(b) and b not in (b"PK\x07\x08", b"PK00")
    )
    | st.just(b"#!/bin/sh\n"),
)
def test_a_prefix_is_the_one_structural_finding(data: bytes, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        assume(accepted_by_zipfile_and_unzip(data, where))
        index = read(prefix + data, where)
    found = structural(index)
    assert [f.code for f in found] == ["zip-unlisted-bytes"]
    assert found[0].detail.startswith(f"{len(prefix):,} byte")
    assert " before the " in found[0].detail
