"""The public entry point: build a ``Screener`` from a watchlist once, then check travellers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from jisr.screening.algorithms import get_algorithm
from jisr.screening.index import CandidateIndex, IndexBuilder
from jisr.screening.model import Match, Subject, SubjectKind
from jisr.screening.names import NameForm, analyze_name, unpack

# Chosen on the evaluation harness (benchmarks/screening/evaluate.py): the score above which
# recall of cross-script and variant spellings stays >= 0.9 while false alarms stay rare.
DEFAULT_THRESHOLD = 0.8
# Rows scored in full per query after the cheap vectorised pre-ranking.
_RESCORE = 24
_PROGRESS_EVERY = 10_000


def analyze_subject(subject: Subject) -> list[NameForm]:
    """Analysed forms of every name of a subject (empty names dropped)."""
    person = subject.kind is SubjectKind.PERSON
    forms = []
    for name in subject.names:
        if name and name.strip():
            form = analyze_name(name, person=person)
            if form.tokens:
                forms.append(form)
    return forms


class Screener:
    """An in-memory screening index over watchlist entries.

    ``check`` returns the best candidates for one query; ``screen`` runs many queries.
    """

    def __init__(
        self,
        entries: Iterable[Subject],
        algorithm: str = "jisr-v1",
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.algorithm = get_algorithm(algorithm)
        self._subjects: list[Subject] = []
        self._packed: list[str] = []
        self._skeletons: list[str] = []
        self._texts: list[str] = []
        row_subject: list[int] = []
        builder = IndexBuilder()
        for subject in entries:
            number = len(self._subjects)
            self._subjects.append(subject)
            for form in analyze_subject(subject):
                row = len(self._packed)
                self._packed.append(form.pack())
                self._skeletons.append(" ".join(form.skeletons))
                self._texts.append(form.text)
                row_subject.append(number)
                builder.add(row, form)
            if progress is not None and (number + 1) % _PROGRESS_EVERY == 0:
                progress(number + 1)
        self._row_subject = np.asarray(row_subject, dtype=np.int32)
        self._index: CandidateIndex = builder.build()
        if progress is not None:
            progress(len(self._subjects))

    def __len__(self) -> int:
        return len(self._subjects)

    def _forms_of_rows(self, rows: Sequence[int]) -> list[NameForm]:
        return [unpack(self._packed[r], self._texts[r]) for r in rows]

    def _rows_for(self, forms: Sequence[NameForm]) -> list[int]:
        rows = self._index.candidates(forms)
        if rows.size > _RESCORE:
            choices = [self._skeletons[r] for r in rows.tolist()]
            queries = [" ".join(f.skeletons) for f in forms]
            quick = process.cdist(queries, choices, scorer=fuzz.token_set_ratio, workers=1)
            rows = rows[np.argsort(-quick.max(axis=0), kind="stable")[:_RESCORE]]
        return [int(r) for r in rows.tolist()]

    def candidates(self, query: Subject) -> list[Subject]:
        """The listed subjects the index proposes for ``query`` before scoring (for tuning)."""
        numbers = dict.fromkeys(
            int(self._row_subject[r]) for r in self._rows_for(analyze_subject(query))
        )
        return [self._subjects[n] for n in numbers]

    def check(self, query: Subject, threshold: float | None = None, top: int = 5) -> list[Match]:
        """Candidates for ``query`` scoring at least ``threshold``, best first."""
        limit = DEFAULT_THRESHOLD if threshold is None else threshold
        forms = analyze_subject(query)
        if not forms:
            return []
        by_subject: dict[int, list[int]] = {}
        for row in self._rows_for(forms):
            by_subject.setdefault(int(self._row_subject[row]), []).append(row)
        matches: list[Match] = []
        for number, subject_rows in by_subject.items():
            subject = self._subjects[number]
            scored = self.algorithm.score(query, forms, subject, self._forms_of_rows(subject_rows))
            if scored.score >= limit:
                matches.append(
                    Match(
                        query_id=query.id,
                        entity_id=subject.id,
                        score=scored.score,
                        name=scored.name,
                        explanation=scored.explanation,
                        features=scored.features,
                    )
                )
        matches.sort(key=lambda m: (-m.score, m.entity_id))
        return matches[:top]

    def screen(
        self, queries: Iterable[Subject], threshold: float | None = None, top: int = 5
    ) -> Iterator[tuple[Subject, list[Match]]]:
        """``check`` for each query, lazily, in order."""
        for query in queries:
            yield query, self.check(query, threshold=threshold, top=top)
