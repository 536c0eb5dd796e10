"""The other-layout sample (no manifest, JSON, Ogg) with members changed the way another
pipeline writes them: judged as the reference layout's forms are."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cleancopy import review_members

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

OTHER_LAYOUT = Path(__file__).resolve().parents[1] / "sample_archives" / "other-layout"
STRANGER = "Carlos Pérez Molina"


def _members() -> dict[str, bytes]:
    with zipfile.ZipFile(OTHER_LAYOUT / "export.zip") as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _ticket() -> dict[str, Any]:
    ticket: dict[str, Any] = json.loads((OTHER_LAYOUT / "request.json").read_text())
    return ticket


def _review(tmp_path: Path, changes: Mapping[str, bytes | str | None]) -> Review:
    """The other-layout export with `changes` (member -> new bytes or text, None: removed)."""
    members = _members()
    for path, data in changes.items():
        if data is None:
            members.pop(path, None)
        else:
            members[path] = data.encode() if isinstance(data, str) else data
    return review_members(tmp_path, members, _ticket())


def _critical(review: Review) -> list[str]:
    return [f.code for f in review.report.findings if f.severity is Severity.CRITICAL]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("account/perfil.txt", f"Titular de la cuenta: {STRANGER}\n"),
        ("account/konto.txt", f"Kontoinhaber: {STRANGER}\n"),
        ("account/perfil.html", f"<table><tr><th>Nom du client</th><td>{STRANGER}</td></tr>"),
        ("account/perfil.xml", f"<perfil><nombreCliente>{STRANGER}</nombreCliente></perfil>"),
        ("account/titular.json", json.dumps({"titularDeLaCuenta": STRANGER})),
        ("account/cliente.json", json.dumps({"nomeCliente": STRANGER})),
    ],
)
def test_another_account_holder_under_a_label_in_another_language_blocks(
    tmp_path: Path, path: str, text: str
) -> None:
    """A Spanish, German, French or Italian pipeline labels the holder in its language: another
    person there is another account's, as under "Account holder"."""
    review = _review(tmp_path, {path: text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert STRANGER in f.detail and f.members == (path,)


@pytest.mark.parametrize(
    "holder", ["Sofía García Romero", "SOFIA GARCIA ROMERO", "García Romero, Sofía"]
)
def test_the_requester_as_holder_under_a_label_in_another_language_passes(
    tmp_path: Path, holder: str
) -> None:
    review = _review(tmp_path, {"account/perfil.txt": f"Titular de la cuenta: {holder}\n"})
    assert review.report.verdict is Verdict.PASS, review.report.findings
