"""CSV and JSON members: parsed into tables and documents; their text is kept only when they
do not parse (or were read only in part), or when an object names a key twice with different
values (its parsed form holds only one of them)."""

from __future__ import annotations

import json

from reviewer.archive.context import Context
from reviewer.archive.digest.text import keep_text
from reviewer.domain.archive.layout import MANIFEST
from reviewer.domain.archive.tabular import (
    decode_text,
    duplicate_keys,
    parse_csv,
    parse_json,
    table_from_json,
)
from reviewer.domain.model import Member, MemberKind

MAX_KEYS = 3  # duplicated keys named in a finding


def digest_table(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    hz, path, kind = ctx.hazards, member.path, member.kind
    data = box.pop()
    cut = total > len(data)
    text = decode_text(data)
    del data
    # A member kept parsed (a table or a JSON document) keeps no text as well: the identity
    # scan renders it from the parsed form (`ExportIndex.scan_texts`).
    parsed = False
    with duplicate_keys() as duplicated:
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
    if duplicated:
        # the parsed form holds one value of each key; the text, scanned too, holds them all
        keys = [json.dumps(k, ensure_ascii=False) for k in duplicated[:MAX_KEYS]]
        if len(duplicated) > MAX_KEYS:
            keys.append(f"{len(duplicated) - MAX_KEYS} more")
        named = keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} and {keys[-1]}"
        hz.add(
            "json-duplicate-key",
            path,
            f"{path}: an object names {named} twice, with different values. Programs "
            "differ in which value they show, so the requester may see either: open it, and "
            "keep one value of each",
        )
        parsed = False
    if not parsed:
        keep_text(ctx, path, text, cut)
