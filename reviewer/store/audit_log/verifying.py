"""Verifying the stored trail: every checkpoint (the database's, the key dir's file, the
witnesses') checked and the chain walked, split across worker processes for a large log."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy.orm import Session

from reviewer.domain.audit import (
    GENESIS_HEX,
    AuditError,
    CheckedCheckpoints,
    Checkpoint,
    Segment,
    VerifyResult,
    check_checkpoints,
    distinct_checkpoints,
    judge,
    load_trusted_keys,
    merge_checked,
    walk_segment,
)
from reviewer.store.audit_log.appending import CHECKPOINT_EVERY, head
from reviewer.store.audit_log.checkpoint_lines import file_checkpoints
from reviewer.store.audit_log.places import (
    SELECT_EVENTS,
    checkpoint_file,
    key_dir_for,
    store_tag,
    url_of,
)
from reviewer.store.audit_log.reading import db_checkpoints, driver_rows, stream

PARALLEL_MIN_EVENTS = 100_000  # below this, worker processes cost more than they save


def verify(
    session: Session,
    key_dir: Path | None = None,
    *,
    workers: int = 1,
    checkpoint_every: int = CHECKPOINT_EVERY,
    witnesses: Sequence[Path] = (),
) -> VerifyResult:
    """Walk the whole chain and check every checkpoint, from the database, the key dir's file
    and every `witnesses` file (other terminals' checkpoint files, collected by the auditor: a
    store cut back behind any checkpoint a witness holds fails here, even when its own
    checkpoint rows were cut with it).

    With `workers` > 1 and a large log on a file or server database, the chain is split into
    that many runs checked by worker processes (each on its own connection, so only committed
    events are seen); the runs are then linked end to end, exactly as one walk would be.
    `checkpoint_every`: the period `append` signs at; a checkpoint missing at a multiple of it
    is reported as removed (0 turns the rule off).
    """
    directory = key_dir if key_dir is not None else key_dir_for(session)
    try:
        tag = store_tag(session)
        from_file = file_checkpoints(checkpoint_file(directory), tag)
        for witness in witnesses:
            from_file += file_checkpoints(Path(witness), tag, witness=True)
        trusted = load_trusted_keys(directory)
    except AuditError as exc:  # a damaged witness is itself a finding, not a crash
        size, current = head(session)
        return VerifyResult(False, size, current, reason=str(exc))
    checkpoints = distinct_checkpoints(from_file + db_checkpoints(session))
    url = url_of(session)
    if workers > 1 and (
        url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
    ):
        size = head(session).size
        if size >= PARALLEL_MIN_EVENTS:
            return _verify_parallel(
                url.render_as_string(hide_password=False),
                size,
                checkpoints,
                directory,
                workers,
                checkpoint_every,
            )
    checked = check_checkpoints(checkpoints, trusted)
    rows = stream(session, f"{SELECT_EVENTS} ORDER BY seq")
    return judge([walk_segment(rows, 1, GENESIS_HEX, checked.valid)], checked, checkpoint_every)


def _verify_parallel(
    url: str,
    size: int,
    checkpoints: list[Checkpoint],
    key_dir: Path,
    workers: int,
    checkpoint_every: int,
) -> VerifyResult:
    step = -(-size // workers)
    ranges = [(lo, min(lo + step - 1, size)) for lo in range(1, size + 1, step)]
    sizes = sorted({cp.size for cp in checkpoints})
    # fork is quickest, but only safe while this process runs a single thread (the CLI);
    # from a threaded program (the terminal app) the workers start clean instead.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=context) as pool:
        futures = [
            pool.submit(
                _verify_part,
                url,
                lo,
                hi,
                [s for s in sizes if lo <= s <= hi],
                str(key_dir),
                checkpoints[index :: len(ranges)],
            )
            for index, (lo, hi) in enumerate(ranges)
        ]
        parts = [future.result() for future in futures]
    return judge(
        [seg for seg, _ in parts], merge_checked(checked for _, checked in parts), checkpoint_every
    )


def _verify_part(
    url: str, lo: int, hi: int, want: list[int], key_dir: str, checkpoints: list[Checkpoint]
) -> tuple[Segment, CheckedCheckpoints]:
    """One worker's share: events lo..hi and a slice of the checkpoints' signatures."""
    from reviewer.store.engine import READONLY, make_engine

    try:
        checked = check_checkpoints(checkpoints, load_trusted_keys(Path(key_dir)))
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execution_options(**READONLY)
                conn.begin()
                rows = driver_rows(
                    conn, f"{SELECT_EVENTS} WHERE seq BETWEEN {int(lo)} AND {int(hi)} ORDER BY seq"
                )
                segment = walk_segment(
                    rows, lo, GENESIS_HEX if lo == 1 else None, set(want), last_seq=hi
                )
        finally:
            engine.dispose()
    except AuditError:
        raise
    except Exception as exc:  # noqa: BLE001 - crosses a process boundary as plain text
        raise AuditError(f"cannot read the audit trail: {type(exc).__name__}: {exc}") from None
    return segment, checked
