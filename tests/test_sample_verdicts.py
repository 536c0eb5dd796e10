"""Every committed sample request gets its expected verdict, with the offending members named.

What each case must show is in sample_archives/README.md; this runs the real review (safe
reader, checks, report) on the committed archives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.archive.review import review_request
from reviewer.domain.model import Finding, Severity, Verdict
from reviewer.domain.review import Review

SAMPLES = Path(__file__).resolve().parents[1] / "sample_archives"


def review(case: str) -> Review:
    return review_request(SAMPLES / case)


def serious(r: Review) -> list[Finding]:
    return [f for f in r.report.findings if f.severity is not Severity.INFO]


def only(r: Review, code: str) -> list[Finding]:
    return [f for f in r.report.findings if f.code == code]


def named(r: Review, code: str) -> set[str]:
    return {m for f in only(r, code) for m in f.members}


EXPECTED = {
    "clean": Verdict.PASS,
    "wrong-customer": Verdict.BLOCK,
    "mixed-records": Verdict.BLOCK,
    "previous-owner": Verdict.BLOCK,
    "unknown-device": Verdict.BLOCK,
    "third-party": Verdict.REVIEW,
    "tampered": Verdict.BLOCK,
    "hostile": Verdict.BLOCK,
    "other-layout": Verdict.PASS,
}


def test_every_sample_folder_has_an_expected_verdict() -> None:
    folders = {p.name for p in SAMPLES.iterdir() if (p / "request.json").is_file()}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_sample_gets_its_verdict(case: str) -> None:
    r = review(case)
    assert r.report.verdict is EXPECTED[case], [(f.code, f.members) for f in serious(r)]
    for f in r.report.findings:
        if f.severity is Severity.CRITICAL or f.code not in {
            "manifest-absent",
            "identity-evidence",
        }:
            assert f.members, f"{case}: {f.code} names no member"


def test_clean_passes_with_nothing_above_info() -> None:
    r = review("clean")
    assert serious(r) == []
    assert r.report.verdict is Verdict.PASS


def test_wrong_customer_blocks_and_names_the_stranger() -> None:
    r = review("wrong-customer")
    assert r.report.verdict is Verdict.BLOCK
    [f] = only(r, "wrong-customer")
    assert f.severity is Severity.CRITICAL
    assert {
        "manifest.json",
        "Account/Profile.json",
        "Alexa/VoiceHistory.csv",
        "Devices/Devices.csv",
        "Retail/OrderHistory.csv",
        "Retail/SearchHistory.csv",
    } <= set(f.members)
    assert "A2MZ8T4KQ9XR3P" in f.detail and "Lukas Brandt" in f.detail
    assert "12 recordings" in f.detail


def test_mixed_records_block_naming_exactly_the_foreign_rows_and_recordings() -> None:
    r = review("mixed-records")
    assert r.report.verdict is Verdict.BLOCK
    [f] = only(r, "foreign-records")
    assert set(f.members) == {
        "Alexa/VoiceHistory.csv",
        "Alexa/Audio/U08DC7A44E3C9BE7.wav",
        "Alexa/Audio/UABCF2613F1B3AD9.wav",
        "Retail/OrderHistory.csv",
        "Retail/SearchHistory.csv",
    }
    assert "A5RT8XK2M9QW4N" in f.detail
    assert "2 rows in Retail/OrderHistory.csv" in f.detail
    assert "1 row in Retail/SearchHistory.csv" in f.detail
    assert {g.code for g in serious(r)} <= {
        "foreign-records",
        "unknown-device",
        "foreign-identifier",
    }


def test_previous_owner_blocks_naming_the_four_early_recordings_only() -> None:
    r = review("previous-owner")
    assert r.report.verdict is Verdict.BLOCK
    assert {f.code for f in serious(r)} == {"previous-owner"}
    audio = {m for m in named(r, "previous-owner") if m.endswith(".wav")}
    assert audio == {
        f"Alexa/Audio/{u}.wav"
        for u in ("UC1C284473B48C38", "UA46C8F3C13395FB", "U39CD6B5F7C4D8B5", "U953D57BFACA01C9")
    }


def test_unknown_device_blocks_naming_the_spots_recordings() -> None:
    r = review("unknown-device")
    assert r.report.verdict is Verdict.BLOCK
    [f] = only(r, "unknown-device")
    assert "G0A0UQ0458810E1R" in f.detail
    assert {m for m in f.members if m.endswith(".wav")} == {
        f"Alexa/Audio/{u}.wav" for u in ("UD7AE71B8341167F", "UB30FC3F8E7C678D", "U779E377F6284E3C")
    }
    # The truncated recording of his own is at most a warning.
    for g in r.report.findings:
        if "UED286BAC6D13CFF" in " ".join(g.members):
            assert g.severity is not Severity.CRITICAL, g


def test_third_party_names_are_a_warning_naming_exactly_the_three() -> None:
    r = review("third-party")
    assert r.report.verdict is Verdict.REVIEW
    assert {f.code for f in serious(r)} == {"third-party-names"}
    [f] = only(r, "third-party-names")
    assert f.severity is Severity.WARNING
    for name in ("Dr. Miriam Kowalski", "Declan Murphy", "Fiona Gallagher"):
        assert name in f.detail
    assert "Chidi" not in f.detail and "Ada" not in f.detail
    assert {m for m in f.members if m.endswith(".wav")} == {
        f"Alexa/Audio/{u}.wav" for u in ("U33AC006CBA02A48", "U8B20D5D176B8309", "U06D46DA5627E38F")
    }


def test_tampered_blocks_on_each_integrity_defect() -> None:
    r = review("tampered")
    assert r.report.verdict is Verdict.BLOCK
    assert {f.code for f in serious(r)} == {
        "manifest-changed-member",
        "manifest-missing-member",
        "manifest-unlisted-member",
        "catalogue-mismatch",
    }
    assert named(r, "manifest-changed-member") == {"Retail/OrderHistory.csv"}
    assert named(r, "manifest-missing-member") == {"Alexa/Audio/UB14C6C164FB3280.wav"}
    assert named(r, "manifest-unlisted-member") == {"Retail/Wishlist.csv"}
    mismatch = only(r, "catalogue-mismatch")
    assert all("Alexa/Transcripts.pdf" in f.members for f in mismatch)
    details = " ".join(f.detail for f in mismatch)
    assert "UEFDB672B38FAC3E" in details and "U129A7516EDCD787" in details


HOSTILE_MEMBERS = {
    "zip-traversal": "../../../../tmp/dsar-reviewer-escape.txt",
    "zip-absolute-path": "/etc/cron.d/dsar-reviewer",
    "zip-symlink": "Alexa/Audio/latest.wav",
    "zip-duplicate-name": "Account/Profile.json",
    "zip-encrypted": "Retail/PaymentMethods.csv",
    "zip-bomb-ratio": "Alexa/Audio/padding.wav",
    "zip-bad-crc": "Alexa/Audio/U3D5B0B79AF0BD1B.wav",
}


@pytest.mark.parametrize("code", sorted(HOSTILE_MEMBERS))
def test_hostile_blocks_on_every_hazard(code: str) -> None:
    r = review("hostile")
    assert r.report.verdict is Verdict.BLOCK
    assert only(r, code), f"no {code} finding"
    assert all(f.severity is Severity.CRITICAL for f in only(r, code))
    assert HOSTILE_MEMBERS[code] in named(r, code)


def test_hostile_backslash_and_truncated_members_are_named() -> None:
    r = review("hostile")
    backslash = named(r, "zip-backslash") | named(r, "zip-traversal")
    assert "..\\..\\Users\\Public\\escape.bat" in backslash
    broken = named(r, "zip-truncated") | named(r, "zip-corrupt")
    assert "Devices/DeviceLog.csv" in broken


def test_other_layout_passes_on_identity_evidence() -> None:
    r = review("other-layout")
    assert r.report.verdict is Verdict.PASS, [f.code for f in serious(r)]
    assert only(r, "manifest-absent")
    assert not only(r, "unattributable-archive") and not only(r, "foreign-identifier")
    [evidence] = only(r, "identity-evidence")
    assert "account/customer.json" in evidence.members
    assert "e-mail in account/customer.json" in evidence.detail
