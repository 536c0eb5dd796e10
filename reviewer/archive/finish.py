"""The export's index completed once every member has been read (`finish`)."""

from __future__ import annotations

from typing import Any

from reviewer.archive.context import Context
from reviewer.archive.digest.pdf import collect_pdfs
from reviewer.domain.archive.catalogue import TRANSCRIPTS_PDF
from reviewer.domain.archive.layout import MANIFEST, archives_of, export_root
from reviewer.domain.archive.spreadsheet import worksheet_tables
from reviewer.domain.archive.tabular import recordings_from
from reviewer.domain.archive.texttables import text_tables
from reviewer.domain.model import Member

PROFILE = "Account/Profile.json"


def finish(ctx: Context) -> None:
    """The index completed once every member is read: the PDFs' answers, workbooks' sheets
    as tables, members whose text was read only in part, directory order, the manifest and
    profile, and the recordings the tables list."""
    index = ctx.index
    root = export_root((m.path for m in index.members), archives_of(index.members))
    collect_pdfs(ctx, root + TRANSCRIPTS_PDF)
    # a workbook's sheets are tables (its parts were read as a nested archive's texts): kept
    # parsed, like a CSV member, their text is rendered from the table
    for path, table in worksheet_tables(index.texts, set(index.texts_truncated)).items():
        index.tables[path] = table
        del index.texts[path]
    # JSON Lines and delimited tables under other names: kept as text too (the identity scan
    # reads what the text holds beyond its rows)
    known = index.tables.keys() | index.json_docs.keys()
    index.tables.update(text_tables(index.texts, known, set(index.texts_truncated)))
    _unchecked_texts(ctx)
    _in_order(ctx)
    doc = index.json_docs.get(root + MANIFEST)
    if isinstance(doc, dict):
        index.manifest, index.manifest_member = doc, root + MANIFEST
        if root:  # the digester made a table of it, not knowing it for the manifest
            index.tables.pop(root + MANIFEST, None)
    profile = index.json_docs.get(root + PROFILE)
    if isinstance(profile, dict):
        index.profile = profile
    else:
        for path, doc in index.json_docs.items():
            if "profile" in path.lower() and isinstance(doc, dict):
                index.profile = doc
                break
    paths = {m.path for m in index.members}
    ordered = sorted(
        index.tables.values(), key=lambda t: not t.member.endswith("Alexa/VoiceHistory.csv")
    )
    for table in ordered:
        index.recordings.extend(recordings_from(table, paths, root))
    index.texts_truncated.sort()


def _unchecked_texts(ctx: Context) -> None:
    """Members whose text the identity scan saw only in part (the text limits): what it did
    not see would be delivered unchecked. (A PDF whose parse ran out of time, or that got
    the parser stuck, has its own finding.)"""
    index, hz, limits = ctx.index, ctx.hazards, ctx.limits
    by_path = {m.path: m for m in index.members} if index.texts_truncated else {}
    for path in index.texts_truncated:
        member = by_path.get(path)
        if member is None or any(
            hz.has(code, path) for code in ("pdf-too-large", "pdf-too-complex", "pdf-hostile")
        ):
            continue
        size = member.read_bytes if member.read_bytes is not None else member.declared_size
        kept = len(index.texts.get(path, ""))
        if path in ctx.text_starved:
            budget = limits.max_total_text_bytes
            shown = f"{budget >> 20} MiB" if budget >= 1 << 20 else f"{budget:,} characters"
            why = (
                f"{kept:,} characters of its {size:,} bytes: the archive's {shown} of text "
                "were used up"
            )
        else:
            why = f"the first {kept:,} characters of its {size:,} bytes (one member's limit)"
        hz.add(
            "text-too-large",
            path,
            f"{path}: the identity checks read only {why}; the rest could not be checked",
        )


def _in_order(ctx: Context) -> None:
    """Members in directory order, each nested archive's right after it, and the per-member
    maps in the same order, however the threads happened to finish."""
    index = ctx.index
    if len(ctx.blocks) > 1:
        ordered: list[Member] = []

        def emit(prefix: str) -> None:
            for m in ctx.blocks.get(prefix, ()):
                ordered.append(m)
                if m.path + "!" in ctx.blocks:
                    emit(m.path + "!")

        emit("")
        index.members = ordered
    if len(ctx.blocks) > 1 or ctx.threaded:
        rank = {m.path: i for i, m in enumerate(index.members)}
        last = len(rank)

        def by_rank(item: tuple[str, Any]) -> int:
            return rank.get(item[0], last)

        index.texts = dict(sorted(index.texts.items(), key=by_rank))
        index.tables = dict(sorted(index.tables.items(), key=by_rank))
        index.json_docs = dict(sorted(index.json_docs.items(), key=by_rank))
    elif ctx.moved:  # one level, one thread: only the large members came early
        paths = [m.path for m in index.members]
        index.texts = {p: index.texts[p] for p in paths if p in index.texts}
        index.tables = {p: index.tables[p] for p in paths if p in index.tables}
        index.json_docs = {p: index.json_docs[p] for p in paths if p in index.json_docs}
