"""`reviewer redact REQUEST_ID --as NAME ...`: propose corrections on the current version and
build the corrected version (for scripts and audits; the terminal app is the main way)."""

from __future__ import annotations

import json
import re

import click

from reviewer.cli.acting import (
    acting,
    as_option,
    open_service,
    passphrase_stdin_option,
    read_passphrase,
)
from reviewer.domain.corrections import Correction, CorrectionKind, Reason, correction_problem
from reviewer.domain.text import printable

SPAN = re.compile(r"^(?P<member>.+)@(?P<start>\d+(?:\.\d+)?)-(?P<end>\d+(?:\.\d+)?)$")


def _silence(value: str, reason: Reason, note: str) -> Correction:
    """MEMBER@START-END (seconds), or MEMBER alone for the whole recording."""
    m = SPAN.match(value)
    if m is None:
        return Correction(CorrectionKind.SILENCE, value, reason, note)
    return Correction(
        CorrectionKind.SILENCE, m["member"], reason, note, float(m["start"]), float(m["end"])
    )


@click.command(short_help="Withhold, redact and silence: build a corrected version.")
@click.argument("request_id")
@as_option(help="The reviewer or approver making the corrections (asks for their passphrase).")
@passphrase_stdin_option
@click.option(
    "--withhold",
    "members",
    multiple=True,
    metavar="MEMBER",
    help="Leave a member out (repeatable). A recording takes its voice-history row "
    "and catalogue entry with it.",
)
@click.option(
    "--withhold-utterance",
    "utterances",
    multiple=True,
    metavar="ID",
    help="Leave a voice interaction out: its row, recording and catalogue entry.",
)
@click.option(
    "--withhold-records",
    "values",
    multiple=True,
    metavar="IDENTIFIER",
    help="Leave out every record that carries IDENTIFIER (another customer's id).",
)
@click.option(
    "--text",
    "texts",
    multiple=True,
    metavar="STRING",
    help="Redact STRING everywhere (case- and accent-insensitive, whole words).",
)
@click.option(
    "--silence",
    "silences",
    multiple=True,
    metavar="MEMBER@START-END",
    help="Silence a span of a recording, in seconds (MEMBER alone: all of it).",
)
@click.option(
    "--reason",
    required=True,
    type=click.Choice([r.value for r in Reason]),
    help="Why: not-requesters (not the requester's data), third-party (GDPR Art. "
    "15(4)) or other (another exemption).",
)
@click.option("--note", required=True, help="What the reviewer saw, in a few words.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the corrected version's report (as `reviewer check --json`) with "
    '"version", "archive" and "proof".',
)
@click.pass_context
def redact(
    ctx: click.Context,
    request_id: str,
    as_: str,
    passphrase_stdin: bool,
    members: tuple[str, ...],
    utterances: tuple[str, ...],
    values: tuple[str, ...],
    texts: tuple[str, ...],
    silences: tuple[str, ...],
    reason: str,
    note: str,
    as_json: bool,
) -> None:
    """Correct REQUEST_ID's current version and build the corrected version.

    The corrections given here, with any already proposed on the version, are applied to a
    copy of the archive (nothing is extracted to disk). The copy is read back and proven (no
    redacted text, no withheld member or utterance left, silenced spans silent), checked
    again by every check, and stored as the request's new version: both sign-offs and the
    release bind to its SHA-256, and the original is never released.

    \b
    Exit codes:
      0  built and proven
      1  the proof failed (the new version is blocked), the corrections would leave nothing,
         the person may not correct (wrong passphrase, role, lockout), or the request got a
         newer version meanwhile (another terminal corrected it first): nothing is stored
      2  bad usage, unknown request, member or utterance, or the store cannot be opened
    """
    from reviewer.store.errors import NotFound, StoreError, UserError

    reason_ = Reason(reason)
    wanted = (
        [Correction(CorrectionKind.WITHHOLD_MEMBER, m, reason_, note) for m in members]
        + [Correction(CorrectionKind.WITHHOLD_UTTERANCE, u, reason_, note) for u in utterances]
        + [Correction(CorrectionKind.WITHHOLD_RECORDS, v, reason_, note) for v in values]
        + [Correction(CorrectionKind.REDACT_TEXT, t, reason_, note) for t in texts]
        + [_silence(s, reason_, note) for s in silences]
    )
    if not wanted:
        raise click.UsageError(
            "name at least one correction: --withhold, --withhold-utterance, "
            "--withhold-records, --text or --silence"
        )
    with open_service(ctx) as svc:
        try:
            detail = svc.request_detail(request_id)
        except NotFound as exc:
            raise click.UsageError(str(exc)) from None
        for c in wanted:  # every correction checked before any is proposed
            problem = correction_problem(c, detail.index, detail.report.findings)
            if problem is not None:
                raise click.UsageError(problem)
        with acting(
            svc,
            as_,
            read_passphrase(passphrase_stdin, confirm=False, prompt=f"Passphrase of {as_}"),
        ) as session:
            for c in wanted:
                try:
                    svc.propose_correction(session, detail.version_id, c)
                except UserError as exc:
                    raise click.UsageError(str(exc)) from None
            try:
                result = svc.apply_corrections(session, detail.version_id)
            except StoreError as exc:  # refused, nothing stored (another terminal was first, ...)
                click.echo(f"reviewer: {printable(str(exc))}", err=True)
                ctx.exit(1)
                return
    if as_json:
        doc = result.report.to_dict()
        doc["version"] = result.version_number
        doc["archive"] = str(result.archive_path)
        doc["proof"] = result.correction["proof"]
        click.echo(json.dumps(doc, indent=2))
    else:
        proof = "proven" if result.proof_ok else "NOT PROVEN: the version is blocked"
        click.echo(
            f"corrected {result.request_id}: version {result.version_number}, "
            f"{result.report.verdict.value}, {proof}"
        )
        click.echo(f"  archive {printable(str(result.archive_path))}")
        click.echo(f"  sha256  {result.archive_sha256}")
        for check in result.correction["proof"]["checks"]:
            mark = "ok  " if check["ok"] else "FAIL"
            click.echo(f"  {mark} {check['what']}: {printable(check['detail'])}")
    if not result.proof_ok:
        ctx.exit(1)
