"""E-mail members are read as a mail reader shows them: MIME parts decoded (base64,
quoted-printable with soft line breaks), attachments that are text included, so another
customer's id or address in them blocks; the requester's own notification passes."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Finding, Severity, Verdict
from reviewer.domain.report import Report

STRANGER = "A2ZK8LMQ4T6XPB"
STRANGER_MAIL = "oliver.barnes@example.com"
MAIL = "Messages/notification.eml"


def only(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def message(body: str, cte: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Amazon <no-reply@amazon.co.uk>"
    msg["To"] = "Eleanor Whitfield <eleanor.whitfield@example.co.uk>"
    msg["Subject"] = "Your Alexa voice history"
    msg["Date"] = "Mon, 09 Jul 2018 10:00:00 +0000"
    msg.set_content(body, cte=cte)
    return msg


def assert_blocks_on_stranger(report: Report, member: str) -> None:
    [f] = only(report, "foreign-identifier")
    assert f.severity is Severity.CRITICAL
    assert member in f.members
    assert STRANGER in f.detail
    assert report.verdict is Verdict.BLOCK


def test_a_base64_attachment_holding_a_strangers_voice_history_blocks(tmp_path: Path) -> None:
    msg = message("Hello, your voice history is attached.")
    rows = [[f"U9F{i}1C2D3E4F5A6B7", "2018-04-11T10:10:00Z", STRANGER, "G090LF0964130QAB",
             "Echo Dot", "", "order a pizza"] for i in range(3)]  # fmt: skip
    csv = voice_history_text(rows).encode()
    msg.add_attachment(csv, maintype="application", subtype="octet-stream", filename="VH.csv")
    raw = bytes(msg)
    assert STRANGER.encode() not in raw  # only the decoded attachment names them
    assert_blocks_on_stranger(review_changed(tmp_path, {MAIL: raw}).report, MAIL)


def test_a_base64_utf8_body_naming_a_stranger_blocks(tmp_path: Path) -> None:
    body = f"Données du client — customer {STRANGER}, e-mail {STRANGER_MAIL}: “a pizza”"
    raw = bytes(message(body, cte="base64"))
    assert STRANGER.encode() not in raw
    report = review_changed(tmp_path, {MAIL: raw}).report
    assert_blocks_on_stranger(report, MAIL)
    assert STRANGER_MAIL in only(report, "foreign-identifier")[0].detail


def test_a_quoted_printable_body_whose_soft_breaks_split_the_id_blocks(tmp_path: Path) -> None:
    body = (
        f"Your order for customer {STRANGER[:10]}=\r\n{STRANGER[10:]} has shipped to "
        "oliver.barnes=\r\n@example.com.=0A"
    )
    raw = (
        "From: Amazon <auto-confirm@amazon.co.uk>\r\n"
        "To: Eleanor Whitfield <eleanor.whitfield@example.co.uk>\r\nSubject: Your order\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + body + "\r\n"
    )
    report = review_changed(tmp_path, {"Messages/order.eml": raw}).report
    assert_blocks_on_stranger(report, "Messages/order.eml")
    assert STRANGER_MAIL in only(report, "foreign-identifier")[0].detail


def test_a_mailbox_of_messages_is_read_message_by_message(tmp_path: Path) -> None:
    own = bytes(message("Your order has shipped."))
    other = bytes(message(f"Customer {STRANGER} ordered a pizza.", cte="base64"))
    mbox = b"From MAILER-DAEMON Mon Jul  9 10:00:00 2018\n" + own + b"\n"
    mbox += b"From MAILER-DAEMON Mon Jul  9 11:00:00 2018\n" + other + b"\n"
    assert_blocks_on_stranger(
        review_changed(tmp_path, {"Messages/all.mbox": mbox}).report, "Messages/all.mbox"
    )


def test_the_requesters_own_mail_with_their_voice_history_passes(tmp_path: Path) -> None:
    body = "Hello Eleanor, your customer number A1QH7RZ3N8VW2E: your voice history — attached."
    msg = message(body, cte="base64")
    csv = voice_history_text(voice_history_rows()).encode()
    msg.add_attachment(csv, maintype="text", subtype="csv", filename="VoiceHistory.csv")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), maintype="image",
                       subtype="png", filename="logo.png")  # fmt: skip
    report = review_changed(tmp_path, {MAIL: bytes(msg)}).report
    assert report.verdict is Verdict.PASS, [(f.code, f.detail) for f in report.findings]


def test_the_ids_mail_systems_write_are_no_ones_address(tmp_path: Path) -> None:
    """A message id, the ids it answers and the bounce address look like addresses and are
    none; a stranger in a header people read still blocks."""
    msg = message("Thank you for your order 202-4417309-5518734.", cte="base64")
    msg["Message-ID"] = "<20180315091200.A1B2C3@amazon.co.uk>"
    msg["In-Reply-To"] = "<0100016a2b3c4d5e-abc@email.amazonses.com>"
    msg["Return-Path"] = "<bounces+123@bounces.amazon.co.uk>"
    report = review_changed(tmp_path, {MAIL: bytes(msg)}).report
    assert report.verdict is Verdict.PASS, [(f.code, f.detail) for f in report.findings]
    msg["Cc"] = "Lukas Brandt <lukas.brandt@example.de>"
    (tmp_path / "cc").mkdir()
    report = review_changed(tmp_path / "cc", {MAIL: bytes(msg)}).report
    [f] = only(report, "foreign-identifier")
    assert "lukas.brandt@example.de" in f.detail and "amazon" not in f.detail


def test_a_malformed_message_falls_back_to_its_raw_text(tmp_path: Path) -> None:
    raw = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 " + STRANGER + "\r\n"
    )
    assert_blocks_on_stranger(review_changed(tmp_path, {MAIL: raw}).report, MAIL)
