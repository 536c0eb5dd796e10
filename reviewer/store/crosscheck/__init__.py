"""The store's decisions against the audit chain: every decision row has its event, every
decision event its row, and the two agree.

The hash chain proves its own integrity, not that the tables agree with it: a sign-off row
inserted in SQL has no event, and an event forged into the tail has no row. So `audit verify`
and the supervisor's audit status compare, after the chain verifies:

- sign-offs and rejections (version, stage, decision, signer, archive, and what the signer
  wrote: note, sampling statement, acknowledgements);
- releases (version, archive, releaser) and deliveries (version, kind, by whom, reason);
- accounts (name, role, made by) and whether each is disabled now (its last disable/enable);
- the policy (the last policy change, or the defaults);
- inspections (version, reviewer, kind, target, seconds);
- marks and proposed corrections (version, author, what, on what, the note), their withdrawals, which
  corrections each corrected version applied, and the corrected versions (from which version,
  which archive);
- the statutory clock's changes (request, extension, pause, resume, notice; months; by whom;
  the reason);
- who holds each request: every claim, assignment and hand-over (request, holder, by whom,
  the note)
  and how each ended (released, reassigned, handed over; by whom);
- the export versions (`versions`): every ingest event has its version row (request, number,
  archive), a version a later ingest voided is voided in the store, and no release event
  releases a version the trail had rejected or superseded before it;
- purged requests (request, by whom): every purged request has its purge event, and each
  purge event its purged request (a purged request's typed texts are not compared: the purge
  emptied them);
- the texts kept beside the chain (`reviewer.domain.audit.sealed`): each is the one its
  event sealed (same digest, same request), each sealing event keeps its texts unless its
  request was purged, and no texts stand beside an event that sealed none;
- every decision carries the personal signature of the person who made it, by the key the
  trail certified for them (`personal`: an event written at a terminal in someone else's
  name, without their passphrase, does not).

`cross_check(session)` returns the first disagreement in words, naming the row and the event,
or None. It compares what came after the store's signed `audit-decisions-signed` marker: the
marker records the highest row id of each table, the disabled accounts and the policy as they
were before (rows an earlier version wrote, some before the trail existed), and those rows are
not asked for events. A store without the marker (only an audit trail, or never opened by this
version) has nothing to compare.

How it is built: `kinds` declares each kind of decision (its audit actions and how an event
becomes a key; its tables, the SQL for its rows and how a row becomes a key) and
`pairing.Pairing` compares a kind's two multisets of keys; `state` compares the accounts'
disabled state and the policy, `sealed` the kept texts, `passphrases` the passphrase hashes;
`comparison` reads the trail and the rows once and picks the first disagreement.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.store.crosscheck.comparison import ACTIONS, Comparison, Marker
from reviewer.store.crosscheck.kinds import CLAIM_ENDS, KINDS, STAGES
from reviewer.store.crosscheck.passphrases import PASSPHRASE_EVENTS, passphrase_mark
from reviewer.store.crosscheck.personal import keys_in_force, personal_problem
from reviewer.store.crosscheck.state import DEFAULT_POLICY

__all__ = [
    "ACTIONS",
    "CLAIM_ENDS",
    "DEFAULT_POLICY",
    "KINDS",
    "PASSPHRASE_EVENTS",
    "STAGES",
    "cross_check",
    "keys_in_force",
    "passphrase_mark",
]


def cross_check(session: Session) -> str | None:
    """The first disagreement between the decision rows and their events, or None."""
    tables = set(sa.inspect(session.connection()).get_table_names())
    if not {"signoffs", "reviewers", "inspections", "policy"} <= tables:
        return None
    marker = Marker.read(session)
    if marker is None:
        return None
    comparison = Comparison(session, tables, marker)
    comparison.read_events()
    disabled = comparison.state.disabled_problem(session)
    if disabled is not None:  # told before any other disagreement
        return disabled
    comparison.read_rows()
    return comparison.problem() or personal_problem(session)
