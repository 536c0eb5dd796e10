"""Another account's transcripts outside the catalogue: a second catalogue PDF under another
name, a catalogue's text saved as a .txt, a catalogue inside a nested archive. Their entries
name the devices they came from: one the requester never registered blocks, whatever the
file is called. A copy of the requester's own catalogue passes.

Each test rewrites the clean sample's export.zip (catalogues written by `pdfcraft`) and
reviews it as the app does.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pdfcraft
import pytest
from cleancopy import review_changed, voice_history_rows

from reviewer.domain.model import Severity, Verdict

STRANGERS = [
    ("2017-11-02T19:04:11Z", "G090LF1173430QK7", "UX9Q2M4K7T1B8C0D", "ruf Lena an"),
    ("2017-11-03T07:12:40Z", "G0911W0772451A3T", "UX9Q2M4K7T1B8C0E", "wie wird das Wetter"),
]


def _catalogue(entries: list[pdfcraft.Entry]) -> bytes:
    return pdfcraft.build(pdfcraft.catalogue_pages(entries))


def _as_text(entries: list[pdfcraft.Entry]) -> str:
    return "Transcripts\n" + "".join(f"{t}  {s}  {u}\n{text}\n" for t, s, u, text in entries)


def _nested(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("member", "data", "named"),
    [
        ("Alexa/Archive/Transcripts_2017.pdf", _catalogue(STRANGERS), None),
        ("Alexa/transcripts-old.txt", _as_text(STRANGERS), None),
        (
            "Alexa/old.zip",
            _nested("Transcripts.pdf", _catalogue(STRANGERS)),
            "Alexa/old.zip!Transcripts.pdf",
        ),
    ],
    ids=["pdf", "text", "nested"],
)
def test_a_strangers_transcripts_under_another_name_block(
    tmp_path: Path, member: str, data: bytes | str, named: str | None
) -> None:
    review = review_changed(tmp_path, {member: data})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert f.severity is Severity.CRITICAL
    assert f.members == (named or member,)
    assert "G090LF1173430QK7" in f.detail and "G0911W0772451A3T" in f.detail
    assert "2 transcript entries" in f.detail


def test_a_copy_of_the_requesters_own_catalogue_passes(tmp_path: Path) -> None:
    own = [(r[1], r[3], r[0], r[6]) for r in voice_history_rows()]
    review = review_changed(tmp_path, {"Alexa/Archive/Transcripts_2018.pdf": _catalogue(own)})
    assert review.report.verdict is Verdict.PASS, review.report.findings
