"""A TAXII feed: Rabat polls a collection on Paris's real served node with its own token."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from jisr.actors import system_actor
from jisr.cyber.feeds import FeedSpec, add_feed, poll_feed
from jisr.cyber.models import CyberFeed, CyberObject
from jisr.cyber.worker import scheduled_pass
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.errors import JisrError
from tests.conftest import DatabaseFactory
from tests.cyber.conftest import analyst_token
from tests.cyber.data import bundle, indicator
from tests.nodes import make_node, served


def test_feed_polls_a_partner_taxii_server(tmp_path: Path, databases: DatabaseFactory) -> None:
    paris = make_node(tmp_path / "paris", databases.new_url(), "FR-DGSI", "FR")
    rabat = make_node(tmp_path / "rabat", databases.new_url(), "MA-DGST", "MA")
    paris_engine = make_engine(paris.settings.effective_database_url)
    rabat_engine = make_engine(rabat.settings.effective_database_url)
    rabat_db = make_session_factory(rabat_engine)
    secret = rabat.settings.secret
    with unit_of_work(make_session_factory(paris_engine)) as session:
        token = analyst_token(session, "rabat-feed")  # the account Paris gave Rabat
    try:
        with served(paris.data_dir) as url:
            headers = {"Authorization": f"Bearer {token}"}
            api = httpx.Client(base_url=url, headers=headers, timeout=30)
            first = [indicator(n) for n in range(1500)]
            api.post(
                "/api/v1/cyber/imports", params={"tlp": "green"}, content=json.dumps(bundle(first))
            )
            collections = api.get("/taxii2/api/collections/").json()["collections"]
            local = next(c for c in collections if c["alias"] == "local")
            feed_url = f"{url}/taxii2/api/collections/{local['id']}/objects/".removesuffix(
                "objects/"
            )
            actor = system_actor("MA-DGST")
            with unit_of_work(rabat_db) as session:
                add_feed(session, actor, FeedSpec("paris-cert", feed_url, "FR-DGSI", token), secret)
                add_feed(session, actor, FeedSpec("bad-token", feed_url, "FR-DGSI", "nope"), secret)
            with unit_of_work(rabat_db) as session:
                stored = session.execute(
                    select(CyberFeed.token).where(CyberFeed.name == "paris-cert")
                ).scalar_one()
            # Sealed at rest: the database alone does not give Paris's credential away.
            assert stored and token not in stored and stored.startswith("sealed:")
            result = poll_feed(rabat_db, actor, "paris-cert", secret)
            assert result.stored == 1500 and not result.errors
            # Nothing new: nothing stored again.
            assert poll_feed(rabat_db, actor, "paris-cert", secret).stored == 0
            api.post("/api/v1/cyber/imports", content=json.dumps(bundle([indicator(5000)])))
            # A token stored in plain text before tokens were sealed still works, and is sealed.
            with unit_of_work(rabat_db) as session:
                row = session.execute(
                    select(CyberFeed).where(CyberFeed.name == "paris-cert")
                ).scalar_one()
                row.token = token
            again = poll_feed(rabat_db, actor, "paris-cert", secret)
            assert again.stored == 1 and again.unchanged <= 1500
            with unit_of_work(rabat_db) as session:
                resealed = session.execute(
                    select(CyberFeed.token).where(CyberFeed.name == "paris-cert")
                ).scalar_one()
            assert resealed and resealed.startswith("sealed:") and token not in resealed
            # Another secret key cannot open it: a clear error, not a request without the token.
            with pytest.raises(JisrError) as unreadable:
                poll_feed(rabat_db, actor, "paris-cert", "another-secret-key-of-32-characters!")
            assert unreadable.value.code == "feed_token_unreadable"
            with pytest.raises(JisrError) as caught:
                poll_feed(rabat_db, actor, "bad-token", secret)
            assert caught.value.code == "feed_unreachable"
            with unit_of_work(rabat_db) as session:
                bad = session.execute(
                    select(CyberFeed).where(CyberFeed.name == "bad-token")
                ).scalar_one()
                assert bad.last_error
                owners = session.execute(
                    select(CyberObject.owner_agency, CyberObject.origin, func.count()).group_by(
                        CyberObject.owner_agency, CyberObject.origin
                    )
                ).all()
                assert owners == [("FR-DGSI", "feed", 1501)]
            # The schedule polls only what is due (both were just polled).
            scheduled_pass(rabat_db, "MA-DGST", secret)
    finally:
        paris_engine.dispose()
        rabat_engine.dispose()
