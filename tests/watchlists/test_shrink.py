"""Defect 1 of issue 10: an import with no valid entry replaced the list and a listed person
stopped hitting. An import that yields no entry, or loses more than the set share of the
previous version's entries, is refused unless the officer allows it explicitly (CLI
``--allow-shrink``, API ``allow_shrink=true``); the previous version stays in force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from httpx import Response

from jisr.cli.app import main
from tests.nodes import make_node
from tests.watchlists.test_api import Api
from tests.watchlists.test_api import api as api  # noqa: F401 - fixture
from tests.watchlists.test_imports import GOOD

HEADER = "id,name,birth_date,nationality\n"
# Ten good rows: the "previous version" each hostile file would replace.
TEN = HEADER + "".join(f"p{i},Karim Benslimane{chr(65 + i)},1975-06-01,MA\n" for i in range(10))
HOSTILE = {
    "header-and-20-bad-rows": (HEADER + "".join(f"b{i},,1980,FR\n" for i in range(20))).encode(),
    "header-only": HEADER.encode(),
    "empty-un-xml-root": b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01"/>',
    "million-columns": (HEADER + "x1," + "," * 1_000_000 + "\n").encode(),
}
# Three of the ten: loses 70%, more than the default 50%.
SHRUNK = HEADER + "".join(f"p{i},Karim Benslimane{chr(65 + i)},1975-06-01,MA\n" for i in range(3))


def _import(api: Api, body: bytes, **params: str) -> Response:
    query = "&".join(f"{k}={v}" for k, v in {"filename": "list.dat", **params}.items())
    return api.post(
        f"/watchlists/partners/imports?{query}",
        who="analyst",
        content=body,
        headers={"content-type": "application/octet-stream"},
    )


def _state(api: Api) -> tuple[int, int]:
    [listed] = [w for w in api.get("/watchlists", who="analyst").json() if w["name"] == "partners"]
    return listed["version"], listed["active_entries"]


def _hits(api: Api) -> bool:
    check = api.post("/screening/check", json={"name": "Karim BenslimaneA", "birth_date": "1975"})
    assert check.status_code == 200, check.text
    return bool(check.json()["hit"])


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_an_import_with_no_entry_is_refused_and_the_list_stays(api: Api, kind: str) -> None:
    assert _import(api, TEN.encode()).status_code == 201
    assert _hits(api)
    refused = _import(api, HOSTILE[kind])
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "watchlist_import_empty", body
    assert body["previous_entries"] == 10 and body["entries"] == 0
    assert _state(api) == (1, 10) and _hits(api)


def test_a_large_loss_is_refused_unless_allowed(api: Api) -> None:
    assert _import(api, TEN.encode()).status_code == 201
    refused = _import(api, SHRUNK.encode())
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "watchlist_import_shrinks"
    assert (refused.json()["entries"], refused.json()["previous_entries"]) == (3, 10)
    assert _state(api) == (1, 10)
    allowed = _import(api, SHRUNK.encode(), allow_shrink="true")
    assert allowed.status_code == 201, allowed.text
    assert _state(api) == (2, 3)
    # Even an empty list goes through when the officer says so (a list withdrawn at source).
    emptied = _import(api, HOSTILE["header-only"], allow_shrink="true")
    assert emptied.status_code == 201, emptied.text
    assert _state(api) == (3, 0) and not _hits(api)


def test_a_first_empty_import_is_refused_too(api: Api) -> None:
    refused = _import(api, HOSTILE["header-only"])
    assert refused.status_code == 422 and refused.json()["code"] == "watchlist_import_empty"
    assert "partners" not in [w["name"] for w in api.get("/watchlists", who="analyst").json()]


def test_cli_refuses_a_shrinking_import_unless_allowed(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = make_node(tmp_path / "node", db_url)
    data = ["--data-dir", str(node.data_dir)]
    full, empty = tmp_path / "full.csv", tmp_path / "empty.csv"
    full.write_text(GOOD, encoding="utf-8")
    empty.write_text(HEADER, encoding="utf-8")
    assert main(["watchlist", "import", *data, "--name", "local", str(full)]) == 0
    capsys.readouterr()
    assert main(["watchlist", "import", *data, "--name", "local", str(empty)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("jisr: error: the file yields no entry")
    assert line.endswith("[watchlist_import_empty]")
    assert main(["watchlist", "list", *data, "--format", "json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["version"], listed["entries"]) == (1, 2)
    argv = ["watchlist", "import", *data, "--name", "local", "--allow-shrink", str(empty)]
    assert main(argv) == 0
    assert "version 2: 0 entries" in capsys.readouterr().out
