"""Markup whose elements stand side by side with nothing between them (a minified XML
profile, HTML spans, OpenDocument cells and paragraphs): the identity scan joins the text of
runs so an id or address split over two runs is found, but the text of two neighbouring
fields joined is no address. The requester's own record so written passes; another person's
address, whole or split over runs, still blocks.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from cleancopy import review_changed

from reviewer.domain.model import Verdict

MINE = "eleanor.whitfield@example.co.uk"
ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def _odf(body: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}>'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
    return buf.getvalue()


def _cells(*values: str) -> str:
    row = "".join(f"<table:table-cell><text:p>{v}</text:p></table:table-cell>" for v in values)
    return f"<office:spreadsheet><table:table><table:table-row>{row}</table:table-row></table:table></office:spreadsheet>"


HONEST: dict[str, bytes | str] = {
    "Account/Profile.xml": (
        '<?xml version="1.0"?><Profile><CustomerId>A1QH7RZ3N8VW2E</CustomerId>'
        f"<Email>{MINE}</Email><Name>Eleanor Whitfield</Name></Profile>"
    ),
    "Account/Page.html": f"<p><span>{MINE}</span><span>Eleanor</span></p>",
    "Account/Card.html": f"<p><b>{MINE}</b><i>A1QH7RZ3N8VW2E</i><span>202-4417309</span></p>",
    "Account/Sheet.ods": _odf(_cells("A1QH7RZ3N8VW2E", MINE, "Eleanor Whitfield", "en-GB")),
    "Account/Letter.odt": _odf(
        "<office:text><text:p>Your e-mail: <text:span>"
        f"{MINE}</text:span><text:line-break/>Your customer id: A1QH7RZ3N8VW2E</text:p>"
        "</office:text>"
    ),
}


@pytest.mark.parametrize("member", sorted(HONEST))
def test_the_requesters_fields_side_by_side_pass(tmp_path: Path, member: str) -> None:
    review = review_changed(tmp_path, {member: HONEST[member]})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    "xml",
    [
        "<Profile><Email>oliver.barnes@example.com</Email><Name>Oliver</Name></Profile>",
        "<p><r><t>oliver.bar</t></r><r><t>nes@example.com</t></r></p>",  # split over runs
    ],
    ids=["whole", "split over runs"],
)
def test_another_persons_address_in_markup_still_blocks(tmp_path: Path, xml: str) -> None:
    review = review_changed(tmp_path, {"Account/Other.xml": xml})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert "oliver.barnes@example.com" in f.detail
    assert "oliver.barnes@example.comoliver" not in f.detail


def _gpx(user: str, domain: str) -> str:
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="Amazon" '
        'xmlns="http://www.topografix.com/GPX/1/1"><metadata><author>'
        f'<email id="{user}" domain="{domain}"/></author></metadata>'
        '<trk><trkseg><trkpt lat="53.48" lon="-2.24"><time>2018-05-01T08:00:00Z</time>'
        "</trkpt></trkseg></trk></gpx>"
    )


def test_an_address_written_in_two_attributes_is_read(tmp_path: Path) -> None:
    """GPX writes its author's address as <email id="..." domain="..."/>."""
    review = review_changed(
        tmp_path, {"Location/history.gpx": _gpx("oliver.barnes", "example.com")}
    )
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert "oliver.barnes@example.com" in f.detail

    (tmp_path / "mine").mkdir()
    mine = review_changed(
        tmp_path / "mine", {"Location/history.gpx": _gpx("eleanor.whitfield", "example.co.uk")}
    )
    assert mine.report.verdict is Verdict.PASS, mine.report.findings
