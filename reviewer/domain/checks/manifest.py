"""Integrity against manifest.json: members missing, changed or not listed.

`manifest-missing-member`: listed but not in the archive. `manifest-changed-member`: in the
archive with other bytes (SHA-256 or size) than listed, by any of its entries.
`manifest-unlisted-member`: in the archive but not listed. `manifest-unverified` (a warning):
the manifest's digests are of a kind the reader does not compute (MD5, SHA-1), so only sizes
were compared. The file list is read in the forms pipelines write it (`_manifest`). An archive
without a manifest gets an informational note: its integrity cannot be verified, and the
identity-evidence scan carries the weight.
"""

from __future__ import annotations

from reviewer.domain.archive.layout import MANIFEST, archive_of, archives_of, export_root, within
from reviewer.domain.checks._common import listing, plural
from reviewer.domain.checks._manifest import Listed, listed_files, path_key, plain_paths
from reviewer.domain.model import ExportIndex, Finding, Member, MemberKind, Request, Severity


def check(request: Request, index: ExportIndex) -> list[Finding]:
    archives = archives_of(index.members)
    findings = _export_manifest(index, archives)
    # another export's manifest in an archive where the layout starts (a wrapper beside which
    # a decoy manifest or a second archive stands): it vouches for that archive's members too
    for path, doc in _nested_manifests(index, archives):
        findings.extend(_against(index, archives, doc, path, wrapped=False))
    return findings


def _export_manifest(index: ExportIndex, archives: set[str]) -> list[Finding]:
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
    manifest_path = index.manifest_member or MANIFEST
    return _against(index, archives, index.manifest, manifest_path, wrapped=True)


def _nested_manifests(index: ExportIndex, archives: set[str]) -> list[tuple[str, object]]:
    """Other exports' manifests (`_export_shaped`) where the layout of an archive standing
    where the export's own layout starts begins (`export_root` of its members): an export
    zipped once more beside something else. (An archive in the export's folders, a web app,
    a browser extension or an older export kept as a backup, is vouched for by the export's
    own manifest and read for what it holds; its own manifest is no concern.)"""
    candidates = [
        (path, doc)
        for path, doc in index.json_docs.items()
        if path.endswith(MANIFEST) and "!" in path and path != index.manifest_member
    ]
    if not candidates:
        return []
    paths = {m.path for m in index.members}
    root = export_root(paths, archives)
    level = root[: root.rfind("!") + 1]
    found: list[tuple[str, object]] = []
    for path, doc in candidates:
        archive = archive_of(path, archives)
        if archive is None or not _export_shaped(doc):
            continue
        if (
            not archive.startswith(level)
            or "/" in archive[len(root) :]
            or "!" in archive[len(level) :]
        ):
            continue
        inner = [p[len(archive) + 1 :] for p in paths if p.startswith(archive + "!")]
        if path == f"{archive}!{export_root(inner, within(archives, archive))}{MANIFEST}":
            found.append((path, doc))
    return found


def _export_shaped(doc: object) -> bool:
    """An export's manifest: a file list beside the export's or the customer's id."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("files"), list | dict)
        and any(k in doc for k in ("customer_id", "export_id", "request_id", "generated_at"))
    )


def _against(
    index: ExportIndex, archives: set[str], manifest: object, manifest_path: str, wrapped: bool
) -> list[Finding]:
    """The members of the archive `manifest_path` lies in against its file list. `wrapped`:
    it is the export's, and whatever lies outside its archive (beside an export zipped once
    more) is listed nowhere."""
    entries = listed_files(manifest)
    if entries is None:
        return [
            _manifest_invalid(
                manifest_path,
                "The manifest has no file list",
                f'{manifest_path} has no usable "files" list; no member can be verified.',
            )
        ]
    own = path_key(manifest_path)
    # an export compressed as a folder ("DSAR-2018-0398/manifest.json") or inside an archive
    # of its own ("DSAR-2018-0398.zip!manifest.json"): its manifest lists the members from
    # there, or with the folder in front
    base = own[: max(own.rfind("/"), own.rfind("!")) + 1]
    level = base[: base.rfind("!") + 1]  # the archive it lies in ("" for the export)
    # Members by the path extraction gives them; a nested archive's members only for the
    # entries that name them (an outer archive's entry covers them otherwise).
    present: dict[str, Member] = {}
    nested: dict[str, Member] = {}
    outside: list[str] = []
    wrappers = {level[:i] for i, ch in enumerate(level) if ch == "!"}
    plain = plain_paths("\n".join([m.path for m in index.members]))
    directory = MemberKind.DIRECTORY
    for m in index.members:
        p = m.path
        if m.kind is directory or p.endswith("/"):
            continue
        if not p.startswith(level):
            if wrapped and p not in wrappers:
                outside.append(p)
            continue
        # the manifest's own archive's member (a name may hold "!": `archive_of`)
        ours = "!" not in p[len(level) :] or archive_of(p, archives) == (level[:-1] or None)
        (present if ours else nested).setdefault(p if plain else path_key(p), m)
    seen: set[str] = set()
    missing: list[str] = []
    changed: dict[str, str] = {}  # member -> how it differs from an entry of it
    unverified: dict[str, set[str]] = {}
    for e in entries:
        key, path = e.key, e.path
        if base and not key.startswith(base):
            key, path = base + key, base + path
        if key == own:
            continue  # a manifest cannot list its own digest
        again = key in seen
        seen.add(key)
        have = present.get(key) or nested.get(key)
        if have is None:
            if not again:
                missing.append(path)
            continue
        # every entry of a path must hold (a path listed twice with two digests: one lies);
        # the common entry, the member's digest and read size, at once (`_difference`)
        if (
            e.sha256 is None
            or e.sha256 != have.sha256
            or (e.size is not None and e.size != have.read_bytes)
        ) and (have.path not in changed and (why := _difference(e, have))):
            changed[have.path] = why
        if e.other_digest:
            unverified.setdefault(e.other_digest, set()).add(have.path)
    extra = present.keys() - seen  # (one set operation: most exports list every member)
    extra.discard(own)
    unlisted = [m.path for k, m in present.items() if k in extra] if extra else []
    unlisted += outside
    found = (
        _manifest_missing_member(missing),
        _manifest_changed_member(list(changed.items())),
        _manifest_unlisted_member(unlisted),
        _manifest_unverified(manifest_path, unverified),
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


def _difference(entry: Listed, m: Member) -> str:
    if entry.sha256 is not None and m.sha256 is not None and entry.sha256 != m.sha256.lower():
        return "SHA-256 differs"
    # A member read only in part (a limit, a corrupt stream) is judged by its header size.
    fully_read = m.sha256 is not None and m.read_bytes is not None
    have_bytes = m.read_bytes if fully_read and m.read_bytes is not None else m.declared_size
    if entry.size is not None and entry.size != have_bytes:
        return f"{have_bytes:,} bytes, manifest says {entry.size:,}"
    return ""


def _manifest_unverified(path: str, unverified: dict[str, set[str]]) -> Finding | None:
    """Members the manifest vouches for with a digest of a kind the reader does not compute:
    only their sizes could be compared."""
    if not unverified:
        return None
    kinds = sorted(unverified)
    members = sorted({p for paths in unverified.values() for p in paths})
    return Finding(
        code="manifest-unverified",
        severity=Severity.WARNING,
        title=f"The manifest's {listing(kinds)} digests cannot be verified",
        detail=(
            f"{path} gives {listing(kinds)} digests for {plural(len(members), 'member')}; the "
            "reviewer computes SHA-256, so only their sizes were compared with the manifest. A "
            "member changed without changing its size would not show: ask for a manifest with "
            "SHA-256 digests, or compare the members by hand."
        ),
        members=(path,),
    )
