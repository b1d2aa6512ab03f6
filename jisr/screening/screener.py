"""The public entry point: build a ``Screener`` from a watchlist once, then check travellers."""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from jisr.screening.algorithms import get_algorithm
from jisr.screening.columns import StringColumn
from jisr.screening.index import CandidateIndex, IndexBuilder, blocking_keys, top_positions
from jisr.screening.model import Match, Subject, SubjectKind
from jisr.screening.names import NameForm, analyze_name, unpack
from jisr.screening.names.phonetic import primary_skeleton
from jisr.screening.parallel import analyse_in_processes, screen_in_processes

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
    """The first date of birth as ``yyyymmdd`` (``yyyymm00`` for a month, ``yyyy0000`` for a
    year or 1 January), or 0."""
    for date in subject.birth_dates:
        digits = date.replace("-", "")
        if len(digits) >= 4 and digits[:4].isdigit():
            if len(digits) == 8 and digits.isdigit() and digits[4:] != "0101":
                return int(digits)
            if len(digits) == 6 and digits.isdigit() and "01" <= digits[4:] <= "12":
                return int(digits) * 100
            return int(digits[:4]) * 10_000
    return 0


@dataclass(frozen=True, slots=True)
class _Analysed:
    """The rows of a run of subjects, encoded for appending in one go (and for crossing from a
    build worker to the parent cheaply): strings as UTF-8 blobs with end offsets, numbers as
    the bytes of typed arrays; row numbers relative to the run."""

    packed: bytes
    packed_ends: bytes
    texts: bytes
    texts_ends: bytes
    subjects: bytes
    dates: bytes
    keys: bytes
    key_rows: bytes


def _analyse(subjects: Sequence[Subject], first: int) -> _Analysed:
    """Analyse ``subjects`` (numbered from ``first``): one row per name, and its index keys."""
    packed, texts = bytearray(), bytearray()
    packed_ends, texts_ends = array("q"), array("q")
    numbers, dates = array("i"), array("i")
    keys, key_rows = array("q"), array("i")
    for number, subject in enumerate(subjects, first):
        date = birth_key(subject)
        for form in analyze_subject(subject):
            row = len(numbers)
            # The packed form and, after it, the skeletons the cheap pre-ranking compares.
            packed += f"{form.pack()}|{_quick_key(form)}".encode()
            packed_ends.append(len(packed))
            texts += form.text.encode()
            texts_ends.append(len(texts))
            numbers.append(number)
            dates.append(date)
            found = blocking_keys(form, date // 10_000)
            keys.extend(found)
            key_rows.extend([row] * len(found))
    return _Analysed(
        bytes(packed),
        packed_ends.tobytes(),
        bytes(texts),
        texts_ends.tobytes(),
        numbers.tobytes(),
        dates.tobytes(),
        keys.tobytes(),
        key_rows.tobytes(),
    )


class _ListedForms(Sequence[NameForm]):
    """A listed subject's candidate names, unpacked only when the scoring reads them (most
    candidates are dropped on their birth date or kind before their names are aligned)."""

    __slots__ = ("_forms", "_packed", "_rows", "_texts")

    def __init__(self, texts: StringColumn) -> None:
        self._texts = texts
        self._rows: list[int] = []
        self._packed: list[str] = []
        self._forms: list[NameForm] | None = None

    def add(self, row: int, packed: str) -> None:
        self._rows.append(row)
        self._packed.append(packed)

    def _unpacked(self) -> list[NameForm]:
        if self._forms is None:
            texts = self._texts.take(self._rows)
            self._forms = [
                unpack(p.rsplit("|", 1)[0], t) for p, t in zip(self._packed, texts, strict=True)
            ]
        return self._forms

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> NameForm: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[NameForm]: ...

    def __getitem__(self, index: int | slice) -> NameForm | Sequence[NameForm]:
        return self._unpacked()[index]

    def __iter__(self) -> Iterator[NameForm]:
        return iter(self._unpacked())


class Screener:
    """An in-memory screening index over watchlist entries.

    ``check`` returns the best candidates for one query; ``screen`` runs many queries.
    ``workers`` > 1 analyses a list of at least ``parallel_build_from`` entries in that many
    forked processes (where ``fork`` exists); the index is the same either way.
    """

    # Fewer entries than this are analysed in this process: forking costs more than it saves.
    parallel_build_from = 50_000
    # Subjects analysed per piece of the build (a progress step; a task for a build worker).
    build_chunk = 5_000

    def __init__(
        self,
        entries: Iterable[Subject],
        algorithm: str = "jisr-v1",
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
    ) -> None:
        self.algorithm = get_algorithm(algorithm)
        self._subjects: list[Subject] = list(entries)
        self._packed = StringColumn()
        self._texts = StringColumn()
        row_subject = array("i")
        row_date = array("i")
        builder = IndexBuilder()
        total = len(self._subjects)
        self.build_workers = self._build_workers(workers, total)
        done = 0
        for part in analyse_in_processes(
            self._subjects, self.build_chunk, self.build_workers, _analyse
        ):
            rows = len(self._packed)
            self._packed.extend(part.packed, part.packed_ends)
            self._texts.extend(part.texts, part.texts_ends)
            row_subject.frombytes(part.subjects)
            row_date.frombytes(part.dates)
            builder.extend(part.keys, part.key_rows, rows)
            done = min(total, done + self.build_chunk)
            if progress is not None:
                progress(done)
        self._row_subject = np.frombuffer(row_subject, dtype=np.int32).copy()
        self._row_date = np.frombuffer(row_date, dtype=np.int32).copy()
        # The year, and the year and month (0 when the month is unknown), of each row.
        self._row_year = (self._row_date // 10_000).astype(np.int32)
        months = self._row_date // 100
        self._row_month = np.where(months % 100 == 0, 0, months).astype(np.int32)
        self._index: CandidateIndex = builder.build()
        for column in (self._packed, self._texts):
            column.freeze()
        if progress is not None:
            progress(total)

    def __len__(self) -> int:
        return len(self._subjects)

    def _build_workers(self, asked: int, entries: int) -> int:
        """Processes analysing a list of ``entries``: ``asked`` for a big list, else one."""
        if asked <= 1 or entries < self.parallel_build_from:
            return 1
        if "fork" not in multiprocessing.get_all_start_methods():
            return 1
        return asked

    def _date_agreement(self, rows: npt.NDArray[np.int32], key: int) -> npt.NDArray[np.int64]:
        """2 for the same date (to the precision both give, a month at least), 1 for a year
        within one, -1 for more, 0 when unknown."""
        if not key:
            return np.zeros(rows.shape[0], dtype=np.int64)
        years = self._row_year[rows]
        agreement = np.where(np.abs(years - key // 10_000) <= 1, 1, -1)
        if key % 10_000:
            # The same day, or the same month where one side gives no day.
            dates = self._row_date[rows]
            same = self._row_month[rows] == key // 100
            if key % 100:
                same &= (dates == key) | (dates % 100 == 0)
            agreement[same] = 2
        agreement[years == 0] = 0
        return agreement

    def _rows_for(self, forms: Sequence[NameForm], date: int = 0) -> tuple[list[int], list[str]]:
        """The rows to score in full, best first, and their packed forms."""
        rows, counts = self._index.matches(forms, date // 10_000)
        if not rows.size:
            return [], []
        agreement = self._date_agreement(rows, date)
        best_first = top_positions(counts + _DATE_KEYS * agreement, _CANDIDATES)
        rows, agreement = rows[best_first], agreement[best_first]
        row_list = rows.tolist()
        packed = self._packed.take(row_list)
        fields = [p.split("|") for p in packed]
        # Sounds (skeletons) and spellings (tokens): the better of the two ranks a row, so
        # short skeletons (Kuo: K) do not drown a name among look-alike noise.
        quick = process.cdist(
            [_quick_key(f) for f in forms],
            [f[3] for f in fields],
            scorer=fuzz.token_set_ratio,
            workers=1,
        ).max(axis=0)
        spelled = process.cdist(
            [" ".join(f.tokens) for f in forms],
            [f[1] for f in fields],
            scorer=fuzz.token_set_ratio,
            workers=1,
        ).max(axis=0)
        # Parts joined on one side only (Wang Yong Ming / Wang Yongming): the sounds in a row.
        joined = process.cdist(
            [_quick_key(f).replace(" ", "") for f in forms],
            [f[3].replace(" ", "") for f in fields],
            scorer=fuzz.ratio,
            workers=1,
        ).max(axis=0)
        best = np.maximum(np.maximum(quick, spelled), joined)
        # Rows that share keys but hardly a sound or a letter are not worth aligning.
        keep = np.nonzero(best >= _QUICK_CUT)[0]
        ranks = best[keep] + _DATE_RATIO * agreement[keep]
        ordered = keep[np.argsort(-ranks, kind="stable")].tolist()
        # The best ``_RESCORE`` listed subjects (not rows: a subject listed in two scripts
        # would take two places), each with every one of its rows found.
        subjects = self._row_subject[rows].tolist()
        wanted: dict[int, None] = {}
        for i in ordered:
            if len(wanted) >= _RESCORE:
                break
            wanted.setdefault(subjects[i])
        chosen = [i for i in ordered if subjects[i] in wanted]
        return [row_list[i] for i in chosen], [packed[i] for i in chosen]

    def candidates(self, query: Subject) -> list[Subject]:
        """The listed subjects the index proposes for ``query`` before scoring (for tuning)."""
        rows, _ = self._rows_for(analyze_subject(query), birth_key(query))
        numbers = dict.fromkeys(int(self._row_subject[r]) for r in rows)
        return [self._subjects[n] for n in numbers]

    def check(self, query: Subject, threshold: float | None = None, top: int = 5) -> list[Match]:
        """Candidates for ``query`` scoring at least ``threshold``, best first."""
        limit = DEFAULT_THRESHOLD if threshold is None else threshold
        forms = analyze_subject(query)
        if not forms:
            return []
        rows, packed = self._rows_for(forms, birth_key(query))
        by_subject: dict[int, _ListedForms] = {}
        subjects = self._row_subject[rows].tolist() if rows else []
        for number, row, form in zip(subjects, rows, packed, strict=True):
            if number not in by_subject:
                by_subject[number] = _ListedForms(self._texts)
            by_subject[number].add(row, form)
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
