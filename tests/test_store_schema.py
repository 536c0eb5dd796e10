"""The store's schema: migrations upgrade in place, constraints enforce the four-eyes rules,
SQLite runs with the pragmas and locking the design relies on."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import FAST, MakeReview, add_people, signed_in
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.domain.states import State
from reviewer.store.engine import make_engine
from reviewer.store.migrate import current_revision, declared_head, head_revision, upgrade
from reviewer.store.service import ReviewService
from reviewer.store.tables import metadata

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHA = "ab" * 32


def test_a_store_made_at_the_first_revision_upgrades_in_place(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as c:
        c.execute(
            text(
                'INSERT INTO requests VALUES (\'DSAR-OLD-1\', \'C1\', \'Jonas Weber\', NULL, :due, \'{"request_id": "DSAR-OLD-1", "requester": {"customer_id": "C1", "name": "Jonas Weber"}}\', :now)'
            ),
            {"due": NOW, "now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO export_versions (id, request_id, number, archive_sha256, archive_path, archive_bytes, verdict, critical, warnings, blocked, report, index_summary, sample, sampling_statement, round, ingested_at, ingested_by) "
                "VALUES (1, 'DSAR-OLD-1', 1, :sha, '/nowhere/export.zip', 10, 'pass', 0, 0, :f, :report, :index, :sample, '0 of 0', 1, :now, 'old')"
            ),
            {
                "sha": SHA,
                "f": False,
                "now": NOW,
                "report": f'{{"request_id": "DSAR-OLD-1", "archive_sha256": "{SHA}", "findings": [], "stats": {{}}}}',
                "index": f'{{"archive_path": "/nowhere/export.zip", "archive_sha256": "{SHA}", "archive_bytes": 10}}',
                "sample": f'{{"population": 0, "flagged": 0, "drawn": 0, "confidence": 0.95, "min_foreign_fraction": 0.05, "seed": "{SHA}", "items": []}}',
            },
        )
        c.execute(
            text(
                "INSERT INTO reviewers (id, name, role, passphrase_hash, disabled, failed_count, created_at) VALUES (1, 'alice', 'reviewer', :h, :f, 0, :now)"
            ),
            {"h": FAST.hash("alice-demo-passphrase"), "f": False, "now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO signoffs (version_id, round, stage, reviewer_id, reviewer_role, decision, archive_sha256, version_blocked, note, checklist, acknowledged, sampling_statement, at) "
                "VALUES (1, 1, 1, 1, 'reviewer', 'approve', :sha, :f, 'ok', '{}', '{}', '0 of 0', :now)"
            ),
            {"sha": SHA, "f": False, "now": NOW},
        )
    engine.dispose()

    svc = ReviewService.open(store_url, hasher=FAST, clock=lambda: NOW)
    assert current_revision(svc.engine) == head_revision()
    [row] = svc.queue()
    assert (row.request_id, row.requester_name, row.state) == (
        "DSAR-OLD-1",
        "Jonas Weber",
        State.FIRST_SIGNOFF,
    )
    assert [s.name for s in row.signers] == ["alice"]
    assert svc.sign_in("alice", "alice-demo-passphrase").name == "alice"
    assert svc.policy().sample_confidence == 0.95
    assert svc.audit_status().ok
    svc.close()


def test_versions_stored_before_0007_have_an_unknown_ticket_and_are_reviewed_again(
    store_url: str, make_review: MakeReview
) -> None:
    """Ingest used to overwrite the ticket without a new version, so the ticket stored now may not
    be the one an old version was checked against: the upgrade leaves it unknown (NULL), and the
    next ingest of the request is a new version, checked again."""
    review, folder = make_review("DSAR-OLD-7", recordings=2)
    sha = review.report.archive_sha256
    engine = make_engine(store_url)
    upgrade(engine, "0006")
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO requests VALUES ('DSAR-OLD-7', 'A1B2C3D4E5F6G7', 'Jonas Weber', NULL, NULL, :t, :now)"
            ),
            {"t": json.dumps(review.request.raw), "now": NOW},
        )
        c.execute(
            text(
                "INSERT INTO export_versions (id, request_id, number, archive_sha256, archive_path, archive_bytes, verdict, critical, warnings, blocked, report, index_summary, sample, sampling_statement, round, ingested_at, ingested_by) "
                "VALUES (1, 'DSAR-OLD-7', 1, :sha, :path, 10, 'pass', 0, 0, :f, :report, :index, :sample, '0 of 0', 1, :now, 'old')"
            ),
            {
                "sha": sha,
                "path": str(folder / "export.zip"),
                "f": False,
                "now": NOW,
                "report": json.dumps(review.report.to_dict()),
                "index": f'{{"archive_path": "/nowhere/export.zip", "archive_sha256": "{sha}", "archive_bytes": 10}}',
                "sample": f'{{"population": 0, "flagged": 0, "drawn": 0, "confidence": 0.95, "min_foreign_fraction": 0.05, "seed": "{sha}", "items": []}}',
            },
        )
    engine.dispose()

    svc = ReviewService.open(store_url, hasher=FAST, clock=lambda: NOW)
    assert current_revision(svc.engine) == head_revision()
    with svc.engine.connect() as c:
        assert c.execute(text("SELECT ticket_sha256 FROM export_versions")).all() == [(None,)]
    assert svc.queue()[0].state is State.PENDING
    again = svc.ingest(review, folder / "export.zip", actor="t")
    assert (again.outcome, again.version_number) == ("new-version", 2)
    assert svc.version_detail(1).state is State.SUPERSEDED
    assert svc.ingest(review, folder / "export.zip", actor="t").outcome == "unchanged"
    with pytest.raises((IntegrityError, DBAPIError)), svc.engine.begin() as c:
        c.execute(text("UPDATE export_versions SET ticket_sha256 = 'abc' WHERE number = 2"))
    assert svc.audit_status().ok
    svc.close()


def test_the_migrated_schema_matches_the_table_models(store_url: str) -> None:
    svc = ReviewService.open(store_url)
    with svc.engine.connect() as c:
        diff = compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), metadata()
        )
    assert diff == []
    svc.close()


def test_a_store_a_later_version_migrated_is_not_opened(store_url: str) -> None:
    """A store at a revision this version does not know (a later version of the reviewer
    migrated it, perhaps to rules this one would break) is not opened, with a line that says
    so, from the CLI too; nothing is written to it. A store migrated to personal signatures
    (0017) is refused this way by every earlier version, which would write decisions
    without them."""
    from click.testing import CliRunner

    from reviewer.cli import main
    from reviewer.store.errors import StoreError

    svc = ReviewService.open(store_url)
    with svc.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        events = c.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one()
    svc.close()
    with pytest.raises(StoreError, match="revision 0099, newer than this version"):
        ReviewService.open(store_url)
    result = CliRunner().invoke(main, ["--db", store_url, "status"])
    assert result.exit_code == 2
    assert "upgrade the reviewer on this terminal" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    engine = make_engine(store_url)
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one() == events
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0099"
    engine.dispose()


def test_opening_twice_is_harmless(store_url: str) -> None:
    ReviewService.open(store_url).close()
    svc = ReviewService.open(store_url)
    assert current_revision(svc.engine) == head_revision()
    svc.close()


def test_sqlite_pragmas_hold_on_a_live_connection(tmp_path: Path) -> None:
    svc = ReviewService.open(f"sqlite:///{tmp_path / 'r.db'}")
    for engine in (svc.engine, svc.engine.execution_options(reviewer_readonly=True)):
        with engine.connect() as c:
            got = {
                p: c.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
            assert got == {
                "journal_mode": "wal",
                "synchronous": 2,
                "foreign_keys": 1,
                "busy_timeout": 30000,
            }
    svc.close()


def test_sqlite_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    svc = ReviewService.open(f"sqlite:///{tmp_path / 'r.db'}")
    other = sqlite3.connect(tmp_path / "r.db", timeout=0, isolation_level=None)
    with svc.engine.begin() as c:
        c.exec_driver_sql("SELECT 1")  # a read only: BEGIN IMMEDIATE has already reserved
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
    other.execute("ROLLBACK")
    with svc.engine.execution_options(reviewer_readonly=True).begin() as c:
        c.exec_driver_sql("SELECT 1")
        other.execute("BEGIN IMMEDIATE")  # readers do not block writers
        other.execute("ROLLBACK")
    other.close()
    svc.close()


# ------------------------------------------------------------------ constraints


# The store `setup` makes: the service, versions 1 and 2, reviewer ids by name, alice's sign-off,
# archive hashes by version.
Setup = tuple[ReviewService, int, int, dict[str, int], int, dict[int, str]]


@pytest.fixture
def setup(store_url: str, make_review: MakeReview) -> Iterator[Setup]:
    """Version 1 (clean) with alice's first-stage approval; version 2 blocked (critical)."""
    from reviewer.domain.model import Finding, Severity

    svc = ReviewService.open(store_url, hasher=FAST)
    add_people(
        svc,
        [
            (name, role, f"{name}-passphrase-long")
            for name, role in (
                ("carol", "supervisor"),
                ("alice", "reviewer"),
                ("bob", "approver"),
                ("erin", "reviewer"),
            )
        ],
    )
    review, folder = make_review("DSAR-C-1", recordings=0)
    v1 = svc.ingest(review, folder / "export.zip", actor="t").version_id
    svc.sign_off(
        "alice", "alice-passphrase-long", v1, "approve", "", dict.fromkeys(CHECKLIST_KEYS, True), {}
    )
    crit = Finding("wrong-customer", Severity.CRITICAL, "t", "d")
    review2, folder2 = make_review("DSAR-C-2", recordings=0, findings=[crit])
    v2 = svc.ingest(review2, folder2 / "export.zip", actor="t").version_id
    with svc.engine.connect() as c:
        ids: dict[str, int] = dict(c.execute(text("SELECT name, id FROM reviewers")).all())
        first = c.execute(text("SELECT id FROM signoffs")).scalar_one()
        shas: dict[int, str] = dict(
            c.execute(text("SELECT id, archive_sha256 FROM export_versions")).all()
        )
    yield svc, v1, v2, ids, first, shas
    svc.close()


def insert_signoff(svc: ReviewService, **kw: object) -> None:
    row = {
        "round": 1,
        "decision": "approve",
        "version_blocked": False,
        "first_signoff_id": None,
        "first_stage": None,
        "first_decision": None,
        "note": "",
        "checklist": json.dumps(dict.fromkeys(CHECKLIST_KEYS, True)),
        "acknowledged": "{}",
        "sampling_statement": "",
        "at": NOW,
        **kw,
    }
    cols = ", ".join(row)
    vals = ", ".join(f":{k}" for k in row)
    with svc.engine.begin() as c:
        c.execute(text(f"INSERT INTO signoffs ({cols}) VALUES ({vals})"), row)


def test_constraints_refuse_what_the_rules_forbid(setup: Setup) -> None:
    svc, v1, v2, ids, first, shas = setup
    second = {
        "version_id": v1,
        "stage": 2,
        "archive_sha256": shas[v1],
        "first_signoff_id": first,
        "first_stage": 1,
        "first_decision": "approve",
    }
    refused = {
        "a second first-stage sign-off": dict(
            second,
            stage=1,
            reviewer_id=ids["bob"],
            reviewer_role="approver",
            first_signoff_id=None,
            first_stage=None,
            first_decision=None,
        ),
        "the same person at both stages": dict(
            second, reviewer_id=ids["alice"], reviewer_role="reviewer"
        ),
        "a second stage without the approver role": dict(
            second, reviewer_id=ids["erin"], reviewer_role="reviewer"
        ),
        "a role the reviewer does not hold": dict(
            second, reviewer_id=ids["erin"], reviewer_role="approver"
        ),
        "a supervisor signing": dict(second, reviewer_id=ids["carol"], reviewer_role="supervisor"),
        "another archive's hash": dict(
            second, reviewer_id=ids["bob"], reviewer_role="approver", archive_sha256="cd" * 32
        ),
        "a second stage with no first": dict(
            second,
            reviewer_id=ids["bob"],
            reviewer_role="approver",
            first_signoff_id=None,
            first_stage=None,
            first_decision=None,
        ),
        "approving a blocked version": {
            "version_id": v2,
            "stage": 1,
            "archive_sha256": shas[v2],
            "reviewer_id": ids["bob"],
            "reviewer_role": "approver",
            "version_blocked": True,
        },
        "hiding that a version is blocked": {
            "version_id": v2,
            "stage": 1,
            "archive_sha256": shas[v2],
            "reviewer_id": ids["bob"],
            "reviewer_role": "approver",
            "version_blocked": False,
        },
    }
    for what, row in refused.items():
        with pytest.raises((IntegrityError, DBAPIError)):
            insert_signoff(svc, **row)
            pytest.fail(f"the store accepted {what}")
    insert_signoff(
        svc, **dict(second, reviewer_id=ids["bob"], reviewer_role="approver")
    )  # the lawful one
    with svc.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM signoffs")).scalar_one() == 2


def test_a_release_needs_an_approving_second_stage(setup: Setup) -> None:
    svc, v1, _v2, _ids, first, shas = setup
    with pytest.raises((IntegrityError, DBAPIError)), svc.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO releases (version_id, archive_sha256, signoff_id, signoff_stage, signoff_decision, released_by, released_at, outbox_path, receipt) "
                "VALUES (:v, :sha, :so, 2, 'approve', 'bob', :now, '/tmp/x', '{}')"
            ),
            {"v": v1, "sha": shas[v1], "so": first, "now": NOW},
        )


def test_a_release_rests_on_a_current_second_sign_off_of_the_same_version(setup: Setup) -> None:
    svc, v1, v2, ids, first, shas = setup
    today = datetime.now(UTC)

    def release(version: int, signoff: int) -> None:
        with svc.engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO releases (version_id, archive_sha256, signoff_id, signoff_stage, signoff_decision, released_by, released_at, outbox_path, receipt) "
                    "VALUES (:v, :sha, :so, 2, 'approve', 'bob', :now, '/tmp/x', '{}')"
                ),
                {"v": version, "sha": shas[version], "so": signoff, "now": today},
            )

    def sign_round(round_: int, second_at: datetime) -> int:
        if round_ > 1:
            with svc.engine.begin() as c:
                c.execute(
                    text("UPDATE export_versions SET round = :r WHERE id = :v"),
                    {"r": round_, "v": v1},
                )
            insert_signoff(
                svc,
                version_id=v1,
                stage=1,
                archive_sha256=shas[v1],
                reviewer_id=ids["alice"],
                reviewer_role="reviewer",
                round=round_,
                at=today,
            )
        with svc.engine.connect() as c:
            first_id = c.execute(
                text("SELECT id FROM signoffs WHERE round = :r AND stage = 1"), {"r": round_}
            ).scalar_one()
        insert_signoff(
            svc,
            version_id=v1,
            stage=2,
            archive_sha256=shas[v1],
            first_signoff_id=first_id,
            first_stage=1,
            first_decision="approve",
            reviewer_id=ids["bob"],
            reviewer_role="approver",
            round=round_,
            at=second_at,
        )
        with svc.engine.connect() as c:
            return int(
                c.execute(
                    text("SELECT id FROM signoffs WHERE round = :r AND stage = 2"), {"r": round_}
                ).scalar_one()
            )

    round1 = sign_round(1, today)
    with pytest.raises(DBAPIError, match="same version"):
        release(v2, round1)  # another version's approval
    lapsed = sign_round(2, NOW)  # approved months ago
    with pytest.raises(DBAPIError, match="same version and round"):
        release(v1, round1)  # an earlier round's approval no longer counts
    with pytest.raises(DBAPIError, match="lapsed"):
        release(v1, lapsed)
    release(v1, sign_round(3, today))


def test_the_audit_trail_is_append_only(setup: Setup) -> None:
    svc = setup[0]
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError), svc.engine.begin() as c:
            c.execute(text(statement))
    assert svc.audit_status().ok


def test_the_database_itself_wants_evidence_checklist_and_notes_before_an_approval(
    store_url: str, make_review: MakeReview
) -> None:
    from reviewer.domain.model import Finding, Severity

    svc = ReviewService.open(store_url, hasher=FAST)
    add_people(svc, [("alice", "reviewer", "alice-passphrase-long")])
    alice_in = signed_in(svc, "alice")
    warn = Finding("third-party-names", Severity.WARNING, "Names", "Redact.")
    review, folder = make_review("DSAR-E-1", recordings=4, findings=[warn])
    vid = svc.ingest(review, folder / "export.zip", actor="t").version_id
    detail = svc.version_detail(vid)
    with svc.engine.connect() as c:
        alice = c.execute(text("SELECT id FROM reviewers WHERE name = 'alice'")).scalar_one()
    full = dict.fromkeys(CHECKLIST_KEYS, True)
    ack = json.dumps({"0:third-party-names": "redacted"})
    row = {
        "version_id": vid,
        "stage": 1,
        "archive_sha256": detail.archive_sha256,
        "reviewer_id": alice,
        "reviewer_role": "reviewer",
        "acknowledged": ack,
    }

    def refused(match: str, **kw: object) -> None:
        with pytest.raises(DBAPIError, match=match):
            insert_signoff(svc, **{**row, **kw})

    refused("played")  # nothing inspected yet
    for item in detail.sample.items[:-1]:
        assert item.duration_s is not None
        svc.record_inspection(alice_in, vid, "played", item.member, item.duration_s)
        svc.record_inspection(alice_in, vid, "viewed_transcript", item.member)
    last = detail.sample.items[-1]
    svc.record_inspection(alice_in, vid, "played", last.member, 1.0)
    svc.record_inspection(alice_in, vid, "played", last.member, 0.46)  # 1.46 of 1.5 s: to its end
    refused("played")  # its transcript not viewed
    svc.record_inspection(alice_in, vid, "viewed_transcript", last.member)
    refused("checklist", checklist=json.dumps(dict(full, nothing_withheld=False)))
    refused("note on every warning", acknowledged=json.dumps({"0:third-party-names": "  "}))
    insert_signoff(svc, **row)  # everything in place: accepted
    review2, _ = make_review("DSAR-E-1", recordings=4, findings=[warn], seed=9)
    svc.ingest(review2, folder / "export.zip", actor="t")
    refused("voided", decision="reject", acknowledged="{}", stage=1, reviewer_id=alice, round=2)
    svc.close()


def test_the_migration_files_name_the_head_alembic_names() -> None:
    assert declared_head() == head_revision()


def test_a_store_at_the_latest_revision_opens_without_alembic(tmp_path: Path) -> None:
    """Opening a store whose schema is current reads its revision with one query: Alembic
    (and every migration script) is loaded only when there is something to migrate."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ReviewService.open(url, hasher=FAST, clock=lambda: NOW).close()  # created and migrated
    probe = (
        "import sys\n"
        "from reviewer.store.service import ReviewService\n"
        f"ReviewService.open({url!r}, create=False).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
