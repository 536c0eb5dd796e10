"""Where an export's own layout starts inside its archive (`export_root`).

The reference layout (manifest.json, Account/Profile.json, Alexa/Transcripts.pdf ...) lies at
the top of the archive; an export compressed as a folder, or zipped once more, holds it one
folder or one archive further down. The reader finds the manifest, profile and catalogue
there, and the checks name what should stand there.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable

from reviewer.domain.archive.sniff import CONTAINER_LABELS
from reviewer.domain.model import Member, MemberKind


def export_root(paths: Iterable[str], archives: Collection[str]) -> str:
    """Where the export's layout starts: "" when its members lie at the top; else the one
    folder all of them lie in, as an export compressed as a folder has it
    ("DSAR-2018-0398/"), or "./" as bsdtar writes names (folders within folders, too); and
    when that holds nothing but one archive, inside it ("DSAR-2018-0398.zip!"). Folder
    entries and the Finder's "__MACOSX/" copies do not count. `archives`: the members read
    as archives (`archives_of`)."""
    everything = list(paths)
    known = set(everything)
    files = [
        p
        for p in everything
        if not p.startswith("__MACOSX/") and ("!" not in p or archive_of(p, archives) is None)
    ]
    root = _folder(files)
    inside = [p for p in files if p.startswith(root) and not p.endswith("/")]
    # an archive whose members were read, holding the export: the only file there, or the
    # one whose manifest stands where none does outside it (what else lies beside it is then
    # outside the export's layout, and the manifest check says so)
    holding = {archive_of(p, archives, outermost=True) for p in everything if "!" in p}
    # an archive standing where the layout starts, not one in its folders (a retail archive
    # with a manifest of its own is part of the export, not the export)
    wrappers = [p for p in inside if p in holding and "/" not in p[len(root) :]]
    if len(wrappers) == 1:
        wrapper = wrappers[0]
        nested = [q[len(wrapper) + 1 :] for q in everything if q.startswith(wrapper + "!")]
        inner = wrapper + "!" + export_root(nested, within(archives, wrapper))
        if len(inside) == 1 or (root + MANIFEST not in known and inner + MANIFEST in known):
            return inner
    return root


MANIFEST = "manifest.json"


def archives_of(members: Iterable[Member]) -> set[str]:
    """The members the reader read as archives (a ZIP, a gzip stream, a tar, an SQLite
    database): only their members are written "archive!member"."""
    return {
        m.path for m in members if m.kind is MemberKind.ARCHIVE or m.type_label in CONTAINER_LABELS
    }


def within(archives: Iterable[str], archive: str) -> set[str]:
    """`archives` inside `archive`, named from there."""
    inner = archive + "!"
    return {a[len(inner) :] for a in archives if a.startswith(inner)}


def archive_of(path: str, paths: Container[str], outermost: bool = False) -> str | None:
    """The nested archive a member lies in (its member path: "old.zip" for
    "old.zip!a.csv"), or None for a member of the export itself; `paths`: the archives
    (`archives_of`). A name may hold "!" ("Wish!list.csv", "Orders.csv!notes.txt"): only a
    part before one that is an archive is one. `outermost`: the archive of the export itself
    it lies in, however deep, rather than the one holding it."""
    cuts = [i for i, ch in enumerate(path) if ch == "!" and i > 0]
    for i in cuts if outermost else reversed(cuts):
        if path[:i] in paths:
            return path[:i]
    return None


def _folder(files: list[str]) -> str:
    """The one folder all of `files` lie in (within one another: "./DSAR-2018-0398/"), or ""."""
    root = ""
    while files:
        top, slash, _rest = files[0].partition("/")
        top += slash
        if not slash or any(not p.startswith(top) for p in files):
            break
        inside = [p[len(top) :] for p in files]
        if not any(p and not p.endswith("/") for p in inside):
            break
        root += top
        files = [p for p in inside if p]
    return root
