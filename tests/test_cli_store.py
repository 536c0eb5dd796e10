"""The store's commands end to end on real sample archives: users, ingest, status, release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import main
from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.store.service import ReviewService

SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"
ALL = dict.fromkeys(CHECKLIST_KEYS, True)


def run(url: str, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def request_id(folder: Path) -> str:
    return json.loads((folder / "request.json").read_text())["request_id"]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["users"],
        ["users", "add"],
        ["users", "list"],
        ["users", "disable"],
        ["ingest"],
        ["status"],
        ["release"],
        ["check"],
        ["audit"],
        ["audit", "verify"],
        ["audit", "export"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_users_add_list_disable(store_url) -> None:  # type: ignore[no-untyped-def]
    r = run(
        store_url,
        "users",
        "add",
        "alice",
        "--role",
        "reviewer",
        "--passphrase-stdin",
        input="alice-demo-passphrase\n",
    )
    assert r.exit_code == 0, r.stderr
    r = run(
        store_url,
        "users",
        "add",
        "bob",
        "--role",
        "approver",
        input="bob-demo-passphrase\nbob-demo-passphrase\n",
    )  # prompted twice
    assert r.exit_code == 0, r.stderr
    short = run(
        store_url,
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--passphrase-stdin",
        input="short\n",
    )
    assert short.exit_code == 2 and short.stderr.strip().count("\n") == 0
    assert "12 characters" in short.stderr and "short" not in short.stderr.replace("short\n", "")
    dup = run(
        store_url,
        "users",
        "add",
        "alice",
        "--role",
        "approver",
        "--passphrase-stdin",
        input="another-long-passphrase\n",
    )
    assert dup.exit_code == 2 and "already exists" in dup.stderr
    assert run(store_url, "users", "disable", "bob").exit_code == 0
    listed = json.loads(run(store_url, "users", "list", "--json").output)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("alice", "reviewer", False),
        ("bob", "approver", True),
    ]
    missing = run(store_url, "users", "disable", "zed")
    assert missing.exit_code == 2 and "no reviewer named zed" in missing.stderr


def test_ingest_status_and_release(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    for case in ("clean", "wrong-customer"):
        shutil.copytree(SAMPLES / case, inbox / case)
    (inbox / "notes.txt").write_text("not a request")
    (inbox / "broken").mkdir()
    (inbox / "broken" / "request.json").write_text("{ not json")
    clean_id, wrong_id = request_id(inbox / "clean"), request_id(inbox / "wrong-customer")

    first = run(store_url, "ingest", str(inbox))
    assert first.exit_code == 1
    # A plain file in an inbox is not a request: passed over; a folder that is not one is named.
    assert "notes.txt" not in first.stderr and "broken" in first.stderr
    assert clean_id in first.output and wrong_id in first.output
    again = run(store_url, "ingest", str(inbox / "clean"), str(inbox / "wrong-customer"))
    assert again.exit_code == 0 and again.output.count("unchanged") == 2
    scripted = run(store_url, "ingest", "--json", str(inbox))
    doc = json.loads(scripted.stdout)
    assert scripted.exit_code == 1
    assert {(r["request_id"], r["outcome"], r["verdict"]) for r in doc["stored"]} == {
        (clean_id, "unchanged", "pass"),
        (wrong_id, "unchanged", "block"),
    }
    assert {Path(s["path"]).name for s in doc["skipped"]} == {"broken"}

    rows = {r["request_id"]: r for r in json.loads(run(store_url, "status", "--json").output)}
    assert set(rows) == {clean_id, wrong_id}
    assert rows[wrong_id]["verdict"] == "block" and rows[clean_id]["state"] == "pending"
    assert clean_id in run(store_url, "status").output

    outbox = tmp_path / "outbox"
    refused = run(store_url, "release", clean_id, "--outbox", str(outbox))
    assert refused.exit_code == 1 and "no sign-offs" in refused.stderr
    assert not (outbox / clean_id).exists()

    for name, role in (("alice", "reviewer"), ("bob", "approver")):
        run(
            store_url,
            "users",
            "add",
            name,
            "--role",
            role,
            "--passphrase-stdin",
            input=f"{name}-demo-passphrase\n",
        )
    approve_both(store_url, clean_id)

    wrong_pass = run(
        store_url,
        "release",
        clean_id,
        "--outbox",
        str(outbox),
        "--by",
        "bob",
        "--passphrase-stdin",
        input="not-bobs-passphrase\n",
    )
    assert wrong_pass.exit_code == 1 and not (outbox / clean_id).exists()
    released = run(
        store_url,
        "release",
        clean_id,
        "--outbox",
        str(outbox),
        "--json",
        "--by",
        "bob",
        "--passphrase-stdin",
        input="bob-demo-passphrase\n",
    )
    assert released.exit_code == 0, released.stderr
    receipt = json.loads(released.output)
    assert [a["name"] for a in receipt["approvers"]] == ["alice", "bob"]
    assert receipt["released_by"] == "bob"
    assert (outbox / clean_id / "export.zip").read_bytes() == (
        inbox / "clean" / "export.zip"
    ).read_bytes()
    assert (
        json.loads((outbox / clean_id / "release.json").read_text())["archive_sha256"]
        == receipt["archive_sha256"]
    )
    twice = run(store_url, "release", clean_id, "--outbox", str(outbox))
    assert twice.exit_code == 1 and "already released" in twice.stderr
    blocked = run(store_url, "release", wrong_id, "--outbox", str(outbox))
    assert blocked.exit_code == 1 and not (outbox / wrong_id).exists()
    assert json.loads(run(store_url, "status", "--json").output)[0]["state"] in (
        "released",
        "pending",
    )


def test_an_unreachable_store_is_one_line_and_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file").write_text("x")
    for url, command in (
        (f"sqlite:///{tmp_path / 'file' / 'r.db'}", ("ingest", str(SAMPLES / "clean"))),
        ("postgresql://nobody@127.0.0.1:1/nothing", ("status",)),
    ):
        r = run(url, *command)
        assert r.exit_code == 2
        assert r.stderr.startswith("reviewer: cannot open the store") and r.stderr.count("\n") == 1
    r = run(f"sqlite:///{tmp_path / 'file' / 'r.db'}", "ingest", str(SAMPLES / "clean"))
    assert r.stderr.endswith(f": {tmp_path / 'file'} is not a folder\n")
    # A command that only reads finds no store there, and says so.
    r = run(f"sqlite:///{tmp_path / 'file' / 'r.db'}", "status")
    assert r.exit_code == 2 and r.stderr.startswith("reviewer: no store at ")


def test_demo_store_builds_idempotently_and_is_marked(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from reviewer.demo import DEMO_REVIEWERS, build_demo

    cases = [p for p in sorted(SAMPLES.iterdir()) if (p / "request.json").exists()]
    assert build_demo(tmp_path / "demo") == 0
    first = capsys.readouterr().out
    assert first.count(" new ") == len(cases)
    assert build_demo(tmp_path / "demo") == 0
    assert capsys.readouterr().out.count(" unchanged ") == len(cases)
    with ReviewService.open(f"sqlite:///{tmp_path / 'demo' / 'reviewer.db'}") as svc:
        assert svc.is_demo()
        assert svc.demo_credentials() == [tuple(r) for r in DEMO_REVIEWERS]
        assert [(u.name, u.role.value) for u in svc.list_users()] == [
            ("alice", "reviewer"),
            ("bob", "approver"),
            ("carol", "supervisor"),
        ]
        assert {r.request_id for r in svc.queue()} == {request_id(c) for c in cases}
        assert svc.sign_in("bob", "bob-demo-passphrase").role.value == "approver"
    with ReviewService.open(f"sqlite:///{tmp_path / 'other.db'}") as other:
        assert not other.is_demo() and other.demo_credentials() == []


def approve_both(url: str, rid: str) -> None:
    """alice and bob inspect the sample and approve the current version of `rid`."""
    with ReviewService.open(url) as svc:
        vid = svc.request_detail(rid).version_id
        for name in ("alice", "bob"):
            for item in svc.version_detail(vid).sample.items:
                svc.record_inspection(name, vid, "played", item.member, item.duration_s or 2.0)
                svc.record_inspection(name, vid, "viewed_transcript", item.member)
            acks = {w.key: "checked" for w in svc.gate(name, vid).warnings}
            svc.sign_off(name, f"{name}-demo-passphrase", vid, "approve", "ok", ALL, acks)


def test_a_changed_ticket_is_reviewed_again_and_a_release_goes_out_once(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from reviewer.store import audit_log

    folder = tmp_path / "inbox" / "clean"
    shutil.copytree(SAMPLES / "clean", folder)
    rid = request_id(folder)
    original = (folder / "request.json").read_text()
    for name, role in (("alice", "reviewer"), ("bob", "approver")):
        run(store_url, "users", "add", name, "--role", role, "--passphrase-stdin",
            input=f"{name}-demo-passphrase\n")
    assert run(store_url, "ingest", str(folder)).exit_code == 0
    approve_both(store_url, rid)
    assert json.loads(run(store_url, "status", "--json").output)[0]["state"] == "approved"

    # The same archive, now for another customer: the check blocks it, and so does the store.
    ticket = json.loads(original)
    ticket["requester"].update(customer_id="A9ZZZZZZZZZZZZ", name="Someone Else")
    (folder / "request.json").write_text(json.dumps(ticket))
    assert run(store_url, "check", str(folder)).exit_code == 1
    changed = run(store_url, "ingest", "--json", str(folder))
    assert changed.exit_code == 0, changed.stderr
    [stored] = json.loads(changed.stdout)["stored"]
    assert (stored["outcome"], stored["version"], stored["verdict"]) == ("new-version", 2, "block")
    [row] = json.loads(run(store_url, "status", "--json").output)
    assert (row["state"], row["requester"], row["signoffs"]) == ("pending", "Someone Else", [])
    outbox = tmp_path / "out" / "o1"
    refused = run(store_url, "release", rid, "--outbox", str(outbox))
    assert refused.exit_code == 1 and not (tmp_path / "out").exists()

    # The ticket put back is reviewed afresh; once released, it goes out once.
    (folder / "request.json").write_text(json.dumps(json.loads(original), indent=4))
    back = run(store_url, "ingest", str(folder))
    assert back.exit_code == 0 and "new-version" in back.output and " v3 " in back.output
    reindented = json.dumps(json.loads(original), indent=1, sort_keys=True)
    (folder / "request.json").write_text(reindented)
    assert "unchanged" in run(store_url, "ingest", str(folder)).output
    approve_both(store_url, rid)
    o2, o3 = tmp_path / "o2", tmp_path / "o3"
    assert run(store_url, "release", rid, "--outbox", str(o2)).exit_code == 0
    receipt = json.loads((o2 / rid / "release.json").read_text())
    assert receipt["request"]["customer_id"] == json.loads(original)["requester"]["customer_id"]
    again = run(store_url, "release", rid, "--outbox", str(o3))
    assert again.exit_code == 1 and "already released" in again.stderr and str(o2) in again.stderr
    assert not o3.exists()
    assert sorted(p.name for p in (o2 / rid).iterdir()) == ["export.zip", "release.json"]
    with ReviewService.open(store_url) as svc, Session(svc.engine) as s:
        actions = [e.to_dict()["action"] for e in audit_log.iter_events(s)]
    assert actions.count("release") == 1 and actions[-1] == "release-refused"
