"""Who a name is: the requester, someone of the household, or one of a list of people,
however an export writes the name (`is_known_person`, `is_one_of`, `name_forms`)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reviewer.domain.checks._common import norm_text
from reviewer.domain.checks._script import other_script, skeleton
from reviewer.domain.model import Request

# Letters that NFKD does not take apart, as they are written without their marks
_PLAIN_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "þ": "th"}
)
# German umlauts as written where they cannot be typed ("Müller", "Mueller")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_INITIAL = re.compile(r"\A\w\.?\Z")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# A word's possessive ending ("Whitfield's", "Thomas'"): no part of the name
_POSSESSIVE = re.compile(r"(?<=[^\W\d_])(?:['’]s|(?<=s)['’])(?![^\W\d_])")


def without_possessives(text: str) -> str:
    """`text` with its words' possessive endings left out ("Tom Whitfield's mobile" ->
    "Tom Whitfield mobile")."""
    return _POSSESSIVE.sub("", text) if "'" in text or "’" in text else text


def _joined(name: str) -> str:
    """`name`'s letters alone: how a name with particles, a hyphen or an apostrophe is also
    written ("Lotte Vanderberg", "Jean Luc Picard", "OBrien")."""
    return _NOT_LETTERS.sub("", name)


def without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_forms(name: str, hyphens: bool = False) -> frozenset[str]:
    """A name (case-folded, see `norm_text`) as exports write it: as given, without its
    accents ("Éléonore" as "Eleonore"), its umlauts spelled out ("Jürgen Weiß" as "Juergen
    Weiss"), without a middle initial ("Eleanor J. Whitfield"), and, for a known name
    (`hyphens`), with a space for its hyphens, as speech recognisers write them ("Mary-Kate"
    as "Mary Kate"). Never for a name read in the export: its "Eleanor-Jones" is not two
    names, one of which could be a one-word ticket name."""
    words = name.split()
    if len(words) > 2:
        kept = [w for w in words if not _INITIAL.match(w)]
        if len(kept) >= 2:
            name = " ".join(kept)
    forms = {
        name,
        without_marks(name),
        without_marks(unicodedata.normalize("NFC", name).translate(UMLAUTS)),
    }
    if hyphens and "-" in name:
        forms |= {" ".join(f.replace("-", " ").split()) for f in forms}
    return frozenset(forms)


@lru_cache(maxsize=64)  # one request's names, asked for every name a check reads
def _known_names(
    names: tuple[str, ...],
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The known full names in every form and order, their words, and both of those as
    letters alone (`_joined`)."""
    full: set[str] = set()
    tokens: set[str] = set()
    surnames: set[str] = set()
    for name in names:
        n = norm_text(name.replace(",", " "))
        if not n:
            continue
        for form in name_forms(n, hyphens=True):
            words = form.split()
            full.add(form)
            full.add(" ".join(reversed(words)))
            # surname first with its particles ("van der Berg, Lotte", "Berg, Lotte van der")
            full.update(" ".join(words[k:] + words[:k]) for k in range(1, len(words)))
            tokens.update(t for t in re.split(r"[\s\-]+", form) if len(t) > 1)
            # the surname with its particles, as one word ("Vanderberg")
            surnames.update(_joined(" ".join(words[k:])) for k in range(1, len(words)))
    joined = {_joined(f) for f in full | tokens} | surnames
    joined.discard("")
    return frozenset(full), frozenset(tokens), frozenset(joined)


# Forms of address written before a name ("Mrs Eleanor Whitfield", "Dr. Weber", "Frau Keller")
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord"}
    | {"frau", "herr", "mme", "mlle", "sr", "sra", "srta", "sig", "dott"}
)


def _untitled(name: str) -> str:
    """`name` (case-folded) without the forms of address before it."""
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".") in _TITLES:
        words = words[1:]
    return " ".join(words)


def _same_ends(words: list[str], known: list[str]) -> bool:
    """Whether a name of two to four words is a known full name by its first and last words,
    with a middle name the ticket does not give ("Eleanor Jane Whitfield"), one of the two
    perhaps as its initial ("E. Whitfield", "Whitfield, E."). What the known name has between
    them stays ("Lotte Berg" is not "Lotte van der Berg")."""
    if not 2 <= len(words) <= 4 or len(known) < 2:
        return False
    if " ".join(known[1:-1]) not in " ".join(words[1:-1]):
        return False
    ends = ((words[0], known[0]), (words[-1], known[-1]))
    whole = [w == k for w, k in ends]
    initial = [_INITIAL.match(w) is not None and w[0] == k[0] for w, k in ends]
    return any(whole) and all(a or b for a, b in zip(whole, initial, strict=True))


# Words that join a surname ("van der Berg", "de la Cruz"): never left out of one
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "la", "le"}
    | {"ten", "ter", "zu", "bin", "ibn", "al", "el", "y", "st", "st."}
)


def _shortened(words: list[str], known: list[str]) -> bool:
    """Whether a name of two or more words is a known full name with some of its words left
    out, in order, from the first word on: a middle name ("Eleanor Whitfield" for the ticket's
    "Eleanor Jane Whitfield"), a second surname ("Sofía García" for "Sofía García Romero").
    A particle of a surname is never left out ("Lotte Berg" is not "Lotte van der Berg")."""
    if len(words) < 2 or len(words) >= len(known) or words[0] != known[0]:
        return False
    at = 1
    for word in words[1:]:
        while at < len(known) and known[at] != word:
            if known[at] in _PARTICLES:
                return False
            at += 1
        if at == len(known):
            return False
        at += 1
    return not any(w in _PARTICLES for w in known[at:])


def is_known_person(candidate: str, request: Request) -> bool:
    """Whether `candidate` (a name as written) is the requester or someone of the household.

    A full name must match a known full name; a single word must be a known first or last
    name ("Anna", "Mrs. Weber"). "Anna Schmidt" is not "Anna Weber". Accents, umlauts spelled
    out, a middle initial (`name_forms`), a middle name or the first name as an initial
    (`_same_ends`), a form of address before it ("Mrs") and the surname first, with its
    particles ("van der Berg, Lotte"), the particles joined to it or a hyphen or apostrophe
    left out or put in ("Lotte Vanderberg", "Jean Luc Picard", "O'Brien" as "OBrien": the
    same letters in the same order), make no other person; nor does another script
    ("Дмитрий Иванов" for "Dmitri Ivanov", `reviewer.domain.checks._script`); nor does a
    name with a middle name or a second surname of the known one left out (`_shortened`). A
    requester
    the ticket names by one word only ("Cher") is the person of any full name holding it (not
    so for the household, whose members the ticket may name by their first names alone).
    """
    names = (request.requester.name, *(h.name for h in request.requester.household))
    return is_one_of(candidate, names) or _holds_single_name(candidate, request.requester.name)


def _holds_single_name(candidate: str, name: str) -> bool:
    single = norm_text(name.replace(",", " "))
    if not single or " " in single:
        return False
    forms = name_forms(_untitled(norm_text(candidate.replace(",", " "))))
    return any(single_form in f.split() for f in forms for single_form in name_forms(single))


def is_one_of(candidate: str, names: tuple[str, ...]) -> bool:
    """Whether `candidate` (a name as written) is one of the people `names` gives, however an
    export writes it (see `is_known_person`)."""
    full, tokens, joined = _known_names(names)
    n = _untitled(norm_text(without_possessives(candidate.replace(",", " "))))
    if not n:
        return True
    forms = name_forms(n)
    if not forms.isdisjoint(full):
        return True
    if any(_joined(f) in joined for f in forms):
        return True
    if any(_same_ends(f.split(), k.split()) for f in forms for k in full):
        return True
    if any(_shortened(f.split(), k.split()) for f in forms for k in full):
        return True
    if other_script(n) or any(other_script(name) for name in names if name):
        # one of them in Cyrillic or Greek letters: the same consonants, name by name
        key = skeleton(n)
        if " " in key and any(skeleton(f) == key for f in full):
            return True
    return any(len(f.split()) == 1 and f in tokens for f in forms)
