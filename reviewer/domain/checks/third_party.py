"""third-party-names: transcripts, or recordings' tags, naming people outside the requester
and household.

Under GDPR Art. 15(4) a copy must not adversely affect others: such names are redacted before
delivery. Detection is deliberately conservative, so a name it reports is worth a look:
a title and a name ("Dr. Schmidt", "Frau Keller"), a call verb and a capitalised name
("call Peter Lange"; in an all lower-case transcript, as speech recognisers write them, any
word after a call verb that is not a common word: "call peter lange"), or a capitalised first
and last name pair that is not in a stop list of words that start commands, places, products
and calendar names (`reviewer.domain.checks._names` finds them). A recording's LIST/INFO tags
(its text as the reader keeps it) are read by what each tag holds: see `PERSON_TAGS` and
`FILE_TAGS`. A PDF's document properties (a catalogue titled or authored with a stranger's
name) likewise: see `_property_names`.
"""

from __future__ import annotations

import re
from collections import defaultdict

from reviewer.domain.checks._common import (
    audio_members,
    is_foreign_recording,
    listing,
    norm_text,
    plural,
    unique,
)
from reviewer.domain.checks._names import addressed, candidates, is_known
from reviewer.domain.checks._people import is_known_person, without_possessives
from reviewer.domain.checks._tag_words import NOT_A_PERSON, PARTICLES
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "third-party-names"
MAX_NAMES_SPELLED = 25  # names quoted in the detail (the app highlights the quoted ones)
# A recording's LIST/INFO tags, by what they hold. Tags that say what the file is (software,
# dates, the product, medium and source form it was made on, genre, language, image sizes)
# name nobody. Tags that name a person (artist, copyright holder, engineer, technician,
# commissioner) are read whole, whatever their case ("lukas brandt", "Brandt, Lukas"). The
# rest (title, subject, comments, keywords, source) are written in Title Case ("Weather
# Forecast Request", "Living Room"): only a title with a name ("Dr. Schmidt") or a call
# ("call Peter Lange") counts there.
FILE_TAGS = frozenset(
    {"ISFT", "ICRD", "IPRD", "IMED", "ISRF", "IGNR", "ILNG", "IDIM", "IDPI", "ILGT"}
    | {"IPLT", "ISHP", "ICRP", "IBRI", "ISMP", "IDIT"}
)
PERSON_TAGS = frozenset({"IART", "ICOP", "IENG", "ITCH", "ICMS"})
_TAG_LINE = re.compile(r"([A-Za-z0-9 ]{4}): (.*)")
_PEOPLE_SPLIT = re.compile(r"\s*(?:[;&/+]|\band\b|\bund\b)\s*", re.I)
_COPYRIGHT = re.compile(r"^(?:copyright|\(c\)|©|℗)?\s*(?:\d{4}(?:\s*-\s*\d{4})?)?[\s,]*", re.I)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_INITIAL = re.compile(r"^[^\W\d_]\.$")
_DIGIT = re.compile(r"\d")
# around a name in a person tag: "recorded by ...", a year, a role in brackets
_BY = re.compile(r"^(?:(?:recorded|spoken|voiced|read|performed|made)\s+)?by\s+", re.I)
_AFTER = re.compile(r"(?:[\s,]+(?:\d{4}|\([^)]*\)|\[[^\]]*\]))+\s*$")
# A PDF's document information as the reader keeps it, after its pages ("Author: ..." lines)
_PROPERTY_LINE = re.compile(r"^(Title|Author|Subject|Keywords): (.+)$", re.M)
_WHOSE = re.compile(r"\b(?i:of|for|by|from|von|für)\s+((?:[A-ZÄÖÜ][\w'’.-]*\s*)+)")


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    places = {norm_text(a.city) for a in req.addresses if a.city}
    places |= {norm_text(a.street) for a in req.addresses if a.street}
    places |= {n for a in req.addresses if a.street for n in _street_names(a.street)}
    places |= {norm_text(d.name) for d in req.devices if d.name}
    places |= {norm_text(d.type) for d in req.devices if d.type}

    foreign = {r.utterance_id for r in index.recordings if is_foreign_recording(r, request)}
    texts: dict[str, list[str]] = defaultdict(list)
    audio: dict[str, str] = {}
    sources: dict[str, str] = {}
    uid_of: dict[str, str] = {}  # audio member -> its utterance
    for rec in index.recordings:
        if rec.audio_member:
            uid_of.setdefault(rec.audio_member, rec.utterance_id)
        if rec.utterance_id in foreign:
            continue
        texts[rec.utterance_id].append(rec.transcript)
        if rec.audio_member:
            audio[rec.utterance_id] = rec.audio_member
        if rec.source_member:
            sources[rec.utterance_id] = rec.source_member
    in_catalogue: set[str] = set()
    for e in index.transcripts:
        if e.utterance_id in foreign:
            continue
        texts[e.utterance_id].append(e.text)
        in_catalogue.add(e.utterance_id)
    tags = _recording_tags(index, uid_of, foreign)
    for key, path in tags.items():
        audio.setdefault(key, path)
    props = _document_properties(index, request)  # a PDF's path -> names its properties give

    names: dict[str, list[str]] = defaultdict(list)  # name as first written -> utterances
    spelled: dict[str, str] = {}
    in_text: set[str] = set()  # utterances a transcript of which names someone
    in_tags: set[str] = set()  # utterances (or recordings no row describes) tags name someone
    in_props: set[str] = set()  # PDFs whose properties name someone
    for uid in dict.fromkeys([*texts, *tags, *props]):
        seen: set[str] = set()
        found = [
            (candidates(t), in_text, without_possessives(t))
            for t in dict.fromkeys(texts.get(uid, ()))
        ]
        if uid in tags:
            found += [(c, in_tags, "") for c in _tag_candidates(index.texts[tags[uid]], request)]
        if uid in props:
            found.append((props[uid], in_props, ""))
        for names_in_text, named_in, text in found:
            known = [c for c in names_in_text if is_known(c, request, places)]
            for cand in names_in_text:
                key = norm_text(cand)
                if key in seen or cand in known or _beside_known(cand, known, text):
                    continue
                seen.add(key)
                named_in.add(uid)
                spelled.setdefault(key, cand)
                names[spelled[key]].append(uid)
    if not names:
        return []
    uids = list(unique(u for us in names.values() for u in us))
    members = []
    if index.transcript_member and any(u in in_catalogue and u in in_text for u in uids):
        members.append(index.transcript_member)
    members += [sources[u] for u in uids if u in sources and u in in_text]
    members += [audio[u] for u in uids if u in audio]
    members += [u for u in uids if u in in_props]
    parts = [
        f'"{name}" ({listing(us, 5)})'
        for name, us in sorted(names.items(), key=lambda kv: -len(kv[1]))
    ]
    described = "; ".join(parts[:MAX_NAMES_SPELLED])
    if len(parts) > MAX_NAMES_SPELLED:
        described += f" and {len(parts) - MAX_NAMES_SPELLED:,} more"
    sources_named = " and ".join(
        w
        for w, hit in (
            ("Transcripts", in_text),
            ("Recording tags", in_tags),
            ("Document properties", in_props),
        )
        if hit
    )
    said = [u for u in uids if u not in in_props or u in in_text or u in in_tags]
    utterances = (
        plural(len(said), "utterance")
        if all(u in texts for u in said)
        else plural(len(said), "utterance or recording", "utterances or recordings")
    )
    if not said:
        utterances = "Document properties"
    tagged = [tags[u] for u in uids if u in in_tags]
    documents = [u for u in uids if u in in_props]
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title=f"{sources_named.capitalize()} name {plural(len(names), 'person', 'people')} "
            "outside the household",
            detail=(
                f"{utterances} name people who are neither the requester nor "
                f"listed in the household: {described}. "
                + (f"Named in the tags (LIST/INFO) of {listing(tagged, 5)}. " if tagged else "")
                + (
                    f"Named in the document properties (title, author) of {listing(documents, 5)}. "
                    if documents
                    else ""
                )
                + "Redact these names (text and audio) before delivery, GDPR Art. 15(4)."
            ),
            members=unique(members),
            subjects=tuple(sorted(names, key=lambda n: (-len(names[n]), n))),
        )
    ]


def _beside_known(cand: str, known: list[str], text: str) -> bool:
    """Whether a pair of capitalised words shares a word with a known name next to it in
    `text`: "Müller Bescheid" of "sag Jürgen Müller Bescheid" is the requester's surname
    and the word after it, not another person."""
    words = cand.split()
    if len(words) != 2 or not text:
        return False
    first, last = words
    return any(
        (k.endswith(f" {first}") and f"{k} {last}" in text)
        or (k.startswith(f"{last} ") and f"{first} {k}" in text)
        for k in known
    )


def _street_names(street: str) -> set[str]:
    """An address's street line (case-folded) without its house number, part by part
    ("27 Cranley Gardens", "Lister Meile 12", "Flat 3, 27 Cranley Gardens": "cranley
    gardens")."""
    parts = (" ".join(w for w in p.split() if not _DIGIT.search(w)) for p in street.split(","))
    return {norm_text(p) for p in parts if p}


def _recording_tags(
    index: ExportIndex, uid_of: dict[str, str], foreign: set[str]
) -> dict[str, str]:
    """The recordings whose tags the reader kept as their text (a WAV's LIST/INFO), by their
    utterance (by their own path when no row describes them) -> the audio member; another
    account's recordings are left to the critical findings."""
    found: dict[str, str] = {}
    for m in audio_members(index):
        if m.path not in index.texts:
            continue
        key = uid_of.get(m.path, m.path)
        if key not in foreign:
            found.setdefault(key, m.path)
    return found


def _tag_candidates(text: str, request: Request) -> list[tuple[str, ...]]:
    """The names a recording's tags ("IART: Lukas Brandt" lines) may give, tag by tag (see
    `PERSON_TAGS`, `FILE_TAGS`)."""
    found = []
    for line in text.splitlines():
        tag = _TAG_LINE.match(line)
        name, value = (tag.group(1).upper(), tag.group(2)) if tag else ("", line)
        if name in FILE_TAGS:
            continue
        if name in PERSON_TAGS:
            found.append(addressed(value) + _people(value, request))
        else:
            found.append(addressed(value))
    return found


def _document_properties(index: ExportIndex, request: Request) -> dict[str, tuple[str, ...]]:
    """The names the transcript catalogue's document properties may give (see
    `_property_names`). Other PDFs (an invoice, the exporter's privacy notice) are authored
    by the exporter's staff: their names are no one the requester's data names."""
    path = index.transcript_member
    text = index.attached.get(path) if path is not None else None
    names = [
        n
        for key, value in _PROPERTY_LINE.findall(text or "")
        for n in _property_names(key, value, request)
    ]
    return {path: tuple(dict.fromkeys(names))} if path is not None and names else {}


def _property_names(key: str, value: str, request: Request) -> tuple[str, ...]:
    """The author is read whole, as a recording's artist tag ("Lukas Brandt", "BRANDT,
    Lukas"). A title, subject or keywords written as a sentence are read as a transcript
    ("Alexa voice history of Lukas Brandt"); in Title Case only a title with a name ("Dr.
    Brandt") or a name after "of", "for", "by" ("Transcripts for Lukas Brandt") counts.
    Words of organisations, rooms and products name nobody ("Alexa Voice History")."""
    if key == "Author":
        return addressed(value) + _people(value, request)
    names = candidates(value)
    if all(w[:1].isupper() for w in _NAME_WORD.findall(value) if len(w) > 3):
        whose = " ".join(_WHOSE.findall(value))
        names = addressed(value) + tuple(n for n in names if n in whose)
    return tuple(n for n in names if not any(w.casefold() in NOT_A_PERSON for w in n.split()))


def _parts(value: str) -> list[str]:
    """A person tag's value as the names it lists: split at "&", ";", "/", "and"; at a comma
    too, unless it writes one name last name first ("Brandt, Lukas"); without what stands
    around a name ("recorded by", a year, a role in brackets)."""
    parts = []
    for part in _PEOPLE_SPLIT.split(_COPYRIGHT.sub("", value.strip(), count=1)):
        part = _AFTER.sub("", _BY.sub("", part.strip()))
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) == 2 and len(pieces[0].split()) == 1:
            parts.append(f"{pieces[1]} {pieces[0]}")  # "Brandt, Lukas", "Brandt, Lukas M."
        else:
            parts.extend(pieces)
    return parts


def _people(value: str, request: Request) -> tuple[str, ...]:
    """The people a person tag names: each name it lists of one to five name words (with an
    initial for one: "L. Brandt"; particles such as "van der" within a name) that are no
    organisation's, room's or product's, in its usual case ("LUKAS BRANDT" -> "Lukas
    Brandt"); not the requester or the household (known by two of their names side by side,
    or their first and last, whatever stands between)."""
    out = []
    for part in _parts(value):
        words = part.replace(".", ". ").split()
        names = [
            w
            for i, w in enumerate(words)
            if not _INITIAL.match(w) and (i == 0 or w.casefold() not in PARTICLES)
        ]
        initials = len(words) - len(names) - sum(w.casefold() in PARTICLES for w in words[1:])
        if not (2 <= len(names) <= 5 or (len(names) == 1 and initials)) or len(words) > 7:
            continue
        if not all(_NAME_WORD.fullmatch(w) for w in names):
            continue  # digits, other punctuation: a product or a code, not a name
        if any(w.casefold() in NOT_A_PERSON for w in names):
            continue
        pairs = [f"{a} {b}" for a, b in zip(names, names[1:], strict=False)] or names
        if any(is_known_person(p, request) for p in [f"{names[0]} {names[-1]}", *pairs]):
            continue
        out.append(
            " ".join(
                w if i and w.casefold() in PARTICLES else _cased(w) for i, w in enumerate(words)
            )
        )
    return tuple(out)


def _cased(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))
