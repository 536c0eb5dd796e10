"""`audit verify` over a store, read-only: the hash chain, every signed checkpoint, the
witnesses' checkpoint files, then the cross-check of the decision rows against their signed
events. Opens the store without migrating it or writing anything (an auditor's copy of a
store is verified as it is), and never creates one."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.domain.audit import VerifyResult
from reviewer.domain.errors import first_line
from reviewer.store.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class StoreVerification:
    """What `verify_store` found: the chain's result (a disagreement of the rows with the
    chain makes it fail), the key dir it trusted, and a warning about the connecting role."""

    result: VerifyResult
    key_dir: Path
    privilege_warning: str | None


def verify_store(
    db_url: str | None,
    key_dir: Path | None = None,
    *,
    workers: int = 1,
    witnesses: Sequence[Path] = (),
) -> StoreVerification:
    """Verify the store at `db_url` (None: the default store). NoStore when there is none;
    StoreError (one line) when it cannot be read or has no audit trail."""
    from reviewer.store import audit_log
    from reviewer.store.crosscheck import cross_check
    from reviewer.store.service.rows import privilege_warning

    with _read_session(db_url) as session:
        directory = key_dir if key_dir is not None else audit_log.key_dir_for(session)
        result = audit_log.verify(session, directory, workers=workers, witnesses=witnesses)
        warning = privilege_warning(session)
        if result.ok:  # the chain is sound: do the store's decisions agree with it?
            disagreement = cross_check(session)
            if disagreement is not None:
                result = dataclasses.replace(result, ok=False, reason=disagreement)
    return StoreVerification(result, directory, warning)


@contextlib.contextmanager
def _read_session(db_url: str | None) -> Iterator[Session]:
    """A session on a read-only transaction (no write lock on SQLite); never creates a store."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from reviewer.store.audit_log import EVENT_TABLE
    from reviewer.store.engine import READONLY, make_engine
    from reviewer.store.paths import NoStore, resolve_url, sqlite_file
    from reviewer.store.service.rows import safe_url

    url = resolve_url(db_url)
    shown = safe_url(url)
    file = sqlite_file(url)
    if file is not None and not file.is_file():
        raise NoStore(str(file.absolute()))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(**READONLY)
            if not sa.inspect(conn).has_table(EVENT_TABLE):
                raise StoreError(
                    f"the store at {shown} has no audit trail (not set up by this version of "
                    "reviewer)"
                )
            with Session(bind=conn) as session:
                yield session
    except sa.exc.DatabaseError as exc:  # OperationalError included: unreachable, locked
        reason = first_line(exc) if exc.orig else "unreachable"
        raise StoreError(f"cannot read the store at {shown}: {reason}") from None
    finally:
        engine.dispose()
