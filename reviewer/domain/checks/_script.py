"""Names written in another script: a Cyrillic or Greek name and its Latin transliteration
("Дмитрий Иванов", "Dmitri Ivanov"; "Γιώργος Παπαδόπουλος", "Georgios Papadopoulos") are
compared by their consonants, since transliteration systems differ mostly in the vowels and
in how they write a sound ("Dmitrij", "Dmitriy", "Dmitry"). Latin names are never compared
so: "Anna Schmidt" stays another person than "Anna Schmitt".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# letter:transliteration (the hard and soft signs write nothing)
_CYRILLIC = (
    "а:a б:b в:v г:g ґ:g д:d е:e є:ie ё:io ж:zh з:z и:i і:i ї:i й:j к:k л:l м:m н:n "
    "о:o п:p р:r с:s т:t у:u ф:f х:kh ц:ts ч:ch ш:sh щ:shch ъ: ы:y ь: э:e ю:iu я:ia "
)
_GREEK = (
    "α:a β:v γ:g δ:d ε:e ζ:z η:i θ:th ι:i κ:k λ:l μ:m ν:n ξ:ks ο:o π:p ρ:r σ:s ς:s "
    "τ:t υ:i φ:f χ:kh ψ:ps ω:o "
)
_TABLE = str.maketrans(dict(re.findall(r"(\S):(\S*)", _CYRILLIC + _GREEK)))
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]")
_SILENT = re.compile(r"[aeiouyjwh]")  # vowels and the letters systems disagree on


def other_script(name: str) -> bool:
    """Whether `name` is written (in part) in Cyrillic or Greek letters."""
    return _OTHER_SCRIPT.search(name) is not None


@lru_cache(maxsize=4096)
def skeleton(name: str) -> str:
    """A name's consonants, word by word, in Latin letters: "Элеонора Уитфилд" and "Eleanor
    Whitfield" are both "lnr tfld"."""
    plain = unicodedata.normalize("NFKD", name.casefold().translate(_TABLE))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = unicodedata.normalize("NFKD", plain.translate(_TABLE))  # Greek with accents
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = plain.replace("x", "ks").replace("ph", "f").replace("c", "k").replace("q", "k")
    # Greek writes d, b and g as "ντ", "μπ", "γκ" ("Ουίτφιλντ" for "Whitfield"), which stand for
    # nd, mb and ng inside a word too: each pair is one sound in every script
    plain = re.sub(r"n[dt]", "d", plain)
    plain = re.sub(r"m[bp]", "b", plain)
    plain = re.sub(r"n[gk]|g[gk]", "g", plain)
    words = []
    for word in re.split(r"[\s,\-]+", plain):
        kept = re.sub(r"(.)\1+", r"\1", _SILENT.sub("", re.sub(r"[^a-z]", "", word)))
        if kept:
            words.append(kept)
    return " ".join(words)
