"""The disclosure record as a page a regulator can open in any browser: a self-contained HTML
file, laid out by Rich (already the terminal app's renderer) and exported with its styles
inline. Every value is written as text, never read as markup."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

WIDTH = 110


def _t(value: Any) -> Text:
    if value is None or value == "":
        return Text("-", style="dim")
    if isinstance(value, dict | list):
        return Text(json.dumps(value, ensure_ascii=False))
    return Text(str(value))


def _pairs(rows: list[tuple[str, Any]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(Text(key), _t(value))
    return table


def _table(headers: list[str], rows: list[list[Any]]) -> RenderableType:
    if not rows:
        return Text("none", style="dim")
    table = Table(show_lines=False, expand=True)
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*(_t(v) for v in row))
    return table


def record_html(record: dict[str, Any]) -> str:
    """The record (`reviewer.store.service.record.build_record`) as one HTML page."""
    req, export = record["request"], record["export"]
    corrections = record.get("corrections") or {}
    release = record.get("release") or {}
    parts: list[RenderableType] = [
        Text(f"Disclosure record: {req['request_id']}", style="bold"),
        Text(f"Generated {record['generated_at']} by DSAR Reviewer", style="dim"),
        Rule("The request"),
        _pairs(
            [
                ("Requester", req["requester"]["name"]),
                ("Customer id", req["requester"]["customer_id"]),
                ("E-mail", req["requester"]["email"]),
                ("Identity verified", req.get("identity_verification")),
                ("Received", req.get("received_at")),
                ("Due", req.get("due_at")),
            ]
        ),
        Rule("The export"),
        _pairs(
            [
                ("Version", export["version"]),
                ("Corrected from version", export.get("corrected_from_version")),
                ("Archive SHA-256", export["archive_sha256"]),
                ("Verdict", export["verdict"]),
                ("Sampling statement", record.get("sampling_statement")),
            ]
        ),
        Text("Findings", style="bold"),
        _table(
            ["severity", "code", "finding"],
            [
                [f["severity"], f["code"], f"{f['title']}: {f['detail']}"]
                for f in export["findings"]
            ],
        ),
        Rule("Reviewers' marks"),
        _table(
            ["version", "by", "at", "mark", "item", "note", "withdrawn"],
            [
                [
                    m["version"],
                    m["by"],
                    m["at"],
                    m["kind"],
                    f"{m['target_kind']} {m['target']}",
                    m["note"],
                    m["withdrawn_at"],
                ]
                for m in record.get("marks", [])
            ],
        ),
        Rule("Corrections"),
        _table(
            ["by", "at", "correction", "target", "reason", "note"],
            [
                [c["by"], c["at"], c["kind"], c["target"], c["reason"], c["note"]]
                for c in corrections.get("corrections", [])
            ],
        ),
        Text("Proof that what was removed is gone", style="bold"),
        _table(
            ["check", "result", "detail"],
            [
                [c["what"], "proven" if c["ok"] else "FAILED", c["detail"]]
                for c in (corrections.get("proof") or {}).get("checks", [])
            ],
        ),
        Rule("Sign-offs"),
    ]
    for so in record.get("signers", []):
        parts += [
            Text(
                f"{so['name']} ({so['role']}), stage {so['stage']}: {so['decision']} at {so['at']}",
                style="bold",
            ),
            _pairs(
                [
                    ("Note", so.get("note")),
                    ("Sampling statement", so.get("sampling_statement")),
                    (
                        "Checklist",
                        ", ".join(
                            f"{k}: {'yes' if v else 'no'}"
                            for k, v in (so.get("checklist") or {}).items()
                        ),
                    ),
                    ("Warnings acknowledged", so.get("acknowledged")),
                    ("Played (seconds)", so.get("played_seconds")),
                    ("Viewed", so.get("viewed")),
                ]
            ),
        ]
    parts += [
        Rule("Release"),
        _pairs(
            [
                ("Released at", release.get("released_at")),
                ("Released by", release.get("released_by")),
                ("Audit head", release.get("audit_head")),
                ("Audit checkpoint", release.get("audit_checkpoint")),
            ]
        )
        if release
        else Text("not released", style="dim"),
    ]
    console = Console(record=True, width=WIDTH, file=io.StringIO(), color_system="truecolor")
    console.print(Group(*parts))
    return console.export_html(inline_styles=True)
