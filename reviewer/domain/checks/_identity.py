"""Finding identifiers in text: the requester's own, and ones shaped like someone else's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.domain.checks._common import norm_id
from reviewer.domain.model import Request

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])"
)
# Local parts of addresses that are a mailbox of the exporter, not of a person.
ROLE_LOCALS = frozenset(
    {
        "privacy",
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
        "dpo",
        "datenschutz",
        "dataprotection",
        "data-protection",
        "gdpr",
        "dsar",
    }
)
_SEP = r"[\s\-./()]{0,3}"
PHONE_RUN = re.compile(r"(?<!\d)\d(?:" + _SEP + r"\d){6,}(?!\d)")


class _PhonePattern:
    """Matches a run of digits (any separators) ending in the requester's last 8 digits:
    "+49 511 5550199", "0511 / 555 01 99" and "0049-511-5550199" are the same number."""

    def __init__(self, tail: str) -> None:
        self.tail = tail

    def search(self, text: str) -> bool:
        if self.tail[-1] not in text:
            return False
        return any(
            re.sub(r"\D", "", m.group(0)).endswith(self.tail) for m in PHONE_RUN.finditer(text)
        )


@dataclass(frozen=True)
class RequesterMatcher:
    """Which of the requester's identifiers a text holds."""

    patterns: tuple[tuple[str, re.Pattern[str] | _PhonePattern], ...]

    @classmethod
    def for_request(cls, request: Request) -> RequesterMatcher:
        req = request.requester
        pats: list[tuple[str, re.Pattern[str] | _PhonePattern]] = []
        if req.customer_id.strip():
            pats.append(("customer id", _bounded(re.escape(req.customer_id.strip()))))
        if req.email.strip():
            pats.append(("e-mail", _bounded(re.escape(req.email.strip()))))
        digits = re.sub(r"\D", "", req.phone)
        if len(digits) >= 7:
            tail = digits[-8:]
            pats.append(("phone", _PhonePattern(tail)))
        words = req.name.replace(",", " ").split()
        if len(words) >= 2:
            forward = r"\s+".join(re.escape(w) for w in words)
            backward = r",?\s+".join(re.escape(w) for w in (words[-1], *words[:-1]))
            pats.append(("name", _bounded(f"(?:{forward}|{backward})")))
        return cls(tuple(pats))

    def found_in(self, text: str) -> list[str]:
        return [kind for kind, pat in self.patterns if pat.search(text)]


def _bounded(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@.]){body}(?![\w@])", re.IGNORECASE)


def id_shape(customer_id: str) -> re.Pattern[str] | None:
    """A pattern for ids shaped like the requester's (``A`` + 13 upper-case alphanumerics).

    Only for distinctive shapes (at least 8 characters mixing letters and digits), so that
    words, dates and order numbers are not taken for customer ids.
    """
    cid = norm_id(customer_id)
    if len(cid) < 8 or not cid.isalnum() or not cid.isascii():
        return None
    if not any(c.isdigit() for c in cid) or not any(c.isalpha() for c in cid):
        return None
    head = re.escape(cid[0]) if cid[0].isalpha() else "[0-9]"
    return re.compile(rf"(?<![A-Za-z0-9]){head}[A-Z0-9]{{{len(cid) - 1}}}(?![A-Za-z0-9])")


def shaped_ids(pattern: re.Pattern[str], text: str) -> set[str]:
    """Tokens of the shape that hold at least one digit (all-capital words are not ids)."""
    return {m.group(0) for m in pattern.finditer(text) if any(c.isdigit() for c in m.group(0))}


def emails(text: str) -> set[str]:
    if "@" not in text:
        return set()
    return {m.group(0).casefold() for m in EMAIL.finditer(text)}
