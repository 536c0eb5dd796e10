"""The release, tried as an insider would: a rejection deleted and a superseded version revived
in the database, a release written around the gate, and the ingested archive replaced by
something that is no file (a pipe, a device) after both sign-offs. Each is refused, or named
by `audit verify`, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import add_people, insider_sql, signed_in
from test_access_side_doors import cli, ingested_sample, release_as_bob
from test_cli_store import ALL, approve_both

from reviewer.store.service import ReviewService

pytestmark = pytest.mark.usefixtures("fast_default_hasher")

ROOT = Path(__file__).resolve().parent.parent


def sign(url: str, rid: str, name: str, decision: str = "approve") -> None:
    """`name` inspects the sample of `rid`'s current version and signs it with `decision`."""
    with ReviewService.open(url) as svc:
        vid = svc.request_detail(rid).version_id
        me = signed_in(svc, name, f"{name}-demo-passphrase")
        for item in svc.version_detail(vid).sample.items:
            svc.record_inspection(me, vid, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(me, vid, "viewed_transcript", item.member)
        acks = {w.key: "checked" for w in svc.gate(name, vid).warnings}
        svc.sign_off(name, f"{name}-demo-passphrase", vid, decision, "ok", ALL, acks)


def with_dave(url: str) -> None:
    with ReviewService.open(url) as svc:
        add_people(svc, [("dave", "approver", "dave-demo-passphrase")])


def verify(url: str) -> str:
    result = cli(url, "audit", "verify")
    return f"{result.exit_code} {result.output}"


def test_a_rejection_deleted_in_sql_releases_nothing(store_url: str, tmp_path: Path) -> None:
    """alice approves, bob rejects at the second stage; an insider deletes bob's rejection row
    (the triggers off), so the rows say "first sign-off" again, and dave, another approver,
    approves and releases. The trail holds the rejection: the release refuses."""
    rid = ingested_sample(store_url, tmp_path, "clean")
    with_dave(store_url)
    sign(store_url, rid, "alice")
    sign(store_url, rid, "bob", "reject")
    insider_sql(store_url, ["DELETE FROM signoffs WHERE decision = 'reject'"], bypass=True)
    sign(store_url, rid, "dave")
    out = tmp_path / "outbox"
    released = cli(
        store_url,
        "release",
        rid,
        "--outbox",
        str(out),
        "--as",
        "dave",
        "--passphrase-stdin",
        input="dave-demo-passphrase\n",
    )
    assert released.exit_code == 1, released.output
    assert "holds bob's rejection of this version" in released.stderr
    assert not (out / rid).exists()
    assert "reject, bob" in verify(store_url)


def _supersede_and_revive(url: str, tmp_path: Path) -> tuple[str, Path]:
    """The clean sample approved by alice and bob; its ticket then changes (another customer
    asked), so ingest makes version 2 (blocked) and voids version 1. An insider deletes
    version 2's row, revives version 1 and puts the old ticket back in the store and the
    inbox. The request id and the inbox's ticket."""
    rid = ingested_sample(url, tmp_path, "clean")
    approve_both(url, rid)
    ticket = tmp_path / "inbox" / "clean" / "request.json"
    signed = ticket.read_text()
    doc = json.loads(signed)
    doc["requester"].update(customer_id="A9ZZZZZZZZZZZZ", name="Someone Else")
    ticket.write_text(json.dumps(doc))
    assert cli(url, "ingest", str(ticket.parent)).exit_code == 0
    insider_sql(
        url,
        [
            "CREATE TABLE kept_version AS SELECT * FROM export_versions WHERE number = 2",
            "DELETE FROM export_versions WHERE number = 2",
            "UPDATE export_versions SET voided_at = NULL WHERE number = 1",
            ("UPDATE requests SET ticket = ?", [json.dumps(json.loads(signed))]),
        ],
        bypass=True,
    )
    ticket.write_text(signed)
    return rid, ticket


def test_a_superseded_version_revived_in_sql_is_not_released(
    store_url: str, tmp_path: Path
) -> None:
    rid, _ticket = _supersede_and_revive(store_url, tmp_path)
    out = tmp_path / "outbox"
    released = release_as_bob(store_url, rid, out)
    assert released.exit_code == 1, released.output
    assert "superseded by version 2" in released.stderr
    assert not (out / rid).exists()
    said = verify(store_url)
    assert said.startswith("1 ") and "voided it" in said, said


def test_a_release_written_around_the_gate_fails_verify(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, released from a terminal whose copy of the package has the chain's gate cut
    out, and the rows put back afterwards as they were (version 2 restored, version 1 voided
    again): every row agrees with its event, but the trail releases a version it superseded
    before, and `audit verify` says so."""
    from reviewer.store.service import release

    rid, _ticket = _supersede_and_revive(store_url, tmp_path)
    monkeypatch.setattr(release, "release_problem", lambda *args: None)
    out = tmp_path / "outbox"
    assert release_as_bob(store_url, rid, out).exit_code == 0
    insider_sql(
        store_url,
        [
            "INSERT INTO export_versions SELECT * FROM kept_version",
            "UPDATE export_versions SET voided_at = "
            "(SELECT ingested_at FROM kept_version) WHERE number = 1",
            "DROP TABLE kept_version",
        ],
        bypass=True,
    )
    said = verify(store_url)
    assert said.startswith("1 ") and "releases a version the audit trail closed" in said, said
    assert "version 2 superseded it" in said


@pytest.mark.parametrize("what", ["pipe", "device", "grown"])
def test_an_archive_replaced_after_sign_off_is_refused_at_once(
    store_url: str, tmp_path: Path, what: str
) -> None:
    """After both sign-offs the inbox's export.zip becomes a pipe nobody writes to, a link to
    /dev/zero, or the signed bytes with more after them. The release (a process of its own)
    refuses within seconds and writes nothing: it never waits for a writer, nor copies an
    endless device into the outbox."""
    rid = ingested_sample(store_url, tmp_path, "clean")
    approve_both(store_url, rid)
    archive = tmp_path / "inbox" / "clean" / "export.zip"
    signed = archive.read_bytes()
    archive.unlink()
    if what == "pipe":
        os.mkfifo(archive)
    elif what == "device":
        archive.symlink_to("/dev/zero")
    else:
        archive.write_bytes(signed + b"\0" * 4096)
    out = tmp_path / "outbox"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", "--db", store_url, "release", rid]
        + ["--outbox", str(out), "--as", "bob", "--passphrase-stdin"],
        input="bob-demo-passphrase\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    words = {"pipe": "no longer a regular file (a pipe)", "device": "(a device)"}
    assert words.get(what, "more than the") in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_correcting_an_archive_replaced_by_a_pipe_ends(store_url: str, tmp_path: Path) -> None:
    """A correction reads the original archive too: a pipe in its place is refused, never
    waited on."""
    rid = ingested_sample(store_url, tmp_path, "third-party")
    archive = tmp_path / "inbox" / "third-party" / "export.zip"
    archive.unlink()
    os.mkfifo(archive)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", "--db", store_url, "redact", rid, "--as", "alice"]
        + ["--passphrase-stdin", "--text", "Lukas", "--reason", "third-party", "--note", "n"],
        input="alice-demo-passphrase\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "not a regular file" in done.stderr
