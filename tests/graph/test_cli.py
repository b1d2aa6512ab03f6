"""``jisr graph`` on a node: import, entity, neighbours, path, queue, judge, retract, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jisr.cli.app import main
from tests.graph.test_api import ENTITIES
from tests.nodes import make_node


def test_graph_commands(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    node = make_node(tmp_path / "node", db_url)
    data = ["--data-dir", str(node.data_dir)]
    leak = tmp_path / "leak.jsonl"
    leak.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in ENTITIES) + "\n")
    assert main(["graph", "import", str(leak), "--handling-code", "H1", *data]) == 0
    assert "5 entities" in capsys.readouterr().out
    assert main(["graph", "sync", *data]) == 0
    assert json.loads(capsys.readouterr().out)["sources"] == 0
    assert main(["graph", "entity", "MA-DGST.h1", "--format", "json", *data]) == 0
    entity = json.loads(capsys.readouterr().out)
    assert entity["same_as"] == ["MA-DGST.h2"]
    assert (
        main(["graph", "neighbours", "MA-DGST.v1", "--depth", "2", "--format", "json", *data]) == 0
    )
    assert "MA-DGST.h1" in {n["id"] for n in json.loads(capsys.readouterr().out)["nodes"]}
    assert main(["graph", "path", "MA-DGST.v1", "MA-DGST.h4", "--format", "json", *data]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"][-1]["id"] == "MA-DGST.h4"
    assert main(["graph", "queue", "--format", "json", *data]) == 0
    pair = json.loads(capsys.readouterr().out)[0]
    assert main(["graph", "judge", pair["left_id"], pair["right_id"], "negative", *data]) == 0
    judgement = capsys.readouterr().out.strip()
    assert main(["graph", "retract", judgement, *data]) == 0
    assert main(["graph", "retract", judgement, *data]) == 2
    assert "[graph_judgement_retracted]" in capsys.readouterr().err
    out = tmp_path / "net.graphml"
    assert main(["graph", "export", "MA-DGST.v1", "--as", "graphml", "-o", str(out), *data]) == 0
    assert "<graphml" in out.read_text()
    assert main(["graph", "entity", "MA-DGST.nobody", *data]) == 2
    assert "[graph_entity_not_found]" in capsys.readouterr().err
