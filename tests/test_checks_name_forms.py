"""The requester's name as other systems write it: without its accents, its umlauts spelled
out, with a middle initial. None of these is another person; another name still is.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cleancopy import clean_ticket, review_changed

from reviewer.domain.model import Verdict
from reviewer.domain.review import Review

REQ_ID = "A1QH7RZ3N8VW2E"


def _profile(name: str) -> str:
    return json.dumps(
        {
            "customer_id": REQ_ID,
            "name": name,
            "email": "eleanor.whitfield@example.co.uk",
            "locale": "en-GB",
        }
    )


def _review(tmp_path: Path, ticket_name: str, profile_name: str) -> Review:
    """The clean export reviewed for a requester of `ticket_name` whose profile names
    `profile_name`."""
    ticket = clean_ticket()
    ticket["requester"]["name"] = ticket_name
    return review_changed(tmp_path, {"Account/Profile.json": _profile(profile_name)}, ticket)


@pytest.mark.parametrize(
    ("ticket_name", "profile_name"),
    [
        ("Éléonore Whitfield", "Eleonore Whitfield"),  # accents stripped by the pipeline
        ("Eleonore Whitfield", "Éléonore Whitfield"),  # accents the ticket lacks
        ("Jürgen Weiß", "Juergen Weiss"),  # umlauts and ß spelled out
        ("Jürgen Weiß", "Jurgen Weiss"),
        ("Eleanor Whitfield", "Eleanor J. Whitfield"),  # a middle initial
        ("Eleanor Whitfield", "WHITFIELD, Eleanor"),
    ],
)
def test_the_requesters_name_written_otherwise_passes(
    tmp_path: Path, ticket_name: str, profile_name: str
) -> None:
    review = _review(tmp_path, ticket_name, profile_name)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize("profile_name", ["Eleanor Whitman", "Gary Hollis", "Jürgen Whitfield"])
def test_another_name_in_the_profile_still_blocks(tmp_path: Path, profile_name: str) -> None:
    review = review_changed(tmp_path, {"Account/Profile.json": _profile(profile_name)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert profile_name in f.detail and f.members == ("Account/Profile.json",)


@pytest.mark.parametrize(
    ("ticket_name", "profile_name"),
    [
        ("Lotte van der Berg", "van der Berg, Lotte"),  # surname first, particles with it
        ("Lotte van der Berg", "Berg, Lotte van der"),  # as a Dutch directory sorts it
        ("Ludwig van Beethoven", "VAN BEETHOVEN Ludwig"),
    ],
)
def test_a_name_with_particles_written_surname_first_passes(
    tmp_path: Path, ticket_name: str, profile_name: str
) -> None:
    review = _review(tmp_path, ticket_name, profile_name)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    ("ticket_name", "profile_name"),
    [
        ("Lotte van der Berg", "Lotte Vanderberg"),  # the particles joined to the surname
        ("Lotte van der Berg", "VANDERBERG, Lotte"),
        ("Lotte van der Berg", "Lotte Van-der-Berg"),
        ("Jean-Luc Picard", "Jean Luc Picard"),  # a hyphen left out
        ("Seán O'Brien", "Sean OBrien"),  # an apostrophe left out
        ("Mary Ann Keller", "Maryann Keller"),
        ("Eleanor Jane Whitfield", "Eleanor Whitfield"),  # the ticket's middle name left out
        ("Eleanor Jane Whitfield", "Whitfield, Eleanor"),
        ("Sofía García Romero", "Sofía García"),  # the second surname left out
        ("Whitfield", "Eleanor Whitfield"),  # a ticket that names the requester by one word
        ("Eleanor", "Mrs Eleanor Whitfield"),
    ],
)
def test_a_name_written_joined_or_apart_or_in_full_passes(
    tmp_path: Path, ticket_name: str, profile_name: str
) -> None:
    review = _review(tmp_path, ticket_name, profile_name)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    "profile_name",
    ["van der Berg, Pieter", "Lotte Berg", "Berg, Lotte", "Pieter Vanderberg", "Lotte Vandenberg"],
)
def test_a_name_with_particles_written_another_way_still_blocks(
    tmp_path: Path, profile_name: str
) -> None:
    review = _review(tmp_path, "Lotte van der Berg", profile_name)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert profile_name in f.detail


@pytest.mark.parametrize("profile_name", ["Eleanor Whitman", "Jane Hollis", "Eleanor Hollis"])
def test_a_fuller_ticket_name_does_not_cover_other_names(tmp_path: Path, profile_name: str) -> None:
    review = _review(tmp_path, "Eleanor Jane Whitfield", profile_name)
    assert review.report.verdict is Verdict.BLOCK, profile_name


@pytest.mark.parametrize("profile_name", ["Gary Hollis", "Whitfield Eleanor-Jones Smith"])
def test_a_one_word_ticket_name_does_not_cover_other_names(
    tmp_path: Path, profile_name: str
) -> None:
    review = _review(tmp_path, "Eleanor", profile_name)
    assert review.report.verdict is Verdict.BLOCK, profile_name


@pytest.mark.parametrize("profile_name", ["van der Berg, Pieter", "Lotte Berg", "Berg, Lotte"])
def test_another_name_with_particles_still_blocks(tmp_path: Path, profile_name: str) -> None:
    review = _review(tmp_path, "Lotte van der Berg", profile_name)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert profile_name in f.detail


@pytest.mark.parametrize(
    ("ticket_name", "profile_name"),
    [
        ("Dmitri Ivanov", "Дмитрий Иванов"),  # the account kept in Cyrillic
        ("Dmitriy Ivanov", "Иванов, Дмитрий"),
        ("Дмитрий Иванов", "Dmitry Ivanov"),  # the ticket in Cyrillic
        ("Georgios Papadopoulos", "Γιώργος Παπαδόπουλος"),
        ("Aleksandr Pushkin", "Александр Пушкин"),
    ],
)
def test_the_requesters_name_in_another_script_passes(
    tmp_path: Path, ticket_name: str, profile_name: str
) -> None:
    review = _review(tmp_path, ticket_name, profile_name)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize("profile_name", ["Сергей Петров", "Дмитрий Петров", "Νίκος Ιβάνοφ"])
def test_another_name_in_another_script_still_blocks(tmp_path: Path, profile_name: str) -> None:
    review = _review(tmp_path, "Dmitri Ivanov", profile_name)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert profile_name in f.detail


@pytest.mark.parametrize(
    "profile_name",
    [
        "Mrs Eleanor Whitfield",
        "Eleanor Jane Whitfield",
        "E. Whitfield",
        "Whitfield, E.",
        "Ελεανόρ Ουίτφιλντ",
    ],
)
def test_a_form_of_address_a_middle_name_an_initial_or_greek_letters_pass(
    tmp_path: Path, profile_name: str
) -> None:
    review = review_changed(tmp_path, {"Account/Profile.json": _profile(profile_name)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


@pytest.mark.parametrize(
    "profile_name", ["Mrs Eleanor Brandt", "Edward Jane Whitfield", "L. Whitfield", "Eleanor B."]
)
def test_another_first_or_last_name_still_blocks(tmp_path: Path, profile_name: str) -> None:
    review = review_changed(tmp_path, {"Account/Profile.json": _profile(profile_name)})
    assert review.report.verdict is Verdict.BLOCK
    assert [f.code for f in review.report.findings] == ["foreign-identifier"]
