"""third-party-names: transcripts naming people outside the requester and household.

Under GDPR Art. 15(4) a copy must not adversely affect others: such names are redacted before
delivery. Detection is deliberately conservative, so a name it reports is worth a look:
a title and a name ("Dr. Schmidt", "Frau Keller"), a call verb and a capitalised name
("call Peter Lange"; in an all lower-case transcript, as speech recognisers write them, any
word after a call verb that is not a common word: "call peter lange"), or a capitalised first
and last name pair that is not in a stop list of words that start commands, places, products
and calendar names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from reviewer.domain.checks._common import (
    is_foreign_recording,
    is_known_person,
    listing,
    norm_text,
    plural,
    unique,
)
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "third-party-names"
MAX_NAMES_SPELLED = 25  # names quoted in the detail (the app highlights the quoted ones)

_WORD = r"[A-ZÄÖÜ][a-zäöüßéèáàíóú'’]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàíóú]+)?"
TITLE = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Doctor|Herr|Frau|Sir|Dame)\.?\s+"
    rf"({_WORD}(?:\s+{_WORD})?)"
)
CALL = re.compile(
    r"\b(?i:call|phone|ring|text|message|e-?mail|dial|video call|ruf|rufe|anrufen)\s+"
    rf"({_WORD}(?:\s+{_WORD})?)"
)
# Overlapping (a lookahead), so "Remind Peter Lange" still yields "Peter Lange".
PAIR = re.compile(rf"\b(?=({_WORD})\s+({_WORD})\b)")
# Speech recognisers often write everything in lower case: "call peter lange".
CALL_LOWER = re.compile(
    r"\b(?:call|phone|ring|text|message|dial|ruf|rufe)\s+([a-zäöüßéèáàíóú'’-]+)"
    r"(?:\s+([a-zäöüßéèáàíóú'’-]+))?"
)
LOWER_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "your",
        "our",
        "his",
        "her",
        "their",
        "its",
        "it",
        "me",
        "him",
        "them",
        "us",
        "you",
        "someone",
        "somebody",
        "everyone",
        "anyone",
        "all",
        "back",
        "again",
        "now",
        "later",
        "tomorrow",
        "today",
        "tonight",
        "here",
        "there",
        "home",
        "work",
        "office",
        "and",
        "or",
        "of",
        "off",
        "up",
        "out",
        "for",
        "to",
        "on",
        "in",
        "at",
        "with",
        "from",
        "by",
        "about",
        "me",
        "please",
        "number",
        "numbers",
        "message",
        "messages",
        "mom",
        "mum",
        "mommy",
        "mummy",
        "dad",
        "daddy",
        "mama",
        "papa",
        "mother",
        "father",
        "grandma",
        "grandpa",
        "granny",
        "nana",
        "oma",
        "opa",
        "wife",
        "husband",
        "son",
        "daughter",
        "brother",
        "sister",
        "baby",
        "kids",
        "family",
        "friend",
        "friends",
        "boss",
        "neighbour",
        "neighbor",
        "doctor",
        "dentist",
        "police",
        "ambulance",
        "emergency",
        "taxi",
        "uber",
        "plumber",
        "school",
        "doorbell",
        "bell",
        "camera",
        "alarm",
        "timer",
        "reminder",
        "me",
        "mich",
        "mir",
        "an",
        "zurück",
        "bitte",
        "jetzt",
        "später",
        "morgen",
        "heute",
        "den",
        "die",
        "das",
        "der",
        "dem",
        "mein",
        "meine",
        "meinen",
        "meinem",
        "deine",
        "dein",
        "papa",
        "mama",
    ]
)
# Asking for media names artists and titles, not acquaintances: no bare name pairs there.
MEDIA = re.compile(
    r"\b(?:play|spiel|spiele|abspielen|listen|hör|höre|song|songs|album|music|musik|lied|"
    r"lieder|podcast|hörbuch|audiobook|radio|film|movie|serie|episode)\b",
    re.IGNORECASE,
)

STOP = frozenset(
    w.casefold()
    for w in [
        "Alexa",
        "Echo",
        "Amazon",
        "Prime",
        "Music",
        "Spotify",
        "Fire",
        "TV",
        "Kindle",
        "Audible",
        "Google",
        "Apple",
        "Netflix",
        "Youtube",
        "Ring",
        "Dot",
        "Show",
        "Studio",
        "Stick",
        "Plus",
        "Max",
        "Pro",
        "Mini",
        "Home",
        "Work",
        "Office",
        "Mobile",
        "Phone",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
        "Januar",
        "Februar",
        "Juni",
        "Juli",
        "Oktober",
        "Dezember",
        "Christmas",
        "Easter",
        "Weihnachten",
        "Ostern",
        "New",
        "Year",
        "Day",
        "Night",
        "Morning",
        "Evening",
        "Happy",
        "Merry",
        "Birthday",
        "Good",
        "Guten",
        "What",
        "When",
        "Where",
        "Who",
        "Whom",
        "Why",
        "How",
        "Which",
        "Is",
        "Are",
        "Was",
        "Were",
        "Will",
        "Would",
        "Can",
        "Could",
        "Should",
        "Do",
        "Does",
        "Did",
        "Play",
        "Set",
        "Turn",
        "Stop",
        "Pause",
        "Resume",
        "Tell",
        "Show",
        "Add",
        "Remind",
        "Call",
        "Open",
        "Close",
        "Start",
        "Find",
        "Read",
        "Order",
        "Buy",
        "Shop",
        "Cancel",
        "Switch",
        "Dim",
        "Lock",
        "Unlock",
        "Please",
        "Thank",
        "Thanks",
        "Hello",
        "Hi",
        "Hey",
        "Ok",
        "Okay",
        "Yes",
        "No",
        "The",
        "A",
        "An",
        "My",
        "Your",
        "Our",
        "Their",
        "His",
        "Her",
        "This",
        "That",
        "These",
        "Those",
        "Next",
        "Last",
        "First",
        "Second",
        "Living",
        "Room",
        "Kitchen",
        "Bedroom",
        "Bathroom",
        "Garden",
        "Garage",
        "Hall",
        "Weather",
        "News",
        "Timer",
        "Alarm",
        "Radio",
        "Shopping",
        "List",
        "Wie",
        "Was",
        "Wann",
        "Wo",
        "Wer",
        "Warum",
        "Welche",
        "Welcher",
        "Spiel",
        "Spiele",
        "Stell",
        "Stelle",
        "Mach",
        "Mache",
        "Schalte",
        "Schalt",
        "Sag",
        "Sage",
        "Zeig",
        "Zeige",
        "Erinnere",
        "Bestell",
        "Bestelle",
        "Öffne",
        "Bitte",
        "Danke",
        "Hallo",
        "Der",
        "Die",
        "Das",
        "Ein",
        "Eine",
        "Mein",
        "Meine",
        "Dein",
        "Deine",
        "Unser",
        "Unsere",
        "Morgen",
        "Abend",
        "Tag",
        "Nacht",
        "Licht",
        "Wecker",
        "Wetter",
        "Einkaufsliste",
        "Nachrichten",
        "Wohnzimmer",
        "Küche",
        "Schlafzimmer",
        "Bad",
        "Flur",
        "Musik",
        "Lied",
        "Radio",
        "Uhr",
        "Mom",
        "Mum",
        "Dad",
        "Mama",
        "Papa",
        "Oma",
        "Opa",
        "Grandma",
        "Grandpa",
        "Mother",
        "Father",
        "Sister",
        "Brother",
        "Wife",
        "Husband",
        "Street",
        "Road",
        "Avenue",
        "Lane",
        "Straße",
        "Strasse",
        "Platz",
        "Weg",
        "City",
        "Town",
        "Station",
        "Airport",
        "Bahnhof",
        "North",
        "South",
        "East",
        "West",
        "Nord",
        "Süd",
        "Ost",
        "Upper",
        "Lower",
        "Central",
        "Park",
        "Lake",
        "River",
        "Mount",
        "Los",
        "Las",
        "San",
        "Santa",
        "Saint",
        "St",
        "York",
        "Angeles",
        "Francisco",
        "Vegas",
        "Jersey",
        "Orleans",
        "Zealand",
        "Kingdom",
        "United",
        "States",
        "Republic",
        "Deutsche",
        "Bank",
        "Bahn",
        "Air",
        "Lines",
        "Club",
        "Hotel",
        "Restaurant",
        "Cafe",
        "Pizza",
        "Burger",
        "King",
        "Hut",
        "Coca",
        "Cola",
        "Star",
        "Wars",
        "Harry",
        "Potter",
        "Taylor",
        "Swift",
        "Ed",
        "Sheeran",
        "Beatles",
        "Queen",
        "Bohemian",
        "Rhapsody",
        "Rolling",
        "Stones",
        "Jingle",
        "Bells",
        "Silent",
        "Hallelujah",
        "Dr",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Prof",
        "Professor",
        "Doctor",
        "Herr",
        "Frau",
        "Sir",
        "Dame",
    ]
)


@lru_cache(maxsize=8192)
def _candidates(text: str) -> tuple[str, ...]:
    """Name candidates in one transcript (cached: voice histories repeat the same phrases)."""
    found: list[str] = []
    for m in TITLE.finditer(text):
        found.append(m.group(0).strip())
    for m in CALL.finditer(text):
        name = m.group(1)
        words = name.split()
        # "call Mum", "call Work": drop stop-listed words; keep what is left if it is a name.
        words = [w for w in words if w.casefold() not in STOP]
        if words and words == name.split()[: len(words)]:
            found.append(" ".join(words))
    if text == text.lower():
        for m in CALL_LOWER.finditer(text):
            words = [w for w in m.groups() if w]
            if words[0] in LOWER_STOP or words[0] in STOP:
                continue
            if len(words) > 1 and (words[1] in LOWER_STOP or words[1] in STOP):
                words = words[:1]
            found.append(" ".join(words))
    for m in () if MEDIA.search(text) else PAIR.finditer(text):
        first, last = m.group(1), m.group(2)
        if first.casefold() in STOP or last.casefold() in STOP:
            continue
        found.append(f"{first} {last}")
    # "Dr. Anna Schmidt" also matches as "Anna Schmidt": keep the longest reading only.
    unique_found = list(dict.fromkeys(found))
    return tuple(c for c in unique_found if not any(c != o and c in o for o in unique_found))


def _is_known(candidate: str, request: Request, places: set[str]) -> bool:
    bare = re.sub(
        r"^(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Doctor|Herr|Frau|Sir|Dame)\.?\s+", "", candidate
    )
    if norm_text(bare) in places:
        return True
    if is_known_person(bare, request):
        return True
    # A title with a known surname ("Mrs. Weber") or a known person's first name alone.
    parts = bare.split()
    return bool(candidate != bare and len(parts) == 1 and is_known_person(parts[0], request))


def check(request: Request, index: ExportIndex) -> list[Finding]:
    req = request.requester
    places = {norm_text(a.city) for a in req.addresses if a.city}
    places |= {norm_text(a.street) for a in req.addresses if a.street}
    places |= {norm_text(d.name) for d in req.devices if d.name}
    places |= {norm_text(d.type) for d in req.devices if d.type}

    foreign = {r.utterance_id for r in index.recordings if is_foreign_recording(r, request)}
    texts: dict[str, list[str]] = defaultdict(list)
    audio: dict[str, str] = {}
    sources: dict[str, str] = {}
    for rec in index.recordings:
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

    names: dict[str, list[str]] = defaultdict(list)  # name as first written -> utterances
    spelled: dict[str, str] = {}
    for uid, variants in texts.items():
        seen: set[str] = set()
        for text in dict.fromkeys(variants):
            for cand in _candidates(text):
                key = norm_text(cand)
                if key in seen or _is_known(cand, request, places):
                    continue
                seen.add(key)
                spelled.setdefault(key, cand)
                names[spelled[key]].append(uid)
    if not names:
        return []
    uids = list(unique(u for us in names.values() for u in us))
    members = []
    if index.transcript_member and any(u in in_catalogue for u in uids):
        members.append(index.transcript_member)
    members += [sources[u] for u in uids if u in sources]
    members += [audio[u] for u in uids if u in audio]
    parts = [
        f'"{name}" ({listing(us, 5)})'
        for name, us in sorted(names.items(), key=lambda kv: -len(kv[1]))
    ]
    described = "; ".join(parts[:MAX_NAMES_SPELLED])
    if len(parts) > MAX_NAMES_SPELLED:
        described += f" and {len(parts) - MAX_NAMES_SPELLED:,} more"
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title=f"Transcripts name {plural(len(names), 'person', 'people')} outside the household",
            detail=(
                f"{plural(len(uids), 'utterance')} name people who are neither the requester nor "
                f"listed in the household: {described}. Redact these names (text and audio) "
                "before delivery, GDPR Art. 15(4)."
            ),
            members=unique(members),
            subjects=tuple(sorted(names, key=lambda n: (-len(names[n]), n))),
        )
    ]
