"""The export versions as the trail leaves them: each ingest event made a version (its request,
number and archive) and voided every version of the request before it, and a rejection is
final. So after the marker:

- every ingest event has its version row, saying the same request, number and archive;
- a version a later ingest superseded is voided in the store (a voided version revived in
  SQL, to be signed or released again, shows);
- no release event releases a version the trail had rejected or superseded before it (a
  rejection row deleted in SQL, or a release written around the release gate, shows).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.store.crosscheck.kind import Event
from reviewer.store.crosscheck.pairing import Problem, earliest

VERSION_ACTIONS = ("ingest", "rejection", "release")


@dataclass(frozen=True)
class _Ingested:
    seq: int
    request_id: str
    number: int
    archive_sha256: str


class Versions:
    """What the ingest, rejection and release events say of each version, fed in chain order."""

    def __init__(self) -> None:
        self.ingested: dict[int, _Ingested] = {}
        self.current: dict[str, list[int]] = {}  # request -> its version not yet voided
        self.superseded: dict[int, _Ingested] = {}  # version id -> the ingest that voided it
        self.rejected: dict[int, Event] = {}
        self.found: list[Problem] = []

    def event(self, e: Event) -> None:
        vid = _int(e.get("version_id"))
        if vid is None:
            return
        if e.action == "ingest":
            request = e.subject.removeprefix("request:")
            number = _int(e.get("version")) or 0
            made = _Ingested(e.seq, request, number, str(e.get("archive_sha256")))
            for old in self.current.pop(request, []):  # every ingest voids the versions before
                if old != vid:
                    self.superseded.setdefault(old, made)
            self.ingested[vid] = made
            self.current[request] = [vid]
        elif e.action == "rejection":
            self.rejected.setdefault(vid, e)
        elif e.action == "release":
            rejection = self.rejected.get(vid)
            newer = self.superseded.get(vid)
            if rejection is not None:
                why = f"{rejection.actor} rejected it at event {rejection.seq}"
            elif newer is not None:
                why = f"version {newer.number} superseded it at event {newer.seq}"
            else:
                return
            self.found.append(
                (
                    e.seq,
                    f"event {e.seq} (release of version id {vid} by {e.actor}) releases a "
                    f"version the audit trail closed: {why}; the store was changed around the "
                    "reviewer's release gate",
                )
            )

    def problem(self, session: Session) -> Problem | None:
        """The first disagreement: a release the trail forbids, an ingest without its row, or
        a superseded version the store holds as current."""
        found = list(self.found)
        if self.ingested:
            rows = {
                int(i): (str(r), int(n), str(sha), voided is not None)
                for i, r, n, sha, voided in session.execute(
                    sa.text(
                        "SELECT id, request_id, number, archive_sha256, voided_at "
                        "FROM export_versions"
                    )
                )
            }
            for vid, ing in self.ingested.items():
                row = rows.get(vid)
                if row is None or row[:3] != (ing.request_id, ing.number, ing.archive_sha256):
                    found.append(
                        (
                            ing.seq,
                            f"event {ing.seq} (ingest of {ing.request_id} version {ing.number}, "
                            f"version id {vid}) has no export version row that agrees with it: "
                            "the row was removed or changed",
                        )
                    )
                elif vid in self.superseded and not row[3]:
                    newer = self.superseded[vid]
                    found.append(
                        (
                            newer.seq,
                            f"version {ing.number} of {ing.request_id} is current in the store, "
                            f"but the audit trail's ingest of version {newer.number} (event "
                            f"{newer.seq}) voided it: it was changed around the reviewer",
                        )
                    )
        return earliest(found)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None
