"""Shared fixtures: a throwaway store on SQLite and on PostgreSQL, a settable clock, and
`snap_compare` with text cursors that do not blink.

PostgreSQL: one database per test session on $REVIEWER_TEST_PG (default 127.0.0.1:5432, user
postgres), dropped at the end; each test gets its own schema in it. Without a reachable server
those tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import fcntl
import gc
import inspect
import os
import shutil
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from hypothesis import settings

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from reviewer.domain.model import Finding
    from reviewer.domain.review import Review
    from reviewer.store.service import ReviewService, SignedIn

# The terminal app's fixtures (a store built once per session from sample_archives/, copied
# for each test; the same on PostgreSQL; a sound-free ALSA home), for every test file.
pytest_plugins = ("test_tui_support",)

# The passphrase hasher of the stores tests open in their own process: Argon2id, the same
# library and code path as a real store, at the library's cheapest parameters (a real store's
# RFC 9106 defaults cost about 0.15 s of CPU per hash or check; a suite makes thousands).
# `test_store_service` checks that a store opened without a hasher uses the defaults, and the
# command line, run as a separate process, always does.
FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)

# Property tests draw the same examples on every run (a seed from each test's own code), so a
# run's result never depends on luck; `pytest --hypothesis-profile explore` draws new ones to
# look for cases nobody wrote down (each one found becomes an `@example`).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")

PG_ADMIN = os.environ.get("REVIEWER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


# A statement `insider_sql` runs: SQL text, or SQL with ? placeholders and its parameters.
Statement = str | tuple[str, Sequence[Any] | dict[str, Any]]


class MakeReview(Protocol):
    """The `make_review` fixture: a checked request and the folder of its real export.zip."""

    def __call__(
        self,
        request_id: str = ...,
        recordings: int = ...,
        findings: Iterable[Finding] = ...,
        seed: int = ...,
    ) -> tuple[Review, Path]: ...


class SnapCompare(Protocol):
    """The `snap_compare` fixture (pytest-textual-snapshot's, with steady cursors)."""

    def __call__(
        self,
        app: App[Any],
        press: Iterable[str] = ...,
        terminal_size: tuple[int, int] = ...,
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = ...,
    ) -> bool: ...


class Clock:
    """A clock the test moves by hand (for lockouts and lapses)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {reason}")


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> Path:
    """A folder `build` fills once per test run, shared by every pytest-xdist worker: the
    first worker to ask builds it under a lock in the run's shared temporary folder, the
    others wait for it and use the same one. Tests copy from it and never write to it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # each worker's own temp folder lies in the run's
    where, done = root / f"shared-{name}", root / f"shared-{name}.built"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(where, ignore_errors=True)  # a build that failed part way
            where.mkdir()
            build(where)
            done.touch()
    return where


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test session."""
    try:
        import psycopg
    except ImportError as exc:
        _pg_unavailable(f"psycopg missing ({exc})")
    name = f"reviewer_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        _pg_unavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_schema_url(database_url: str) -> str:
    """A new, empty schema in the session database; the URL makes it the search path."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{database_url}?options={quote(f'-csearch_path={schema}')}"


# Accounts the test helpers know the passphrases of, per store URL, and the supervisor they add
# the others as; the sessions they opened, per service.
_PASSPHRASES: dict[tuple[str, str], str] = {}
_SUPERVISOR: dict[str, str] = {}
_SESSIONS: weakref.WeakKeyDictionary[ReviewService, dict[str, SignedIn]] = (
    weakref.WeakKeyDictionary()
)
BOOT = ("sup", "sup-test-passphrase")


def add_people(svc: ReviewService, people: Iterable[tuple[str, str, str]]) -> None:
    """Accounts as a real store gets them: the first supervisor of `people` makes the store's
    first account (the bootstrap; `sup` when `people` has no supervisor), and a supervisor adds
    every other one through a signed-in session. `people`: (name, role, passphrase)."""
    people = list(people)
    url = svc.url
    if not svc.has_accounts():
        name, passphrase = next(((n, p) for n, r, p in people if r == "supervisor"), BOOT)
        svc.add_user(None, name, "supervisor", passphrase)
        _PASSPHRASES[(url, name)] = passphrase
        _SUPERVISOR[url] = name
    for name, role, passphrase in people:
        if (url, name) in _PASSPHRASES and name == _SUPERVISOR.get(url):
            continue
        svc.add_user(signed_in(svc, _SUPERVISOR[url]), name, role, passphrase)
        _PASSPHRASES[(url, name)] = passphrase


def signed_in(
    svc: ReviewService,
    name: str,
    passphrase: str | None = None,
    *,
    fresh: bool = False,
    opened_ago: timedelta | None = timedelta(hours=1),
) -> SignedIn:
    """A session of `name` on `svc`, opened once per service unless `fresh`; the passphrase
    is the one `add_people` gave `name` on this store unless given.

    The session is recorded as opened `opened_ago` (an hour) before it was: the evidence a
    test records on it at once (recordings "played" in full) must fit the wall time that
    passed since sign-in, which the service checks (`opened_ago=None`: opened now)."""
    sessions = _SESSIONS.setdefault(svc, {})
    stale = name in sessions and svc.now() - sessions[name].at > timedelta(hours=1)
    if fresh or stale or name not in sessions:
        sessions[name] = svc.sign_in(name, passphrase or _PASSPHRASES[(svc.url, name)])
        if opened_ago is not None:
            opened_earlier(svc, sessions[name], opened_ago)
    return sessions[name]


@contextmanager
def rule_lifted(conn: sa.Connection, name: str) -> Iterator[None]:
    """Within `conn`'s transaction, the store's trigger `name` is off, as the database's owner
    can switch it off: a test sets up a state the rule forbids (a version stored before tickets
    were hashed, a session opened an hour ago). Nothing is lifted where the store does not
    hold the trigger (a test dropped it)."""
    from reviewer.store import triggers

    dialect = conn.dialect.name
    (trigger,) = (t for t in triggers.triggers(dialect) if t.name == name)
    if dialect == "sqlite":
        held = conn.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
            {"n": name},
        ).first()
        off, on = f"DROP TRIGGER {name}", trigger.sql
    else:
        held = conn.execute(
            sa.text("SELECT 1 FROM pg_trigger WHERE tgname = :n AND tgrelid = to_regclass(:t)"),
            {"n": name, "t": trigger.table},
        ).first()
        off = f"ALTER TABLE {trigger.table} DISABLE TRIGGER {name}"
        on = f"ALTER TABLE {trigger.table} ENABLE TRIGGER {name}"
    if held:
        conn.exec_driver_sql(off)
    yield
    if held:
        conn.exec_driver_sql(on)


def opened_earlier(svc: ReviewService, session: SignedIn, by: timedelta) -> None:
    """Move a session's start `by` into the past, as if its person signed in that long ago.
    (A session's start never changes, `sessions_fixed`: the rule is lifted for this one
    statement. On PostgreSQL the start is the server's clock, which a test cannot turn back.)"""
    from sqlmodel import Session, select

    from reviewer.store.service.people import _token_digest
    from reviewer.store.tables import SessionRow

    with svc.engine.begin() as conn, rule_lifted(conn, "sessions_fixed"):
        s = Session(bind=conn)
        row = s.execute(
            select(SessionRow).where(SessionRow.token_sha256 == _token_digest(session.token))
        ).scalar_one()
        row.started_at = row.started_at - by
        s.add(row)
        s.flush()


def insider_sql(url: str, statements: Iterable[Statement], *, bypass: bool = False) -> None:
    """Statements run the way an insider with the database's own client runs them: a plain
    connection, none of the app's settings (on SQLite not even foreign keys). `bypass`: the
    store's triggers off too (SQLite: dropped; PostgreSQL: session_replication_role = replica,
    which skips foreign keys as well). Each statement is SQL text, or (SQL with ? placeholders,
    its parameters as a sequence or a dict in order). Raises what the database raises."""
    import sqlite3

    from reviewer.store.paths import resolve_url, sqlite_file

    def split(statement: Statement) -> tuple[str, tuple[Any, ...]]:
        sql, params = (statement, ()) if isinstance(statement, str) else statement
        return sql, tuple(params.values()) if isinstance(params, dict) else tuple(params)

    file = sqlite_file(resolve_url(url))
    if file is not None:
        conn = sqlite3.connect(file)
        try:
            if bypass:
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
                    conn.execute(f'DROP TRIGGER "{name}"')
            for statement in statements:
                conn.execute(*split(statement))
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    plain = resolve_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as pg:
        if bypass:
            pg.execute("SET session_replication_role = replica")
        for statement in statements:
            sql, params = split(statement)
            pg.execute(sql.replace("?", "%s"), params)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A URL for an empty store of each kind; the audit key lives under the test's tmp dir."""
    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REVIEWER_DB", raising=False)
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'reviewer.db'}"
    return pg_schema_url(request.getfixturevalue("pg_database"))


@pytest.fixture
def fast_default_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stores the test opens without a hasher (the command line run in this process with
    CliRunner) hash at FAST's parameters instead of the defaults."""
    from reviewer.store.service import unit

    monkeypatch.setattr(unit, "default_hasher", lambda: FAST)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def build_review(
    inbox: Path,
    request_id: str = "DSAR-T-0001",
    recordings: int = 6,
    findings: Iterable[Finding] = (),
    seed: int = 0,
) -> tuple[Review, Path]:
    """A checked request with a real export.zip of short real WAVs, in ``inbox/request_id``.

    Returns ``(review, folder)``; the export index is built from what was written (the store
    takes it as the reader's). Different seeds give different archive bytes for one request.
    """
    import hashlib
    import io
    import json
    import wave
    import zipfile

    from reviewer.domain.model import (
        AudioInfo,
        ExportIndex,
        Member,
        MemberKind,
        Recording,
        TranscriptEntry,
    )
    from reviewer.domain.report import Report, Stats, sort_findings
    from reviewer.domain.request import request_from_dict
    from reviewer.domain.review import Review

    def wav(seconds: float, tone: int) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(bytes([tone % 256, 0]) * int(8000 * seconds))
        return buf.getvalue()

    folder = inbox / request_id
    folder.mkdir(parents=True, exist_ok=True)
    ticket = {
        "request_id": request_id,
        "due_at": "2031-01-01T00:00:00Z",
        "received_at": "2030-12-01T00:00:00Z",
        "identity_verification": {"method": "signed-in account"},
        "requester": {
            "customer_id": "A1B2C3D4E5F6G7",
            "name": "Jonas Weber",
            "email": "jonas@example.de",
        },
    }
    (folder / "request.json").write_text(json.dumps(ticket))
    archive = folder / "export.zip"
    members, recs, entries = [], [], []
    history = ["utterance_id,timestamp,customer_id,device_serial,device_type,audio_file,transcript"]
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("seed.txt", str(seed))
        # what the requester's own export holds beside the recordings, so the checks pass it
        # when the release reads it again
        z.writestr(
            "Account/Profile.json",
            json.dumps(
                {
                    "customer_id": "A1B2C3D4E5F6G7",
                    "name": "Jonas Weber",
                    "email": "jonas@example.de",
                }
            ),
        )
        for i in range(recordings):
            path = f"Alexa/Audio/u{i:04d}.wav"
            data = wav(1.5, i + seed)
            z.writestr(path, data)
            members.append(
                Member(
                    path,
                    len(data),
                    len(data),
                    MemberKind.AUDIO,
                    "WAV audio",
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                    True,
                    AudioInfo("wav", 1.5, 8000, 1, 16),
                )
            )
            device = "G070VM1A83120045" if i % 2 else "G090XG0712345678"
            when = datetime(2018, 1 + i % 4, 3, 12, tzinfo=UTC)
            recs.append(
                Recording(
                    f"u{i:04d}",
                    when,
                    "A1B2C3D4E5F6G7",
                    device,
                    "Echo",
                    path,
                    f"alexa play {i}",
                    "Alexa/VoiceHistory.csv",
                )
            )
            entries.append(
                TranscriptEntry(when, when.isoformat(), device, f"u{i:04d}", f"alexa play {i}", 1)
            )
            history.append(
                f"u{i:04d},{when.isoformat()},A1B2C3D4E5F6G7,{device},Echo,{path},alexa play {i}"
            )
        z.writestr("Alexa/VoiceHistory.csv", "\n".join(history) + "\n")
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    index = ExportIndex(
        str(archive),
        sha,
        archive.stat().st_size,
        members=members,
        recordings=recs,
        transcripts=entries,
    )
    report = Report(request_id, sha, sort_findings(list(findings)), Stats.of(index))
    return Review(request_from_dict(ticket), index, report), folder


@pytest.fixture
def make_review(tmp_path: Path) -> MakeReview:
    """Factory: ``make_review(request_id, recordings=6, findings=(), seed=0)`` (see build_review)."""

    def build(
        request_id: str = "DSAR-T-0001",
        recordings: int = 6,
        findings: Iterable[Finding] = (),
        seed: int = 0,
    ) -> tuple[Review, Path]:
        return build_review(tmp_path / "inbox", request_id, recordings, findings, seed)

    return build


async def steady_cursors(pilot: Pilot[Any]) -> None:
    """Stop every text cursor on the app's screens blinking: a focused input then shows its
    cursor, always, and an unfocused one none, so a picture does not depend on when it is
    taken within the half-second blink."""
    from textual.widgets import Input, TextArea

    for screen in pilot.app.screen_stack:
        for widget in screen.query("*"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
    await pilot.pause()


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> SnapCompare:
    """pytest-textual-snapshot's `snap_compare`, with every snapshot taken after
    `steady_cursors`: the caller's `run_before` runs first, then its key presses, then the
    cursors are stopped, and only then is the screen drawn to SVG."""

    def compare(
        app: App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool:
        keys = tuple(press)

        async def steady_before(pilot: Pilot[Any]) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            if keys:
                await pilot.pause()
                await pilot.press(*keys)
            await steady_cursors(pilot)

        return bool(snap_compare(app, terminal_size=terminal_size, run_before=steady_before))

    return compare


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the tests marked `slow` first, longest first (`slow(seconds=N)`, 5 when not
    said), each followed by a quick one: with `make test`'s `--dist load --maxschedchunk 1`
    every worker takes a long test early instead of one worker meeting several of them at
    the end of the run, which is what set the suite's wall time."""

    def seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return float(marker.kwargs.get("seconds", 5)) if marker else 0.0

    slow = sorted((item for item in items if seconds(item)), key=seconds, reverse=True)
    if not slow:
        return
    quick = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for i, item in enumerate(slow):
        ordered.append(item)
        if i < len(quick):
            ordered.append(quick[i])
    ordered.extend(quick[len(slow) :])
    items[:] = ordered


def pytest_configure(config: pytest.Config) -> None:
    """Collect garbage less often in the test process. A worker runs hundreds of apps and
    stores in one interpreter, and at the default thresholds it spent about a fifth of its
    processor time in full collections (some 200 ms each) walking what lives for the whole
    run. Cycles are still collected, in larger batches."""
    gc.set_threshold(50_000, 20, 20)
    # A worker reads hundreds of exports, as an inbox's ingest does: its PDF child is kept
    # warm between them (`tests/test_pdf.py` turns this off where it follows one child).
    from reviewer.archive import pdfservice

    pdfservice.keep_warm()


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (the app, Textual, SQLAlchemy and the tests' own modules)
    lives until the worker exits: moved out of the collector's sight (`gc.freeze`)."""
    gc.freeze()
