"""The command line's plumbing as a user meets it, in real processes: which store a command
opens (and that reading never creates one), where `audit export` may write, exit codes that
match the README, usage errors on one line, inboxes with stray files, and a status table that
never cuts a request id."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from conftest import built_once

ROOT = Path(__file__).resolve().parents[1]
# The console script of the environment running the tests (a fresh venv, CI's, anyone's).
REVIEWER = Path(sys.executable).with_name("reviewer")
SAMPLES = ROOT / "sample_archives"
NO_STORE_HINT = "(create one with reviewer users add or reviewer ingest)"


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "COLUMNS": "100",
        "HOME": str(tmp / "home"),
        "REVIEWER_HOME": str(tmp / "reviewer-home"),
        "REVIEWER_AUDIO": "off",
        **extra,
    }


def run(
    tmp: Path, *args: str | Path, input: str | None = None, cwd: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REVIEWER), *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        encoding="utf-8",
        errors="replace",
        timeout=180,
        check=False,
        cwd=cwd or tmp,
        env=env_for(tmp, **extra),
    )


def error_line(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The single line a failing command prints on stderr (nothing on stdout)."""
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert proc.stdout == "", proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


CAROL = "carol-demo-passphrase"


def build_cli_store(tmp_path: Path) -> str:
    """A store with carol (supervisor, the first account), alice (reviewer, added by carol)
    and the clean sample ingested, built by the commands."""
    url = url_of(tmp_path / "store" / "reviewer.db")
    proc = run(tmp_path, "--db", url, "ingest", SAMPLES / "clean")
    assert proc.returncode == 0, proc.stderr
    proc = run(
        tmp_path,
        "--db",
        url,
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--passphrase-stdin",
        input=f"{CAROL}\n",
    )
    assert proc.returncode == 0, proc.stderr
    proc = run(
        tmp_path,
        "--db",
        url,
        "users",
        "add",
        "alice",
        "--role",
        "reviewer",
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"{CAROL}\nalice-demo-passphrase\n",
    )
    assert proc.returncode == 0, proc.stderr
    return url


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`build_cli_store` once per test run, shared by every worker (its commands hash
    passphrases: seconds)."""
    return built_once(tmp_path_factory, "cli-store", build_cli_store)


@pytest.fixture
def store(cli_template: Path, tmp_path: Path) -> str:
    """A private copy of the session's store built by the commands (a SQLite store's folder
    holds its audit key and checkpoints too, so the copy is whole)."""
    for part in ("store", "reviewer-home", "home"):
        if (cli_template / part).exists():
            shutil.copytree(cli_template / part, tmp_path / part)
    return url_of(tmp_path / "store" / "reviewer.db")


def users_of(tmp: Path, url: str) -> list[str]:
    listed = run(tmp, "--db", url, "users", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return [u["name"] for u in json.loads(listed.stdout)]


# ---------------------------------------------------------------- 1. store URLs


def test_a_plain_word_for_a_store_reads_nothing_and_creates_nothing(tmp_path: Path) -> None:
    line = error_line(run(tmp_path, "--db", "garbage", "status"))
    assert line == f"reviewer: no store at {tmp_path / 'garbage'} {NO_STORE_HINT}"
    assert not (tmp_path / "garbage").exists()


# The acting commands name their actor and pipe a passphrase, so that they get as far as
# opening the store (without --as they stop at the usage error, exit 2, before it).
ACTING = ("--passphrase-stdin",)


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["status", "--json"],
        ["users", "list"],
        ["users", "disable", "alice", "--as", "carol", *ACTING],
        ["release", "DSAR-2018-0398", "--outbox", "OUTBOX", "--as", "bob", *ACTING],
        ["audit", "verify"],
        ["audit", "export", "--csv", "events.csv", "--as", "carol", *ACTING],
        [],  # the app itself: it never opens on a store it would have to create
    ],
)
def test_reading_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "typo" / "x.db"
    piped = "a-passphrase-of-sorts\n" if "--passphrase-stdin" in command else None
    line = error_line(run(tmp_path, "--db", url_of(db), *command, input=piped))
    assert line == f"reviewer: no store at {db} {NO_STORE_HINT}"
    assert not (tmp_path / "typo").exists()
    assert not (tmp_path / "OUTBOX").exists() and not (tmp_path / "events.csv").exists()


@pytest.mark.slow
def test_ingest_and_users_add_create_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new" / "reviewer.db"
    proc = run(
        tmp_path,
        "--db",
        url_of(db),
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--passphrase-stdin",
        input=f"{CAROL}\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert db.is_file()
    assert users_of(tmp_path, url_of(db)) == ["carol"]
    ingested = tmp_path / "ingested" / "reviewer.db"
    proc = run(tmp_path, "--db", url_of(ingested), "ingest", SAMPLES / "clean")
    assert proc.returncode == 0, proc.stderr
    assert ingested.is_file()


@pytest.mark.slow
def test_users_add_without_a_supervisor_is_closed(store: str, tmp_path: Path) -> None:
    """Only the first account of an empty store is added without --as, and it must be a
    supervisor; after that, a supervisor adds every account."""
    empty = url_of(tmp_path / "empty" / "reviewer.db")
    proc = run(
        tmp_path,
        "--db",
        empty,
        "users",
        "add",
        "bob",
        "--role",
        "approver",
        "--passphrase-stdin",
        input="bob-demo-passphrase\n",
    )
    assert error_line(proc) == (
        "reviewer: the first account of a store must be a supervisor: add one with --role "
        "supervisor, then the reviewers as that supervisor"
    )
    assert users_of(tmp_path, empty) == []

    proc = run(
        tmp_path,
        "--db",
        store,
        "users",
        "add",
        "eve",
        "--role",
        "approver",
        "--passphrase-stdin",
        input="eve-demo-passphrase\n",
    )
    assert error_line(proc) == (
        "reviewer users add: this store has accounts: a supervisor adds the next one with "
        "--as SUPERVISOR (see reviewer users add --help)"
    )
    proc = run(
        tmp_path,
        "--db",
        store,
        "users",
        "add",
        "eve",
        "--role",
        "supervisor",
        "--as",
        "alice",
        "--passphrase-stdin",
        input="alice-demo-passphrase\neve-demo-passphrase\n",
    )
    assert error_line(proc, code=1) == (
        "reviewer: refused: changing accounts needs the supervisor role; alice is reviewer"
    )
    proc = run(
        tmp_path,
        "--db",
        store,
        "users",
        "add",
        "eve",
        "--role",
        "approver",
        "--as",
        "carol",
        "--passphrase-stdin",
        input="not-carols-passphrase\neve-demo-passphrase\n",
    )
    assert error_line(proc, code=1) == "reviewer: carol: unknown reviewer or wrong passphrase"
    assert users_of(tmp_path, store) == ["alice", "carol"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_store_is_refused(tmp_path: Path, url: str) -> None:
    line = error_line(run(tmp_path, "--db", url, "ingest", SAMPLES / "clean"))
    assert line.startswith(
        "reviewer: sqlite:// without a file is an in-memory store that "
        "keeps nothing: use sqlite:///PATH, postgresql://"
    )


@pytest.mark.parametrize("url", ["mysql://user:secret@db/reviews", "http://x"])
def test_another_kind_of_url_is_refused_in_one_line(tmp_path: Path, url: str) -> None:
    line = error_line(run(tmp_path, "--db", url, "status"))
    scheme = url.split("://")[0]
    assert line.startswith(f"reviewer: unsupported store URL {scheme}://...: use sqlite:///PATH")
    assert "secret" not in line and "internal error" not in line


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes, not a database\n" * 100)
    before = notes.read_bytes()
    line = error_line(run(tmp_path, "--db", url_of(notes), "status"))
    assert line == f"reviewer: cannot open the store {url_of(notes)}: file is not a database"
    assert notes.read_bytes() == before


# ---------------------------------------------------------------- 2. where export writes


def export_as_carol(tmp: Path, store: str, csv: Path) -> subprocess.CompletedProcess[str]:
    return run(
        tmp,
        "--db",
        store,
        "audit",
        "export",
        "--csv",
        csv,
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"{CAROL}\n",
    )


def test_audit_export_refuses_a_fifo_and_a_symlink(store: str, tmp_path: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    line = error_line(export_as_carol(tmp_path, store, fifo))
    assert (
        line == f"reviewer: will not write over {fifo}: it is a named pipe (FIFO), not a "
        "regular file"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "events.csv"
    link.symlink_to(target)
    line = error_line(export_as_carol(tmp_path, store, link))
    assert (
        line == f"reviewer: will not write over {link}: it is a symbolic link, not a regular file"
    )
    assert link.is_symlink() and target.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_audit_export_replaces_a_regular_file_whole(store: str, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    out.write_text("an older export\n")
    out.chmod(0o640)
    proc = export_as_carol(tmp_path, store, out)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("seq,") and len(lines) > 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_audit_export_is_a_supervisors_act(store: str, tmp_path: Path) -> None:
    """Nobody exports the trail anonymously, and only a supervisor may."""
    out = tmp_path / "events.csv"
    line = error_line(run(tmp_path, "--db", store, "audit", "export", "--csv", out))
    assert line == "reviewer audit export: missing option --as (see reviewer audit export --help)"
    proc = run(
        tmp_path,
        "--db",
        store,
        "audit",
        "export",
        "--csv",
        out,
        "--as",
        "alice",
        "--passphrase-stdin",
        input="alice-demo-passphrase\n",
    )
    assert error_line(proc, code=1) == (
        "reviewer: refused: exporting the history or the audit trail needs the supervisor "
        "role; alice is reviewer"
    )
    proc = run(
        tmp_path,
        "--db",
        store,
        "audit",
        "export",
        "--csv",
        out,
        "--as",
        "carol",
        "--passphrase-stdin",
        input="not-carols-passphrase\n",
    )
    assert error_line(proc, code=1) == "reviewer: carol: unknown reviewer or wrong passphrase"
    assert not out.exists()


def test_a_failed_export_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way (the file size limit here) leaves the old export as it was,
    and no temporary file behind."""
    from reviewer.store.service import ReviewService

    url = url_of(tmp_path / "big.db")
    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "reviewer-home"))
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with ReviewService.open(url, hasher=fast) as svc:
        svc.add_user(None, "carol", "supervisor", CAROL)
        carol = svc.sign_in("carol", CAROL)
        for i in range(600):  # an audit trail of about 280 kB as CSV (signed events)
            svc.add_user(carol, f"user{i:03d}", "reviewer", "a-long-enough-passphrase")
    out = tmp_path / "events.csv"
    out.write_text("an older export\n")

    def limit() -> None:
        # room for the store's own writes (the sign-in's pages in the write-ahead log), not
        # for the CSV
        resource.setrlimit(resource.RLIMIT_FSIZE, (131072, 131072))

    proc = subprocess.run(
        [
            str(REVIEWER),
            "--db",
            url,
            "audit",
            "export",
            "--csv",
            str(out),
            "--as",
            "carol",
            "--passphrase-stdin",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=env_for(tmp_path),
        preexec_fn=limit,
        input=f"{CAROL}\n",
    )
    assert error_line(proc) == f"reviewer: cannot write {out}: File too large"
    assert out.read_text() == "an older export\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------- 3. exit codes


def test_a_release_by_a_reviewer_is_a_refusal(store: str, tmp_path: Path) -> None:
    rid = json.loads((SAMPLES / "clean" / "request.json").read_text())["request_id"]
    proc = run(
        tmp_path,
        "--db",
        store,
        "release",
        rid,
        "--outbox",
        tmp_path / "outbox",
        "--by",
        "alice",
        "--passphrase-stdin",
        input="alice-demo-passphrase\n",
    )
    line = error_line(proc, code=1)
    assert (
        line == "reviewer: refused: releasing an export needs the approver role; alice is reviewer"
    )
    assert not (tmp_path / "outbox" / rid).exists()


def test_a_release_without_a_named_approver_is_closed(store: str, tmp_path: Path) -> None:
    """No anonymous release: without --as it is a usage error; a supervisor may not release;
    a wrong passphrase is a refusal. Nothing reaches the outbox."""
    rid = json.loads((SAMPLES / "clean" / "request.json").read_text())["request_id"]
    outbox = tmp_path / "outbox"
    line = error_line(run(tmp_path, "--db", store, "release", rid, "--outbox", outbox))
    assert line == "reviewer release: missing option --as / '--by' (see reviewer release --help)"
    proc = run(
        tmp_path,
        "--db",
        store,
        "release",
        rid,
        "--outbox",
        outbox,
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"{CAROL}\n",
    )
    assert error_line(proc, code=1) == "reviewer: refused: supervisors do not release exports"
    proc = run(
        tmp_path,
        "--db",
        store,
        "release",
        rid,
        "--outbox",
        outbox,
        "--as",
        "alice",
        "--passphrase-stdin",
        input="not-alices-passphrase\n",
    )
    assert error_line(proc, code=1) == "reviewer: alice: unknown reviewer or wrong passphrase"
    assert not (outbox / rid).exists()


def test_passphrases_that_differ_are_one_line_and_exit_2(store: str, tmp_path: Path) -> None:
    proc = run(
        tmp_path,
        "--db",
        store,
        "users",
        "add",
        "eve",
        "--role",
        "reviewer",
        "--as",
        "carol",
        input=f"{CAROL}\nabcdefghijklm\nzzzzzzzzzzzzz\n",
    )
    assert error_line(proc) == "reviewer: the two passphrases do not match; nothing was changed"
    assert "eve" not in users_of(tmp_path, store)


def test_no_passphrase_on_a_closed_stdin_is_one_line_and_exit_2(store: str, tmp_path: Path) -> None:
    proc = run(
        tmp_path, "--db", store, "users", "add", "eve", "--role", "reviewer", "--as", "carol"
    )
    line = error_line(proc)
    assert line.startswith("reviewer: no passphrase given (input ended)")
    assert "Warning" not in proc.stderr and "Aborted" not in proc.stderr


def test_ctrl_c_during_ingest_exits_130(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for i in range(40):  # forty requests (one folder each: a request in two is skipped)
        folder = Path(shutil.copytree(SAMPLES / "clean", inbox / f"r{i:02d}"))
        ticket = json.loads((folder / "request.json").read_text())
        ticket["request_id"] = f"DSAR-2018-{i:04d}"
        (folder / "request.json").write_text(json.dumps(ticket))
    db = tmp_path / "store.db"
    proc = subprocess.Popen(
        [str(REVIEWER), "--db", url_of(db), "ingest", str(inbox)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=env_for(tmp_path),
    )
    deadline = time.monotonic() + 60
    while not db.exists():  # the store is open: the command is at work
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["reviewer: interrupted"]


# ---------------------------------------------------------------- 4. usage errors


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    assert error_line(run(tmp_path, "check")) == (
        "reviewer check: missing argument REQUEST_DIR (see reviewer check --help)"
    )
    assert error_line(run(tmp_path, "users", "add", "x", "--role", "god")) == (
        "reviewer users add: invalid value for '--role': 'god' is not one of 'reviewer', "
        "'approver', 'supervisor' (see reviewer users add --help)"
    )
    a_file = tmp_path / "afile"
    a_file.write_text("")
    line = error_line(run(tmp_path, "release", "DSAR-1", "--outbox", a_file))
    assert line.startswith("reviewer release: invalid value for '--outbox': ")
    assert line.endswith(" (see reviewer release --help)")
    assert error_line(run(tmp_path, "frobnicate")) == (
        "reviewer: no such command 'frobnicate' (see reviewer --help)"
    )
    # commands are loaded when run, yet a near miss is still offered the names it is near
    assert error_line(run(tmp_path, "chek")) == (
        "reviewer: no such command 'chek'. Did you mean 'check'? (see reviewer --help)"
    )


# ---------------------------------------------------------------- 5. inboxes


def test_an_inbox_with_stray_files_ingests_cleanly(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("clean", "hostile"):
        shutil.copytree(SAMPLES / name, inbox / name)
    (inbox / "README.md").write_text("how the pipeline fills this inbox\n")
    (inbox / "build.py").write_text("print('hello')\n")
    (inbox / "__pycache__").mkdir()  # what importing build.py leaves
    (inbox / "__pycache__" / "build.cpython-311.pyc").write_bytes(b"\xa7\r\r\n")
    proc = run(tmp_path, "--db", url_of(tmp_path / "s.db"), "ingest", inbox, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["stored"]) == 2 and doc["skipped"] == []
    assert proc.stderr == ""


def test_a_stray_export_at_the_top_of_an_inbox_hides_none_of_its_requests(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("clean", "hostile"):
        shutil.copytree(SAMPLES / name, inbox / name)
    (inbox / "export.zip").write_bytes(b"left here by hand")
    proc = run(tmp_path, "--db", url_of(tmp_path / "s.db"), "ingest", inbox, "--json")
    doc = json.loads(proc.stdout)
    assert len(doc["stored"]) == 2  # both requests, not one bad "request" at the top
    [skip] = doc["skipped"]
    assert skip["path"] == str(inbox / "export.zip")
    assert "beside request folders in an inbox, not a request" in skip["reason"]
    assert proc.returncode == 1  # something was skipped, and said so


def test_two_folders_naming_one_request_are_both_skipped(tmp_path: Path) -> None:
    """Which would be stored last, voiding the other's version, would depend on the folders'
    names: neither is stored, and each names the other."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copytree(SAMPLES / "clean", inbox / "a_first")
    shutil.copytree(SAMPLES / "clean", inbox / "b_second")
    shutil.copyfile(SAMPLES / "wrong-customer" / "export.zip", inbox / "b_second" / "export.zip")
    shutil.copytree(SAMPLES / "hostile", inbox / "other")
    proc = run(tmp_path, "--db", url_of(tmp_path / "s.db"), "ingest", inbox, "--json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert [s["folder"] for s in doc["stored"]] == [str(inbox / "other")]
    reasons = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert set(reasons) == {"a_first", "b_second"}
    assert f"is also in {inbox / 'b_second'}: keep one folder per request" in reasons["a_first"]


def test_a_linked_export_or_ticket_is_not_followed(tmp_path: Path) -> None:
    """The store keeps the export's path to read it again on release; a link may lead out of
    the inbox, to a file that changes."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    elsewhere = Path(shutil.copytree(SAMPLES / "clean", tmp_path / "elsewhere"))
    for name in ("export.zip", "request.json"):
        folder = inbox / f"linked-{name.split('.')[0]}"
        shutil.copytree(SAMPLES / "clean", folder)
        (folder / name).unlink()
        (folder / name).symlink_to(elsewhere / name)
    proc = run(tmp_path, "--db", url_of(tmp_path / "s.db"), "ingest", inbox, "--json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["stored"] == []
    reasons = sorted(s["reason"] for s in doc["skipped"])
    assert reasons == [
        f"{name} is a link, not followed: put the file itself in the request folder"
        for name in ("export.zip", "request.json")
    ]


@pytest.fixture(scope="session")
def samples_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str, subprocess.CompletedProcess[str]]:
    """The sample_archives folder ingested by the command once per session: its folder, the
    store's URL and the ingest's result. Tests only read it."""
    where = tmp_path_factory.mktemp("samples-store")
    url = url_of(where / "s.db")
    return where, url, run(where, "--db", url, "ingest", SAMPLES)


def test_the_sample_archives_folder_ingests_with_exit_0(
    samples_store: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    _where, _url, proc = samples_store
    assert proc.returncode == 0, proc.stderr
    assert "skipped" not in proc.stderr


def test_a_folder_without_a_ticket_and_an_explicit_file_are_still_skipped(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "clean", inbox / "clean")
    (inbox / "half").mkdir()
    (inbox / "half" / "notes.txt").write_text("no ticket here\n")
    loose = tmp_path / "loose.txt"
    loose.write_text("x\n")
    proc = run(tmp_path, "--db", url_of(tmp_path / "s.db"), "ingest", inbox, loose)
    assert proc.returncode == 1
    skipped = proc.stderr.strip().splitlines()
    assert len(skipped) == 2, proc.stderr
    # the folder is named once: its reason says what is missing in it
    assert f"reviewer: skipped {inbox / 'half'}: request.json: no such file" in skipped
    assert f"reviewer: skipped {loose}: not a request folder or an inbox" in skipped


# ---------------------------------------------------------------- 6. status


@pytest.mark.parametrize("columns", ["50", "80"])
def test_status_never_cuts_or_wraps_a_request_id(
    samples_store: tuple[Path, str, subprocess.CompletedProcess[str]], columns: str
) -> None:
    where, url, ingested = samples_store
    assert ingested.returncode == 0, ingested.stderr
    ids = [r["request_id"] for r in json.loads(run(where, "--db", url, "status", "--json").stdout)]
    assert len(ids) >= 9
    proc = run(where, "--db", url, "status", COLUMNS=columns)
    assert proc.returncode == 0, proc.stderr
    starts = [line.split()[0] for line in proc.stdout.splitlines()[1:] if line[:1].strip()]
    assert starts == ids
    assert "…" not in "".join(line[: len(ids[0])] for line in proc.stdout.splitlines())


@pytest.mark.parametrize(("sample", "code"), [("clean", 0), ("wrong-customer", 1)])
def test_a_reader_that_goes_away_leaves_the_verdicts_exit_code(sample: str, code: int) -> None:
    """`reviewer check DIR | head -1`: the reader closes the pipe after the first line, and the
    exit code is still the verdict's (0 pass, 1 block), never a block for a pass."""
    proc = subprocess.Popen(
        [str(REVIEWER), "check", str(SAMPLES / sample)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does once it has its line
    assert proc.wait(timeout=120) == code
    assert (b"PASS" if code == 0 else b"BLOCK") in first
    assert proc.stderr.read() == b""
