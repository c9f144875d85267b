"""Phrase mode's decision: a verified phrase only when it clearly is that phrase
(pure logic; no model needed)."""

from __future__ import annotations

import math

import pytest

from counter_app.pipeline.asr_vosk import Phrase
from counter_app.pipeline.vosk_phrases import MarginPolicy, Scored, decide, jamo

TAKE = Phrase("ticket_take", "번호표를 뽑아 주세요.", ("번호표", "를", "뽑아", "주세요"))
WAIT = Phrase("ticket_wait", "번호표를 뽑고 기다려 주세요.",
              ("번호표", "를", "뽑고", "기다려", "주세요"))
THANKS = Phrase("thanks", "감사합니다.", ("감사", "합니다"))
POLICY = MarginPolicy(fit_weight=2.0, min_similarity=86.0, min_margin=5.0)


def test_a_clear_winner_is_verified_with_its_margin():
    best, margin = decide([Scored(TAKE, 100.0, 120.0), Scored(WAIT, 80.0, 115.0)], POLICY)
    assert best is not None and best.phrase is TAKE
    assert margin == pytest.approx((100 + 240) - (80 + 230))


def test_a_thin_margin_is_not_verified():
    """Two phrases nearly as good: neither is returned as verified."""
    scored = [Scored(TAKE, 100.0, 120.0), Scored(WAIT, 96.0, 121.5)]
    best, margin = decide(scored, POLICY)
    assert best is None and margin == pytest.approx(1.0)
    # the same pair passes when the policy asks for no margin
    assert decide(scored, MarginPolicy(2.0, 86.0, 0.0))[0].phrase is TAKE


def test_the_best_fit_must_reproduce_its_own_phrase():
    """The best-scoring candidate decodes poorly as its phrase: the runner-up,
    which reproduces its phrase, is not promoted; nothing is verified."""
    scored = [Scored(WAIT, 76.0, 130.0), Scored(TAKE, 100.0, 110.0)]
    best, margin = decide(scored, POLICY)
    assert best is None and margin > POLICY.min_margin


def test_fit_weight_decides_between_similar_reproductions():
    scored = [Scored(TAKE, 100.0, 100.0), Scored(WAIT, 92.0, 110.0)]
    assert decide(scored, MarginPolicy(2.0, 86.0, 5.0))[0].phrase is WAIT  # 312 vs 300
    assert decide(scored, MarginPolicy(0.5, 86.0, 2.0))[0].phrase is TAKE  # 150 vs 147


def test_one_candidate_has_no_runner_up_and_none_gives_nothing():
    best, margin = decide([Scored(THANKS, 100.0, 90.0)], POLICY)
    assert best is not None and best.phrase is THANKS and math.isinf(margin)
    assert decide([Scored(THANKS, 85.0, 90.0)], POLICY)[0] is None  # below min_similarity
    assert decide([], POLICY) == (None, 0.0)


def test_jamo_splits_hangul_into_letters_only():
    assert jamo("감") == "\u1100\u1161\u11b7"
    assert jamo("가 A") == "\u1100\u1161 A"
