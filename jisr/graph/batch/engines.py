"""The two engines: candidate pairs by a join on blocking keys, in DuckDB or in Spark.

DuckDB runs in the process on the prepared keys; the pairs stream back in batches to be scored
by ``compare`` (in forked workers). Spark reads the file itself, prepares profiles and keys in
its Python workers, joins, and scores the pairs in its executors with the same ``compare``;
only the links at or above AUTO_LINK come back to the driver for clustering.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from jisr.graph.batch.common import MAX_BLOCK
from jisr.graph.compare import AUTO_LINK, compare, prepare, worth_comparing
from jisr.graph.profiles import profile_of_entity
from jisr.sparkjobs import spark_session

PAIR_BATCH = 50_000


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


_PAIRS_SQL = f"""
WITH counts AS (
    SELECT key, count(*) AS n FROM keys GROUP BY key
), blocked AS (
    SELECT keys.key, keys.idx, counts.n FROM keys JOIN counts ON keys.key = counts.key
    WHERE counts.n BETWEEN 2 AND {MAX_BLOCK}
)
SELECT l.idx AS a, r.idx AS b,
       coalesce(min(CASE WHEN contains(l.key, '|n') THEN l.n END), 1) AS freq
FROM blocked l JOIN blocked r ON l.key = r.key AND l.idx < r.idx
GROUP BY l.idx, r.idx
ORDER BY a, b
"""  # noqa: S608 - built from constants only


def duckdb_pairs(keys: Sequence[Sequence[str]], threads: int = 2) -> Iterator[np.ndarray]:
    """Candidate pairs (a < b, by input index) from DuckDB, in batches."""
    import duckdb
    import pyarrow as pa

    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    table = pa.table(
        {
            "key": pa.array([k for ks in keys for k in ks], type=pa.string()),
            "idx": pa.array(np.repeat(np.arange(len(keys), dtype=np.int32), lengths)),
        }
    )
    connection = duckdb.connect(config={"threads": threads})
    try:
        connection.register("keys", table)
        reader = connection.execute(_PAIRS_SQL).fetch_record_batch(PAIR_BATCH)
        for batch in reader:
            columns = [batch.column(i).to_numpy().astype(np.int64) for i in range(3)]
            if len(columns[0]):
                yield np.stack(columns, axis=1)
    finally:
        connection.close()


def _keys_of_line(item: tuple[str, int]) -> list[tuple[str, int]]:
    from jisr.graph.compare import blocking_keys

    line, index = item
    prepared = prepare(profile_of_entity(json.loads(line)))
    return [(key, index) for key in blocking_keys(prepared)]


def _score_partition(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, int, float]]:
    cache: dict[int, Any] = {}

    def get(index: int, line: str) -> Any:
        if index not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[index] = prepare(profile_of_entity(json.loads(line)))
        return cache[index]

    for row in rows:
        a, b, freq, line_a, line_b = row
        left, right = get(a, line_a), get(b, line_b)
        if not worth_comparing(left, right):
            continue
        score = compare(left, right, int(freq)).score
        if score >= AUTO_LINK:
            yield (a, b, score)


def spark_links(path: Path, partitions: int = 4) -> tuple[list[str], list[tuple[int, int, float]]]:
    """Entity ids in input order, and the links Spark scored at or above AUTO_LINK."""
    with spark_session("jisr-graph-resolve", partitions=partitions) as spark:
        lines = (
            spark.sparkContext.textFile(str(path), partitions)
            .filter(lambda line: bool(line.strip()))
            .zipWithIndex()
            .cache()
        )
        ids = [
            str(json.loads(line)["id"])
            for line, _ in sorted(lines.collect(), key=lambda item: item[1])
        ]
        keys = spark.createDataFrame(lines.flatMap(_keys_of_line), ["key", "idx"])
        keys.createOrReplaceTempView("keys")
        by_index = spark.createDataFrame(
            lines.map(lambda item: (item[1], item[0])), ["idx", "line"]
        )
        by_index.createOrReplaceTempView("lines")
        pairs = spark.sql(
            f"""
            WITH counts AS (
                SELECT key, count(*) AS n FROM keys GROUP BY key
            ), blocked AS (
                SELECT keys.key, keys.idx, counts.n FROM keys JOIN counts ON keys.key = counts.key
                WHERE counts.n BETWEEN 2 AND {MAX_BLOCK}
            ), pairs AS (
                SELECT l.idx AS a, r.idx AS b,
                       coalesce(min(CASE WHEN l.key LIKE '%|n%' THEN l.n END), 1) AS freq
                FROM blocked l JOIN blocked r ON l.key = r.key AND l.idx < r.idx
                GROUP BY l.idx, r.idx
            )
            SELECT pairs.a, pairs.b, pairs.freq, la.line AS line_a, lb.line AS line_b
            FROM pairs JOIN lines la ON la.idx = pairs.a JOIN lines lb ON lb.idx = pairs.b
            """  # noqa: S608 - built from constants only
        )
        links = pairs.rdd.map(tuple).mapPartitions(_score_partition).collect()
        return ids, [(int(a), int(b), float(s)) for a, b, s in links]
