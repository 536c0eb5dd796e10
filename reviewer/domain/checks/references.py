"""missing-recording: voice-history rows whose audio member is not in the archive.

An export that names a recording it does not hold is incomplete (the requester is owed a
complete copy). Where the manifest lists the member, `manifest-missing-member` already says
so, critically; this covers the rest, above all exports without a manifest.

Recordings of two utterances that are the same bytes are missing too: utterances made at
different times cannot have made one recording, so at least one of them is delivered with
audio not its own (another utterance's copied over it, or another account's).
"""

from __future__ import annotations

from collections import defaultdict

from reviewer.domain.checks._common import audio_members, listing, plural, unique
from reviewer.domain.checks._manifest import listed_files
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

CODE = "missing-recording"


def _listed(manifest: object) -> set[str]:
    """The paths the manifest lists, as written and as extraction resolves them."""
    paths: set[str] = set()
    for e in listed_files(manifest) or ():
        paths.update((e.path, e.key))
    return paths


def check(request: Request, index: ExportIndex) -> list[Finding]:
    present = {m.path for m in index.members}
    absent = [r for r in index.recordings if r.audio_member and r.audio_member not in present]
    listed = _listed(index.manifest) if absent else set()
    missing = [r for r in absent if r.audio_member not in listed]
    findings = _copies(index)
    if not missing:
        return findings
    return [
        *findings,
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title=f"{plural(len(missing), 'recording')} named in the voice history but absent",
            detail=(
                "The voice history names audio the archive does not hold: "
                + listing(f"{r.audio_member} ({r.utterance_id})" for r in missing)
                + ". The copy is incomplete: ask the pipeline for the recordings, or record "
                "why they are withheld."
            ),
            members=unique(
                [*(r.source_member for r in missing), *(r.audio_member for r in missing)]
            ),
        ),
    ]


def _copies(index: ExportIndex) -> list[Finding]:
    """Recordings of distinct utterances whose audio members hold the same bytes (one member
    named by two utterances' rows among them)."""
    digest = {m.path: m.sha256 for m in audio_members(index) if m.sha256}
    # bytes -> utterance -> its recording
    groups: defaultdict[str, dict[str, Recording]] = defaultdict(dict)
    for r in index.recordings:
        if r.audio_member in digest:
            groups[digest[r.audio_member]].setdefault(r.utterance_id, r)
    copies = [list(g.values()) for g in groups.values() if len(g) > 1]
    if not copies:
        return []
    recs = [r for group in copies for r in group]
    alike = "; ".join(
        " and ".join(f"{r.audio_member} ({r.utterance_id})" for r in group) for group in copies
    )
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title=f"{plural(len(recs), 'recording')} of different utterances are the same audio",
            detail=(
                f"These recordings are byte for byte the same: {alike}. Utterances made at "
                "different times cannot have made one recording: at least one of them is "
                "delivered with audio not its own (another utterance's, or another account's). "
                "Find each utterance's own recording before delivery."
            ),
            members=unique([*(r.source_member for r in recs), *(r.audio_member for r in recs)]),
        )
    ]
