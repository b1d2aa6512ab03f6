"""Screen a batch on several cores: forked worker processes share the built index.

The index is built once in the parent; ``fork`` gives every worker the same memory pages
(copy-on-write, and ``gc.freeze`` keeps the collector from touching, hence copying, them), so
nothing is pickled but the queries and their matches, in chunks.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from jisr.screening.model import Match, Subject

if TYPE_CHECKING:
    from jisr.screening.screener import Screener

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
