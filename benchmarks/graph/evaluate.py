"""Pairwise precision and recall on the labelled synthetic set: Jisr (DuckDB engine), Splink
with its default comparisons, and an exact-identifier baseline, on the same records.

    .venv/bin/python benchmarks/graph/evaluate.py [--records 20000] [--seed 7] [--no-splink]

A pair is two records in one cluster; precision is the share of predicted pairs that are true,
recall the share of true pairs predicted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.graph.synthetic import write  # noqa: E402
from jisr.graph.batch.engines import Engine  # noqa: E402
from jisr.graph.batch.resolve import resolve_file  # noqa: E402
from jisr.graph.profiles import normalise_identifier  # noqa: E402


def pairs_of(assignment: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record, cluster in assignment.items():
        groups[cluster].append(record)
    return {p for members in groups.values() for p in combinations(sorted(members), 2)}


def scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def read_records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def exact_baseline(records: Sequence[dict[str, object]]) -> dict[str, str]:
    """Records sharing a normalised passport number or IBAN, transitively."""
    parent = {str(r["id"]): str(r["id"]) for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, str] = {}
    for record in records:
        props = record["properties"]
        assert isinstance(props, dict)
        for value in [*props.get("passportNumber", []), *props.get("iban", [])]:
            key = normalise_identifier(value)
            if not key:
                continue
            rid = str(record["id"])
            if key in first:
                parent[find(rid)] = find(first[key])
            else:
                first[key] = rid
    return {rid: find(rid) for rid in parent}


def splink_default(records: Sequence[dict[str, object]]) -> dict[str, str]:
    """Splink 5 with its default comparison library: name (Jaro-Winkler levels), date of
    birth, exact passport number and phone; blocking on the name's first letters or on an
    identifier; u by random sampling, m by expectation-maximisation; clusters at p >= 0.9."""
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    rows = []
    for record in records:
        props = record["properties"]
        assert isinstance(props, dict)
        name = (props.get("name") or [None])[0]
        rows.append(
            {
                "unique_id": str(record["id"]),
                "name": name.lower() if name else None,
                "dob": (props.get("birthDate") or [None])[0],
                "passport": normalise_identifier((props.get("passportNumber") or [""])[0]) or None,
                "phone": re.sub(r"\D", "", (props.get("phone") or [""])[0])[-9:] or None,
                "iban": normalise_identifier((props.get("iban") or [""])[0]) or None,
            }
        )
    table = pa.Table.from_pylist(rows)
    connection = duckdb.connect()
    connection.register("records_arrow", table)
    connection.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("passport"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("iban"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("substr(name, 1, 3)"),
            block_on("passport"),
            block_on("iban"),
            block_on("dob"),
        ],
    )
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(db_api.register("records"), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("dob"), block_on("substr(name, 1, 3)")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    )
    result = clusters.as_duckdbpyrelation().fetchall()
    columns = [c for c in clusters.as_duckdbpyrelation().columns]
    cid, uid = columns.index("cluster_id"), columns.index("unique_id")
    return {str(row[uid]): str(row[cid]) for row in result}


def run(count: int, seed: int, with_splink: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        data, labels = Path(tmp) / "records.jsonl", Path(tmp) / "labels.jsonl"
        write(data, labels, count, seed)
        truth_map = {
            item["id"]: item["label"] for item in map(json.loads, labels.open(encoding="utf-8"))
        }
        truth = pairs_of(truth_map)
        records = read_records(data)
        report: dict[str, object] = {"records": count, "true_pairs": len(truth)}
        started = time.perf_counter()
        result = resolve_file(data, Engine.DUCKDB, workers=2)
        jisr_map = dict(zip(result.ids, result.clusters, strict=True))
        report["jisr"] = {**scores(pairs_of(jisr_map), truth), "seconds": _since(started)}
        started = time.perf_counter()
        report["exact_identifiers"] = {
            **scores(pairs_of(exact_baseline(records)), truth),
            "seconds": _since(started),
        }
        if with_splink:
            started = time.perf_counter()
            report["splink_default"] = {
                **scores(pairs_of(splink_default(records)), truth),
                "seconds": _since(started),
            }
        return report


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    print(json.dumps(run(args.records, args.seed, not args.no_splink), indent=2))


if __name__ == "__main__":
    main()
