"""third-party-names in a recording's LIST/INFO tags: the tags that name a person read whole,
the Title Case ones only for a title or a call, the ones about the file not at all."""

from __future__ import annotations

import pytest
from test_checks_common import OTHER_ID, _member, clean_export, make_request

from reviewer.domain.checks import third_party
from reviewer.domain.model import ExportIndex, Severity


def _tagged(tags: str) -> ExportIndex:
    index = clean_export().build()
    index.texts["Alexa/Audio/u001.wav"] = tags
    return index


def test_names_in_a_recordings_tags_are_third_parties_as_in_a_transcript() -> None:
    """A recording's tags naming someone outside the household: the same finding a
    transcript naming them gives, on that recording; the requester, the household and what a
    tag says of the file itself are no third party."""
    b = clean_export()
    b.record("x1", customer=OTHER_ID)
    index = b.build()
    index.texts["Alexa/Audio/u001.wav"] = "IART: Lukas Brandt\nISFT: Sound Forge Pro"
    index.texts["Alexa/Audio/u002.wav"] = "IART: Anna Weber\nICMT: Jonas Weber, Voice recording"
    index.texts["Alexa/Audio/u003.wav"] = "IPRD: Echo Dot\nICOP: Amazon Europe Core"
    index.texts["Alexa/Audio/x1.wav"] = "IART: Peter Lange"  # another account's: critical
    index.members.append(_member("Alexa/Audio/stray.wav", b"RIFF"))
    index.texts["Alexa/Audio/stray.wav"] = "IENG: Klaus Becker"
    [f] = third_party.check(make_request(), index)
    assert (f.code, f.severity) == ("third-party-names", Severity.WARNING)
    assert f.subjects == ("Klaus Becker", "Lukas Brandt")
    assert f.members == ("Alexa/Audio/u001.wav", "Alexa/Audio/stray.wav")
    assert '"Lukas Brandt" (u001)' in f.detail and "tags" in f.title
    # a name in a transcript and one in a tag: both, each with its own members
    index = clean_export().record("t1", text="Alexa, call Peter Lange").build()
    index.texts["Alexa/Audio/u001.wav"] = "ICOP: Lukas Brandt"
    [f] = third_party.check(make_request(), index)
    assert f.members == (
        "Alexa/Transcripts.pdf",
        "Alexa/VoiceHistory.csv",
        "Alexa/Audio/u001.wav",
        "Alexa/Audio/t1.wav",
    )
    assert set(f.subjects) == {"Lukas Brandt", "Peter Lange"}


@pytest.mark.parametrize(
    "tags",
    [
        "IART: lukas brandt",
        "IART: LUKAS BRANDT",
        "IART: Brandt, Lukas",
        "ICOP: Lukas Brandt",
        "ICOP: Copyright 2018 Lukas Brandt",
        "ITCH: Anna Weber & Lukas Brandt",
        "IART: L. Brandt",
        "ICOP: Lukas Brandt 2018",
        "IART: Lukas Brandt (guest)",
        "IART: Roland Brandt",
        "IART: Al Brandt",
        "ICMT: please call Lukas Brandt back",
        "ISBJ: Termin bei Dr. Brandt",
        "IART: Dr. Lukas Brandt",
        "IART: Lukas M. Brandt",
        "IART: Lukas Johann Peter Brandt",
        "IART: Jonas Weber, Lukas Brandt",
        "IART: Brandt, Lukas M.",
    ],
)
def test_a_stranger_in_a_tag_is_found_however_it_is_written(tags: str) -> None:
    [f] = third_party.check(make_request(), _tagged(tags))
    assert f.members == ("Alexa/Audio/u001.wav",)
    assert any("Brandt" in name for name in f.subjects), f.subjects


def test_names_with_particles_and_accents_in_a_person_tag() -> None:
    for tags, name in [
        ("IART: Pieter van der Berg", "Pieter van der Berg"),
        ("IART: José María García", "José María García"),
        ("ICOP: Müller-Lüdenscheidt, Hans", "Hans Müller-Lüdenscheidt"),
        ("IENG: SIOBHÁN O'BRIEN", "Siobhán O'brien"),
    ]:
        [f] = third_party.check(make_request(), _tagged(tags))
        assert f.subjects == (name,), tags


@pytest.mark.parametrize(
    "tags",
    [
        "INAM: Living Room Echo",
        "INAM: Morning Routine",
        "INAM: Lister Meile",  # the requester's street
        "ISBJ: Weather Forecast Request",
        "ICMT: Wake Word Detected",
        "ICMT: Voice Request from Kitchen Echo",
        "ICMT: Transcoded by Media Convert",
        "IKEY: Smart Home; Voice Assistant",
        "IART: Alexa Voice Service",
        "IART: Unknown Speaker",
        "IART: Weber Family",
        "IART: Amazon Digital Services",
        "ICMS: Amazon Web Services",
        "ITCH: Audio Services Pipeline",
        "ITCH: Sound Forge Pro",
        "IART: Jonas Weber",
        "IART: weber, jonas",
        "IENG: Anna Weber and Jonas Weber",
        "ISFT: Lavf58.76.100",
        "IPRD: Echo Dot (3rd Gen)",
        "IART: Anna W.",  # the household, by first name and initial
        "ISRC: Living Room",
        "IART: Guest Mode",
        "IART: Whitfield Household",
        "IART: Recorded by Jonas Weber",
        "IART: Jonas Weber Kitchen",
        "IART: Jonas Weber, Hannover",
        "IENG: Nuance Communications",
        "IART: Jonas Peter Weber",  # the requester, with a middle name
        "IART: Blue Yeti",
        "IART: Zoom Corporation",
        "IART: Rode Microphones",
        "ISRC: Far-field Microphone Array",
        "IENG: Automatic Speech Recognition",
        "ITCH: Cloud Transcoder",
        "ICMS: Customer Request",
        "ICOP: (c) 2018 Amazon.com Services LLC",
    ],
)
def test_tags_that_name_no_stranger_pass(tags: str) -> None:
    """Tags are written in Title Case: a title, a subject or a comment names someone only
    with a title or a call; a person tag that is an organisation, the requester or the
    household names no third party."""
    assert third_party.check(make_request(), _tagged(tags)) == []
