"""The personal signatures of the trail's decisions (`reviewer.domain.audit.personal`), read
from the store: `audit verify` judges the whole trail, a release its own request's events and
those about accounts and the policy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reviewer.domain.audit import ChainedEvent
from reviewer.domain.audit.decisions import PERSONAL_KEYS_MARKER
from reviewer.domain.audit.personal import PERSONAL_ACTIONS, KeysInForce
from reviewer.store.audit_log import _stream
from reviewer.store.audit_log.places import SELECT_EVENTS

_ACTIONS = ", ".join(f"'{a}'" for a in sorted(PERSONAL_ACTIONS | {PERSONAL_KEYS_MARKER}))


def keys_in_force(session: Session, about: str | None = None) -> KeysInForce:
    """Each account's certified key after following the trail's personal events (judging only
    those about the request `about` and none about another, when given); its `found` names
    the first event that breaks the rules, if any."""
    keys = KeysInForce(about)
    for row in _stream(session, f"{SELECT_EVENTS} WHERE action IN ({_ACTIONS}) ORDER BY seq"):
        keys.event(ChainedEvent(*row))
        if keys.found is not None:
            break
    return keys


def personal_problem(session: Session) -> str | None:
    """The first decision event the trail's certified keys do not carry, in words, or None."""
    return keys_in_force(session).found
