"""What the review screen's keys may do now, and why not when they may not.

The screen asks `allowed` in `check_action` (what the footer and the palette offer) and
`why_not` when a key cannot act, so the key says why instead of doing nothing. The rules are
the domain's (`reviewer.domain.access`), for this person on this version of the request; this
module puts them in the screen's terms and in words that say what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewer.domain.access import Action, Permission, permission
from reviewer.domain.states import State
from reviewer.tui.screens.correcting import CORRECTION_ACTIONS

if TYPE_CHECKING:
    from reviewer.store.views import RequestDetail, SignedIn

LOADING = "The request is still loading."
# The keys that say why when their action is not available now.
KEY_ACTIONS = {
    "s": "sign_off",
    "r": "release",
    "space": "play",
    "m": "mark",
    "w": "withhold",
    "x": "redact",
    "z": "silence",
    "f": "suggested",
    "A": "apply",
}


def signing_permission(action: str, d: RequestDetail | None, user: SignedIn | None) -> Permission:
    """The access rule's answer for the sign-off (`sign_off`) or the release of this version."""
    actor = user.actor if user is not None else None
    if d is None:
        return Permission(False, "the request is still loading")
    if action == "sign_off":
        # The dialog opens wherever this person takes part in signing the version (a
        # rejection at least); it says what the approval still needs, four eyes included.
        return permission(actor, Action.REJECT, d.state)
    return permission(actor, Action.RELEASE, d.state)


def _correcting(action: str, d: RequestDetail, user: SignedIn) -> Permission:
    wanted = Action.MARK if action == "mark" else Action.CORRECT
    return permission(user.actor, wanted, d.state)


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:]


def allowed(action: str, d: RequestDetail | None, user: SignedIn | None) -> bool:
    """Whether the screen's `action` may run now."""
    if action in ("sign_off", "release"):
        return bool(signing_permission(action, d, user))
    if action in ("play", "sample"):
        return d is not None and bool(d.index.recordings)
    if action in CORRECTION_ACTIONS:
        return d is not None and user is not None and bool(_correcting(action, d, user))
    return True


def why_not(action: str, d: RequestDetail | None, user: SignedIn | None) -> str | None:
    """Why `action` is not available right now (None: it is, or there is nothing to say)."""
    if d is None or user is None:
        return LOADING
    if action in ("sign_off", "release"):
        answer = signing_permission(action, d, user)
        if answer:
            return None
        reason = _sentence(answer.reason)
        if action == "release" and not permission(user.actor, Action.RELEASE, State.APPROVED):
            return f"{reason}; ask an approver to sign in (Ctrl+O)."
        return f"{reason}."
    if action in ("play", "sample"):
        return "This export has no recordings to play."
    if action in CORRECTION_ACTIONS:
        return _sentence(_correcting(action, d, user).reason) + "."
    return None
