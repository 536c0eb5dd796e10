"""The benchmark generator: the same seed gives the same bytes, and each export has the
layout and the verdict its description claims (scaled down)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
import zipfile
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from reviewer.archive.review import review_request

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_export", ROOT / "benchmarks/gen_export.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_export", module)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _generate(out: Path, *args: str) -> dict[str, str]:
    assert gen.main([*args, "--out", str(out)]) == 0
    return {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest()
        for name in ("request.json", "export.zip")
    }


def _kinds(archive: Path) -> Counter[str]:
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
    return Counter(
        "wav"
        if n.startswith("Alexa/Audio/") and n.endswith(".wav")
        else "order-json"
        if n.startswith("Retail/Orders/") and n.endswith(".json")
        else "order-csv"
        if n.startswith("Retail/Orders/") and n.endswith("-items.csv")
        else n
        for n in names
    )


def test_many_is_deterministic_with_the_layout_and_verdict_it_claims(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "--kind", "many", "--members", "207")
    assert _generate(tmp_path / "b", "--kind", "many", "--members", "207") == first
    assert _generate(tmp_path / "c", "--kind", "many", "--members", "207", "--seed", "7") != first

    kinds = _kinds(tmp_path / "a/export.zip")
    assert sum(kinds.values()) == 207
    # a fifth recordings, the rest a JSON document and an item CSV per order
    assert kinds["wav"] == 40 and kinds["order-json"] == 80 and kinds["order-csv"] == 80
    for fixed in (
        "manifest.json",
        "Account/Profile.json",
        "Devices/Devices.csv",
        "Alexa/VoiceHistory.csv",
        "Alexa/Transcripts.pdf",
        "Retail/SearchHistory.csv",
        "Retail/OrderHistory.csv",
    ):
        assert kinds[fixed] == 1

    review = review_request(tmp_path / "a")
    assert review.report.verdict.value == "pass", [f.code for f in review.report.findings]
    assert len(review.index.recordings) == 40 and len(review.index.transcripts) == 40
    listed = json.loads(zipfile.ZipFile(tmp_path / "a/export.zip").read("manifest.json"))
    assert len(listed["files"]) == 206


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox"
)
def test_incident_is_deterministic_and_blocked_as_wrong_customer(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "--kind", "incident", "--recordings", "6")
    assert _generate(tmp_path / "b", "--kind", "incident", "--recordings", "6") == first

    kinds = _kinds(tmp_path / "a/export.zip")
    assert kinds["wav"] == 6 and sum(kinds.values()) == 6 + 7

    review = review_request(tmp_path / "a")
    assert review.report.verdict.value == "block"
    codes = {f.code for f in review.report.findings}
    assert "wrong-customer" in codes
    wrong = next(f for f in review.report.findings if f.code == "wrong-customer")
    assert "manifest.json" in wrong.members and "Account/Profile.json" in wrong.members
    assert len(review.index.recordings) == 6
