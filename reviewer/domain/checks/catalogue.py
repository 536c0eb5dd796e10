"""The transcript catalogue (PDF) against the voice history.

catalogue-mismatch: the catalogue disagrees with the voice history. The catalogue is what a
person skims; the voice history is what the pipeline recorded. An entry missing on either
side, or with another text, device or time, means one of them is not what it claims to be.

catalogue-empty: the export's catalogue (`Alexa/Transcripts.pdf`) yields no entry at all
while the voice history lists recordings: an ordinary document, a file that is no PDF, or a
PDF that could not be read stands where the catalogue should be, and not one recording can be
checked against it. (A catalogue the reader already blocks on, hostile, too large to check in
time, corrupt in the archive, is left to the reader's finding.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time, timedelta

from reviewer.domain.archive.catalogue import TRANSCRIPTS_PDF
from reviewer.domain.archive.layout import archives_of, export_root
from reviewer.domain.archive.tabular import recording_columns
from reviewer.domain.checks._common import (
    as_utc_naive,
    listing,
    other_catalogues,
    plural,
    unique,
)
from reviewer.domain.devices import recording_serial, serial_key, serial_of
from reviewer.domain.model import (
    ExportIndex,
    Finding,
    MemberKind,
    Recording,
    Request,
    Severity,
    TranscriptEntry,
)

CODE = "catalogue-mismatch"
EMPTY = "catalogue-empty"
_PUNCT = re.compile(r"[^\w\s]")


def _text_key(text: str) -> str:
    # PDF extraction changes line breaks, hyphenation and quotes; words are what count.
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


def check(request: Request, index: ExportIndex) -> list[Finding]:
    if not index.recordings:
        return []
    # An utterance listed twice on one side keeps every reading: each must agree with the
    # other side (a second entry with another text or device is a disagreement too).
    history: dict[str, list[Recording]] = {}
    for rec in index.recordings:
        history.setdefault(rec.utterance_id.strip(), []).append(rec)
    sources = sorted({r.source_member for r in index.recordings if r.source_member})
    catalogue = index.transcript_member
    if not index.transcripts or catalogue is None:
        findings = _empty(index)
    else:
        findings = _compare(catalogue, index.transcripts, history, sources, whole=index)
    for path, entries in other_catalogues(index):
        if _reads_as_catalogue(path, entries, history):
            findings.extend(_compare(path, entries, history, sources, whole=None))
    return findings


# a file named as transcripts ("Transcripts_2017.pdf", "voice-history.txt", "Katalog.txt")
_CATALOGUE_NAME = re.compile(r"transcri|catalog|katalog|utteranc|voice", re.IGNORECASE)


def _reads_as_catalogue(
    path: str, entries: list[TranscriptEntry], history: dict[str, list[Recording]]
) -> bool:
    """Whether a text other than the catalogue, whose lines have an entry's shape, is a
    catalogue to compare with the voice history: most of its entries carry a transcript (a
    log's lines of a time, a serial and an id carry none), and it names the voice history's
    utterances, or its ids are shaped like them (their length and first letter: a previous
    owner's), or it is named as transcripts. Reminders, lists and device logs, their ids of
    other shapes, are none. (Its entries from unregistered devices are `unknown-device`
    whatever it is.)"""
    if 2 * sum(1 for e in entries if e.text.strip()) < len(entries):
        return False
    if _CATALOGUE_NAME.search(path.rsplit("/", 1)[-1].rsplit("!", 1)[-1]):
        return True
    ids = [e.utterance_id.strip() for e in entries]
    if any(u in history for u in ids):
        return True
    shapes = {(len(u), u[:1]) for u in history if u.isalnum()}
    return 2 * sum(1 for u in ids if u.isalnum() and (len(u), u[:1]) in shapes) > len(ids)


def _compare(
    catalogue: str,
    listed: list[TranscriptEntry],
    history: dict[str, list[Recording]],
    sources: list[str],
    whole: ExportIndex | None,
) -> list[Finding]:
    """`catalogue`'s entries against the voice history: each entry one of its utterances,
    agreeing in text, device and time; and, for the export's catalogue (`whole`: its index),
    every utterance in it, a recording with no id paired with its entry (`_pair_unnamed`).
    A second catalogue may be an excerpt."""
    entries: dict[str, list[TranscriptEntry]] = {}
    for e in listed:
        entries.setdefault(e.utterance_id.strip(), []).append(e)
    if whole is not None:
        _pair_unnamed(whole, history, entries)

    not_in_catalogue = [u for u in history if u not in entries] if whole else []
    not_in_history = [u for u in entries if u not in history]
    text, device, time = _differences(entries, history, local_times=whole is None)

    findings = []

    def add(uids: list[str], title: str, detail: str) -> None:
        audio = [r.audio_member for u in uids for r in history.get(u, ())]
        findings.append(
            Finding(
                code=CODE,
                severity=Severity.CRITICAL,
                title=title,
                detail=detail,
                members=unique([catalogue, *sources, *audio]),
            )
        )

    if not_in_catalogue:
        add(
            not_in_catalogue,
            f"{plural(len(not_in_catalogue), 'recording')} missing from the transcript catalogue",
            f"The voice history has {plural(len(not_in_catalogue), 'utterance')} that "
            f"{catalogue} does not list: {listing(not_in_catalogue)}.",
        )
    if not_in_history:
        add(
            not_in_history,
            f"{plural(len(not_in_history), 'catalogue entry', 'catalogue entries')} "
            "not in the voice history",
            f"{catalogue} lists {plural(len(not_in_history), 'utterance')} the voice history "
            f"does not have: {listing(not_in_history)}. Whose recordings are these?",
        )
    if text:
        first, rec = text[0][1]
        add(
            [u for u, _ in text],
            f"{plural(len(text), 'transcript')} {'differs' if len(text) == 1 else 'differ'} "
            "between catalogue and voice history",
            _lead("text", text)
            + f'the catalogue says "{_short(first.text)}", the voice history says '
            f'"{_short(rec.transcript)}". Listen to the recording to learn which '
            "is true.",
        )
    if device:
        first, rec = device[0][1]
        add(
            [u for u, _ in device],
            f"{plural(len(device), 'entry', 'entries')} with another device in the catalogue",
            _lead("device", device)
            + f"the catalogue says {first.device_serial or '(none)'}, the voice history "
            f"says {serial_of(rec) or '(none)'}.",
        )
    if time:
        first, rec = time[0][1]
        rec_ts = rec.timestamp
        add(
            [u for u, _ in time],
            f"{plural(len(time), 'entry', 'entries')} with another time in the catalogue",
            _lead("time", time)
            + f"the catalogue says {first.timestamp_text or '(none)'}, the voice history says "
            f"{rec_ts.isoformat() if rec_ts else '(none)'}.",
        )
    return findings


def _unnamed_sources(index: ExportIndex, sources: set[str]) -> set[str]:
    """The voice histories among `sources` that have no utterance-id column: their
    recordings are known by their audio files' names or their rows (`recordings_from`)."""
    found = set()
    for path in sources:
        table = index.tables.get(path)
        mapping = recording_columns(table) if table is not None else None
        if mapping is not None and "utterance_id" not in mapping:
            found.add(path)
    return found


def _pair_unnamed(
    index: ExportIndex,
    history: dict[str, list[Recording]],
    entries: dict[str, list[TranscriptEntry]],
) -> None:
    """A recording of a voice history with no utterance-id column that no catalogue entry
    names is that entry the catalogue lists on its device at its time, when exactly one
    entry the history does not name is (re-keyed in `history` under the entry's id, its text
    still compared)."""
    sources = {u: recs for u, recs in history.items() if u not in entries}
    if not sources:
        return
    unnamed = _unnamed_sources(index, {r.source_member for rs in sources.values() for r in rs})
    if not unnamed:
        return
    free: dict[tuple[str, date], list[str]] = {}
    for uid, es in entries.items():
        if uid in history:
            continue
        for e in es:
            if e.timestamp is not None:
                key = (serial_key(e.device_serial), as_utc_naive(e.timestamp).date())
                free.setdefault(key, []).append(uid)
    taken: set[str] = set()
    for uid, recs in sources.items():
        rec, when = recs[0], recs[0].timestamp
        if len(recs) != 1 or rec.source_member not in unnamed or when is None:
            continue
        key = (recording_serial(rec), as_utc_naive(when).date())
        found = [
            u
            for u in free.get(key, ())
            if u not in taken and not any(_time_differs(e, rec) for e in entries[u])
        ]
        if len(set(found)) == 1:
            taken.add(found[0])
            history[found[0]] = history.pop(uid)


def _empty(index: ExportIndex) -> list[Finding]:
    """A catalogue that yields no entry while the voice history lists recordings."""
    path = index.transcript_member
    if path is None:  # where the catalogue stands in the export's layout
        root = export_root((m.path for m in index.members), archives_of(index.members))
        path = root + TRANSCRIPTS_PDF
    member = index.member(path)
    if member is None:
        return []  # no catalogue in this export's layout
    read = [f for f in index.read_findings if path in f.members]
    if any(f.severity is Severity.CRITICAL for f in read):
        return []  # the reader's finding blocks already and says why
    if read:
        why = f"it could not be read ({read[0].code}: {read[0].title.lower()})"
    elif member.kind is not MemberKind.PDF:
        why = f"it is not a PDF ({member.type_label})"
    elif not member.readable:
        why = "it could not be read"
    else:
        why = (
            "no entry in it can be read: no line gives `<timestamp>  <device serial>  "
            "<utterance id>` (a catalogue laid out another way, as a table or with labelled "
            "fields, or an image, cannot be checked)"
        )
    n = len(index.recordings)
    sources = sorted({r.source_member for r in index.recordings if r.source_member})
    return [
        Finding(
            code=EMPTY,
            severity=Severity.CRITICAL,
            title="No entry of the transcript catalogue can be read",
            detail=f"{path} stands where the transcript catalogue should be, but {why}, while "
            f"the voice history lists {plural(n, 'recording')}: not one can be checked "
            "against the catalogue. Is it the right document?",
            members=unique([path, *sources]),
        )
    ]


Pair = tuple[TranscriptEntry, Recording]


def _differences(
    entries: dict[str, list[TranscriptEntry]],
    history: dict[str, list[Recording]],
    local_times: bool = False,
) -> tuple[list[tuple[str, Pair]], list[tuple[str, Pair]], list[tuple[str, Pair]]]:
    """The utterances on both sides whose text, device or time differ, in catalogue order,
    each with a catalogue entry and a voice-history row that disagree. An utterance listed
    more than once differs when any of its readings on one side has no equal on the other.
    `local_times`: a time written without its zone may be the history's in some zone
    (`_local_time_differs`), as a copy saved on someone's computer writes it."""
    time_differs = _local_time_differs if local_times else _time_differs
    aspects = (_text_differs, _device_differs, time_differs)
    text: list[tuple[str, Pair]] = []
    device: list[tuple[str, Pair]] = []
    time: list[tuple[str, Pair]] = []
    for uid, es in entries.items():
        recs = history.get(uid)
        if recs is None:
            continue
        if len(es) == 1 and len(recs) == 1:  # the common case: listed once on each side
            e, rec = es[0], recs[0]
            # the same text, or the same time, agrees at once (as the keys would say)
            if e.text != rec.transcript and _text_key(e.text) != _text_key(rec.transcript):
                text.append((uid, (e, rec)))
            if serial_key(e.device_serial) != recording_serial(rec):
                device.append((uid, (e, rec)))
            if e.timestamp != rec.timestamp and time_differs(e, rec):
                time.append((uid, (e, rec)))
            continue
        for found, differs in zip((text, device, time), aspects, strict=True):
            pair = _disagreeing(es, recs, differs)
            if pair is not None:
                found.append((uid, pair))
    return text, device, time


def _text_differs(e: TranscriptEntry, rec: Recording) -> bool:
    return _text_key(e.text) != _text_key(rec.transcript)


def _device_differs(e: TranscriptEntry, rec: Recording) -> bool:
    return serial_key(e.device_serial) != recording_serial(rec)


def _disagreeing(
    es: list[TranscriptEntry],
    recs: list[Recording],
    differs: Callable[[TranscriptEntry, Recording], bool],
) -> Pair | None:
    """An entry and a row that disagree, when some entry agrees with no row or some row
    with no entry; None when every reading has its equal on the other side."""
    for e in es:
        if all(differs(e, r) for r in recs):
            return e, recs[0]
    for r in recs:
        if all(differs(e, r) for e in es):
            return es[0], r
    return None


def _lead(what: str, found: list[tuple[str, Pair]]) -> str:
    uids = [u for u, _ in found]
    if len(uids) == 1:
        return f"Utterance {uids[0]}: "
    return (
        f"The {what} of {plural(len(uids), 'utterance')} differs: {listing(uids)}. "
        f"For example {uids[0]}: "
    )


_SECONDS = re.compile(r"\d:\d{2}:\d{2}|\A\s*\d{10}")  # a clock with seconds, or epoch seconds
_MINUTES = re.compile(r"\d:\d{2}")


def _time_differs(e: TranscriptEntry, rec: Recording) -> bool:
    """Whether the two times differ to the precision both give: the second (the history may
    keep milliseconds), the minute, or the day, when the catalogue prints no more or the
    history's time has no seconds (or no time of day) to compare."""
    if e.timestamp is None and rec.timestamp is None:
        return False
    if e.timestamp is None or rec.timestamp is None:
        return True
    printed, kept = as_utc_naive(e.timestamp), as_utc_naive(rec.timestamp)
    local = rec.timestamp.replace(tzinfo=None)
    history = 0 if local.time() == time() else 1 if local.second == local.microsecond == 0 else 2
    catalogue = (
        2 if _SECONDS.search(e.timestamp_text) else 1 if _MINUTES.search(e.timestamp_text) else 0
    )
    precision = min(history, catalogue)
    if precision == 2:
        return printed.replace(microsecond=0) != kept.replace(microsecond=0)
    if precision == 1:
        return printed.replace(second=0, microsecond=0) != kept.replace(second=0, microsecond=0)
    return printed.date() != kept.date()


# a time that says its zone: "Z", "+02:00", "-0500", "UTC", "GMT"
_ZONED = re.compile(r"\d(?:Z\b|[+-]\d{2}:?\d{2}\b)|\b(?:UTC|GMT)\b")
_QUARTER = timedelta(minutes=15)
_FARTHEST_ZONE = timedelta(hours=14)


def _local_time_differs(e: TranscriptEntry, rec: Recording) -> bool:
    """`_time_differs`, but a time written without its zone agrees with the history's when
    it is that time in some zone (whole quarter hours away, at most 14 hours)."""
    if not _time_differs(e, rec):
        return False
    if e.timestamp is None or rec.timestamp is None or _ZONED.search(e.timestamp_text):
        return True
    offset = as_utc_naive(e.timestamp) - as_utc_naive(rec.timestamp)
    shift = round(offset / _QUARTER) * _QUARTER
    if shift == timedelta(0) or abs(shift) > _FARTHEST_ZONE:
        return True
    return _time_differs(replace(e, timestamp=e.timestamp - shift), rec)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
