"""The corrections the findings themselves suggest: withhold what a previous-owner,
unknown-device or foreign-records finding names, redact the names a third-party finding names."""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.domain.corrections.correction import Correction, CorrectionKind, Reason
from reviewer.domain.model import ExportIndex, Finding


def suggestions(findings: Iterable[Finding], index: ExportIndex) -> list[Correction]:
    """The corrections the findings themselves suggest (one keypress away in the app):
    withhold the recordings a previous-owner, unknown-device or foreign-records finding names
    and the foreign records; redact the names a third-party finding names."""
    by_member = {r.audio_member: r for r in index.recordings if r.audio_member}
    out: list[Correction] = []
    seen: set[tuple[CorrectionKind, str]] = set()

    def add(c: Correction) -> None:
        if (c.kind, c.target) not in seen:
            seen.add((c.kind, c.target))
            out.append(c)

    for f in findings:
        if f.code in ("previous-owner", "unknown-device", "foreign-records"):
            if f.code == "foreign-records":
                for value in f.subjects:
                    add(
                        Correction(
                            CorrectionKind.WITHHOLD_RECORDS,
                            value,
                            Reason.NOT_REQUESTERS,
                            f"suggested by: {f.title}",
                        )
                    )
            for member in f.members:
                rec = by_member.get(member)
                if rec is not None:
                    add(
                        Correction(
                            CorrectionKind.WITHHOLD_UTTERANCE,
                            rec.utterance_id,
                            Reason.NOT_REQUESTERS,
                            f"suggested by: {f.title}",
                        )
                    )
        elif f.code == "third-party-names":
            for name in f.subjects:
                add(
                    Correction(
                        CorrectionKind.REDACT_TEXT,
                        name,
                        Reason.THIRD_PARTY,
                        f"suggested by: {f.title}",
                    )
                )
    return out
