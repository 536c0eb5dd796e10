"""gzip, tar and SQLite members are read as containers, like nested ZIP archives: a stranger's
voice history inside is a table whose customer column is checked, named by its inner member;
the requester's own history in the same form passes; a gzip bomb, a tar entry that climbs
out or is a link, and a file that is no database get the findings nested archives get."""

from __future__ import annotations

import gzip
import io
import sqlite3
import tarfile
from pathlib import Path

from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Finding, Severity, Verdict
from reviewer.domain.report import Report

STRANGER = "A2ZK8LMQ4T6XPB"


def only(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def stranger_rows() -> list[list[str]]:
    return [
        [f"U9F{i}1C2D3E4F5A6B7", f"2018-0{4 + i}-11T10:10:00Z", STRANGER, "G090LF0964130QAB",
         "Echo Dot", "", f"order a pizza to {i} Baker Street"]
        for i in range(3)
    ]  # fmt: skip


def own_rows() -> list[list[str]]:
    """The requester's own voice history (its recordings stay where the export has them)."""
    return voice_history_rows()


def tar_of(files: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def sqlite_of(rows: list[list[str]], tmp_path: Path) -> bytes:
    path = tmp_path / "history.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE voice_history (utterance_id TEXT, timestamp TEXT, customer_id TEXT, "
            "device_serial TEXT, device_type TEXT, audio_file TEXT, transcript TEXT)"
        )
        conn.executemany("INSERT INTO voice_history VALUES (?,?,?,?,?,?,?)", rows)
    conn.close()
    data = path.read_bytes()
    path.unlink()
    return data


def assert_foreign_rows(report: Report, inner: str) -> None:
    [f] = only(report, "foreign-records")
    assert f.severity is Severity.CRITICAL
    assert inner in f.members
    assert STRANGER in f.title + f.detail
    assert report.verdict is Verdict.BLOCK
    assert not only(report, "unattributed-member")


def assert_passes(report: Report) -> None:
    assert report.verdict is Verdict.PASS, [(f.code, f.detail) for f in report.findings]


def test_a_gzipped_voice_history_of_a_stranger_blocks(tmp_path: Path) -> None:
    data = gzip.compress(voice_history_text(stranger_rows()).encode(), mtime=0)
    report = review_changed(tmp_path, {"Alexa/VoiceHistory-2017.csv.gz": data}).report
    assert_foreign_rows(report, "Alexa/VoiceHistory-2017.csv.gz!VoiceHistory-2017.csv")


def test_a_tar_holding_a_strangers_voice_history_blocks(tmp_path: Path) -> None:
    data = tar_of({"VoiceHistory.csv": voice_history_text(stranger_rows()).encode()})
    report = review_changed(tmp_path, {"Alexa/archive-2017.tar": data}).report
    assert_foreign_rows(report, "Alexa/archive-2017.tar!VoiceHistory.csv")


def test_a_tgz_holding_a_strangers_voice_history_blocks(tmp_path: Path) -> None:
    data = tar_of({"old/VoiceHistory.csv": voice_history_text(stranger_rows()).encode()}, "w:gz")
    report = review_changed(tmp_path, {"Alexa/archive-2017.tar.gz": data}).report
    assert_foreign_rows(report, "Alexa/archive-2017.tar.gz!old/VoiceHistory.csv")


def test_an_sqlite_table_of_a_strangers_history_blocks(tmp_path: Path) -> None:
    data = sqlite_of(stranger_rows(), tmp_path)
    report = review_changed(tmp_path, {"Alexa/history.sqlite": data}).report
    assert_foreign_rows(report, "Alexa/history.sqlite!voice_history")


def test_the_requesters_own_history_in_each_container_passes(tmp_path: Path) -> None:
    own = voice_history_text(own_rows()).encode()
    cases: dict[str, bytes] = {
        "Alexa/VoiceHistory.csv.gz": gzip.compress(own, mtime=0),
        "Alexa/history.tar": tar_of({"VoiceHistory.csv": own}),
        "Alexa/history.tgz": tar_of({"VoiceHistory.csv": own}, "w:gz"),
        "Alexa/history.sqlite": sqlite_of(own_rows(), tmp_path),
    }
    for name, data in cases.items():
        folder = tmp_path / name.replace("/", "_")
        folder.mkdir()
        review = review_changed(folder, {name: data})
        assert_passes(review.report)
        inner = [m.path for m in review.index.members if m.path.startswith(name + "!")]
        assert inner, f"{name} was not opened"


def test_a_gzip_bomb_is_stopped(tmp_path: Path) -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)
    report = review_changed(tmp_path, {"Retail/Orders.csv.gz": bomb}).report
    [f] = only(report, "zip-bomb-ratio")
    assert f.severity is Severity.CRITICAL
    assert f.members == ("Retail/Orders.csv.gz",)
    assert "gzip" in f.detail
    assert report.verdict is Verdict.BLOCK


def test_a_tar_entry_that_climbs_out_or_links_is_a_hazard(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"boom"))
        link = tarfile.TarInfo("latest.wav")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
        dev = tarfile.TarInfo("disk")
        dev.type = tarfile.BLKTYPE
        tar.addfile(dev)
    report = review_changed(tmp_path, {"Extra/bundle.tar": buf.getvalue()}).report
    [climb] = only(report, "zip-traversal")
    assert climb.members == ("Extra/bundle.tar!../../etc/cron.d/evil",)
    assert "inside the tar archive" in climb.detail
    [link_f] = only(report, "zip-symlink")
    assert link_f.members == ("Extra/bundle.tar!latest.wav",)
    assert "tar" in link_f.detail
    [special] = only(report, "zip-special-file")
    assert special.members == ("Extra/bundle.tar!disk",)
    assert all(f.severity is Severity.CRITICAL for f in (climb, link_f, special))
    assert report.verdict is Verdict.BLOCK


def test_a_file_named_as_a_database_that_is_none_is_corrupt(tmp_path: Path) -> None:
    data = b"SQLite format 3\x00" + b"\xff" * 200
    report = review_changed(tmp_path, {"Alexa/history.sqlite": data}).report
    [f] = only(report, "zip-corrupt")
    assert f.members == ("Alexa/history.sqlite",)
    assert report.verdict is Verdict.BLOCK


def test_a_cut_off_gzip_stream_is_truncated(tmp_path: Path) -> None:
    data = gzip.compress(voice_history_text(stranger_rows()).encode() * 50, mtime=0)
    report = review_changed(tmp_path, {"Alexa/old.csv.gz": data[: len(data) // 2]}).report
    [f] = only(report, "zip-truncated")
    assert f.members == ("Alexa/old.csv.gz",)
    assert report.verdict is Verdict.BLOCK
