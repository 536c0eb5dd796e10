"""Amazon's own service mailboxes (auto-confirm@amazon.co.uk on an order mail, cs-reply@ on an
invoice or an account page) are nobody's account: the requester's export may carry them with
or without a manifest. A person's address at Amazon's domain, or a service mailbox's name at
another domain, is still someone else's.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cleancopy import clean_ticket, review_changed

from reviewer.domain.model import Verdict

MAIL = "Retail/Mail/202-4417309-5518734.eml"


def _order_mail(sender: str) -> str:
    return (
        f'From: "Amazon.co.uk" <{sender}>\n'
        "To: eleanor.whitfield@example.co.uk\n"
        "Date: Thu, 15 Mar 2018 08:01:22 +0000\n"
        "Subject: Your Amazon.co.uk order #202-4417309-5518734\n\n"
        "Hello Eleanor Whitfield, thank you for your order.\n"
        "Questions? Write to cs-reply@amazon.co.uk.\n"
    )


@pytest.mark.parametrize(
    "sender",
    [
        "auto-confirm@amazon.co.uk",
        "ship-confirm@amazon.de",
        "order-update@amazon.com",
        "do-not-reply@amazon.com",
        "donotreply@amazon.co.uk",
        "datenschutz@amazon.de",
        "marketplace-messages@amazon.co.uk",
        "no-reply@primevideo.com",
        "9kqz2x1vbd7n3fp@marketplace.amazon.co.uk",  # the marketplace's relay to a seller
    ],
)
def test_amazons_service_mailboxes_pass(tmp_path: Path, sender: str) -> None:
    review = review_changed(tmp_path, {MAIL: _order_mail(sender)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


@pytest.mark.parametrize(
    "sender",
    [
        "lukas.brandt@amazon.co.uk",
        "auto-confirm@amazon-orders.example",
        "auto-confirm@gmail.com",
        "lukas.brandt@primevideo.com",
        "9kqz2x1vbd7n3fp@marketplace.amazon-shop.example",
    ],
)
def test_a_person_or_another_domain_still_blocks(tmp_path: Path, sender: str) -> None:
    review = review_changed(tmp_path, {MAIL: _order_mail(sender)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = review.report.findings
    assert f.code == "foreign-identifier" and sender in f.detail and "cs-reply" not in f.detail


# The requester's own mailbox, however it is written


def _profile(email: str) -> str:
    return json.dumps(
        {
            "customer_id": "A1QH7RZ3N8VW2E",
            "name": "Eleanor Whitfield",
            "email": email,
            "locale": "en-GB",
        }
    )


@pytest.mark.parametrize(
    ("ticket_email", "profile_email"),
    [
        ("eleanor.whitfield@example.co.uk", "eleanor.whitfield+amazon@example.co.uk"),
        ("eleanor.whitfield+dsar@example.co.uk", "Eleanor.Whitfield@EXAMPLE.co.uk"),
        ("eleanorwhitfield@gmail.com", "eleanor.whitfield@googlemail.com"),
    ],
)
def test_the_requesters_mailbox_with_a_tag_or_gmails_dots_passes(
    tmp_path: Path, ticket_email: str, profile_email: str
) -> None:
    ticket = clean_ticket()
    ticket["requester"]["email"] = ticket_email
    review = review_changed(tmp_path, {"Account/Profile.json": _profile(profile_email)}, ticket)
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_ticket_without_an_email_takes_the_requesters_profiles(tmp_path: Path) -> None:
    ticket = clean_ticket()
    del ticket["requester"]["email"]
    review = review_changed(tmp_path, {}, ticket)
    assert review.report.verdict is Verdict.PASS, review.report.findings
    # another address in the export is still another person's
    mail = "Retail/Mail/note.txt"
    (tmp_path / "2").mkdir()
    other = review_changed(tmp_path / "2", {mail: "Reply to lukas.brandt@example.de\n"}, ticket)
    [f] = [f for f in other.report.findings if f.code == "foreign-identifier"]
    assert "lukas.brandt@example.de" in f.detail and f.members == (mail,)


@pytest.mark.parametrize(
    "profile_email",
    [
        "eleanor.whitfield2@example.co.uk",
        "eleanor.whitfield@example.com",
        "eleanor.whitfi\u0435ld@example.co.uk",  # a Cyrillic "е": another mailbox
        "jürgen.weiß@beispiel.de",  # an internationalised address
    ],
)
def test_another_mailbox_like_the_requesters_still_blocks(
    tmp_path: Path, profile_email: str
) -> None:
    review = review_changed(tmp_path, {"Account/Profile.json": _profile(profile_email)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert profile_email.casefold() in f.detail
