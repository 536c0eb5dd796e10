"""The texts kept beside the chain (`reviewer.domain.audit.sealed`) against the events that
sealed them: each is the one its event sealed (same digest, same request), each sealing event
keeps its texts unless its request was purged, and no texts stand beside an event that sealed
none."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reviewer.domain.audit.sealed import seal_of, texts_match, unseal
from reviewer.store.audit_log import TEXT_TABLE, _stream
from reviewer.store.crosscheck.pairing import Problem, earliest
from reviewer.store.crosscheck.values import loads

Kept = tuple[str, str, str]  # request id, salt (hex), texts (JSON)


class Sealed:
    """The texts kept beside the chain (seq -> request id, salt, texts), and the events that
    sealed texts (seq, subject, payload as recorded), gathered as the events are read."""

    def __init__(self, session: Session, tables: set[str]) -> None:
        self.texts: dict[int, Kept] = {}
        if TEXT_TABLE in tables:
            self.texts = {
                int(seq): (str(rid), str(salt), str(kept))
                for seq, rid, salt, kept in _stream(
                    session, f"SELECT seq, request_id, salt, texts FROM {TEXT_TABLE}"
                )
            }
        self.sealing: list[tuple[int, str, dict[str, Any]]] = []

    def opened(self, seq: int, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The event's payload with the texts it sealed back in their places (as the rows
        hold them), noting the event if it sealed any."""
        if seal_of(payload) is None:
            return payload
        self.sealing.append((seq, subject, payload))
        return _unsealed(payload, self.texts.get(seq))

    def problem(self, purged: set[str]) -> Problem | None:
        """The first disagreement between the sealing events and the texts kept beside the
        chain. Every kind of event that seals texts is one the cross-check reads, so texts
        beside no sealing event were written around the reviewer. Asked once: it takes each
        event's texts as it pairs them."""
        found: list[Problem] = []
        for seq, subject, recorded in self.sealing:
            problem = _kept_problem(seq, subject, recorded, self.texts.pop(seq, None), purged)
            if problem is not None:
                found.append(problem)
        for seq in sorted(self.texts):
            found.append(
                (
                    seq,
                    f"texts are kept beside event {seq}, which sealed none: they were written "
                    "around the reviewer",
                )
            )
        return earliest(found)


def _kept_problem(
    seq: int, subject: str, recorded: dict[str, Any], kept: Kept | None, purged: set[str]
) -> Problem | None:
    """Whether the texts kept beside one sealing event are the ones it sealed."""
    request_id = subject.removeprefix("request:")
    if kept is None:
        if request_id in purged:
            return None
        return (
            seq,
            f"event {seq} sealed texts that are no longer kept, but request "
            f"{request_id} was not purged: they were removed around the reviewer",
        )
    rid, salt, text = kept
    try:
        ok = rid == request_id and texts_match(recorded, bytes.fromhex(salt), loads(text))
    except ValueError:
        ok = False
    if ok:
        return None
    return (
        seq,
        f"the texts kept beside event {seq} are not the ones it sealed: they were "
        "changed around the reviewer",
    )


def _unsealed(payload: dict[str, Any], kept: Kept | None) -> dict[str, Any]:
    if kept is None:
        return unseal(payload, None, None)
    try:
        return unseal(payload, bytes.fromhex(kept[1]), loads(kept[2]))
    except ValueError:
        return unseal(payload, None, None)
