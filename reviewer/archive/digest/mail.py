"""E-mail members: the message's decoded text (`reviewer.domain.archive.mail`) in place of
its raw MIME text, so the identity scan reads what the requester would read: a base64
attachment, a quoted-printable body whose soft line breaks split an id. A message that does
not parse keeps its raw text."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.domain.archive.mail import MAIL_EXT, looks_like_mail, mail_text
from reviewer.domain.archive.sniff import extension

MBOX_EXT = (".mbox", ".mbx")


def is_mail(path: str, head: bytes) -> bool:
    """Whether a text member is a message: by its name, or by its first bytes."""
    return extension(path) in MAIL_EXT or looks_like_mail(head)


def decoded_mail(ctx: Context, path: str, data: bytes) -> tuple[str, bool] | None:
    """The message's text within one member's text limit, and whether it was cut there;
    None when it does not parse as a message."""
    mbox = extension(path) in MBOX_EXT
    return mail_text(data, ctx.limits.max_text_bytes, mbox)
