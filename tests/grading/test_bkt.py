"""BKT update maths on hand-computed values (OATutor's formulas)."""

from __future__ import annotations

import pytest

from shared.progress import bkt

P = bkt.Params(prior=0.1, learn=0.1, slip=0.1, guess=0.1)


def test_one_correct_answer():
    # posterior = .1*.9 / (.1*.9 + .9*.1) = .5; then .5 + .5*.1 = .55
    assert bkt.update(0.1, True, P) == pytest.approx(0.55)


def test_one_incorrect_answer():
    # posterior = .1*.1 / (.1*.1 + .9*.9) = .01/.82; then + (1 - that) * .1
    posterior = 0.01 / 0.82
    assert bkt.update(0.1, False, P) == pytest.approx(posterior + (1 - posterior) * 0.1)
    assert bkt.update(0.1, False, P) == pytest.approx(0.1109756, abs=1e-7)


def test_guessing_makes_a_correct_answer_weaker_evidence():
    mcq = P.with_guess(0.25)
    # posterior = .09 / (.09 + .9*.25) = .09/.315; then + (1 - that) * .1
    posterior = 0.09 / 0.315
    assert bkt.update(0.1, True, mcq) == pytest.approx(posterior + (1 - posterior) * 0.1)
    assert bkt.update(0.1, True, mcq) < bkt.update(0.1, True, P)


def test_trace_reaches_mastery_after_a_run_of_correct_answers():
    values = [P.prior]
    for _ in range(3):
        values.append(bkt.update(values[-1], True, P))
    # .55*.9 / (.495 + .45*.1) = .91667 -> .925;  .925*.9 / (.8325 + .075*.1) = .99107 -> .99196
    assert values[1:] == pytest.approx([0.55, 0.925, 0.99196], abs=1e-5)
    assert bkt.trace([(True, 0.1)] * 3, P) == pytest.approx(values[-1])
    assert bkt.trace([], P) == P.prior


def test_mcq_guess_is_one_over_the_options_within_bounds():
    assert bkt.mcq_guess(4, 0.1) == 0.25
    assert bkt.mcq_guess(2, 0.1) == 0.5
    assert bkt.mcq_guess(20, 0.1) == 0.1
    assert bkt.mcq_guess(0, 0.1) == 0.1
