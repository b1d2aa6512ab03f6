"""``jisr search``: a query as an officer or as the node, errors as one line, the index's
status, and a rebuild that restores what was lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete

from jisr.cli.app import main
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.exchange import messages
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.identity.accounts import get_user
from jisr.identity.auth import actor_for
from jisr.search.models import SearchDocument
from tests.exchange.conftest import message_fields
from tests.exchange.test_api import prepare_node
from tests.nodes import make_node

PERSON = {"id": "p1", "schema": "Person", "properties": {"name": ["Youssef El Amrani"]}}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_search_status_reindex(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    prepare_node(node.data_dir, db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine, node.data_dir)
    with unit_of_work(factory) as session:
        liaison = actor_for(get_user(session, "liaison"))
        fields = message_fields(subject="Tarifa crossing", data_category="personal")
        message = messages.send_message(
            session,
            liaison,
            MessageCreate(**fields, entities=[PERSON]),
            store=BlobStore.for_data_dir(node.data_dir),
        )
    data = ["--data-dir", str(node.data_dir)]

    code, out, _ = _run(
        capsys, "search", "يوسف العمراني", *data, "--as", "liaison", "--format", "json"
    )
    assert code == 0
    page = json.loads(out)
    assert {(r["kind"], r["record_id"]) for r in page["results"]} == {
        ("message", message.id),
        ("person", message.id),
    }
    code, out, _ = _run(capsys, "search", "tarifa", "crossing", *data)
    assert code == 0 and "found: case 1, message 1" in out

    code, _, err = _run(capsys, "search", "tarifa", *data, "--type", "planet")
    assert code == 2 and err.count("\n") == 1 and "[search_type_unknown]" in err

    code, out, _ = _run(capsys, "search", "status", *data, "--check")
    assert code == 0 and "index complete" in out

    with unit_of_work(factory) as session:
        session.execute(delete(SearchDocument))
    code, out, _ = _run(capsys, "search", "status", *data, "--check", "--format", "json")
    assert code == 1 and json.loads(out)["complete"] is False

    code, out, err = _run(capsys, "search", "reindex", *data)
    assert code == 0 and "reindexed 2 records into 3 documents" in out, out + err
    code, out, _ = _run(capsys, "search", "status", *data, "--check")
    assert code == 0
    code, out, _ = _run(capsys, "search", "index", *data)
    assert code == 0 and "0 left" in out
    engine.dispose()
