"""`reviewer check` as a user runs it: the installed console script, in a real process."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The console script of the environment running the tests (a fresh venv, CI's, anyone's).
REVIEWER = Path(sys.executable).with_name("reviewer")
SAMPLES = ROOT / "sample_archives"


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REVIEWER), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "100", **env},
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("reviewer: ")
    return lines[0]


@pytest.fixture
def request_dir(tmp_path: Path) -> Path:
    """A copy of the clean sample that a test may break."""
    return Path(shutil.copytree(SAMPLES / "clean", tmp_path / "DSAR-COPY"))


def test_help_documents_the_exit_codes() -> None:
    proc = run("check", "--help")
    assert proc.returncode == 0
    assert "REQUEST_DIR" in proc.stdout and "--json" in proc.stdout
    for line in ("0  verdict pass or review", "1  verdict block", "2  the request cannot"):
        assert line in proc.stdout


def test_json_report_has_exactly_the_documented_shape() -> None:
    proc = run("check", SAMPLES / "wrong-customer", "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert list(doc) == ["request_id", "archive_sha256", "verdict", "findings", "stats"]
    assert doc["request_id"] == "DSAR-2018-0412"
    archive = (SAMPLES / "wrong-customer" / "export.zip").read_bytes()
    assert doc["archive_sha256"] == hashlib.sha256(archive).hexdigest()
    assert doc["verdict"] == "block"
    for f in doc["findings"]:
        assert list(f) == ["code", "severity", "title", "detail", "members"]
        assert f["severity"] in {"critical", "warning", "info"}
        assert isinstance(f["members"], list)
    [wrong] = [f for f in doc["findings"] if f["code"] == "wrong-customer"]
    assert "Account/Profile.json" in wrong["members"]
    assert list(doc["stats"]) == [
        "members",
        "bytes",
        "recordings",
        "recording_seconds",
        "transcript_entries",
    ]
    assert doc["stats"]["bytes"] == len(archive)
    assert doc["stats"]["recordings"] == 12
    assert doc["stats"]["transcript_entries"] == 12
    assert doc["stats"]["recording_seconds"] > 0


@pytest.mark.parametrize(
    ("case", "code", "verdict"),
    [("clean", 0, "pass"), ("third-party", 0, "review"), ("previous-owner", 1, "block")],
)
def test_exit_code_follows_the_verdict(case: str, code: int, verdict: str) -> None:
    proc = run("check", SAMPLES / case, "--json")
    assert proc.returncode == code, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == verdict


def test_text_report_puts_the_verdict_first_and_names_the_members() -> None:
    proc = run("check", SAMPLES / "mixed-records")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].strip().startswith("BLOCK")
    assert "CRITICAL (1)" in proc.stdout
    assert "[foreign-records]" in proc.stdout
    assert "- Alexa/Audio/U08DC7A44E3C9BE7.wav" in proc.stdout
    assert "A5RT8XK2M9QW4N" in proc.stdout
    assert proc.stderr == ""


def test_text_report_of_a_review_groups_warnings() -> None:
    proc = run("check", SAMPLES / "third-party")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0].strip().startswith("REVIEW")
    assert "WARNING (1)" in proc.stdout and "CRITICAL" not in proc.stdout
    assert "Declan Murphy" in proc.stdout


def test_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    line = one_line_error(run("check", tmp_path / "nope"))
    assert "not a request folder" in line


def test_a_folder_without_a_ticket_is_a_one_line_error(request_dir: Path) -> None:
    (request_dir / "request.json").unlink()
    assert "request.json" in one_line_error(run("check", request_dir, "--json"))


def test_a_broken_ticket_is_a_one_line_error(request_dir: Path) -> None:
    (request_dir / "request.json").write_text('{"request_id": "X", "requester": ')
    assert "not valid JSON" in one_line_error(run("check", request_dir))
    (request_dir / "request.json").write_text('{"request_id": "X", "requester": {}}')
    assert "customer_id" in one_line_error(run("check", request_dir))


def test_a_folder_without_an_export_is_a_one_line_error(request_dir: Path) -> None:
    (request_dir / "export.zip").unlink()
    assert "export.zip" in one_line_error(run("check", request_dir))


def test_an_export_that_is_not_a_zip_blocks_with_a_finding(request_dir: Path) -> None:
    (request_dir / "export.zip").write_bytes(b"this is not an archive\n" * 40)
    proc = run("check", request_dir, "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == "block"
    assert "unattributable-archive" in [f["code"] for f in doc["findings"]]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [("check",), ("check", "--bogus", "x"), ("check", "a", "b")])
def test_bad_usage_exits_2_without_a_traceback(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    # One line naming the command and where its help is, not click's usage block.
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("reviewer check: ")
    assert proc.stderr.rstrip().endswith(" (see reviewer check --help)")


def test_the_check_writes_nothing_into_the_request_folder(request_dir: Path) -> None:
    before = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in request_dir.iterdir())
    assert run("check", request_dir).returncode == 0
    after = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in request_dir.iterdir())
    assert before == after


def test_a_terminal_that_only_takes_ascii_still_gets_the_report() -> None:
    text = run("check", SAMPLES / "other-layout", PYTHONIOENCODING="ascii")
    assert text.returncode == 0, text.stderr
    assert text.stderr == ""
    assert "Sof?a Garc?a Romero" in text.stdout
    assert text.stdout.isascii()
    doc = run("check", SAMPLES / "other-layout", "--json", PYTHONIOENCODING="ascii")
    assert doc.returncode == 0 and doc.stdout.isascii()
    assert json.loads(doc.stdout)["verdict"] == "pass"


def _edit_ticket(request_dir: Path, **requester: object) -> None:
    path = request_dir / "request.json"
    data = json.loads(path.read_text())
    data["requester"].update(requester)
    path.write_text(json.dumps(data))


def test_an_unparseable_registration_date_is_a_bad_ticket_not_a_pass(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(SAMPLES / "previous-owner", tmp_path / "po"))
    devices = json.loads((folder / "request.json").read_text())["requester"]["devices"]
    devices[0]["registered_at"] = "not a date"
    _edit_ticket(folder, devices=devices)
    line = one_line_error(run("check", folder))
    assert "requester.devices[0].registered_at 'not a date'" in line


def test_a_missing_registration_date_is_a_warning_naming_the_device(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(SAMPLES / "previous-owner", tmp_path / "po"))
    devices = json.loads((folder / "request.json").read_text())["requester"]["devices"]
    devices[0]["registered_at"] = None
    _edit_ticket(folder, devices=devices)
    proc = run("check", folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(" REVIEW"), proc.stdout
    text = " ".join(proc.stdout.split())
    assert f"Device {devices[0]['serial']}: registration date unknown" in text
    assert "cannot be checked against a previous owner" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"request_id": "../../etc/x"}, "request_id '../../etc/x'"),
        ({"request_id": ".."}, "request_id '..'"),
        ({"request_id": "DSAR ü 0398"}, "request_id 'DSAR ü 0398'"),
        ({"due_at": "yesterday"}, "due_at 'yesterday'"),
        ({"requester": {"customer_id": "A1QH7RZ3N8VW2E", "devices": "nope"}}, "requester.devices"),
        (
            {"requester": {"customer_id": "A1QH7RZ3N8VW2E", "household": [None, 5]}},
            "requester.household[0]",
        ),
    ],
)
def test_a_malformed_ticket_exits_2_naming_the_field(
    request_dir: Path, change: dict[str, object], field: str
) -> None:
    data = json.loads((request_dir / "request.json").read_text())
    data.update(change)
    (request_dir / "request.json").write_text(json.dumps(data))
    assert field in one_line_error(run("check", request_dir))


def test_nan_and_huge_numbers_are_refused_naming_the_field(request_dir: Path) -> None:
    text = (request_dir / "request.json").read_text()
    data = json.loads(text)
    (request_dir / "request.json").write_text(
        json.dumps(dict(data, due_at="@")).replace('"@"', "NaN")
    )
    assert "due_at holds NaN" in one_line_error(run("check", request_dir))
    (request_dir / "request.json").write_text(
        json.dumps(dict(data, request_id="@")).replace('"@"', "7" * 5001)
    )
    line = one_line_error(run("check", request_dir))
    assert "request_id" in line and "internal error" not in line


def test_ingest_skips_a_malformed_ticket_with_the_reason(request_dir: Path, tmp_path: Path) -> None:
    data = json.loads((request_dir / "request.json").read_text())
    (request_dir / "request.json").write_text(json.dumps(dict(data, request_id="a/b")))
    proc = run("--db", f"sqlite:///{tmp_path / 'r.db'}", "ingest", request_dir)
    assert proc.returncode == 1, proc
    assert "skipped" in proc.stderr and "request_id 'a/b'" in proc.stderr
    assert "DSAR" not in proc.stdout


def test_control_characters_from_the_input_reach_the_terminal_escaped(request_dir: Path) -> None:
    """A member named to clear the screen and a requester name that colours the terminal are
    shown as visible escapes; the JSON report keeps them exactly (json escapes them)."""
    import zipfile

    evil = "Retail/\x1b[2J\x1b[31mEVIL\x07.csv"
    with zipfile.ZipFile(request_dir / "export.zip", "a") as zf:
        zf.writestr(evil, "a,b\n")
    _edit_ticket(request_dir, name="Eleanor \x1b[31mRED\u202e [b]x[/b]")
    proc = run("check", request_dir)
    assert proc.returncode == 1, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "\u202e" not in proc.stdout
    assert "Retail/\\x1b[2J\\x1b[31mEVIL\\x07.csv" in proc.stdout
    assert "Eleanor \\x1b[31mRED\\u202e [b]x[/b]" in proc.stdout  # brackets shown, not markup
    doc = json.loads(run("check", request_dir, "--json").stdout)
    assert any(evil in f["members"] for f in doc["findings"])


def test_one_recording_count_with_the_missing_audio_named() -> None:
    """The clean export's voice history lists 9 recordings, one with no audio file: the check
    counts 9 and names the one, as the review screen's list does."""
    from reviewer.archive.review import review_request

    result = run("check", SAMPLES / "clean")
    index = review_request(SAMPLES / "clean").index
    [missing] = index.without_audio
    assert len(index.audio_members) == 8 and index.recording_count == 9
    assert f"9 recordings (14 s; 1 with no audio file: {missing})" in result.stdout
