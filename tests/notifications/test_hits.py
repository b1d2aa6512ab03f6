"""The hit rule end to end, through the API of a running node: a border officer's check that
hits tells the other border officers (not the one who screened, not the desk), the same
traveller checked again folds onto the open hit and tells nobody again, a new traveller does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jisr.db import make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.identity.tokens import issue_token
from jisr.notifications.derive import derive_pass
from tests.exchange.conftest import LOCAL
from tests.notifications.test_api import Api
from tests.notifications.test_api import api as api  # noqa: F401 - fixture

LIST = (
    "id,name,birth_date,nationality\n"
    "n1,Karim Benslimane,1975-06-01,MA\n"
    "n2,Lina Haddad,1991-02-03,LB\n"
)


def _hits(api: Api, user: str) -> list[dict[str, Any]]:
    items = api.call(user, "GET", "/notifications", params={"limit": 100})["items"]
    return [i for i in items if i["kind"] == "hit"]


def _check(api: Api, name: str, birth_date: str) -> dict[str, Any]:
    body = {"name": name, "birth_date": birth_date}
    result: dict[str, Any] = api.call("salma.border", "POST", "/screening/check", json=body)
    return result


def _pass(api: Api) -> None:
    """What the node's notification worker does, run now (it may have run already: a
    notification exists once per user and cause, so running it again doubles nothing)."""
    derive_pass(make_session_factory(api.engine), LOCAL)


def test_a_hit_tells_the_other_border_officers_once_per_hit(api: Api) -> None:
    with unit_of_work(make_session_factory(api.engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        samir = create_user(session, actor_for(admin), username="samir.border",
                            display_name="Samir", agency_code=None, roles=["border_officer"],
                            password="a long enough password 2026")  # fmt: skip
        api.tokens["samir"], _ = issue_token(session, actor_for(samir), samir.id, "t", ["*"], 1)
    imported = api.client.post(
        "/api/v1/watchlists/national/imports",
        content=LIST.encode(),
        headers={
            "Authorization": f"Bearer {api.tokens['karim.analyst']}",
            "content-type": "application/octet-stream",
        },
    )
    assert imported.status_code == 201, imported.text

    assert _check(api, "Pierre Inconnu", "1960-01-01")["hit"] is False
    first = _check(api, "Karim Benslimane", "1975-06-01")
    assert first["hit"] is True
    [hit] = [c["hit_id"] for c in first["candidates"]]
    _pass(api)
    [note] = _hits(api, "samir")
    assert note["object_id"] == first["check_id"] and note["href"] == f"/screening/hits/{hit}"
    assert note["params"]["count"] == 1 and note["read_at"] is None
    assert note["title"] == "Screening hits to decide: 1"
    # The officer who screened knows already; the desk and analysts do not screen.
    for other in ("salma.border", "amal.liaison", "karim.analyst"):
        assert _hits(api, other) == []

    # The same traveller again: the repeat is counted on the open hit, nobody is told again.
    again = _check(api, "Karim Benslimane", "1975-06-01")
    assert [(c["hit_id"], c["seen_count"]) for c in again["candidates"]] == [(hit, 2)]
    _pass(api)
    assert [n["id"] for n in _hits(api, "samir")] == [note["id"]]

    # Another listed traveller is a new hit, and a new notification.
    other = _check(api, "Lina Haddad", "1991-02-03")
    [other_hit] = [c["hit_id"] for c in other["candidates"]]
    assert other_hit != hit
    _pass(api)
    newest, oldest = _hits(api, "samir")
    assert oldest["id"] == note["id"]
    assert newest["object_id"] == other["check_id"]
    assert newest["href"] == f"/screening/hits/{other_hit}"
