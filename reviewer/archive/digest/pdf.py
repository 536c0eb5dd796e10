"""PDF members: handed to the PDF child process as they are read (`digest_pdf`); once the
archive is read, their text is kept and the transcript catalogue taken from the right one
(`collect_pdfs`)."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.archive.digest.text import keep_text
from reviewer.domain.archive.catalogue import TRANSCRIPTS_PDF, parse_catalogue
from reviewer.domain.model import Member


def digest_pdf(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    data = box.pop()
    limit = ctx.limits.max_pdf_bytes
    if total > limit:
        ctx.hazards.add(
            "text-too-large",
            member.path,
            f"{member.path} is larger than the {limit:,}-byte limit for PDFs and was not parsed: "
            "its text could not be checked",
        )
        return
    ctx.pdf.submit(member.path, data)


def collect_pdfs(ctx: Context, catalogue: str = TRANSCRIPTS_PDF) -> None:
    """Wait for the PDF child's answers: each PDF's text, or a finding saying why there is
    none; the catalogue is `catalogue`'s (`Alexa/Transcripts.pdf` in the export's folder),
    else the largest one found elsewhere.

    A PDF too large to read in the time allowed keeps the text of the pages read (for the
    identity scan, marked truncated), but no catalogue is taken from part of one."""
    index, hz = ctx.index, ctx.hazards
    for result in ctx.pdf.results():
        if result.too_large:
            what = (
                "the transcript catalogue"
                if result.member == catalogue
                else "its text, and any transcript catalogue in it,"
            )
            hz.add(
                "pdf-too-large",
                result.member,
                f"{result.member}: {result.detail}; {what} could not be checked in the time "
                "allowed",
            )
            keep_text(ctx, result.member, result.text, True)
            continue
        if result.too_complex:
            what = (
                "the transcript catalogue"
                if result.member == catalogue
                else "its text, and any transcript catalogue in it,"
            )
            hz.add(
                "pdf-too-complex",
                result.member,
                f"{result.member}: too complex to read in full ({result.detail}); {what} "
                "could not be checked",
            )
            continue
        if result.error is not None:
            code = "pdf-hostile" if result.hostile else "pdf-unreadable"
            hz.add(code, result.member, f"{result.member}: {result.detail or result.error}")
            continue
        text = result.text
        keep_text(ctx, result.member, text, False)
        if result.extra:  # its title, author and embedded files are delivered with it
            index.attached[result.member] = result.extra
        entries = parse_catalogue(result.pages)
        if entries and (
            result.member == catalogue
            or (index.transcript_member != catalogue and len(entries) > len(index.transcripts))
        ):
            index.transcripts = entries
            index.transcript_member = result.member
