"""What both engines share: reading the input, preparing profiles, scoring, clustering.

The engines differ only in how candidate pairs are formed from blocking keys (a join) and
where the pairs are scored; reading, the comparison itself and the clustering are this code,
so both give the same clusters. A cluster's id in a batch run is its smallest entity id.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from jisr.errors import ValidationError
from jisr.graph.compare import (
    AUTO_LINK,
    Prepared,
    blocking_keys,
    compare,
    prepare,
    worth_comparing,
)
from jisr.graph.profiles import Profile, profile_of_entity

# Keys shared by more entities than this are too common to block on (a very common name);
# the entities still meet through their other keys.
MAX_BLOCK = 40
Progress = Callable[[int], None]


def read_profiles(path: Path) -> Iterator[Profile]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield profile_of_entity(data)
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise ValidationError(
                    f"{path.name}, line {number}: not a FollowTheMoney entity ({exc})",
                    code="graph_input_invalid",
                ) from None


def _prepare_one(profile: Profile) -> tuple[Prepared, list[str]]:
    prepared = prepare(profile)
    return prepared, blocking_keys(prepared)


def prepare_all(
    profiles: Sequence[Profile], workers: int = 1, progress: Progress | None = None
) -> tuple[list[Prepared], list[list[str]]]:
    prepared: list[Prepared] = []
    keys: list[list[str]] = []
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for item in pool.imap(_prepare_one, profiles, chunksize=2000):
                prepared.append(item[0])
                keys.append(item[1])
                if progress is not None and len(prepared) % 10_000 == 0:
                    progress(10_000)
    else:
        for profile in profiles:
            item = _prepare_one(profile)
            prepared.append(item[0])
            keys.append(item[1])
            if progress is not None and len(prepared) % 10_000 == 0:
                progress(10_000)
    if progress is not None:
        progress(len(prepared) % 10_000)
    return prepared, keys


# The prepared entities of the current run, inherited by forked scoring workers.
_SHARED: list[Prepared] = []


def _score_chunk(pairs: np.ndarray) -> list[tuple[int, int, float]]:
    out = []
    for a, b, freq in pairs.tolist():
        if not worth_comparing(_SHARED[a], _SHARED[b]):
            continue
        score = compare(_SHARED[a], _SHARED[b], freq).score
        if score >= AUTO_LINK:
            out.append((a, b, score))
    return out


def score_pairs(
    prepared: list[Prepared],
    batches: Iterable[np.ndarray],
    workers: int = 1,
    progress: Progress | None = None,
) -> list[tuple[int, int, float]]:
    """Every pair (rows: two indices and the name frequency) scored; those at or above
    AUTO_LINK kept."""
    global _SHARED
    _SHARED = prepared
    kept: list[tuple[int, int, float]] = []
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for batch, found in _imap(pool, batches):
                    kept.extend(found)
                    if progress is not None:
                        progress(len(batch))
        else:
            for batch in batches:
                kept.extend(_score_chunk(batch))
                if progress is not None:
                    progress(len(batch))
    finally:
        _SHARED = []
    return kept


def _imap(
    pool: multiprocessing.pool.Pool, batches: Iterable[np.ndarray]
) -> Iterator[tuple[np.ndarray, list[tuple[int, int, float]]]]:
    pending = []
    for batch in batches:
        pending.append((batch, pool.apply_async(_score_chunk, (batch,))))
        while len(pending) > 4:
            done, result = pending.pop(0)
            yield done, result.get()
    for done, result in pending:
        yield done, result.get()


def clusters(ids: Sequence[str], links: Iterable[tuple[int, int, float]]) -> list[str]:
    """Connected components of the kept links (union-find); each named by its smallest
    entity id, so the name does not depend on the order the engine found the links in."""
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    smallest: dict[int, str] = {}
    roots = [find(i) for i in range(len(ids))]
    for index, root in enumerate(roots):
        current = smallest.get(root)
        if current is None or ids[index] < current:
            smallest[root] = ids[index]
    return [smallest[root] for root in roots]


def write_clusters(path: Path | None, ids: Sequence[str], names: Sequence[str]) -> None:
    import sys

    handle = sys.stdout if path is None else path.open("w", encoding="utf-8")
    try:
        for entity_id, cluster in zip(ids, names, strict=True):
            handle.write(json.dumps({"entity_id": entity_id, "cluster_id": cluster}) + "\n")
    finally:
        if path is not None:
            handle.close()
