"""Build and screen on several cores with forked worker processes.

Screening: the index is built once in the parent; ``fork`` gives every worker the same memory
pages (copy-on-write, and ``gc.freeze`` keeps the collector from touching, hence copying,
them), so nothing is pickled but the queries and their matches, in chunks.

Building: the workers inherit the list of subjects the same way and each analyses runs of
them; only the encoded rows and keys come back (``screener._Analysed``: a few blobs per run),
which the parent appends in order, so the index is the same as one built in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from jisr.screening.model import Match, Subject

if TYPE_CHECKING:
    from jisr.screening.screener import Screener

T = TypeVar("T")

_CHUNK = 64
# The screener the forked workers inherit; set in the parent only while a pool runs.
_inherited: list[Screener] = []


def _chunks(queries: Iterable[Subject], size: int) -> Iterator[list[Subject]]:
    it = iter(queries)
    while chunk := list(islice(it, size)):
        yield chunk


def _check_chunk(
    task: tuple[list[Subject], float | None, int],
) -> tuple[list[Subject], list[list[Match]]]:
    chunk, threshold, top = task
    screener = _inherited[0]
    return chunk, [screener.check(q, threshold=threshold, top=top) for q in chunk]


def screen_in_processes(
    screener: Screener,
    queries: Iterable[Subject],
    threshold: float | None,
    top: int,
    workers: int,
) -> Iterator[tuple[Subject, list[Match]]]:
    """``Screener.screen`` on ``workers`` forked processes, results in input order."""
    context = multiprocessing.get_context("fork")
    _inherited[:] = [screener]
    gc.freeze()
    try:
        with context.Pool(workers) as pool:
            tasks = ((chunk, threshold, top) for chunk in _chunks(queries, _CHUNK))
            for chunk, results in pool.imap(_check_chunk, tasks):
                yield from zip(chunk, results, strict=True)
    finally:
        gc.unfreeze()
        _inherited.clear()


# The subjects and the analysing function the forked build workers inherit.
_to_analyse: list[tuple[Sequence[Subject], Callable[[Sequence[Subject], int], object]]] = []


def _analyse_run(bounds: tuple[int, int]) -> object:
    subjects, analyse = _to_analyse[0]
    start, stop = bounds
    return analyse(subjects[start:stop], start)


def analyse_in_processes(
    subjects: Sequence[Subject],
    chunk: int,
    workers: int,
    analyse: Callable[[Sequence[Subject], int], T],
) -> Iterator[T]:
    """``analyse(subjects[i:i + chunk], i)`` for each run, in order; on ``workers`` forked
    processes when more than one."""
    runs = [(i, min(len(subjects), i + chunk)) for i in range(0, len(subjects), chunk)]
    if workers <= 1:
        for start, stop in runs:
            yield analyse(subjects[start:stop], start)
        return
    context = multiprocessing.get_context("fork")
    _to_analyse[:] = [(subjects, analyse)]
    gc.freeze()
    try:
        with context.Pool(workers) as pool:
            yield from pool.imap(_analyse_run, runs)
    finally:
        gc.unfreeze()
        _to_analyse.clear()
