"""CSV and JSON members: parsed into tables and documents; their text is kept only when they
do not parse (or were read only in part)."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.archive.digest.text import keep_text
from reviewer.domain.archive.layout import MANIFEST
from reviewer.domain.archive.tabular import decode_text, parse_csv, parse_json, table_from_json
from reviewer.domain.model import Member, MemberKind


def digest_table(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    hz, path, kind = ctx.hazards, member.path, member.kind
    data = box.pop()
    cut = total > len(data)
    text = decode_text(data)
    del data
    # A member kept parsed (a table or a JSON document) keeps no text as well: the identity
    # scan renders it from the parsed form (`ExportIndex.scan_texts`).
    parsed = False
    if kind is MemberKind.CSV:
        table = parse_csv(path, text)
        if table is not None:
            ctx.index.tables[path] = table
            parsed = not cut
    elif kind is MemberKind.JSON and not cut:
        try:
            doc = parse_json(text)
        except ValueError as exc:
            hz.add("json-malformed", path, f"{path}: {exc}")
        else:
            ctx.index.json_docs[path] = doc
            parsed = True
            # the manifest's file list is read by the manifest check, not kept as a table
            if not (path == MANIFEST and isinstance(doc, dict)):
                table = table_from_json(path, doc)
                if table is not None:
                    ctx.index.tables[path] = table
    if not parsed:
        keep_text(ctx, path, text, cut)
