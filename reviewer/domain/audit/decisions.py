"""The actions that count as decisions: each is signed (a checkpoint over the chain up to it) in
the transaction that records it, so none ever sits in the unsigned tail."""

from __future__ import annotations

# The marker is the first event of the era in which that holds: a store made or upgraded by
# this version records it once, signed.
DECISIONS_SIGNED_MARKER = "audit-decisions-signed"
# The first event of the era in which every decision carries its maker's personal signature
# (`reviewer.domain.audit.personal`).
PERSONAL_KEYS_MARKER = "personal-keys"
DECISION_ACTIONS = frozenset(
    {
        DECISIONS_SIGNED_MARKER,
        PERSONAL_KEYS_MARKER,
        "key-enrolled",
        "sign-off",
        "rejection",
        "release",
        "delivery",
        "redelivery",
        "user-add",
        "user-disable",
        "user-enable",
        "user-unlock",
        "user-reset-passphrase",
        "policy-change",
        "lockout",
        "mark",
        "mark-withdrawn",
        "correction-proposed",
        "correction-withdrawn",
        "corrections-applied",
        "purge",
    }
)
