"""The check report: findings in, verdict and the `reviewer check --json` document out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewer.domain.model import ExportIndex, Finding, Severity, Verdict


def verdict_for(findings: list[Finding]) -> Verdict:
    """Block on any critical finding, review on any warning, pass otherwise."""
    severities = {f.severity for f in findings}
    if Severity.CRITICAL in severities:
        return Verdict.BLOCK
    if Severity.WARNING in severities:
        return Verdict.REVIEW
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class Stats:
    members: int = 0
    bytes: int = 0
    recordings: int = 0
    recording_seconds: float = 0.0
    transcript_entries: int = 0

    @classmethod
    def of(cls, index: ExportIndex) -> Stats:
        return cls(
            members=len(index.members),
            bytes=index.archive_bytes,
            recordings=index.recording_count,
            recording_seconds=index.recording_seconds,
            transcript_entries=len(index.transcripts),
        )


@dataclass(frozen=True, slots=True)
class Report:
    request_id: str
    archive_sha256: str
    findings: tuple[Finding, ...]
    stats: Stats = field(default_factory=Stats)

    @property
    def verdict(self) -> Verdict:
        return verdict_for(list(self.findings))

    def by_severity(self) -> dict[Severity, list[Finding]]:
        groups: dict[Severity, list[Finding]] = {s: [] for s in Severity}
        for f in self.findings:
            groups[f.severity].append(f)
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "archive_sha256": self.archive_sha256,
            "verdict": self.verdict.value,
            "findings": [f.to_dict() for f in self.findings],
            "stats": {
                "members": self.stats.members,
                "bytes": self.stats.bytes,
                "recordings": self.stats.recordings,
                "recording_seconds": self.stats.recording_seconds,
                "transcript_entries": self.stats.transcript_entries,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        s = data.get("stats", {})
        return cls(
            request_id=str(data["request_id"]),
            archive_sha256=str(data["archive_sha256"]),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", [])),
            stats=Stats(
                members=int(s.get("members", 0)),
                bytes=int(s.get("bytes", 0)),
                recordings=int(s.get("recordings", 0)),
                recording_seconds=float(s.get("recording_seconds", 0.0)),
                transcript_entries=int(s.get("transcript_entries", 0)),
            ),
        )


def sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Most severe first; stable within a severity (checks report in a meaningful order)."""
    return tuple(sorted(findings, key=lambda f: f.severity.rank))
