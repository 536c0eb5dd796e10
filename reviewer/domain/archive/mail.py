"""E-mail members (`.eml`, `.mht`, `.mbox`): the text a reader of the message sees.

A message's body and attachments travel MIME-encoded (base64, quoted-printable with soft line
breaks that split words, RFC 2047 encoded headers), so its raw text hides what the requester
would read: a customer id cut by a soft line break, a CSV attachment in base64. `mail_text`
parses the message with Python's `email` package and gives its headers (decoded; not those mail
systems write for themselves, `MACHINE_HEADERS`: a message id is no one's address) followed by
every part that decodes to text: the text parts in their own charsets, and attachments whose
bytes are text (a CSV, a JSON document, a plain text). Binary parts (images, recordings) are
left out. A message the parser finds defects in (base64 that does not decode, a boundary
that never comes) keeps its raw text as well: what did not decode is still delivered. A
`.mbox` holds one message after another, each after a ``From `` line.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

from reviewer.domain.archive.sniff import looks_like_text, wide_text
from reviewer.domain.archive.tabular import decode_text

MAIL_EXT = frozenset((".eml", ".mht", ".mhtml", ".mbox", ".mbx", ".msg822"))
_MBOX_SPLIT = re.compile(rb"(?:\A|\r?\n)From [^\r\n]*\r?\n")
_HEADER_LINE = re.compile(rb"[!-9;-~]+:")  # an RFC 5322 field name and its colon


def looks_like_mail(head: bytes) -> bool:
    """Whether text under another name (a `.txt`, no extension) is a MIME message: it starts
    with header fields and declares MIME encoding (only then does its raw text hide anything)."""
    if not (head[:5] == b"From " or _HEADER_LINE.match(head)):
        return False
    top = head[:4096].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0].lower()
    return b"mime-version:" in top and b"content-" in top


def mail_text(data: bytes, limit: int, mbox: bool = False) -> tuple[str, bool] | None:
    """The readable text of the message (or, `mbox`, the messages) in `data`: headers and
    decoded text parts, at most `limit` characters, and whether it was cut at the limit.
    None when the bytes do not parse as a message (the raw text is then read instead)."""
    messages = [m for m in _MBOX_SPLIT.split(data) if m.strip()] if mbox else [data]
    out: list[str] = []
    size = 0
    try:
        for raw in messages:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            pieces = _pieces(msg)
            if any(part.defects for part in msg.walk()):
                pieces.append(decode_text(raw))
            for piece in pieces:
                out.append(piece)
                size += len(piece) + 1
                if size > limit:
                    return "\n".join(out)[:limit], True
    except Exception:  # noqa: BLE001 - a malformed message breaks the parser in many ways
        return None
    return "\n".join(out), False


def _pieces(msg: Message) -> list[str]:
    """The message's headers and each part's text, in order (a part's own headers first)."""
    out: list[str] = []
    for part in msg.walk():
        out.extend(_headers(part))
        if part.is_multipart():
            for extra in (part.preamble, part.epilogue):
                if extra and extra.strip():
                    out.append(extra)
            continue
        text = _part_text(part)
        if text:
            out.append(text)
    return out


# Headers that mail systems write for themselves, whose "addresses" are no one's mailbox: a
# message's id and the ids it answers, the bounce address, the route and its signatures
MACHINE_HEADERS = frozenset(
    {
        "message-id",
        "in-reply-to",
        "references",
        "resent-message-id",
        "content-id",
        "return-path",
        "received",
        "received-spf",
        "dkim-signature",
        "domainkey-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "authentication-results",
        "list-unsubscribe",
        "list-id",
        "feedback-id",
    }
)


def _headers(part: Message) -> list[str]:
    lines = []
    for key in dict.fromkeys(part.keys()):
        if key.lower() in MACHINE_HEADERS:
            continue
        for value in part.get_all(key) or ():
            try:
                shown = str(value)
            except Exception:  # noqa: BLE001 - an undecodable header is read raw
                shown = repr(value)
            lines.append(f"{key}: {shown}")
    return lines


def _part_text(part: Message) -> str | None:
    """A leaf part's text when it is text (or an attachment whose bytes are), else None."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return None
    if part.get_content_maintype() == "text":
        charset = part.get_content_charset()
        if charset:
            try:
                return payload.decode(charset, errors="replace")
            except LookupError:  # a charset Python does not know
                pass
        return decode_text(payload)
    head = payload[:4096]
    if wide_text(head) is not None or (b"\x00" not in head and looks_like_text(head)):
        return decode_text(payload)
    return None
