"""Acceptance sampling: exact hypergeometric maths, and a reproducible stratified draw."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.sampling import (
    Candidate,
    Sample,
    draw_sample,
    miss_probability,
    sample_size,
    upper_bound,
)

SHA_A = "a" * 64
SHA_B = "b" * 64


def miss_by_product(N: int, D: int, n: int) -> Fraction:
    """P(no foreign in n draws without replacement), as the product of per-draw chances."""
    p = Fraction(1)
    for i in range(n):
        p *= Fraction(N - D - i, N - i) if N - D - i > 0 else Fraction(0)
    return p


def miss_by_enumeration(N: int, D: int, n: int) -> Fraction:
    """Count every n-subset of N items (the first D foreign) that holds no foreign one."""
    clean = sum(1 for combo in itertools.combinations(range(N), n) if min(combo, default=N) >= D)
    return Fraction(clean, math.comb(N, n))


@pytest.mark.parametrize(
    "N,D,n", [(10, 1, 3), (10, 3, 4), (12, 2, 0), (9, 9, 1), (11, 0, 5), (8, 4, 5)]
)
def test_miss_probability_equals_enumeration(N: int, D: int, n: int) -> None:
    assert miss_probability(N, D, n) == miss_by_enumeration(N, D, n)


@given(N=st.integers(1, 400), data=st.data())
@settings(max_examples=200, deadline=None)
def test_miss_probability_equals_product_form(N: int, data: st.DataObject) -> None:
    D = data.draw(st.integers(0, N))
    n = data.draw(st.integers(0, N))
    assert miss_probability(N, D, n) == miss_by_product(N, D, n)


@pytest.mark.parametrize("N", [1, 2, 7, 20, 59, 100, 1700, 5000])
@pytest.mark.parametrize("p,c", [(0.05, 0.95), (0.01, 0.99), (0.1, 0.9), (0.02, 0.95)])
def test_sample_size_is_the_smallest_that_meets_the_confidence(N: int, p: float, c: float) -> None:
    n = sample_size(N, p, c)
    D = max(1, math.ceil(p * N - 1e-9))
    alpha = 1 - Fraction(c).limit_denominator(10**9)
    assert miss_by_product(N, D, n) <= alpha
    if n > 0:
        assert miss_by_product(N, D, n - 1) > alpha
    # Without replacement never needs more draws than the binomial (with replacement) rule.
    if D < N:
        assert n <= math.ceil(math.log(1 - c) / math.log(1 - D / N))
    else:
        assert n == 1  # everything foreign: one look is enough


def test_incident_scale_sample_is_small_and_shrinks_with_a_laxer_policy() -> None:
    strict = sample_size(1700, 0.05, 0.95)
    lax = sample_size(1700, 0.10, 0.90)
    assert 0 < lax < strict < 60


@given(N=st.integers(1, 300), n_frac=st.floats(0, 1), c=st.sampled_from([0.9, 0.95, 0.99]))
@settings(max_examples=150, deadline=None)
def test_upper_bound_is_the_smallest_count_the_draw_would_likely_catch(
    N: int, n_frac: float, c: float
) -> None:
    n = round(N * n_frac)
    k = upper_bound(N, n, c)
    alpha = 1 - Fraction(c).limit_denominator(10**9)
    if k <= N:
        assert miss_probability(N, k, n) <= alpha
        if k > 1:
            assert miss_probability(N, k - 1, n) > alpha
    else:
        assert miss_probability(N, N, n) > alpha


def _pool(
    n: int, devices: int = 3, months: int = 4, flagged: set[int] | None = None
) -> list[Candidate]:
    return [
        Candidate(
            member=f"Alexa/Audio/{i:05d}.wav",
            device=f"DEV{i % devices}",
            month=f"2018-{1 + (i // devices) % months:02d}",
            duration_s=2.0,
            utterance_id=f"u{i}",
            has_transcript=True,
            flagged=i in (flagged or set()),
        )
        for i in range(n)
    ]


def test_draw_is_reproducible_from_the_archive_hash_and_differs_for_other_bytes() -> None:
    pool = _pool(1700)
    first = draw_sample(pool, SHA_A)
    again = draw_sample(list(reversed(pool)), SHA_A)
    other = draw_sample(pool, SHA_B)
    assert first.members == again.members
    assert set(first.members) != set(other.members)
    assert first.drawn == sample_size(1700, 0.05, 0.95)


def test_every_flagged_recording_is_in_the_sample_on_top_of_the_draw() -> None:
    flagged = {3, 500, 1699}
    s = draw_sample(_pool(1700, flagged=flagged), SHA_A)
    flagged_members = {f"Alexa/Audio/{i:05d}.wav" for i in flagged}
    assert flagged_members <= set(s.members)
    assert {i.member for i in s.items if i.reason == "flagged"} == flagged_members
    assert s.drawn == sample_size(1700 - 3, 0.05, 0.95)
    assert len(set(s.members)) == s.size == 3 + s.drawn


def test_draw_covers_every_device_and_month_stratum() -> None:
    pool = _pool(1200, devices=3, months=4)  # 12 strata of 100
    s = draw_sample(pool, SHA_A)
    strata = {(c.device, c.month) for c in pool}
    assert {(i.device, i.month) for i in s.items} == strata


def test_small_exports_are_inspected_whole() -> None:
    s = draw_sample(_pool(5), SHA_A)
    assert s.size == 5
    assert s.plan() == "sample: all 5 recordings (the whole export)"
    assert s.statement(0) == "0 of 5 sampled recordings inspected"
    assert s.statement(4) == "4 of 5 sampled recordings inspected"
    assert s.statement(5) == (
        "all 5 recordings inspected (the sample is the whole export), 0 marked foreign"
    )
    empty = draw_sample([], SHA_A)
    assert empty.plan() == empty.statement(0) == "no recordings in this export: nothing to sample"


def test_statement_puts_the_evidence_in_words() -> None:
    s = draw_sample(_pool(1700), SHA_A)
    k = upper_bound(1700, s.drawn, 0.95)
    assert s.statement(s.size - 1) == f"{s.size - 1} of {s.size} sampled recordings inspected"
    assert (
        s.statement(s.size)
        == f"{s.size} of 1700 inspected, 0 marked foreign: with 95% confidence fewer than {k} are"
    )
    assert s.plan() == (
        f"sample: {s.size} of 1700 recordings (0 flagged, {s.drawn} drawn), "
        "for 95% confidence of hearing a foreign one if 5% or more are"
    )
    assert k <= math.ceil(0.05 * 1700)


def test_sample_survives_a_round_trip_through_json() -> None:
    s = draw_sample(_pool(300, flagged={7}), SHA_A, confidence=0.99, min_foreign_fraction=0.02)
    from reviewer.domain.sampling import Sample

    assert Sample.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("p,c", [(0, 0.95), (0.05, 1.0), (1.5, 0.9), (0.05, 0)])
def test_nonsense_policy_is_refused(p: float, c: float) -> None:
    with pytest.raises(ValueError):
        sample_size(100, p, c)


def test_statement_never_says_none_foreign_while_a_critical_finding_stands() -> None:
    from reviewer.domain.model import Finding, Severity

    pool = _pool(9, flagged={0, 1, 2})
    s = draw_sample(pool, SHA_A)
    assert s.is_whole and s.size == 9
    foreign = Finding(
        "unknown-device",
        Severity.CRITICAL,
        "Recordings from device G0X not registered to the requester",
        "3 recordings.",
        tuple(f"Alexa/Audio/{i:05d}.wav" for i in (0, 1, 2)),
    )
    assert s.statement(9, [foreign]) == (
        "all 9 recordings inspected (the sample is the whole export); 3 of them named by a "
        "critical finding: Recordings from device G0X not registered to the requester"
    )
    # A critical finding naming no recording (another customer's account data) still
    # forbids the conclusion.
    other = Finding("wrong-customer", Severity.CRITICAL, "Export belongs to another customer", "")
    assert s.statement(9, [other]) == (
        "all 9 recordings inspected (the sample is the whole export); no conclusion on foreign "
        "recordings while a critical finding stands: Export belongs to another customer"
    )
    assert "2 critical findings stand" in s.statement(9, [other, other])
    # Until every sampled recording is inspected: the bare count, findings or not.
    assert s.statement(8, [foreign]) == "8 of 9 sampled recordings inspected"
    # Warnings were acknowledged by the signer: they do not stop the conclusion.
    warning = Finding("third-party-names", Severity.WARNING, "Names", "", foreign.members)
    assert (
        s.statement(9, [warning])
        == s.statement(9)
        == ("all 9 recordings inspected (the sample is the whole export), 0 marked foreign")
    )


def test_statement_of_a_partial_sample_with_a_critical_finding() -> None:
    from reviewer.domain.model import Finding, Severity

    s = draw_sample(_pool(1700, flagged={3}), SHA_A)
    crit = Finding(
        "previous-owner", Severity.CRITICAL, "Before the requester", "", ("Alexa/Audio/00003.wav",)
    )
    said = s.statement(s.size, [crit])
    assert (
        said
        == f"{s.size} of 1700 inspected; 1 of them named by a critical finding: Before the requester"
    )
    assert "marked foreign" not in said and "confidence" not in said


def test_recordings_with_no_audio_file_are_counted_and_named_in_every_statement() -> None:
    s = draw_sample(_pool(8), SHA_A, without_audio=["U-MISSING-1"])
    assert s.recordings == 9 and s.population == 8 and s.size == 8
    assert s.plan() == (
        "sample: all 8 recordings with audio "
        "(the whole export; 1 of 9 has no audio file: U-MISSING-1)"
    )
    assert s.statement(3) == "3 of 8 sampled recordings inspected"
    assert s.statement(8) == (
        "all 8 recordings with audio inspected (the sample is the whole export; "
        "1 of 9 has no audio file: U-MISSING-1), 0 marked foreign"
    )
    big = draw_sample(_pool(1700), SHA_A, without_audio=[f"U-{i}" for i in range(5)])
    assert big.statement(big.size).startswith(
        f"{big.size} of 1700 recordings with audio inspected "
        "(5 of 1705 have no audio file: U-0, U-1, U-2, …), 0 marked foreign: with 95% confidence"
    )
    # Stored and read back, the sample says the same.
    assert Sample.from_dict(big.to_dict()) == big
    nothing = draw_sample([], SHA_A, without_audio=["U-A", "U-B"])
    assert (
        nothing.plan()
        == nothing.statement(0)
        == (
            "no audio files in this export: nothing to sample (2 of 2 have no audio file: U-A, U-B)"
        )
    )
