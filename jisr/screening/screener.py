"""The public entry point: build a ``Screener`` from a watchlist once, then check travellers."""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from jisr.screening.algorithms import get_algorithm
from jisr.screening.columns import StringColumn
from jisr.screening.index import CandidateIndex, IndexBuilder, top_rows
from jisr.screening.model import Match, Subject, SubjectKind
from jisr.screening.names import NameForm, analyze_name, unpack
from jisr.screening.names.phonetic import primary_skeleton
from jisr.screening.parallel import screen_in_processes

# Chosen on the evaluation harness (benchmarks/screening/evaluate.py, see its README): with the
# facts a border has (date of birth, nationality, gender), 0.80 keeps recall >= 0.99 on every
# synthetic noise kind (Arabic script 0.998) with no false positive on innocent travellers
# other than exact-full-name namesakes, and no hit at all for 2,000 travellers against OFAC.
# Lower (0.75) lets near-namesakes with a birth date a year off through; higher (0.90) loses
# the Arabic-script and typo variants that carry no corroborating date. A perfect name alone
# that rests on one short part or on common parts only, or one with a conflicting birth date
# or of another kind (organisation, vessel), scores 0.75 or less by construction.
DEFAULT_THRESHOLD = 0.8
# Rows kept after ranking by shared keys, then scored in full after the cheap pre-ranking.
_CANDIDATES = 200
_RESCORE = 12
# token_set_ratio (0-100) of skeletons or spellings below which a row is not scored in full.
_QUICK_CUT = 50
# In both rankings a row whose date of birth agrees moves up (the same full date most), one more
# than a year off moves down: with thousands of namesakes of a common name, the name alone
# cannot choose the rows.
_DATE_KEYS = 4
_DATE_RATIO = 12
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


def _quick_key(form: NameForm) -> str:
    """The skeletons (everyday readings) compared by the cheap pre-ranking."""
    return " ".join(primary_skeleton(s) for s in form.skeletons)


def birth_key(subject: Subject) -> int:
    """The first date of birth as ``yyyymmdd`` (``yyyy0000`` for a year or 1 January), or 0."""
    for date in subject.birth_dates:
        digits = date.replace("-", "")
        if len(digits) >= 4 and digits[:4].isdigit():
            if len(digits) == 8 and digits.isdigit() and digits[4:] != "0101":
                return int(digits)
            return int(digits[:4]) * 10_000
    return 0


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
        self._packed = StringColumn()
        self._skeletons = StringColumn()
        self._texts = StringColumn()
        row_subject: list[int] = []
        row_date = array("i")
        builder = IndexBuilder()
        for subject in entries:
            number = len(self._subjects)
            self._subjects.append(subject)
            for form in analyze_subject(subject):
                row = len(self._packed)
                self._packed.append(form.pack())
                self._skeletons.append(_quick_key(form))
                self._texts.append(form.text)
                row_subject.append(number)
                row_date.append(birth_key(subject))
                builder.add(row, form)
            if progress is not None and (number + 1) % _PROGRESS_EVERY == 0:
                progress(number + 1)
        self._row_subject = np.asarray(row_subject, dtype=np.int32)
        self._row_date = np.frombuffer(row_date, dtype=np.int32).copy()
        self._index: CandidateIndex = builder.build()
        for column in (self._packed, self._skeletons, self._texts):
            column.freeze()
        if progress is not None:
            progress(len(self._subjects))

    def __len__(self) -> int:
        return len(self._subjects)

    def _forms_of_rows(self, rows: Sequence[int]) -> list[NameForm]:
        rows = list(rows)
        packed, texts = self._packed.take(rows), self._texts.take(rows)
        return [unpack(p, t) for p, t in zip(packed, texts, strict=True)]

    def _date_agreement(self, rows: npt.NDArray[np.int32], key: int) -> npt.NDArray[np.int64]:
        """2 for the same full date, 1 for a year within one, -1 for more, 0 when unknown."""
        if not key:
            return np.zeros(rows.shape[0], dtype=np.int64)
        dates = self._row_date[rows].astype(np.int64)
        near = np.abs(dates // 10_000 - key // 10_000) <= 1
        same = (dates == key) & (key % 10_000 != 0)
        agreement = np.where(same, 2, np.where(near, 1, -1))
        return np.where(dates == 0, 0, agreement)

    def _rows_for(self, forms: Sequence[NameForm], date: int = 0) -> list[int]:
        rows, counts = self._index.matches(forms)
        agreement = self._date_agreement(rows, date)
        rows = top_rows(rows, counts + _DATE_KEYS * agreement, _CANDIDATES)
        if rows.size:
            # Sounds (skeletons) and spellings (tokens): the better of the two ranks a row, so
            # short skeletons (Kuo: K) do not drown a name among look-alike noise.
            row_list = rows.tolist()
            quick = process.cdist(
                [_quick_key(f) for f in forms],
                self._skeletons.take(row_list),
                scorer=fuzz.token_set_ratio,
                workers=1,
            ).max(axis=0)
            spelled = process.cdist(
                [" ".join(f.tokens) for f in forms],
                # The tokens are the middle field of each row's packed form (no extra column).
                [packed.split("|", 2)[1] for packed in self._packed.take(row_list)],
                scorer=fuzz.token_set_ratio,
                workers=1,
            ).max(axis=0)
            best = np.maximum(quick, spelled)
            # Rows that share keys but hardly a sound or a letter are not worth aligning.
            keep = best >= _QUICK_CUT
            rows, best = rows[keep], best[keep]
            ranks = best + _DATE_RATIO * self._date_agreement(rows, date)
            rows = rows[np.argsort(-ranks, kind="stable")[:_RESCORE]]
        return [int(r) for r in rows.tolist()]

    def candidates(self, query: Subject) -> list[Subject]:
        """The listed subjects the index proposes for ``query`` before scoring (for tuning)."""
        numbers = dict.fromkeys(
            int(self._row_subject[r])
            for r in self._rows_for(analyze_subject(query), birth_key(query))
        )
        return [self._subjects[n] for n in numbers]

    def check(self, query: Subject, threshold: float | None = None, top: int = 5) -> list[Match]:
        """Candidates for ``query`` scoring at least ``threshold``, best first."""
        limit = DEFAULT_THRESHOLD if threshold is None else threshold
        forms = analyze_subject(query)
        if not forms:
            return []
        rows = self._rows_for(forms, birth_key(query))
        by_subject: dict[int, list[NameForm]] = {}
        for row, form in zip(rows, self._forms_of_rows(rows), strict=True):
            by_subject.setdefault(int(self._row_subject[row]), []).append(form)
        matches: list[Match] = []
        for number, subject_forms in by_subject.items():
            subject = self._subjects[number]
            scored = self.algorithm.score_at_least(query, forms, subject, subject_forms, limit)
            if scored is not None:
                matches.append(
                    Match(
                        query_id=query.id,
                        entity_id=subject.id,
                        score=scored.score,
                        name=scored.name,
                        # What was ignored in the query travels with every reason given.
                        explanation="; ".join((scored.explanation, *query.warnings)),
                        features=scored.features,
                        warnings=query.warnings,
                    )
                )
        matches.sort(key=lambda m: (-m.score, m.entity_id))
        return matches[:top]

    def screen(
        self,
        queries: Iterable[Subject],
        threshold: float | None = None,
        top: int = 5,
        workers: int = 1,
    ) -> Iterator[tuple[Subject, list[Match]]]:
        """``check`` for each query, lazily, in order; ``workers`` > 1 forks that many worker
        processes sharing this index (where ``fork`` exists)."""
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            yield from screen_in_processes(self, queries, threshold, top, workers)
            return
        for query in queries:
            yield query, self.check(query, threshold=threshold, top=top)
