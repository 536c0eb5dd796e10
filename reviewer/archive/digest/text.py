"""Text members: decoded, capped per member and across the archive, kept for the identity
scan. An e-mail message keeps its decoded text (`mail`)."""

from __future__ import annotations

from reviewer.archive.context import Context
from reviewer.archive.digest.mail import decoded_mail, is_mail
from reviewer.domain.archive.tabular import decode_text
from reviewer.domain.model import Member


def digest_text(ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes) -> None:
    data = box.pop()
    cut = total > len(data)
    if is_mail(member.path, data[:4096]):
        found = decoded_mail(ctx, member.path, data)
        if found is not None:
            del data
            keep_text(ctx, member.path, found[0], cut or found[1])
            return
    text = decode_text(data)
    del data
    keep_text(ctx, member.path, text, cut)


def add_text(ctx: Context, path: str, text: str) -> None:
    """Keep `text` beside what the member's text already is (a recording's tags found beyond
    its kept head, after those of the head), within the same caps."""
    kept = ctx.index.texts.get(path)
    if kept is None:
        keep_text(ctx, path, text, False)
        return
    granted = ctx.take_text(len(text) + 1)
    if granted > 1:
        ctx.index.texts[path] = f"{kept}\n{text[: granted - 1]}"
    if granted < len(text) + 1:
        with ctx.lock:
            ctx.text_starved.add(path)
        ctx.index.texts_truncated.append(path)


def keep_text(ctx: Context, path: str, text: str, cut: bool) -> None:
    """Keep `text` as the member's text, within the per-member and whole-archive caps; a
    member whose text is cut (or was read only in part, `cut`) is listed as truncated."""
    if len(text) > ctx.limits.max_text_bytes:
        text, cut = text[: ctx.limits.max_text_bytes], True
    size = len(text)
    granted = ctx.take_text(size)
    if granted < size:
        text = text[:granted]
        cut = True
        with ctx.lock:
            ctx.text_starved.add(path)
    if text:
        ctx.index.texts[path] = text
    if cut:
        ctx.index.texts_truncated.append(path)
