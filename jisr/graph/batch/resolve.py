"""``resolve_file``: one FtM JSONL file in, one cluster id per input entity out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jisr.errors import ValidationError
from jisr.graph.batch.common import clusters, prepare_all, read_profiles, score_pairs
from jisr.graph.batch.engines import Engine, duckdb_pairs, spark_links

Stage = Callable[[str, int | None], Callable[[int], None]]


@dataclass(frozen=True, slots=True)
class Resolution:
    ids: list[str]
    clusters: list[str]
    links: int

    @property
    def cluster_count(self) -> int:
        return len(set(self.clusters))


def _quiet(_name: str, _total: int | None) -> Callable[[int], None]:
    return lambda _n: None


def resolve_file(
    path: Path, engine: Engine = Engine.DUCKDB, workers: int = 2, stage: Stage = _quiet
) -> Resolution:
    """Resolve every entity of ``path``; ``stage(name, total)`` gives a progress callback."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file", code="graph_input_missing")
    if engine is Engine.SPARK:
        advance = stage("spark", None)
        ids, links = spark_links(path)
        advance(len(ids))
        return Resolution(ids, clusters(ids, links), len(links))
    profiles = list(read_profiles(path))
    ids = [p.id for p in profiles]
    prepared, keys = prepare_all(profiles, workers, stage("prepare", len(profiles)))
    del profiles
    links = score_pairs(
        prepared, duckdb_pairs(keys, threads=workers), workers, stage("score", None)
    )
    return Resolution(ids, clusters(ids, links), len(links))
