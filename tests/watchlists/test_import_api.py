"""List imports through the API: every format, streamed past the JSON limit, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpx import Response

from jisr.watchlists.imports import ImportSettings
from tests.watchlists.test_api import Api
from tests.watchlists.test_api import api as api  # noqa: F401 - fixture
from tests.watchlists.test_imports import BROKEN, GOOD

FIXTURES = Path(__file__).resolve().parents[1] / "screening" / "fixtures"
# Fictional entries in the legacy OFAC sdn.csv layout.
OFAC = (
    '9000001,"TESTOVA, Marina","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 04 Feb 1981; nationality Morocco."\n'
    '9000002,"FICTIONAL SHIPPING TEST LTD.",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
)


def _import(
    api: Api, body: bytes, name: str = "partners", who: str = "analyst", **params: str
) -> Response:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.post(
        f"/watchlists/{name}/imports?{query}",
        who=who,
        content=body,
        headers={"content-type": "application/octet-stream"},
    )


def _lists(api: Api) -> dict[str, tuple[int, int]]:
    return {
        w["name"]: (w["version"], w["active_entries"])
        for w in api.get("/watchlists", who="analyst").json()
    }


@pytest.mark.parametrize(
    ("body", "entries"),
    [
        (GOOD.encode(), 2),
        (OFAC.encode(), 2),
        ((FIXTURES / "ftm_fictional.jsonl").read_bytes(), None),
        ((FIXTURES / "un_consolidated_fictional.xml").read_bytes(), None),
    ],
    ids=["csv", "ofac", "ftm", "un-xml"],
)
def test_each_format_becomes_a_version(api: Api, body: bytes, entries: int | None) -> None:
    response = _import(api, body, filename="source.dat")
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["watchlist"] == "partners" and result["version"] == 1
    assert result["entries"] > 0 and (entries is None or result["entries"] == entries)
    assert _lists(api)["partners"] == (1, result["entries"])


def test_imported_entries_are_screened_and_rejections_reported(api: Api) -> None:
    first = _import(api, GOOD.encode(), filename="local.csv", alert_type="national_list")
    assert first.status_code == 201, first.text
    check = api.post("/screening/check", json={"name": "Karim Benslimane", "birth_date": "1975"})
    assert check.json()["hit"] is True
    [candidate] = check.json()["candidates"]
    assert candidate["alert_type"] == "national_list"

    second = _import(api, BROKEN.encode(), filename="local.csv")
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2 and second.json()["rejected"] == 3
    assert [r.split(":")[:2] for r in second.json()["rejections"]] == [
        ["local.csv", "4"],
        ["local.csv", "5"],
        ["local.csv", "6"],
    ]
    assert _lists(api)["partners"] == (2, 2)


def test_a_malformed_file_leaves_the_previous_version_in_force(api: Api) -> None:
    assert _import(api, GOOD.encode()).status_code == 201
    truncated = (FIXTURES / "un_consolidated_fictional.xml").read_bytes()[:1500]
    for body, code in [
        (b"PK\x03\x04 a zip archive", "source_format_unknown"),
        (b"", "source_invalid"),
        ("id,name\nw1,Ali\n".encode("utf-16"), "source_encoding"),
        (truncated, "source_invalid"),
    ]:
        refused = _import(api, body)
        assert refused.status_code == 422, (code, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == code, refused.json()
        assert "/imports/" not in refused.json()["detail"]
        assert _lists(api)["partners"] == (1, 2)
    strict = _import(api, BROKEN.encode(), strict="true")
    assert strict.status_code == 422 and strict.json()["code"] == "watchlist_rows_rejected"
    assert strict.json()["rejected"] == 3 and len(strict.json()["rejections"]) == 3
    assert _lists(api)["partners"] == (1, 2)


def test_policy_names_and_size(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = _import(api, GOOD.encode(), who="border")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    reserved = _import(api, GOOD.encode(), name="notices")
    assert reserved.status_code == 422 and reserved.json()["code"] == "watchlist_reserved"
    assert _import(api, GOOD.encode(), name="../etc").status_code in {404, 422}
    assert _import(api, GOOD.encode(), name="bad%20name").status_code == 422

    # Larger than the 1 MiB JSON limit: streamed to disk, imported.
    rows = "".join(f"w{i},Person Number{i} Testname,1970,MA\n" for i in range(40_000))
    big = ("id,name,birth_date,nationality\n" + rows).encode()
    assert len(big) > 1 << 20
    accepted = _import(api, big, name="big")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["entries"] == 40_000

    # Settings are read once, at start: lower the limit of the running node.
    ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
    ctx.settings = ctx.settings.with_sections(ImportSettings(import_max_bytes=4096))
    too_large = _import(api, big, name="big")
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "watchlist_import_too_large"
    assert _lists(api)["big"] == (1, 40_000)


def test_uploads_leave_no_file_behind(api: Api, tmp_path: Path) -> None:
    assert _import(api, GOOD.encode()).status_code == 201
    assert _import(api, b"PK\x03\x04").status_code == 422
    leftovers = [p for p in (tmp_path / "node" / "imports").rglob("*") if p.is_file()]
    assert leftovers == []
