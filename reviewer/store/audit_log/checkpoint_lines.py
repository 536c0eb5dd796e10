"""The checkpoint file beside the signing key, the trail's outside witness: a line appended once
the transaction that signed it commits, a torn last line cut, one store's checkpoints read back."""

from __future__ import annotations

import fcntl
import json
import logging
import os
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from reviewer.domain.audit import AuditError, Checkpoint, canonical, parse_checkpoint_lines
from reviewer.domain.private import make_private_dir, open_private_new
from reviewer.store.audit_log.places import store_tag

log = logging.getLogger(__name__)

_PENDING = "reviewer.audit.pending_lines"
_HOOKED = "reviewer.audit.hooked"


def checkpoint_line(session: Session, cp: Checkpoint) -> str:
    """The checkpoint file's line for `cp` (tagged with this store)."""
    return canonical({**cp.to_dict(), "store": store_tag(session)}).decode("utf-8") + "\n"


def after_commit_write(session: Session, path: Path, line: str) -> None:
    """Append `line` to the file at `path` once the session's transaction commits (never, if it
    rolls back)."""
    session.info.setdefault(_PENDING, []).append((path, line))
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        sa_event.listen(session, "after_commit", _write_pending)
        sa_event.listen(session, "after_rollback", _drop_pending)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None) or []
    for path, line in pending:
        try:
            fd = _open_checkpoint_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                _drop_torn_tail(fd)
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:  # the database copy stands; the file is the outside witness
            log.warning("could not append the audit checkpoint to %s: %s", path, exc.strerror)


def _open_checkpoint_file(path: Path) -> int:
    """The checkpoint file open for appending; created 0600 (its folder 0700) if missing. An
    existing file keeps its mode."""
    make_private_dir(path.parent)
    try:
        return open_private_new(path, os.O_RDWR | os.O_APPEND)
    except FileExistsError:
        return os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)


def _drop_torn_tail(fd: int) -> None:
    """Cut an unterminated last line: only a write cut short by a crash leaves one (every line
    is written whole, under the file lock), so the next line starts on a line of its own."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = max(size - 65536, 0)
    tail = os.pread(fd, size - start, start)
    cut = tail.rfind(b"\n")
    os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)


def file_checkpoints(path: Path, tag: str, *, witness: bool = False) -> list[Checkpoint]:
    """The checkpoints of the store tagged `tag` in a checkpoint file. A `witness` (another
    terminal's file, handed to the auditor) must exist and hold some of this store's."""
    try:
        with open(path, encoding="utf-8", errors="strict", newline="\n") as handle:
            text = handle.read()
    except FileNotFoundError:
        if witness:
            raise AuditError(f"no witness file {path}") from None
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read the checkpoint file {path}: {exc}") from None
    lines = text.split("\n")
    torn = lines.pop()  # "" when the file ends with a newline, as every whole write does
    if torn:
        try:
            json.loads(torn)
            lines.append(torn)
        except ValueError:
            pass  # a line cut short by a crash; the next write removes it
    mine: list[str] = []
    others: set[str] = set()
    for line in lines:
        try:
            store = json.loads(line).get("store") if line.strip() else None
        except (ValueError, AttributeError):
            store = tag  # unreadable: let the parser name the line
        if store == tag:
            mine.append(line)
        else:
            mine.append("")  # keeps line numbers right
            if isinstance(store, str):
                others.add(store)
    found = parse_checkpoint_lines(mine, str(path))
    if witness and not found:
        named = ", ".join(sorted(others)) or "none"
        raise AuditError(
            f"the witness file {path} holds no checkpoint of this store ({tag}); it names: {named}"
        )
    return found
