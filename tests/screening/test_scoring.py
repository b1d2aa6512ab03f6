"""Features and the jisr-v1 algorithm: evidence moves the score the right way and is explained."""

from dataclasses import replace

import pytest

from jisr.screening import Subject, UnknownAlgorithmError, get_algorithm
from jisr.screening.features import dob_feature, document_feature, gender_feature
from jisr.screening.screener import analyze_subject

BASE = Subject("q", ("Abdelhay Salek",), birth_dates=("1980-05-17",), gender="male")


def score(query: Subject, cand: Subject) -> float:
    algorithm = get_algorithm("jisr-v1")
    return algorithm.score(query, analyze_subject(query), cand, analyze_subject(cand)).score


@pytest.mark.parametrize(
    ("other", "value_sign", "word"),
    [
        ("1980-05-17", 1, "exact"),
        ("1980", 1, "same year"),
        ("1980-01-01", 1, "same year"),  # 1 January: an unknown day
        ("1981", -1, "a year apart"),
        ("1980-05", 1, "same month"),
        ("1981-02-01", -1, "a year apart"),
        ("1980-09-03", -1, "another date"),
        ("1980-05-03", -1, "another day"),
        ("1975-05-17", -1, "conflicting"),
    ],
)
def test_dob_feature(other: str, value_sign: int, word: str) -> None:
    feature = dob_feature(BASE, replace(BASE, birth_dates=(other,)))
    assert (feature.value > 0) - (feature.value < 0) == value_sign
    assert feature.detail is not None and word in feature.detail


def test_document_and_gender_features() -> None:
    a = replace(BASE, documents=("AB 123456",))
    assert document_feature(a, replace(BASE, documents=("ab123456",))).value == 1.0
    assert document_feature(a, replace(BASE, documents=("XY999999",))).value == -1.0
    assert gender_feature(BASE, replace(BASE, gender="female")).value == -1.0


def test_evidence_moves_score() -> None:
    cand = Subject("c", ("عبد الحي سالك",), birth_dates=("1980-05-17",))
    plain = score(replace(BASE, birth_dates=()), cand)
    assert score(BASE, cand) > plain
    assert score(replace(BASE, birth_dates=("1960",)), cand) < plain
    assert (
        score(replace(BASE, documents=("X1234567",)), replace(cand, documents=("X1234567",)))
        > plain
    )


def test_explanation_names_the_aligned_parts() -> None:
    algorithm = get_algorithm("jisr-v1")
    cand = Subject("c", ("Abdul Hai SALEK",))
    result = algorithm.score(BASE, analyze_subject(BASE), cand, analyze_subject(cand))
    assert "salek (exact)" in result.explanation
    assert "transliteration variant" in result.explanation


def test_unknown_algorithm() -> None:
    with pytest.raises(UnknownAlgorithmError):
        get_algorithm("nope")
