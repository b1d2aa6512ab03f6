"""Peer matchers scored on the same data: nomenklatura ``logic-v2`` and ``name-based``, and a
plain ICU transliteration + rapidfuzz baseline. Each is a pairwise ``(query, listed) -> score``."""

from __future__ import annotations

from collections.abc import Callable

import icu
from followthemoney import EntityProxy, model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig
from rapidfuzz import fuzz

from jisr.screening import Subject, SubjectKind

PairScorer = Callable[[Subject, Subject], float]
# The thresholds each peer is used with by default (yente's default cut-off is 0.7).
PEER_THRESHOLDS = {"logic-v2": 0.7, "name-based": 0.7, "icu+rapidfuzz": 0.85}


def to_entity(subject: Subject) -> EntityProxy:
    schema = "Person" if subject.kind is SubjectKind.PERSON else "Organization"
    entity = model.make_entity(schema)
    # nomenklatura caches analyses by entity id: make ids unique across data sets.
    entity.id = f"{subject.id}-{abs(hash(subject))}"
    entity.add("name", list(subject.names))
    if schema == "Person":
        entity.add("birthDate", list(subject.birth_dates), quiet=True)
        entity.add("nationality", list(subject.nationalities), quiet=True)
        if subject.gender:
            entity.add("gender", subject.gender, quiet=True)
        entity.add("passportNumber", list(subject.documents), quiet=True)
    else:
        entity.add("country", list(subject.nationalities), quiet=True)
    return entity


def nomenklatura_scorer(name: str) -> PairScorer:
    algorithm = get_algorithm(name)
    if algorithm is None:
        raise ValueError(name)
    config = ScoringConfig(weights={}, config={k: v.default for k, v in algorithm.CONFIG.items()})
    cache: dict[Subject, EntityProxy] = {}

    def entity(subject: Subject) -> EntityProxy:
        if subject not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[subject] = to_entity(subject)
        return cache[subject]

    def score(query: Subject, listed: Subject) -> float:
        return float(algorithm.compare(entity(query), entity(listed), config).score)

    return score


_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")


def icu_rapidfuzz(query: Subject, listed: Subject) -> float:
    """Transliterate both names to ASCII with ICU and compare with token-sort ratio."""
    best = 0.0
    for a in query.names:
        for b in listed.names:
            ratio = fuzz.token_sort_ratio(_LATIN.transliterate(a), _LATIN.transliterate(b))
            best = max(best, ratio / 100.0)
    return best


def peers() -> dict[str, PairScorer]:
    return {
        "logic-v2": nomenklatura_scorer("logic-v2"),
        "name-based": nomenklatura_scorer("name-based"),
        "icu+rapidfuzz": icu_rapidfuzz,
    }
