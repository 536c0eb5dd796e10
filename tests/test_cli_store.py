"""The store's commands end to end on real sample archives: users, ingest, status, release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import signed_in

from reviewer.cli import main
from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.store.service import ReviewService

# The commands run in this process; their stores hash passphrases at the test parameters.
pytestmark = pytest.mark.usefixtures("fast_default_hasher")

SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"
ALL = dict.fromkeys(CHECKLIST_KEYS, True)


def run(url: str, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def request_id(folder: Path) -> str:
    return str(json.loads((folder / "request.json").read_text())["request_id"])


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["users"],
        ["users", "add"],
        ["users", "list"],
        ["users", "disable"],
        ["users", "enable"],
        ["users", "unlock"],
        ["users", "reset-passphrase"],
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


def bootstrap(url: str) -> None:
    """carol, the store's first account: a supervisor."""
    r = run(
        url,
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--passphrase-stdin",
        input="carol-demo-passphrase\n",
    )
    assert r.exit_code == 0, r.stderr


def add(url: str, name: str, role: str) -> Result:
    """`name` added by carol (her passphrase, then the new one, on stdin)."""
    return run(
        url,
        "users",
        "add",
        name,
        "--role",
        role,
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"carol-demo-passphrase\n{name}-demo-passphrase\n",
    )


def release(
    url: str, rid: str, outbox: Path, *extra: str, who: str = "bob", passphrase: str | None = None
) -> Result:
    return run(
        url,
        "release",
        rid,
        "--outbox",
        str(outbox),
        "--as",
        who,
        "--passphrase-stdin",
        *extra,
        input=f"{passphrase or who + '-demo-passphrase'}\n",
    )


def test_users_add_list_disable(store_url: str) -> None:
    first = run(
        store_url,
        "users",
        "add",
        "alice",
        "--role",
        "reviewer",
        "--passphrase-stdin",
        input="alice-demo-passphrase\n",
    )
    assert first.exit_code == 2 and "first account of a store must be a supervisor" in first.stderr
    r = run(
        store_url,
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        input="carol-demo-passphrase\ncarol-demo-passphrase\n",
    )  # prompted twice
    assert r.exit_code == 0, r.stderr
    assert add(store_url, "alice", "reviewer").exit_code == 0
    # Without --as, only the first account: anyone else must be added by a supervisor.
    alone = run(
        store_url,
        "users",
        "add",
        "bob",
        "--role",
        "approver",
        "--passphrase-stdin",
        input="bob-demo-passphrase\n",
    )
    assert alone.exit_code == 2 and "--as SUPERVISOR" in alone.stderr
    assert add(store_url, "bob", "approver").exit_code == 0
    short = run(
        store_url,
        "users",
        "add",
        "dave",
        "--role",
        "approver",
        "--as",
        "carol",
        "--passphrase-stdin",
        input="carol-demo-passphrase\nshort\n",
    )
    assert short.exit_code == 2 and short.stderr.strip().count("\n") == 0
    assert "12 characters" in short.stderr and "short" not in short.stderr.replace("short\n", "")
    dup = add(store_url, "alice", "approver")
    assert dup.exit_code == 2 and "is taken" in dup.stderr
    disable = ("users", "disable", "bob", "--as", "carol", "--passphrase-stdin")
    assert run(store_url, *disable, input="carol-demo-passphrase\n").exit_code == 0
    listed = json.loads(run(store_url, "users", "list", "--json").output)
    assert [(u["name"], u["role"], u["disabled"], u["created_by"]) for u in listed] == [
        ("alice", "reviewer", False, "carol"),
        ("bob", "approver", True, "carol"),
        ("carol", "supervisor", False, None),
    ]
    missing = run(
        store_url,
        "users",
        "disable",
        "zed",
        "--as",
        "carol",
        "--passphrase-stdin",
        input="carol-demo-passphrase\n",
    )
    assert missing.exit_code == 2 and "no reviewer named zed" in missing.stderr
    enable = ("users", "enable", "bob", "--as", "carol", "--passphrase-stdin")
    assert run(store_url, *enable, input="carol-demo-passphrase\n").exit_code == 0
    assert not json.loads(run(store_url, "users", "list", "--json").output)[1]["disabled"]


def test_ingest_status_and_release(store_url: str, tmp_path: Path) -> None:
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

    bootstrap(store_url)
    for name, role in (("alice", "reviewer"), ("bob", "approver")):
        assert add(store_url, name, role).exit_code == 0
    outbox = tmp_path / "outbox"
    refused = release(store_url, clean_id, outbox)
    assert refused.exit_code == 1 and "no sign-off yet" in refused.stderr
    assert not (outbox / clean_id).exists()
    approve_both(store_url, clean_id)

    anonymous = run(store_url, "release", clean_id, "--outbox", str(outbox))
    assert anonymous.exit_code == 2 and "--as" in anonymous.stderr
    wrong_pass = release(store_url, clean_id, outbox, passphrase="not-bobs-passphrase")
    assert wrong_pass.exit_code == 1 and not (outbox / clean_id).exists()
    for who in ("alice", "carol"):  # a reviewer and a supervisor may not release
        other = release(store_url, clean_id, outbox, who=who)
        assert other.exit_code == 1 and not (outbox / clean_id).exists(), other.stderr
    released = release(store_url, clean_id, outbox, "--json")
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
    twice = release(store_url, clean_id, outbox)
    assert twice.exit_code == 1 and "already released" in twice.stderr
    blocked = release(store_url, wrong_id, outbox)
    assert blocked.exit_code == 1 and not (outbox / wrong_id).exists()
    assert json.loads(run(store_url, "status", "--json").output)[0]["state"] in (
        "released",
        "pending",
    )


def test_an_unreachable_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
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


def test_demo_store_builds_idempotently_and_is_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
            me = signed_in(svc, name, f"{name}-demo-passphrase")  # an hour ago: time to listen
            for item in svc.version_detail(vid).sample.items:
                svc.record_inspection(me, vid, "played", item.member, item.duration_s or 2.0)
                svc.record_inspection(me, vid, "viewed_transcript", item.member)
            acks = {w.key: "checked" for w in svc.gate(name, vid).warnings}
            svc.sign_off(name, f"{name}-demo-passphrase", vid, "approve", "ok", ALL, acks)


def test_a_changed_ticket_is_reviewed_again_and_a_release_goes_out_once(
    store_url: str, tmp_path: Path
) -> None:
    from sqlmodel import Session

    from reviewer.store import audit_log

    folder = tmp_path / "inbox" / "clean"
    shutil.copytree(SAMPLES / "clean", folder)
    rid = request_id(folder)
    original = (folder / "request.json").read_text()
    bootstrap(store_url)
    for name, role in (("alice", "reviewer"), ("bob", "approver")):
        add(store_url, name, role)
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
    refused = release(store_url, rid, outbox)
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
    assert release(store_url, rid, o2).exit_code == 0
    receipt = json.loads((o2 / rid / "release.json").read_text())
    assert receipt["request"]["customer_id"] == json.loads(original)["requester"]["customer_id"]
    # The version a person reads is the request's own number, here and in the status.
    status = json.loads(run(store_url, "status", "--json").output)
    assert receipt["version"] == 3 == next(r["version"] for r in status if r["request_id"] == rid)
    again = release(store_url, rid, o3)
    assert again.exit_code == 1 and "already released" in again.stderr and str(o2) in again.stderr
    assert not o3.exists()
    assert sorted(p.name for p in (o2 / rid).iterdir()) == [
        "disclosure-record.html",
        "disclosure-record.json",
        "export.zip",
        "release.json",
    ]
    with ReviewService.open(store_url) as svc, Session(svc.engine) as s:
        actions = [e.to_dict()["action"] for e in audit_log.iter_events(s)]
    assert actions.count("release") == 1 and actions[-2:] == ["release-refused", "sign-out"]


def test_audit_export_is_a_supervisors_audited_act(store_url: str, tmp_path: Path) -> None:
    bootstrap(store_url)
    add(store_url, "bob", "approver")
    out = tmp_path / "events.csv"
    export = ("audit", "export", "--csv", str(out), "--passphrase-stdin", "--as")
    by_bob = run(store_url, *export, "bob", input="bob-demo-passphrase\n")
    assert by_bob.exit_code == 1 and "supervisor" in by_bob.stderr and not out.exists()
    wrong = run(store_url, *export, "carol", input="not-carols-passphrase\n")
    assert wrong.exit_code == 1 and not out.exists()
    done = run(store_url, *export, "carol", input="carol-demo-passphrase\n")
    assert done.exit_code == 0, done.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("seq,at,actor,action") and '"audit-export"' not in rows[0]
    assert ",carol,audit-export,audit," in "\n".join(rows)
