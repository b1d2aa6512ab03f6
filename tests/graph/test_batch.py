"""``jisr graph resolve``: both engines give the same clusters on a sample, one line per input
entity, and a bad line is one error line with a stable code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.graph.evaluate import pairs_of, scores
from benchmarks.graph.synthetic import write


def _resolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "jisr", "graph", "resolve", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_duckdb_and_spark_give_the_same_clusters(tmp_path: Path) -> None:
    data, labels = tmp_path / "in.jsonl", tmp_path / "labels.jsonl"
    write(data, labels, 400, seed=11)
    outputs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.jsonl"
        done = _resolve(str(data), "--engine", engine, "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert "entities" in done.stderr
        outputs[engine] = [json.loads(line) for line in out.read_text().splitlines()]
    inputs = [json.loads(line)["id"] for line in data.read_text().splitlines()]
    assert [row["entity_id"] for row in outputs["duckdb"]] == inputs
    assert outputs["duckdb"] == outputs["spark"]
    truth = {d["id"]: d["label"] for d in map(json.loads, labels.read_text().splitlines())}
    found = {row["entity_id"]: row["cluster_id"] for row in outputs["duckdb"]}
    assert len(set(found.values())) < len(found)
    assert scores(pairs_of(found), pairs_of(truth))["f1"] > 0.8


def test_a_bad_line_is_one_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "schema": "Person", "properties": {}}\n{"id": 1}\n')
    done = _resolve(str(data), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("[graph_input_invalid]")
    assert "line 2" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()
