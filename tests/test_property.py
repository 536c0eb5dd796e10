"""Property: whatever bytes arrive as export.zip and whatever JSON as request.json, `reviewer
check` answers with exit 0, 1 or 2 and no traceback, and nothing is written anywhere."""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reviewer.archive.review import review_request
from reviewer.cli import main
from reviewer.domain.errors import ReviewerError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)

tickets = st.fixed_dictionaries(
    {
        "request_id": st.text(min_size=1, max_size=20),
        "requester": st.fixed_dictionaries(
            {"customer_id": st.sampled_from(["A3KX9ZQ2M7T1LB", "B9", ""])},
            optional={
                "name": st.text(max_size=20),
                "email": st.text(max_size=20),
                "devices": json_values,
                "household": json_values,
                "account_created_at": st.text(max_size=12),
            },
        ),
    },
    optional={"received_at": json_values, "due_at": json_values},
)

MEMBER_NAMES = [
    "manifest.json",
    "Account/Profile.json",
    "Alexa/VoiceHistory.csv",
    "Alexa/Audio/U1.wav",
    "Alexa/Transcripts.pdf",
    "x.zip",
    "../up.txt",
    "a/b.json",
    "README",
]


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    """Small archives with arbitrary members, sometimes with a few bytes overwritten."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        for _ in range(draw(st.integers(0, 4))):
            name = draw(st.sampled_from(MEMBER_NAMES) | st.text(min_size=1, max_size=15))
            data = draw(
                st.binary(max_size=200)
                | json_values.map(lambda v: json.dumps(v).encode())
                | st.just(b"utterance_id,device_serial\nU1,G1\n")
            )
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    raw = bytearray(buf.getvalue())
    for _ in range(draw(st.integers(0, 3))):
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw)


exports = st.binary(max_size=400) | zips()
requests = st.one_of(tickets, json_values).map(json.dumps).map(str.encode) | st.binary(max_size=60)


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st_ = os.lstat(p)
                seen[p] = (st_.st_size, st_.st_mtime_ns)
    return seen


@pytest.fixture(scope="module")
def isolated() -> Iterator[dict[str, Path]]:
    """cwd, $HOME and $TMPDIR in fresh folders for the whole module (hypothesis reuses it)."""
    with tempfile.TemporaryDirectory() as base:
        root = Path(base)
        dirs = {n: root / n for n in ("home", "tmp", "cwd", "inbox")}
        for d in dirs.values():
            d.mkdir()
        mp = pytest.MonkeyPatch()
        mp.setenv("HOME", str(dirs["home"]))
        mp.setenv("TMPDIR", str(dirs["tmp"]))
        mp.setattr(tempfile, "tempdir", None)
        mp.chdir(dirs["cwd"])
        mp.delenv("REVIEWER_DB", raising=False)
        try:
            yield dirs
        finally:
            mp.undo()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=exports, request=requests)
def test_check_never_crashes_or_writes(
    isolated: dict[str, Path], export: bytes, request: bytes
) -> None:
    folder = isolated["inbox"] / "REQ"
    folder.mkdir(exist_ok=True)
    (folder / "export.zip").write_bytes(export)
    (folder / "request.json").write_bytes(request)
    watched = [isolated[n] for n in ("home", "tmp", "cwd", "inbox")]
    before = snapshot(*watched)

    result = CliRunner().invoke(main, ["check", str(folder), "--json"])
    event(f"exit {result.exit_code}")
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code in (0, 1, 2), out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    assert "Traceback" not in out and "internal error" not in out, out
    if result.exit_code in (0, 1):
        report = json.loads(result.stdout)
        assert report["verdict"] in ("pass", "review", "block")
        assert (result.exit_code == 1) == (report["verdict"] == "block")

    try:
        review = review_request(folder)
    except ReviewerError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(review.index.archive_sha256) == 64

    assert snapshot(*watched) == before


# ------------------------------------------------------------------ CSV without quotes
# (the csv module reads a file opened with newline="": its rows end at CR LF, LF or CR only)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab,;\t| \n\r\x0b\x0c\x1c\x85\u2028x\\'é")), max_size=80)
)
def test_a_csv_without_quotes_splits_as_the_csv_module_reads_it(text: str) -> None:
    """parse_csv splits a small table with no quote by hand; the table is the csv module's."""
    import csv

    from reviewer.domain.archive import tabular

    got = tabular.parse_csv("t.csv", text)
    first = text.replace("\r", "\n").split("\n", 1)[0]
    delimiter = tabular._delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        assert got is None
        return
    assert got is not None
    width = len(header)
    rows = []
    for raw in reader:
        if not raw or not "".join(raw).strip():
            continue
        rows.append(tuple((raw + [""] * width)[:width]))
    assert list(got.rows) == rows
    assert got.columns == tuple(h.strip() or f"column{i + 1}" for i, h in enumerate(header))


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab,;\t| \n\r\x0b\x1c\u2028xé")), min_size=1, max_size=60)
)
def test_a_large_csv_without_quotes_splits_as_the_csv_module_reads_it(text: str) -> None:
    """A quote-less table beyond csv's field limit in all, but with short lines, is split by
    hand too, as the csv module reads it."""
    import csv

    from reviewer.domain.archive import tabular

    big = "h1,h2,h3\n" + text * (tabular.PLAIN_CSV_MAX // len(text) + 1)
    got = tabular.parse_csv("t.csv", big)
    reader = csv.reader(io.StringIO(big, newline=""), delimiter=",")
    header = next(reader)
    try:
        rows = [tuple((raw + [""] * 3)[:3]) for raw in reader if raw and "".join(raw).strip()]
    except csv.Error:  # a line (with no break in the text) longer than the field limit
        assert got is None
        return
    assert got is not None
    assert got.columns == tuple(header)
    assert [tuple(c[: tabular.MAX_CELL] for c in row) for row in rows] == list(got.rows)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab,;"\n\r\x0b\x0c\x85\u2028 ')), max_size=60))
def test_a_csv_with_quotes_reads_as_the_csv_module_reads_it(text: str) -> None:
    """A quoted cell keeps its delimiters and line breaks, as the csv module reads it; text
    the csv module refuses is no table."""
    import csv

    from reviewer.domain.archive import tabular

    got = tabular.parse_csv("t.csv", text)
    first = text.replace("\r", "\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=tabular._delimiter(first))
    try:
        header = next(reader, None)
        rows = [raw for raw in reader if raw and "".join(raw).strip()]
    except csv.Error:
        assert got is None
        return
    if not header:
        assert got is None
        return
    assert got is not None
    width = len(header)
    assert list(got.rows) == [tuple((raw + [""] * width)[:width]) for raw in rows]


def test_a_csv_cell_beyond_the_field_limit_is_no_table() -> None:
    """A line longer than csv's field limit may hold a cell csv refuses: read by csv, it is no
    table, as before (a long line with no delimiter is one cell)."""
    from reviewer.domain.archive import tabular

    long_line = "x" * (tabular.PLAIN_CSV_MAX + 1)
    assert tabular.parse_csv("t.csv", f"a,b\n{long_line}\n") is None
    fits = "x" * tabular.PLAIN_CSV_MAX
    table = tabular.parse_csv("t.csv", f"a,b\n{fits}\n" + "c,d\n" * 20000)
    assert table is not None and table.rows[0] == (fits[: tabular.MAX_CELL], "")


def _extension_by_search(name: str) -> str:
    """The extension as first written: the last dot, after the last "/" or "!" before it."""
    dot = name.rfind(".")
    if dot <= 0 or "/" in name[dot:] or "!" in name[dot:]:
        return ""
    cut = max(name.rfind("/", 0, dot), name.rfind("!", 0, dot))
    return name[dot:].lower() if dot > cut + 1 else ""


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB./!\\ xÉ")), max_size=12))
def test_an_extension_is_the_last_parts_after_its_last_dot(name: str) -> None:
    from reviewer.domain.archive.sniff import extension

    assert extension(name) == _extension_by_search(name)
