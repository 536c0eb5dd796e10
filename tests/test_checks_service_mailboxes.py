"""Amazon's own service mailboxes (auto-confirm@amazon.co.uk on an order mail, cs-reply@ on an
invoice or an account page) are nobody's account: the requester's export may carry them with
or without a manifest. A person's address at Amazon's domain, or a service mailbox's name at
another domain, is still someone else's.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import review_changed

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
    "sender", ["auto-confirm@amazon.co.uk", "ship-confirm@amazon.de", "order-update@amazon.com"]
)
def test_amazons_service_mailboxes_pass(tmp_path: Path, sender: str) -> None:
    review = review_changed(tmp_path, {MAIL: _order_mail(sender)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


@pytest.mark.parametrize(
    "sender",
    ["lukas.brandt@amazon.co.uk", "auto-confirm@amazon-orders.example", "auto-confirm@gmail.com"],
)
def test_a_person_or_another_domain_still_blocks(tmp_path: Path, sender: str) -> None:
    review = review_changed(tmp_path, {MAIL: _order_mail(sender)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = review.report.findings
    assert f.code == "foreign-identifier" and sender in f.detail and "cs-reply" not in f.detail
