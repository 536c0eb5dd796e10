"""Finding identifiers in text: the requester's own, and ones shaped like someone else's."""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from reviewer.domain.checks._common import (
    INVISIBLE,
    INVISIBLE_CHARS,
    account_id,
    norm_id,
    norm_key,
    seen_form,
)
from reviewer.domain.checks._known_ids import (
    AMAZON_MAIL_DOMAIN,
    AMAZON_RELAY_DOMAIN,
    AMAZON_SERVICE_LOCALS,
)
from reviewer.domain.model import ExportIndex, Request

EMAIL = re.compile(
    r"(?<![\w.+-])[^\W_][\w.%+-]{0,63}@[^\W_][\w-]*(?:\.[^\W_][\w-]*)*\.[^\W\d_]{2,24}(?![\w-])"
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


FOLD_CHUNK = 1 << 20


# `re.IGNORECASE` takes the dotted capital İ and the dotless ı for "i" (and "I"), where
# `str.casefold` makes İ "i" and a combining dot and keeps ı: the substring test folds them to
# "i" too, so a text the pattern matches ("YILDIZ" for "Yıldız", "SMİTH" for "Smith") is
# never passed over (`fold`).
_DOTTED_I = "i\u0307"
_DOTLESS = str.maketrans({"\u0131": "i"})


def fold(text: str) -> str:
    """`text` case-folded as the substring tests compare it: `str.casefold`, with the Turkish
    i's that `re.IGNORECASE` takes for "i" made "i"."""
    folded = text.casefold()
    if "\u0307" in folded or "\u0131" in folded:
        folded = folded.replace(_DOTTED_I, "i").translate(_DOTLESS)
    return folded


def contains_folded(text: str, needle: str) -> bool:
    """`needle` (folded, `fold`) in `text` folded, a megabyte at a time, so a large text is
    never copied whole."""
    if len(text) <= FOLD_CHUNK:
        return needle in fold(text)
    overlap = 2 * len(needle)  # (folding may make two characters one: i and a combining dot)
    for start in range(0, len(text), FOLD_CHUNK):
        if needle in fold(text[max(0, start - overlap) : start + FOLD_CHUNK]):
            return True
    return False


class _Needle:
    """A pattern with a cheap case-folded substring test first: most texts do not hold
    the identifier at all, and `in` is far faster than a case-insensitive regex scan."""

    def __init__(self, needle: str, pattern: re.Pattern[str]) -> None:
        self.needle = fold(needle)
        self.pattern = pattern
        # The needle's characters no case changes, ASCII marks and digits ("@" and "." of an
        # address): a text that holds the needle in any case holds each of them as it is, and
        # one test of each spares folding a text without them (most texts hold no "@").
        self.marks = tuple(sorted({c for c in needle if c.isascii() and not c.isalpha()}))

    def _marked(self, text: str) -> bool:
        return all(c in text for c in self.marks)

    def folds(self, text: str) -> bool:
        """Whether `maybe_in` needs `text` case-folded."""
        return self._marked(text)

    def search(self, text: str) -> bool:
        return (
            self._marked(text)
            and contains_folded(text, self.needle)
            and self.pattern.search(text) is not None
        )

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self._marked(text) and contains_folded(text, self.needle):
            yield from self.pattern.finditer(text)

    def maybe_in(self, text: str, folded: str | None) -> bool:
        """Whether `text` may hold it (`folded`: `text` case-folded, when the caller has it)."""
        if not self._marked(text):
            return False
        return self.needle in folded if folded is not None else contains_folded(text, self.needle)


class _Phone:
    """The requester's last 8 digits with any separators, not followed by another digit:
    "+49 511 5550199", "0511 / 555 01 99" and "0049-511-5550199" are the same number."""

    def __init__(self, tail: str) -> None:
        self.pattern = re.compile(_SEP.join(tail) + r"(?!\d)")

    def search(self, text: str) -> bool:
        return self.pattern.search(text) is not None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text)

    def maybe_in(self, text: str, folded: str | None) -> bool:
        return True

    def folds(self, text: str) -> bool:
        return False


GROUPED_ID_MIN = 8  # characters of an id that is also looked for grouped


@dataclass(frozen=True)
class RequesterMatcher:
    """Which of the requester's identifiers a text holds."""

    patterns: tuple[tuple[str, _Needle | _Phone], ...]

    @classmethod
    def for_request(cls, request: Request) -> RequesterMatcher:
        req = request.requester
        pats: list[tuple[str, _Needle | _Phone]] = []
        cid = req.customer_id.strip()
        compact = account_id(cid)
        if len(compact) >= GROUPED_ID_MIN and compact != cid.upper():
            # a ticket that writes the id grouped ("A1QH 7RZ3 N8VW 2E"): the id grouped any
            # way, or not; the needle: its first two characters
            grouped = r"[ \t-]?".join(re.escape(c) for c in compact)
            pats.append(("customer id", _Needle(compact[:2], _bounded(grouped))))
        elif cid:
            pats.append(("customer id", _Needle(cid, _bounded(re.escape(cid)))))
        email = req.email.strip()
        if email:
            pats.append(("e-mail", _Needle(email, _bounded(re.escape(email)))))
        digits = re.sub(r"\D", "", req.phone)
        if len(digits) >= 7:
            pats.append(("phone", _Phone(digits[-8:])))
        words = req.name.replace(",", " ").split()
        if len(words) >= 2:
            forward = r"\s+".join(re.escape(w) for w in words)
            backward = r",?\s+".join(re.escape(w) for w in (words[-1], *words[:-1]))
            pats.append(("name", _Needle(words[-1], _bounded(f"(?:{forward}|{backward})"))))
        return cls(tuple(pats))

    def found_in(self, text: str) -> list[str]:
        return [kind for kind, pat in self.patterns if pat.search(text)]

    def collect(self, batch: Batch, seen: dict[str, set[str]], cap: int = 20) -> None:
        """Add to `seen` (kind -> members) the members of `batch` holding each identifier,
        up to `cap` members per kind (enough to show where, without walking every hit)."""
        text, starts, paths = batch.text, batch.starts, batch.paths
        folded: str | None = None  # the batch case-folded once, for every identifier's test
        for kind, pat in self.patterns:
            members = seen.setdefault(kind, set())
            if len(members) >= cap:
                continue
            if folded is None and len(text) <= FOLD_CHUNK and pat.folds(text):
                folded = fold(text)
            if not pat.maybe_in(text, folded):
                continue
            # one hit per member is enough: after a hit, go on from the next member's start
            # (a table that names the requester in every row is one search, not one per row)
            pos = 0
            while len(members) < cap:
                hit = pat.pattern.search(text, pos)
                if hit is None:
                    break
                i = bisect_right(starts, hit.start()) - 1
                members.add(paths[i])
                if i + 1 >= len(starts):
                    break
                pos = starts[i + 1]


def _bounded(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@.]){body}(?![\w@])", re.IGNORECASE)


BATCH_CHARS = 1 << 20
SEPARATOR = "\x00"  # neither a word character nor whitespace: no pattern matches across it


@dataclass
class Batch:
    """Many member texts joined into one string, so each pattern runs once per megabyte
    rather than once per member; `member_at` maps a match position back to its member."""

    text: str
    starts: list[int]
    paths: list[str]

    def member_at(self, pos: int) -> str:
        return self.paths[bisect_right(self.starts, pos) - 1]


def batches(
    texts: Iterable[tuple[str, str]], seen: list[str] | None = None, limit: int = BATCH_CHARS
) -> Iterator[Batch]:
    """The (member, text) pairs joined into batches of about `limit` characters; the members
    are appended to `seen` as they are taken."""
    parts: list[str] = []
    starts: list[int] = []
    paths: list[str] = []
    size = 0
    for path, text in texts:
        if seen is not None:
            seen.append(path)
        if len(text) >= limit:  # a large text is a batch of its own, not copied
            yield Batch(text, [0], [path])
            continue
        starts.append(size)
        paths.append(path)
        parts.append(text)
        size += len(text) + 1
        if size >= limit:
            yield Batch(SEPARATOR.join(parts), starts, paths)
            parts, starts, paths, size = [], [], [], 0
    if parts:
        yield Batch(SEPARATOR.join(parts), starts, paths)


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
    tail = rf"[A-Z0-9]{{{len(cid) - 1}}}(?![A-Za-z0-9])"
    if cid[0].isalpha():
        # The literal first lets the regex engine skip ahead to each candidate letter; the
        # boundary is checked behind it (about ten times faster than a leading lookbehind).
        head = re.escape(cid[0])
        return re.compile(rf"{head}(?<![A-Za-z0-9]{head}){tail}")
    return re.compile(rf"(?<![A-Za-z0-9])[0-9]{tail}")


# Characters another account's id may be written with, beside plain capitals and digits:
# zero-width ones inside it, full-width capitals and digits, capitals of another script that
# look like Latin ones (as `account_id` reads them)
_INVISIBLE = INVISIBLE_CHARS
_WIDE = "\uff10-\uff19\uff21-\uff3a"
_LOOKALIKE = (
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423\u0406\u0408\u0405"
)
_LOOKALIKE += "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7"
# Marks between the groups that a reader takes for a space or a dash: a no-break, thin or
# ideographic space, a hyphen, a dash of another width, a minus ("A5RT\u00a08XK2\u00a0...")
_MARK = "\u00a0\u2000-\u200a\u202f\u205f\u3000\u2010-\u2013\u2212\uff0d"
_UNUSUAL = re.compile(f"[{_INVISIBLE}{_WIDE}{_LOOKALIKE}{_MARK}]")
_CHAR = f"[A-Z0-9{_WIDE}{_LOOKALIKE}][{_INVISIBLE}]*"
# A run of such characters, its groups perhaps set apart by one mark (a dash, a space or a
# dot) throughout: "A5RT-8XK2-M9QW-4N", "Ａ５ＲＴ８ＸＫ２...", "A5RT8XK2\u200bM9QW4N"
_UNUSUAL_RUN = re.compile(
    rf"(?<![\w{_INVISIBLE}])[{_INVISIBLE}]*(?:{_CHAR})+(?:([-. {_MARK}])(?:{_CHAR})+)?"
    rf"(?:\1(?:{_CHAR})+)*(?!\w)"
)
_GROUP_MIN, _GROUP_MAX = 2, 6  # characters of a group of a grouped id


_WINDOW = 160  # characters each side of an unusual character searched for its run


def _unusual_runs(text: str) -> Iterator[re.Match[str]]:
    """The runs of `_UNUSUAL_RUN` in `text` that hold an unusual character, looked for only
    around each (most texts hold none; a long one is not searched whole)."""
    pos = done = 0
    end = len(text)
    while (hit := _UNUSUAL.search(text, pos)) is not None:
        lo, hi = max(0, hit.start() - _WINDOW), min(end, hit.start() + _WINDOW)
        for run in _UNUSUAL_RUN.finditer(text, lo, hi):
            if run.start() < done or (run.end() == hi < end):
                continue  # seen already, or cut short by the window
            if _UNUSUAL.search(run.group(0)) is not None:
                done = run.end()
                yield run
        pos = hi


@dataclass(frozen=True, slots=True)
class DisguisedShape:
    """Ids shaped like the requester's (`id_shape`) written grouped or disguised: groups of 2
    to 6 characters set apart by one dash, space or dot, or one of another width (`_MARK`)
    ("A5RT-8XK2-M9QW-4N", all groups but the last the same length, as ids are grouped), with
    zero-width characters inside, in full-width characters or with another script's
    look-alike capitals. Each is read as `account_id` reads it and given as the plain id."""

    shape: re.Pattern[str]
    length: int
    grouped: re.Pattern[str]  # a grouped run of plain capitals and digits

    @classmethod
    def of(cls, customer_id: str) -> DisguisedShape | None:
        shape = id_shape(customer_id)
        if shape is None:
            return None
        cid = norm_id(customer_id)
        head = re.escape(cid[0]) if cid[0].isalpha() else "[0-9]"
        lead = f"{head}(?<![\\w.-]{head})" if cid[0].isalpha() else f"(?<![\\w.-]){head}"
        # (the first group possessive: giving back a letter or digit cannot find the mark,
        # which is neither; a failed try ends at once)
        grouped = re.compile(
            rf"{lead}[A-Z0-9]{{{_GROUP_MIN - 1},{_GROUP_MAX - 1}}}+([-. ])"
            rf"[A-Z0-9]{{1,{_GROUP_MAX}}}(?:\1[A-Z0-9]{{1,{_GROUP_MAX}}})*(?!\w)"
        )
        return cls(shape, len(cid), grouped)

    def find(self, text: str) -> Iterator[tuple[str, int]]:
        """(the id, plain, and where it starts) of each id of the shape in `text` written
        grouped or disguised; the plain form (`id_shape` finds it) is not given."""
        runs = list(self.grouped.finditer(text))
        if not text.isascii():
            runs.extend(_unusual_runs(text))
        for run in runs:
            yield from self._ids_in(run.group(0), run.start(), run.group(1))

    def _ids_in(self, run: str, start: int, mark: str | None) -> Iterator[tuple[str, int]]:
        groups = run.split(mark) if mark else [run]
        sizes = [len(INVISIBLE.sub("", g)) for g in groups]
        offsets = [0]
        for g in groups:
            offsets.append(offsets[-1] + len(g) + 1)
        for i in range(len(groups)):
            total = 0
            for j in range(i, len(groups)):
                total += sizes[j]
                if total >= self.length:
                    break
            if total != self.length or not self._evenly(sizes[i : j + 1]):
                continue
            # (another mark as a space: `account_id` reads ids grouped with ASCII ones)
            joiner = "" if mark is None else mark if mark.isascii() else " "
            written = joiner.join(groups[i : j + 1])
            if not mark and not _UNUSUAL.search(written):
                continue  # the plain form
            token = account_id(written)
            if (
                token
                and self.shape.fullmatch(token)
                and any(c.isdigit() for c in token)
                and any(c.isalpha() for c in token)
            ):
                yield token, start + offsets[i]
                return  # one id a run

    @staticmethod
    def _evenly(sizes: list[int]) -> bool:
        """Groups as an id is grouped: one group, or all but the last of one length (2 to
        6) and the last no longer."""
        if len(sizes) == 1:
            return True
        first = sizes[0]
        return (
            _GROUP_MIN <= first <= _GROUP_MAX
            and all(n == first for n in sizes[1:-1])
            and 1 <= sizes[-1] <= first
        )


def shaped_ids(pattern: re.Pattern[str], text: str) -> set[str]:
    """Tokens of the shape that hold at least one digit (all-capital words are not ids)."""
    found = set(pattern.findall(text))
    return {t for t in found if any(c.isdigit() for c in t)}


# Letters of any script count (an internationalised address, or a look-alike of the
# requester's with a Cyrillic "е" in it, is an address too, and not theirs)
_LOCAL_MAX = 64  # characters of a local part (RFC 5321), as `EMAIL` takes it
_LOCAL = re.compile(r"(?<![\w.+-])[^\W_][\w.%+-]{0,63}\Z")
_DOMAIN = re.compile(r"[^\W_][\w-]*(?:\.[^\W_][\w-]*)*\.[^\W\d_]{2,24}(?![\w-])")


def find_emails(text: str) -> Iterator[tuple[str, int]]:
    """(address case-folded, start) of every e-mail address in `text`.

    Works outward from each "@" (texts hold few), instead of trying an address at every
    position of a long text; finds what `EMAIL` finds.
    """
    at = text.find("@")
    while at != -1:
        # the longest local part and the character before it, so that one as long as `EMAIL`
        # takes starts inside the window, not cut by it
        window_start = max(0, at - _LOCAL_MAX - 1)
        local = _LOCAL.search(text, window_start, at)
        domain = _DOMAIN.match(text, at + 1, at + 1 + 256) if local else None
        if local and domain and (local.start() > window_start or window_start == 0):
            yield text[local.start() : domain.end()].casefold(), local.start()
        at = text.find("@", at + 1)


# An "@" and a "." written so that a plain scan does not see them: encoded (URL-encoded in a
# mailto: link, HTML character references, each possibly twice: "&amp;#64;", "%2540"; a whole
# address encoded character by character, as address-hiding tools write it), and "[at]" /
# "(at)" / "{dot}" as people write them to keep addresses from harvesters. (Plain words,
# "name at example dot com", are left alone: they read as ordinary sentences far more often
# than as addresses.)
_AT_FORMS = re.compile(
    r"\s?[\[{<]\s?at\s?[\]}>]\s?"
    # "(at)" reads as a word in prose ("collect it (at) the locker"): only with a "(dot)" after
    r"|\s?\(\s?at\s?\)\s?(?=[\w.-]{1,64}\s?\(\s?dot\s?\))",
    re.I,
)
_DOT_FORMS = re.compile(r"\s?[\[({<]\s?dot\s?[\])}>]\s?", re.I)
# An encoded "@" (or "%" or "&" encoded, a value escaped twice); with a plain "@", any
# encoding may hide a "." or a letter of the address ("...@example%2Ede", "&period;")
_ENCODED_HINTS = ("@", "%40", "%25", "&#", "&commat", "&amp;")
# What a reader does not see, or sees as "@" and ".", in an address: zero-width characters
# and a soft hyphen, a full-width or small "@" and "." ("lukas.brandt＠example.de", as
# addresses are written in Japanese to keep them from harvesters)
_AS_MARKS = str.maketrans({"\uff20": "@", "\ufe6b": "@", "\uff0e": ".", "\ufe52": "."})
_UNSEEN_MARKS = re.compile(f"[{_INVISIBLE}\uff20\ufe6b\uff0e\ufe52]")
# What every `_AT_FORMS` match holds, in any case and with its space: "at", then the bracket
# that closes it ("[ at ]", "{AT}" as "[at]")
_WRITTEN_HINT = re.compile(r"[aA][tT]\s?[\]})>]")


def _at_sign(text: str) -> bool:
    """Whether `text` holds an "@", plain or as `_AS_MARKS` reads one (an address does)."""
    return "@" in text or "\uff20" in text or "\ufe6b" in text


def _closed(text: str) -> bool:
    """Whether `text` holds a bracket that closes an "at" of `_AT_FORMS` (a few memchr
    passes, before the search for the hint)."""
    return "]" in text or ")" in text or "}" in text or ">" in text


def _decoded(text: str) -> str:
    """`text` with HTML character references and URL encoding undone, twice over (a value
    escaped twice); a member separator it would spell ("%00") stays a space, so the members
    of a batch stay where they were."""
    parts = text.split(SEPARATOR)
    for i, part in enumerate(parts):
        for _ in range(2):
            if "&" in part:
                part = html.unescape(part)
            if "%" in part:
                part = unquote(part, errors="replace")
        parts[i] = part.replace(SEPARATOR, " ")
    return SEPARATOR.join(parts)


def deobfuscated(text: str, *, written: bool = True) -> str | None:
    """`text` with its disguised "@" and "." written plainly, or None when it has none (the
    common case, found with a few substring tests). `written=False`: only the encoded forms
    (URL encoding and HTML character references, undone by the standard library's decoders)
    and the characters a reader does not see or sees as "@" and "." (`_UNSEEN_MARKS`), which
    a CSV cell or a JSON string holds as it was exported (one test over the rendered JSON and
    tables); the forms people write ("[at]", "(dot)") are looked for in plain texts only."""
    out = text
    # one pass for each of "%" and "&" (memchr) settles the common case, no hint at all
    if ("%" in text or "&" in text) and any(hint in text for hint in _ENCODED_HINTS):
        out = _decoded(text)
    if not out.isascii() and _at_sign(out) and _UNSEEN_MARKS.search(out) is not None:
        out = INVISIBLE.sub("", out).translate(_AS_MARKS)
    if written and _closed(out) and _WRITTEN_HINT.search(out) is not None:
        out = _DOT_FORMS.sub(".", _AT_FORMS.sub("@", out))
    return out if out != text else None


def as_seen(text: str) -> str | None:
    """`text` as a reader sees it (`seen_form`), when that differs; None for a text that is
    so already (the common case, ASCII)."""
    if text.isascii():
        return None
    if INVISIBLE.search(text) is None and unicodedata.is_normalized("NFKC", text):
        return None
    seen = seen_form(text)
    return seen if seen != text else None


MARKUP_EXT = (".xml", ".html", ".htm", ".xhtml", ".rels")

# A value a text labels with a field's name: an XML or HTML element that holds only text
# (<customerId>40817734</customerId>, <ns:AccountHolder>, a CDATA section inside), an
# attribute (customerId="...", c:customerId="..."), or a line "name: value" / "name = value"
# (YAML, INI, a properties file, a form printed as text, a paragraph of a web page or an
# office document). The name is up to four words ("Account holder", "Customer ID",
# "Customer No.", "Kunden-Nr."); the colon may be a full-width one.
_ELEMENT = re.compile(
    r"<(?:[A-Za-z_][\w.-]{0,31}:)?([A-Za-z_][\w.-]{0,63})(?:\s[^<>]{0,500})?>"
    r"([^<>]{1,200})</(?:[A-Za-z_][\w.-]{0,31}:)?\1\s*>"
)
_ATTRIBUTE = re.compile(
    r"(?<![\w.:-])(?:[A-Za-z_][\w.-]{0,31}:)?([A-Za-z_][\w-]{0,63})\s*=\s*"
    r"(?:\"([^\"<>\n]{1,200})\"|'([^'<>\n]{1,200})')"
)
_LINE = re.compile(
    r"^[ \t>*#-]*[\"']?([A-Za-z][A-Za-z0-9_-]*(?:[ .][A-Za-z0-9_-]+){0,3}(?:\.|[ \t]?[#\u2116])?)"
    r"[\"']?[ \t]*[:=\uff1a][ \t]*[\"']?([^\n\"'<>]{1,200}?)[\"']?[ \t]*[,;]?[ \t]*\r?$",
    re.MULTILINE,
)
# A YAML key whose value stands on the next line, indented ("customer_id:\n  40817734")
_NEXT_LINE = re.compile(
    r"^[ \t-]*[\"']?([A-Za-z][A-Za-z0-9_-]*(?:[ .][A-Za-z0-9_-]+){0,3})[\"']?[ \t]*:[ \t]*\r?\n"
    r"[ \t]+[\"']?([^\n\"'<>:#]{1,200}?)[\"']?[ \t]*\r?$",
    re.MULTILINE,
)
# A customer number in a sentence, without a colon: "your customer number is 40817734",
# "Customer No 40817734", "Kundennummer 40817734" (the label as one of the customer keys,
# the value one token holding a digit)
_IN_PROSE = re.compile(
    r"\b((?:customer|client|kunden)[ -]?(?:number|no\.?|nr\.?|id|#|\u2116)|kundennummer)"
    r"[ \t]+(?:is[ \t]+|was[ \t]+)?([A-Za-z0-9-]*\d[A-Za-z0-9-]*)\b",
    re.IGNORECASE,
)
# The letters `re.IGNORECASE` takes for an ASCII letter beside its two cases (a long "s", a
# dotted and a dotless "i", the Kelvin sign), for tests written without it (`_letters`)
IGNORECASE_EXTRA = {"s": "\u017f", "i": "\u0130\u0131", "k": "\u212a"}


def _letters(word: str) -> str:
    """A pattern of `word` matching what `re.IGNORECASE` matches of it, letter by letter."""
    return "".join(f"[{c}{c.upper()}{IGNORECASE_EXTRA.get(c, '')}]" for c in word)


# What every `_IN_PROSE` label holds, found without IGNORECASE: a search that skips from one
# "c" or "k" to the next (an IGNORECASE search tries its pattern at every position)
_PROSE_HINT = re.compile(
    f"[cCkK\u212a](?:{_letters('ustom')}|{_letters('lient')}|{_letters('unden')})"
)
_CDATA = re.compile(r"<!\[CDATA\[(.{0,200}?)\]\]>", re.S)
# A label cell and its value cell (<th>Customer ID</th><td>...</td>, <dt>...</dt><dd>...</dd>):
# read as the line "Customer ID: ..."
_CELL_PAIR = re.compile(r"</(th|dt)\s*>\s*<(?:td|dd)(?:\s[^<>]{0,500})?>", re.I)
# A key and its value written as JSON in a text that is no JSON document (one that failed to
# parse, a log line holding an object): "customer_id": "40817734", "customerId":40817734
_JSON_PAIR = re.compile(r'"([A-Za-z_][\w .-]{0,63})"\s*:\s*(?:"([^"\n]{1,200})"|(-?\d{1,30}))')
# What every match of `_NEXT_LINE` and of `_JSON_PAIR` holds, searched for before it: a colon
# that ends a line after any spaces or tabs ("customer_id:  "), a quote that any spaces
# before a colon follow ('"customer_id"  :')
_NEXT_LINE_HINT = re.compile(r":[ \t]*\r?\n")
_JSON_HINT = re.compile(r'"\s*:')


def labelled_values(text: str, *, markup: bool = False) -> Iterator[tuple[str, str]]:
    """(field name, value) for every value `text` labels with a field's name (see above):
    what a JSON document's keys say, in the texts that are no JSON. The lines of `markup`
    (XML, HTML) are read in its text as a reader sees it (`markup_text`)."""
    if "<" in text:
        if "<![CDATA[" in text:
            text = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), text)
        for m in _ELEMENT.finditer(text):
            yield m.group(1), html.unescape(m.group(2))
        for m in _ATTRIBUTE.finditer(text):
            yield m.group(1), html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
    if markup:
        paired = _CELL_PAIR.sub(": ", text) if "</t" in text or "</d" in text else text
        for m in _LINE.finditer(markup_text(paired)):
            yield m.group(1), html.unescape(m.group(2))
    else:
        for m in _LINE.finditer(text):
            yield m.group(1), m.group(2)
        if _NEXT_LINE_HINT.search(text) is not None:
            for m in _NEXT_LINE.finditer(text):
                yield m.group(1), m.group(2)
    if _PROSE_HINT.search(text) is not None:
        for m in _IN_PROSE.finditer(text):
            yield m.group(1), m.group(2)
    if _JSON_HINT.search(text) is not None:
        for m in _JSON_PAIR.finditer(text):
            yield m.group(1), m.group(2) if m.group(2) is not None else m.group(3)


_BREAKS = re.compile(
    r"</(?:si|p|w:p|a:p|row|c|td|th|tr|li|dt|dd|div|h\d|text:p|text:h|table:table-cell|table:table-row)>"
    r"|<(?:br|w:br|text:line-break|text:tab|w:tab)\s*/?>",
    re.I,
)
_TAGS = re.compile(r"<[^>]{0,2000}>")


_TAG_RUN = re.compile(r"(?:<[^>]{0,2000}>)+")
_TAG_NAME = re.compile(r"<(/?)([\w:.-]+)")
# Elements that hold a run of one string's text (Word's and Excel's runs and their text,
# OpenDocument's and HTML's spans and emphasis): the text on either side of a boundary
# between two of them is one string, written in pieces
_RUN_TEXT = frozenset(
    {"t", "r", "w:t", "w:r", "a:t", "a:r", "text:span", "span", "b", "i", "u", "em", "strong"}
    | {"font", "sub", "sup", "small", "mark"}
)


def _between(tags: re.Match[str]) -> str:
    """What stands for a run of tags in the text a reader sees: a line break when a block,
    a cell or a shared string ends among them; nothing between two runs of one string (an id
    or an address split over two runs joins up); else a space (two fields side by side)."""
    run = tags.group(0)
    if _BREAKS.search(run):
        return "\n"
    names = _TAG_NAME.findall(run)  # (none in "<?xml ...?>", "<!-- -->")
    if not names:
        return " "
    first, last = names[0], names[-1]
    if first[0] == "/" and first[1] in _RUN_TEXT and not last[0] and last[1] in _RUN_TEXT:
        return ""
    return " "


def markup_text(text: str) -> str:
    """The text of XML or HTML as a reader sees it: a line break where a block, a cell or a
    shared string ends, runs of one string joined up, other elements' texts apart."""
    return _TAG_RUN.sub(_between, text)


def spaced_text(text: str) -> str:
    """The text of XML or HTML with a space for every tag: each element's text on its own."""
    return _TAGS.sub(" ", text)


def joined_across_tags(found: str, spaced: set[str]) -> bool:
    """Whether `found`, an address read in `markup_text`, is the text of two spans side by
    side, not an address split over runs (whose spaced reading ends it): it runs on past the
    end of a whole address read in the spaced text ("eleanor.whitfield@example.co.ukeleanor"),
    or stops short of one's end where digits followed it ("...@example.co" of
    "...@example.co.uk" then "A1QH7RZ3N8VW2E")."""
    return any(
        value != found
        and ((value in found and not found.endswith(value)) or value.startswith(found))
        for value in spaced
    )


# "logo@2x.png": an image at twice the resolution, named the way designers name them
FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff"})


def is_file_name(address: str) -> bool:
    """An "address" whose domain ends in an image file's extension: a file name, not mail."""
    return address.rsplit(".", 1)[-1] in FILE_SUFFIXES


def emails(text: str) -> set[str]:
    return {address for address, _start in find_emails(text)}


MAX_DEPTH = 32  # levels of a JSON document walked


def walk_json(
    doc: Any,
    keys: frozenset[str] | None = None,
    *,
    holders: frozenset[str] = frozenset(),
    held: list[dict[str, Any]] | None = None,
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(normalised key, parent key, string value, the object) for every scalar in a JSON doc
    (only under `keys`, when given). On the way, each object that is the value of a key in
    `holders` is appended to `held` (one walk serves both).

    Iterative (a stack, not recursion), so deep or wide documents cost no generator chains.
    """
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    nested = (dict, list)  # (a tuple: `isinstance` takes it faster than `dict | list`)
    while stack:
        node, parent, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                k = norm_key(key if type(key) is str else str(key))
                if isinstance(value, nested):
                    if held is not None and k in holders and isinstance(value, dict):
                        held.append(value)
                    stack.append((value, k, depth + 1))
                elif keys is not None and k not in keys:
                    continue
                elif isinstance(value, str):
                    yield k, parent, value, node
                elif isinstance(value, int) and not isinstance(value, bool):
                    yield k, parent, str(value), node
        elif isinstance(node, list):
            stack.extend((item, parent, depth + 1) for item in node if isinstance(item, nested))


def exporter_emails(index: ExportIndex) -> set[str]:
    """Role mailboxes the manifest itself names (the exporter's privacy@ / noreply@)."""
    if not isinstance(index.manifest, dict):
        return set()
    found: set[str] = set()
    for key, value in index.manifest.items():
        if key == "files":
            continue
        for _k, _p, text, _o in walk_json({key: value}):
            found |= {e for e in emails(text) if e.split("@", 1)[0] in ROLE_LOCALS}
    return found


_GMAIL = frozenset({"gmail.com", "googlemail.com"})


def mailbox_key(address: str) -> str:
    """The mailbox an address delivers to, as compared: case-folded, without a "+tag" after
    its name ("eleanor+amazon@example.co.uk" is eleanor@example.co.uk's), and at Gmail
    without the dots it ignores."""
    local, _, domain = address.strip().casefold().partition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def allowed_address(address: str, exporter: set[str]) -> bool:
    """The exporter's own role mailbox, Amazon's own service mailboxes (`AMAZON_SERVICE_LOCALS`)
    and its marketplace's relay addresses, or no mail at all (an image named "logo@2x.png")."""
    if is_file_name(address):
        return True
    local, _, domain = address.partition("@")
    if (local in AMAZON_SERVICE_LOCALS and AMAZON_MAIL_DOMAIN.match(domain)) or (
        AMAZON_RELAY_DOMAIN.match(domain)
    ):
        return True
    return local in ROLE_LOCALS and any(e.endswith("@" + domain) for e in exporter)
