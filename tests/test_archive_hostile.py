"""Every hostile archive variant gives its critical finding, names the member, reads the rest,
and leaves the filesystem exactly as it was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zipcraft
from zipcraft import S_IFLNK, STORED, Entry

from reviewer.archive import Limits, read_export
from reviewer.domain.model import ExportIndex, Finding, Severity

OK_NAME = "Retail/SearchHistory.csv"
OK_DATA = b"customer_id,timestamp,query\nA3KX9ZQ2M7T1LB,2018-01-02T10:00:00Z,desk lamp\n"


def ok() -> Entry:
    return Entry(OK_NAME, OK_DATA)


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                seen[p] = (st.st_size, st.st_mtime_ns)
    return seen


@pytest.fixture
def sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., ExportIndex]]:
    """Read an archive with cwd, $HOME and $TMPDIR in fresh folders, and prove nothing was written."""
    home, tmp, cwd, inbox = (tmp_path / n for n in ("home", "tmp", "cwd", "inbox"))
    for d in (home, tmp, cwd, inbox):
        d.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.chdir(cwd)
    checked: list[bool] = []

    def read(data: bytes, limits: Limits | None = None) -> ExportIndex:
        archive = inbox / "export.zip"
        archive.write_bytes(data)
        before = snapshot(home, tmp, cwd, inbox)
        index = read_export(archive, limits or Limits())
        assert snapshot(home, tmp, cwd, inbox) == before, "reading wrote to the filesystem"
        checked.append(True)
        return index

    yield read
    assert checked, "the sandbox was not used"


def finding(index: ExportIndex, code: str) -> Finding:
    found = [f for f in index.read_findings if f.code == code]
    assert found, f"no {code} finding in {[f.code for f in index.read_findings]}"
    return found[0]


def assert_rest_read(index: ExportIndex) -> None:
    member = index.member(OK_NAME)
    assert member is not None and member.readable
    assert "desk lamp" in dict(index.scan_texts())[OK_NAME]
    assert next(index.tables[OK_NAME].records())["query"] == "desk lamp"


BIG = b"\x00" * (3 << 20)

CASES: dict[str, tuple[list[Entry], str, str]] = {
    # name: (entries besides the good one, expected code, member it must name)
    "traversal": (
        [Entry("../../etc/cron.d/evil", b"* * * * * root sh")],
        "zip-traversal",
        "../../etc/cron.d/evil",
    ),
    "absolute": ([Entry("/etc/passwd", b"root:x:0:0")], "zip-absolute-path", "/etc/passwd"),
    "drive letter": (
        [Entry("C:/Windows/evil.dll", b"MZ")],
        "zip-absolute-path",
        "C:/Windows/evil.dll",
    ),
    "backslash": ([Entry("Alexa\\Audio\\x.wav", b"RIFF")], "zip-backslash", "Alexa\\Audio\\x.wav"),
    "backslash traversal": ([Entry("..\\..\\evil.txt", b"x")], "zip-traversal", "..\\..\\evil.txt"),
    "symlink": (
        [Entry("Alexa/link", b"/etc/shadow", method=STORED, mode=S_IFLNK | 0o777)],
        "zip-symlink",
        "Alexa/link",
    ),
    "duplicate": (
        [
            Entry("Account/Profile.json", b'{"customer_id": "A1"}'),
            Entry("Account/Profile.json", b'{"customer_id": "B2"}'),
        ],
        "zip-duplicate-name",
        "Account/Profile.json",
    ),
    "encrypted": (
        [Entry("Alexa/secret.csv", b"\x8a\x13" * 40, method=STORED, flags=0x1)],
        "zip-encrypted",
        "Alexa/secret.csv",
    ),
    "unknown method": (
        [Entry("Alexa/odd.bin", b"data", compressed=b"????", method=99)],
        "zip-unsupported-compression",
        "Alexa/odd.bin",
    ),
    "deflate64": (
        [Entry("Alexa/odd64.bin", b"data", compressed=b"????", method=9)],
        "zip-unsupported-compression",
        "Alexa/odd64.bin",
    ),
    "ratio bomb": ([Entry("bomb.bin", BIG)], "zip-bomb-ratio", "bomb.bin"),
    "bad crc": (
        [Entry("Alexa/VoiceHistory.csv", b"utterance_id\nU1\n", crc=0xDEADBEEF)],
        "zip-bad-crc",
        "Alexa/VoiceHistory.csv",
    ),
    "size lies low": ([Entry("liar.bin", BIG, size=1000)], "zip-size-mismatch", "liar.bin"),
    "size lies high": (
        [Entry("liar.txt", b"short text", size=5000)],
        "zip-size-mismatch",
        "liar.txt",
    ),
    "truncated member": (
        [
            Entry(
                "cut.txt",
                b"some words " * 500,
                compressed=zipcraft.deflate(b"some words " * 500)[:20],
            )
        ],
        "zip-truncated",
        "cut.txt",
    ),
    "corrupt deflate": (
        [Entry("garbage.txt", b"hello", compressed=b"\xff" * 40)],
        "zip-corrupt",
        "garbage.txt",
    ),
    "header mismatch": (
        [Entry("Alexa/a.txt", b"hello", local_name=b"../../a.txt")],
        "zip-header-mismatch",
        "Alexa/a.txt",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_member_is_a_critical_finding_and_the_rest_is_read(
    sandbox: Callable[..., ExportIndex], case: str
) -> None:
    entries, code, member = CASES[case]
    index = sandbox(zipcraft.build([*entries, ok()]))
    f = finding(index, code)
    assert f.severity is Severity.CRITICAL
    assert member in f.members
    assert_rest_read(index)
    hostile = [m for m in index.members if m.path == member]
    assert hostile, "the hostile member is still listed"


def test_hostile_members_are_not_trusted_as_content(sandbox: Callable[..., ExportIndex]) -> None:
    index = sandbox(
        zipcraft.build(
            [
                Entry("Alexa/link", b"/etc/shadow", method=STORED, mode=S_IFLNK | 0o777),
                Entry("Alexa/secret.csv", b"a,b\n1,2\n", method=STORED, flags=0x1),
                ok(),
            ]
        )
    )
    for path in ("Alexa/link", "Alexa/secret.csv"):
        m = index.member(path)
        assert m is not None and not m.readable and m.sha256 is None
        assert path not in dict(index.scan_texts())
    assert index.member("Alexa/link").type_label == "symbolic link"  # type: ignore[union-attr]


@pytest.mark.parametrize("method", [STORED, zipcraft.DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize(
    ("flag", "code", "words"),
    [
        (0x40, "zip-encrypted", "is encrypted (strong encryption, flag bit 6)"),
        (0x20, "zip-unsupported-compression", "compressed patched data (flag bit 5)"),
    ],
    ids=["strong encryption", "patched data"],
)
def test_members_whose_flags_say_they_cannot_be_read_as_they_stand_are_not_read(
    sandbox: Callable[..., ExportIndex], method: int, flag: int, code: str, words: str
) -> None:
    """Strongly encrypted or patched data (it needs another file to be rebuilt) is no plain
    data, even stored or deflated: it cannot be checked."""
    text = b"customer_id,query\nA9ZZ9ZZ9ZZ9ZZ9,other customer\n"
    index = sandbox(zipcraft.build([Entry("Retail/x.csv", text, method=method, flags=flag), ok()]))
    f = finding(index, code)
    assert f.severity is Severity.CRITICAL and f.members == ("Retail/x.csv",)
    assert words in f.detail and "cannot be" in f.detail
    m = index.member("Retail/x.csv")
    assert m is not None and not m.readable
    assert "Retail/x.csv" not in dict(index.scan_texts())
    assert_rest_read(index)


def test_overlapping_members(sandbox: Callable[..., ExportIndex]) -> None:
    index = sandbox(zipcraft.overlapping())
    f = finding(index, "zip-overlapping")
    assert f.severity is Severity.CRITICAL
    assert {"outer.bin", "inner.txt"} <= set(f.members)
    ok_member = index.member("ok.csv")
    assert ok_member is not None and ok_member.readable
    assert "lamp" in dict(index.scan_texts())["ok.csv"]


def test_total_size_bomb_stops_reading(sandbox: Callable[..., ExportIndex]) -> None:
    chunk = os.urandom(300_000)
    entries = [Entry(f"part{i}.bin", chunk) for i in range(6)]
    index = sandbox(zipcraft.build(entries), Limits(max_total_bytes=1_000_000))
    f = finding(index, "zip-bomb-size")
    assert f.severity is Severity.CRITICAL and f.members
    assert len(index.members) == 6  # all listed
    assert sum(1 for m in index.members if m.readable) <= 3


def test_member_over_the_size_limit(sandbox: Callable[..., ExportIndex]) -> None:
    index = sandbox(
        zipcraft.build([Entry("big.bin", os.urandom(200_000)), ok()]),
        Limits(max_member_bytes=100_000),
    )
    assert "big.bin" in finding(index, "zip-bomb-size").members
    assert_rest_read(index)


def test_ratio_judged_on_real_bytes_when_headers_lie(sandbox: Callable[..., ExportIndex]) -> None:
    # padding after the deflate stream makes the header's ratio look modest (3 MB from 2 MB);
    # the stream really inflates 3 MB from about 3 KB
    packed = zipcraft.deflate(BIG) + b"\x00" * (2 << 20)
    entry = Entry("sneaky.bin", BIG, compressed=packed)
    index = sandbox(zipcraft.build([entry, ok()]), Limits(max_ratio=50.0))
    assert "sneaky.bin" in finding(index, "zip-bomb-ratio").members
    m = index.member("sneaky.bin")
    assert m is not None and not m.readable


def test_too_many_members(sandbox: Callable[..., ExportIndex]) -> None:
    entries = [Entry(f"f{i}.txt", b"x") for i in range(10)]
    index = sandbox(zipcraft.build(entries), Limits(max_members=4))
    f = finding(index, "zip-too-many-members")
    assert f.severity is Severity.CRITICAL
    assert "10" in f.detail
    assert len(index.members) == 4


def test_nested_archives_within_and_beyond_the_depth_limit(
    sandbox: Callable[..., ExportIndex],
) -> None:
    deepest = zipcraft.zip_of({"deep.csv": b"customer_id\nB7\n"})
    middle = zipcraft.zip_of(
        {"inner/history.csv": b"customer_id,query\nA1,kettle\n", "deeper.zip": deepest}
    )
    data = zipcraft.build([Entry("other/pipeline.zip", middle, method=STORED), ok()])
    index = sandbox(data, Limits(max_depth=1))
    nested = finding(index, "zip-nested")
    assert nested.severity is Severity.INFO
    assert "other/pipeline.zip" in nested.members
    inner = "other/pipeline.zip!inner/history.csv"
    assert index.member(inner) is not None and index.member(inner).readable  # type: ignore[union-attr]
    assert "kettle" in dict(index.scan_texts())[inner]
    assert inner in index.tables
    too_deep = finding(index, "zip-nested-too-deep")
    assert too_deep.severity is Severity.CRITICAL
    assert "other/pipeline.zip!deeper.zip" in too_deep.members
    assert index.member("other/pipeline.zip!deeper.zip!deep.csv") is None
    assert_rest_read(index)


def test_truncated_archive_lists_what_comes_before_the_cut(
    sandbox: Callable[..., ExportIndex],
) -> None:
    data = zipcraft.build(
        [ok(), Entry("b.txt", os.urandom(5000), method=STORED), Entry("c.txt", b"after")]
    )
    cut = data.index(b"c.txt") - 200  # inside b.txt's data: no directory, c.txt lost
    index = sandbox(data[:cut])
    f = finding(index, "zip-truncated")
    assert f.severity is Severity.CRITICAL
    assert "listed from their own headers" in f.detail
    assert_rest_read(index)
    b = index.member("b.txt")
    assert b is not None and not b.readable
    assert index.member("c.txt") is None


def test_member_data_running_past_the_end(sandbox: Callable[..., ExportIndex]) -> None:
    index = sandbox(zipcraft.build([Entry("long.txt", b"abc", csize=10_000_000), ok()]))
    assert "long.txt" in finding(index, "zip-truncated").members
    assert_rest_read(index)


@pytest.mark.parametrize(
    "data", [b"", b"%PDF-1.4 not a zip at all", os.urandom(3000)], ids=["empty", "pdf", "random"]
)
def test_not_a_zip_is_a_finding_not_an_exception(
    sandbox: Callable[..., ExportIndex], data: bytes
) -> None:
    index = sandbox(data)
    f = finding(index, "zip-unreadable")
    assert f.severity is Severity.CRITICAL
    assert index.members == []
    assert len(index.archive_sha256) == 64


def test_archive_hash_is_of_the_whole_file(sandbox: Callable[..., ExportIndex]) -> None:
    import hashlib

    data = zipcraft.build([ok(), Entry("x.bin", os.urandom(10_000), method=STORED)])
    index = sandbox(data)
    assert index.archive_sha256 == hashlib.sha256(data).hexdigest()
    assert index.archive_bytes == len(data)
    member = index.member(OK_NAME)
    assert member is not None and member.sha256 == hashlib.sha256(OK_DATA).hexdigest()
    assert member.read_bytes == len(OK_DATA)


def test_many_hazards_at_once_name_every_member(sandbox: Callable[..., ExportIndex]) -> None:
    entries = [Entry(f"../escape{i}.txt", b"x") for i in range(30)]
    index = sandbox(zipcraft.build([*entries, ok()]))
    f = finding(index, "zip-traversal")
    assert len(f.members) == 30
    assert sum(1 for g in index.read_findings if g.code == "zip-traversal") == 1


@pytest.mark.parametrize(
    ("method", "named"),
    [
        (9, "9 (Deflate64)"),
        (98, "98 (PPMd)"),
        (6, "6 (Implode)"),
        (97, "97 (WavPack)"),
        (200, "200 (no method APPNOTE defines)"),
    ],
)
def test_an_unsupported_compression_method_is_named(
    sandbox: Callable[..., ExportIndex], method: int, named: str
) -> None:
    entries = [Entry("Alexa/odd.bin", b"data", compressed=b"????", method=method), ok()]
    f = finding(sandbox(zipcraft.build(entries)), "zip-unsupported-compression")
    assert f.detail == f"'Alexa/odd.bin' uses compression method {named}"
    assert f.members == ("Alexa/odd.bin",)
