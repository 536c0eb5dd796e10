"""missing-recording: voice-history rows whose audio member is not in the archive.

An export that names a recording it does not hold is incomplete (the requester is owed a
complete copy). Where the manifest lists the member, `manifest-missing-member` already says
so, critically; this covers the rest, above all exports without a manifest.
"""

from __future__ import annotations

from typing import Any

from reviewer.domain.checks._common import listing, plural, unique
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "missing-recording"


def _listed(manifest: Any) -> set[str]:
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return set()
    return {
        f["path"]
        for f in manifest["files"]
        if isinstance(f, dict) and isinstance(f.get("path"), str)
    }


def check(request: Request, index: ExportIndex) -> list[Finding]:
    present = {m.path for m in index.members}
    listed = _listed(index.manifest)
    missing = [
        r
        for r in index.recordings
        if r.audio_member and r.audio_member not in present and r.audio_member not in listed
    ]
    if not missing:
        return []
    return [
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
        )
    ]
