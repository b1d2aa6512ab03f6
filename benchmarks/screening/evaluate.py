"""Screening quality: precision, recall, F1 and false positives per innocent traveller.

``python -m benchmarks.screening.evaluate [--quick] [--size N]``

For every data set, jisr screens each query end to end (index + scoring). The peers are
pairwise matchers; they score each listed person's query against the true listing, and each
innocent traveller against the same candidates jisr's index proposed (the peers would
otherwise have to compare every traveller with the whole list). Each algorithm is shown at its
default threshold and at the threshold that maximises F1 in this run.

False positives per innocent traveller are shown for all innocents (``FP/trav``) and, where a
data set marks them, split into exact-full-name namesakes of a listed person (``FP/nsk``: with
the name alone, or a birth year alone, no matcher can tell them apart) and all the others
(``FP/oth``, the figure the targets are about).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.screening import datasets
from benchmarks.screening.peers import PEER_THRESHOLDS, PairScorer, peers
from jisr.screening import DEFAULT_THRESHOLD, Screener, get_algorithm
from jisr.screening.screener import analyze_subject

PEER_CANDIDATES = 10


@dataclass
class Scores:
    """Per positive query: the score of the true listing; per innocent: the best score."""

    positives: list[float]
    innocents: list[float]
    # Per innocent: an exact-full-name namesake of a listed person.
    namesake: list[bool] = field(default_factory=list)


@dataclass
class Metrics:
    threshold: float
    precision: float
    recall: float
    f1: float
    fp_rate: float
    fp_others: float
    fp_namesakes: float


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def metrics_at(scores: Scores, threshold: float) -> Metrics:
    tp = sum(1 for s in scores.positives if s >= threshold)
    flags = scores.namesake or [False] * len(scores.innocents)
    fp_namesakes = sum(
        1 for s, n in zip(scores.innocents, flags, strict=True) if n and s >= threshold
    )
    fp = sum(1 for s in scores.innocents if s >= threshold)
    namesakes = sum(flags)
    recall = _rate(tp, len(scores.positives))
    precision = tp / (tp + fp) if tp + fp else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Metrics(
        threshold,
        precision,
        recall,
        f1,
        _rate(fp, len(scores.innocents)),
        _rate(fp - fp_namesakes, len(scores.innocents) - namesakes),
        _rate(fp_namesakes, namesakes),
    )


def best_f1(scores: Scores) -> Metrics:
    grid = [i / 100 for i in range(30, 100)]
    return max((metrics_at(scores, t) for t in grid), key=lambda m: (m.f1, m.threshold))


def screen_dataset(data: datasets.Dataset, scorers: dict[str, PairScorer]) -> dict[str, Scores]:
    screener = Screener(data.listed)
    listed = {s.id: s for s in data.listed}
    out = {name: Scores([], []) for name in ["jisr-v1", *scorers]}
    for query, truth in data.positives:
        matches = screener.check(query, threshold=0.0, top=50)
        out["jisr-v1"].positives.append(
            next((m.score for m in matches if m.entity_id == truth), 0.0)
        )
        for name, scorer in scorers.items():
            out[name].positives.append(scorer(query, listed[truth]))
    for query in data.innocents:
        for name in out:
            out[name].namesake.append(query.id in data.namesakes)
        matches = screener.check(query, threshold=0.0, top=1)
        out["jisr-v1"].innocents.append(matches[0].score if matches else 0.0)
        candidates = screener.candidates(query)[:PEER_CANDIDATES]
        for name, scorer in scorers.items():
            out[name].innocents.append(max((scorer(query, c) for c in candidates), default=0.0))
    return out


def pair_scores(cases: datasets.PairCases, scorers: dict[str, PairScorer]) -> dict[str, Scores]:
    algorithm = get_algorithm("jisr-v1")
    out = {name: Scores([], []) for name in ["jisr-v1", *scorers]}
    for left, right, is_match in cases.pairs:
        jisr = algorithm.score(left, analyze_subject(left), right, analyze_subject(right)).score
        values = {"jisr-v1": jisr} | {n: s(left, right) for n, s in scorers.items()}
        for name, value in values.items():
            (out[name].positives if is_match else out[name].innocents).append(value)
    return out


def report(title: str, results: dict[str, Scores], pairwise: bool = False) -> None:
    print(f"\n## {title}")
    namesakes = sum(next(iter(results.values())).namesake)
    if namesakes:
        print(f"({namesakes} innocents are exact-full-name namesakes of a listed person)")
    print(
        f"{'algorithm':<15} {'thr':>5} {'prec':>6} {'recall':>6} {'F1':>6} "
        f"{'FP/trav':>8} {'FP/oth':>7} {'FP/nsk':>7} | "
        f"{'best thr':>8} {'prec':>6} {'recall':>6} {'F1':>6} {'FP/trav':>8}"
    )
    base: Metrics | None = None
    for name, scores in results.items():
        default = DEFAULT_THRESHOLD if name == "jisr-v1" else PEER_THRESHOLDS[name]
        at = metrics_at(scores, default)
        best = best_f1(scores)
        if name == "logic-v2":
            base = at
        print(
            f"{name:<15} {at.threshold:>5.2f} {at.precision:>6.3f} {at.recall:>6.3f} "
            f"{at.f1:>6.3f} {at.fp_rate:>8.4f} {at.fp_others:>7.4f} {at.fp_namesakes:>7.4f} | "
            f"{best.threshold:>8.2f} {best.precision:>6.3f} "
            f"{best.recall:>6.3f} {best.f1:>6.3f} {best.fp_rate:>8.4f}"
        )
    jisr = metrics_at(results["jisr-v1"], DEFAULT_THRESHOLD)
    if base is not None:
        label = "non-match pairs scored above" if pairwise else "FP per innocent traveller"
        print(
            f"ratio jisr-v1 / logic-v2: recall x{_ratio(jisr.recall, base.recall)}, "
            f"F1 x{_ratio(jisr.f1, base.f1)} ({label}: {jisr.fp_rate:.4f} vs {base.fp_rate:.4f})"
        )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "inf"


def synthetic_datasets(size: int) -> list[datasets.Dataset]:
    from benchmarks.screening import synthetic_eval

    sets = synthetic_eval.datasets(size)
    return sets + synthetic_eval.datasets(size, names_only=True)[:2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    parser.add_argument("--size", type=int, default=None, help="listed people per data set")
    parser.add_argument("--no-peers", action="store_true", help="score jisr-v1 only")
    args = parser.parse_args(argv)
    size = args.size or (200 if args.quick else 1000)
    scorers = {} if args.no_peers else peers()
    started = time.perf_counter()
    sets: list[datasets.Dataset] = [
        datasets.google_ar2en(size),
        datasets.google_ar2en(size, reverse=True),
        datasets.wikidata("ar", size),
        datasets.wikidata("ar", size, reverse=True),
        datasets.wikidata("zh", size),
        datasets.wikidata("zh", size, reverse=True),
    ]
    sets = synthetic_datasets(size) + sets
    for data in sets:
        report(f"{data.name}: {len(data.listed)} listed", screen_dataset(data, scorers))
    cases = datasets.nomenklatura_cases()
    report(f"{cases.name}: {len(cases.pairs)} labelled pairs", pair_scores(cases, scorers), True)
    print(f"\nevaluated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
