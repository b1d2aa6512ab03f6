"""The hits queue as the API gives it: who the traveller is, when, the flight, the list, and
repeats of one traveller against one entry folded onto one hit; a field that cannot be
screened is named."""

from __future__ import annotations

from typing import Any

from tests.watchlists.test_api import Api, _check
from tests.watchlists.test_api import api as api  # noqa: F401 - fixture

TRAVELLER = {"name": "يوسف العمراني", "birth_date": "1984-03-12", "nationality": "MA"}


def _queue(api: Api) -> list[dict[str, Any]]:
    response = api.get("/screening/hits")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_checking_a_traveller_again_counts_on_the_same_hit(api: Api) -> None:
    first = _check(api, **TRAVELLER, flight="AT 800")
    [candidate] = first["candidates"]
    assert candidate["seen_count"] == 1
    # Same person, typed differently (case and spaces), on a later flight.
    again = _check(api, **{**TRAVELLER, "name": " يوسف  العمراني "}, flight="AT 802")
    assert [c["hit_id"] for c in again["candidates"]] == [candidate["hit_id"]]
    assert again["candidates"][0]["seen_count"] == 2
    [row] = _queue(api)
    assert row["hit_id"] == candidate["hit_id"] and row["seen_count"] == 2
    assert row["traveller_name"] == "يوسف  العمراني".replace("  ", " ")
    assert row["flight"] == "AT 802" and row["watchlist"] == "notices"
    assert row["reference"] == "FR/2026/W/42" and row["last_seen_at"] >= row["screened_at"]
    # The listed person stays hidden until the hit is opened.
    assert "Amrani" not in str(row) and "XK4471029" not in str(row)

    # Details that differ (here no date of birth given) are another traveller: another hit.
    other = _check(api, name=TRAVELLER["name"], nationality="MA")
    assert len(other["candidates"]) == 1
    assert other["candidates"][0]["hit_id"] != candidate["hit_id"]
    assert len(_queue(api)) == 2


def test_a_decided_hit_is_not_reopened_by_a_new_check(api: Api) -> None:
    [candidate] = _check(api, **TRAVELLER)["candidates"]
    hit = candidate["hit_id"]
    api.post(f"/screening/hits/{hit}/open", json={"justification": "desk 2"})
    decided = api.post(
        f"/screening/hits/{hit}/decision",
        json={"verdict": "false_positive", "reason": "Different father's name"},
    )
    assert decided.status_code == 201, decided.text
    [later] = _check(api, **TRAVELLER)["candidates"]
    assert later["hit_id"] != hit and later["seen_count"] == 1
    assert [r["hit_id"] for r in _queue(api)] == [later["hit_id"]]


def test_an_unreadable_name_is_refused_as_the_name(api: Api) -> None:
    refused = api.post("/screening/check", json={"name": "---///", "birth_date": "1984-03-12"})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert (problem["code"], problem["field"]) == ("traveller_invalid", "name")
    future = api.post("/screening/check", json={"name": "Karim B", "birth_date": "2090-01-01"})
    assert future.json()["field"] == "birth_date"
