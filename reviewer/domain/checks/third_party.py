"""third-party-names: transcripts naming people outside the requester and household.

Under GDPR Art. 15(4) a copy must not adversely affect others: such names are redacted before
delivery. Detection is deliberately conservative, so a name it reports is worth a look:
a title and a name ("Dr. Schmidt", "Frau Keller"), a call verb and a capitalised name
("call Peter Lange"; in an all lower-case transcript, as speech recognisers write them, any
word after a call verb that is not a common word: "call peter lange"), or a capitalised first
and last name pair that is not in a stop list of words that start commands, places, products
and calendar names (`reviewer.domain.checks._names` finds them).
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import (
    is_foreign_recording,
    listing,
    norm_text,
    plural,
    unique,
)
from reviewer.domain.checks._names import candidates, is_known
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "third-party-names"
MAX_NAMES_SPELLED = 25  # names quoted in the detail (the app highlights the quoted ones)


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
            for cand in candidates(text):
                key = norm_text(cand)
                if key in seen or is_known(cand, request, places):
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
