"""Scoring algorithms, looked up by a stable name.

An algorithm turns a query and one listed subject (with their analysed names) into a score
0-1 and an explanation. ``jisr-v1`` scores the best-aligned pair of names, then moves that
score up or down by the features in its declarative weight table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from jisr.screening.alignment import NameAlignment, align_names
from jisr.screening.features import (
    Feature,
    FeatureFunction,
    dob_feature,
    document_feature,
    gender_feature,
    kind_feature,
    nationality_feature,
)
from jisr.screening.model import Subject
from jisr.screening.name_features import (
    NameFeatureFunction,
    common_parts_feature,
    short_name_feature,
)
from jisr.screening.names import NameForm

# Bounds on the score are compared with this margin, so that a rounding never drops a pair.
_EPSILON = 1e-9
# A date of birth agreeing to the month (0.7) or the same document (1.0) corroborates a name.
_CORROBORATES = 0.7


class UnknownAlgorithmError(KeyError):
    """No scoring algorithm is registered under that name."""


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    name: str
    explanation: str
    features: dict[str, float]


class ScoringAlgorithm(Protocol):
    """What the screener needs from an algorithm."""

    name: str

    def score(
        self,
        query: Subject,
        query_names: Sequence[NameForm],
        cand: Subject,
        cand_names: Sequence[NameForm],
    ) -> Scored: ...

    def score_at_least(
        self,
        query: Subject,
        query_names: Sequence[NameForm],
        cand: Subject,
        cand_names: Sequence[NameForm],
        limit: float,
    ) -> Scored | None:
        """``score``, or None as soon as the score cannot reach ``limit`` (then no feature
        is computed nor explanation written)."""
        ...


@dataclass(frozen=True, slots=True)
class FeatureWeight:
    """``support`` scales a positive feature value, ``against`` a negative one."""

    name: str
    function: FeatureFunction
    support: float
    against: float
    # Whether a strong agreement (value >= 0.7) lifts the name-evidence features.
    corroborates: bool = False


@dataclass(frozen=True, slots=True)
class NameFeatureWeight:
    """A feature of the name alignment itself; only ever counts against (``against``)."""

    name: str
    function: NameFeatureFunction
    against: float


def best_name(
    query_names: Sequence[NameForm], cand_names: Sequence[NameForm]
) -> tuple[NameAlignment, NameForm | None]:
    """Name: the best alignment between any name of the query and any name of the listing;
    each part is matched exactly, as a transliteration variant, phonetically, with a typo, as
    an initial, or found missing."""
    best = NameAlignment(0.0, ())
    best_form: NameForm | None = None
    for q in query_names:
        for c in cand_names:
            alignment = align_names(q, c)
            if alignment.score > best.score:
                best, best_form = alignment, c
    return best, best_form


class JisrV1:
    """Names aligned part by part across scripts, adjusted by birth date, nationality, gender
    and identity documents."""

    name = "jisr-v1"
    # A perfect name resting on one part or on common parts only (unless the birth date or a
    # document corroborates it), a birth date more than a year off, or a person against an
    # organisation: each alone takes the score well below the threshold.
    WEIGHTS: tuple[FeatureWeight, ...] = (
        FeatureWeight("dob", dob_feature, support=0.08, against=0.35, corroborates=True),
        FeatureWeight("nationality", nationality_feature, support=0.02, against=0.06),
        FeatureWeight("gender", gender_feature, support=0.0, against=0.2),
        FeatureWeight("document", document_feature, support=0.4, against=0.08, corroborates=True),
        FeatureWeight("kind", kind_feature, support=0.0, against=0.3),
    )
    NAME_WEIGHTS: tuple[NameFeatureWeight, ...] = (
        NameFeatureWeight("short_name", short_name_feature, against=0.25),
        NameFeatureWeight("common_parts", common_parts_feature, against=0.25),
    )

    def __init__(self) -> None:
        # The features by the support they can add, each with the most the later ones can.
        order = sorted(self.WEIGHTS, key=lambda w: -w.support)
        self._by_support = [
            (w, sum(later.support for later in order[i + 1 :])) for i, w in enumerate(order)
        ]

    def score(
        self,
        query: Subject,
        query_names: Sequence[NameForm],
        cand: Subject,
        cand_names: Sequence[NameForm],
    ) -> Scored:
        scored = self._score(query, query_names, cand, cand_names, None)
        if scored is None:  # pragma: no cover - without a limit every pair is scored
            raise RuntimeError("unscored pair")
        return scored

    def score_at_least(
        self,
        query: Subject,
        query_names: Sequence[NameForm],
        cand: Subject,
        cand_names: Sequence[NameForm],
        limit: float,
    ) -> Scored | None:
        return self._score(query, query_names, cand, cand_names, limit)

    def _score(
        self,
        query: Subject,
        query_names: Sequence[NameForm],
        cand: Subject,
        cand_names: Sequence[NameForm],
        limit: float | None,
    ) -> Scored | None:
        # The facts beside the name first, the one that can add most first: they are cheap,
        # and as soon as even a perfect name (1.0) with every fact still to come at its best
        # cannot reach the limit, the pair is dropped before its names are aligned.
        # Name-evidence features only ever count against, so this is a bound on the score.
        floor = limit - _EPSILON if limit is not None and limit > 0 else None
        found: dict[str, tuple[Feature, float]] = {}
        facts = 0.0
        for weight, still_to_come in self._by_support:
            feature = weight.function(query, cand)
            if feature.detail is not None:
                contribution = feature.value * (
                    weight.support if feature.value > 0 else weight.against
                )
                found[weight.name] = (feature, contribution)
                facts += contribution
            if floor is not None and 1.0 + facts + still_to_come < floor:
                return None
        alignment, form = best_name(query_names, cand_names)
        if floor is not None and alignment.score + facts < floor:
            return None
        total = alignment.score
        features = {"name": alignment.score}
        evidence: list[str] = []
        corroborated = False
        for weight in self.WEIGHTS:
            if weight.name not in found:
                continue
            feature, contribution = found[weight.name]
            features[weight.name] = contribution
            total += contribution
            evidence.append(feature.detail or "")
            corroborated |= weight.corroborates and feature.value >= _CORROBORATES
        name_evidence: list[str] = []
        for name_weight in self.NAME_WEIGHTS:
            said = name_weight.function(query, cand, alignment, corroborated)
            if said.detail is not None:
                features[name_weight.name] = said.value * name_weight.against
                total += features[name_weight.name]
                name_evidence.append(said.detail)
        score = min(1.0, max(0.0, total))
        if limit is not None and score < limit:
            return None
        # The explanation is written only for a pair that is reported.
        sentences = [f"name {alignment.score:.2f}: {alignment.describe()}", *name_evidence]
        sentences.extend(evidence)
        return Scored(
            score=score,
            name=form.text if form is not None else (cand.names[0] if cand.names else ""),
            explanation="; ".join(sentences),
            features=features,
        )


_REGISTRY: dict[str, ScoringAlgorithm] = {JisrV1.name: JisrV1()}


def get_algorithm(name: str) -> ScoringAlgorithm:
    """The algorithm registered under ``name`` (``UnknownAlgorithmError`` otherwise)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownAlgorithmError(name) from None


def algorithm_names() -> list[str]:
    return sorted(_REGISTRY)
