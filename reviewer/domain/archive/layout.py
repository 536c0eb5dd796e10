"""Where an export's own layout starts inside its archive (`export_root`).

The reference layout (manifest.json, Account/Profile.json, Alexa/Transcripts.pdf ...) lies at
the top of the archive; an export compressed as a folder, or zipped once more, holds it one
folder or one archive further down. The reader finds the manifest, profile and catalogue
there, and the checks name what should stand there.
"""

from __future__ import annotations

from collections.abc import Iterable


def export_root(paths: Iterable[str]) -> str:
    """Where the export's layout starts: "" when its members lie at the top; else the one
    folder all of them lie in, as an export compressed as a folder has it
    ("DSAR-2018-0398/"), or "./" as bsdtar writes names (folders within folders, too); and
    when that holds nothing but one archive, inside it ("DSAR-2018-0398.zip!"). Folder
    entries and the Finder's "__MACOSX/" copies do not count."""
    everything = list(paths)
    files = [p for p in everything if "!" not in p and not p.startswith("__MACOSX/")]
    root = _folder(files)
    inside = [p for p in files if p.startswith(root) and not p.endswith("/")]
    if len(inside) == 1:  # a wrapper archive whose members were read: the export is in it
        inner = inside[0] + "!"
        nested = [p[len(inner) :] for p in everything if p.startswith(inner)]
        if nested:
            return inner + export_root(nested)
    return root


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
