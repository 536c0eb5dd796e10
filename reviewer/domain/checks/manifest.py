"""Integrity against manifest.json: members missing, changed or not listed.

`manifest-missing-member`: listed but not in the archive. `manifest-changed-member`: in the
archive with other bytes (SHA-256 or size) than listed. `manifest-unlisted-member`: in the
archive but not listed. An archive without a manifest gets an informational note: its
integrity cannot be verified, and the identity-evidence scan carries the weight.
"""

from __future__ import annotations

from typing import Any

from reviewer.domain.checks._common import listing, plural
from reviewer.domain.model import ExportIndex, Finding, Member, MemberKind, Request, Severity


def _entries(manifest: dict[str, Any]) -> list[dict[str, Any]] | None:
    files = manifest.get("files")
    if not isinstance(files, list):
        return None
    return [f for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check(request: Request, index: ExportIndex) -> list[Finding]:
    if index.manifest is None:
        if not index.members:
            return []  # nothing was listed at all: the reader's finding says why
        if index.manifest_member:
            return [
                _manifest_invalid(
                    index.manifest_member,
                    "The manifest cannot be read",
                    f"{index.manifest_member} is not a readable JSON manifest, so no member "
                    "can be checked against it.",
                )
            ]
        return [_manifest_absent()]
    manifest_path = index.manifest_member or "manifest.json"
    entries = _entries(index.manifest) if isinstance(index.manifest, dict) else None
    if entries is None:
        return [
            _manifest_invalid(
                manifest_path,
                "The manifest has no file list",
                f'{manifest_path} has no usable "files" list; no member can be verified.',
            )
        ]
    present: dict[str, Member] = {}
    for m in index.members:
        # Members of nested archives are covered by their outer archive's entry.
        if m.kind is MemberKind.DIRECTORY or m.path.endswith("/") or "!" in m.path:
            continue
        present.setdefault(m.path, m)
    listed: dict[str, dict[str, Any]] = {}
    for e in entries:
        listed.setdefault(e["path"], e)

    missing = [p for p in listed if p not in present]
    changed: list[tuple[str, str]] = []
    for path, entry in listed.items():
        have = present.get(path)
        if have is None:
            continue
        why = _difference(entry, have)
        if why:
            changed.append((path, why))
    unlisted = [p for p in present if p not in listed and p != manifest_path]
    found = (
        _manifest_missing_member(missing),
        _manifest_changed_member(changed),
        _manifest_unlisted_member(unlisted),
    )
    return [f for f in found if f is not None]


def _manifest_invalid(path: str, title: str, detail: str) -> Finding:
    return Finding(
        code="manifest-invalid",
        severity=Severity.CRITICAL,
        title=title,
        detail=detail,
        members=(path,),
    )


def _manifest_absent() -> Finding:
    return Finding(
        code="manifest-absent",
        severity=Severity.INFO,
        title="No manifest: integrity cannot be verified",
        detail=(
            "The export has no manifest.json, so missing or altered members cannot be "
            "detected; attribution rests on the identity evidence found in its texts."
        ),
    )


def _manifest_missing_member(missing: list[str]) -> Finding | None:
    if not missing:
        return None
    return Finding(
        code="manifest-missing-member",
        severity=Severity.CRITICAL,
        title=f"{plural(len(missing), 'member')} listed in the manifest but missing",
        detail=(
            f"The manifest lists {listing(missing)}, but the archive does not hold "
            f"{'it' if len(missing) == 1 else 'them'}: the export is incomplete or "
            "was altered after it was generated."
        ),
        members=tuple(missing),
    )


def _manifest_changed_member(changed: list[tuple[str, str]]) -> Finding | None:
    if not changed:
        return None
    return Finding(
        code="manifest-changed-member",
        severity=Severity.CRITICAL,
        title=f"{plural(len(changed), 'member')} "
        f"{'differs' if len(changed) == 1 else 'differ'} from the manifest",
        detail=(
            ("This member is" if len(changed) == 1 else "These members are")
            + " not the bytes the manifest lists: "
            + listing(f"{p} ({why})" for p, why in changed)
            + f". {'It was' if len(changed) == 1 else 'They were'} changed after the export "
            "was generated."
        ),
        members=tuple(p for p, _ in changed),
    )


def _manifest_unlisted_member(unlisted: list[str]) -> Finding | None:
    if not unlisted:
        return None
    return Finding(
        code="manifest-unlisted-member",
        severity=Severity.CRITICAL,
        title=f"{plural(len(unlisted), 'member')} not listed in the manifest",
        detail=(
            f"The archive holds {listing(unlisted)}, which the manifest does not list: "
            "added after the export was generated. Find out what "
            f"{'it is' if len(unlisted) == 1 else 'they are'} and whose."
        ),
        members=tuple(unlisted),
    )


def _difference(entry: dict[str, Any], m: Member) -> str:
    want_sha = entry.get("sha256")
    if (
        isinstance(want_sha, str)
        and m.sha256 is not None
        and want_sha != m.sha256  # the common case: the same lower-case hex, at once
        and want_sha.strip()
        and want_sha.strip().lower() != m.sha256.lower()
    ):
        return "SHA-256 differs"
    want_bytes = _int(entry.get("bytes"))
    # A member read only in part (a limit, a corrupt stream) is judged by its header size.
    fully_read = m.sha256 is not None and m.read_bytes is not None
    have_bytes = m.read_bytes if fully_read and m.read_bytes is not None else m.declared_size
    if want_bytes is not None and want_bytes != have_bytes:
        return f"{have_bytes:,} bytes, manifest says {want_bytes:,}"
    return ""
