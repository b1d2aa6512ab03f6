"""The real ``taxii2-client`` against a real served node: discover, list, page, filter, add."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from requests import HTTPError
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, Server, as_pages

from jisr.db import make_engine, make_session_factory, unit_of_work
from tests.conftest import DatabaseFactory
from tests.cyber.conftest import analyst_token
from tests.cyber.data import indicator, ipv4
from tests.nodes import make_node, served


class Bearer:
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def test_taxii2_client_round(tmp_path: Path, databases: DatabaseFactory) -> None:
    node = make_node(tmp_path / "paris", databases.new_url(), "FR-DGSI", "FR")
    engine = make_engine(node.settings.effective_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        token = analyst_token(session)
    engine.dispose()
    with served(node.data_dir) as url:
        auth = Bearer(token)
        server = Server(f"{url}/taxii2/", auth=auth)
        assert server.title.startswith("Jisr TAXII server")
        root = server.api_roots[0]
        assert root.versions == ["application/taxii+json;version=2.1"]
        local = next(c for c in root.collections if c.alias == "local")
        collection = Collection(local.url, auth=auth)
        assert collection.can_write and collection.can_read

        # 2,500 objects sharing one timestamp, and a few more versions of some of them.
        objects = [indicator(n) for n in range(2000)] + [ipv4(n) for n in range(500)]
        status = collection.add_objects({"objects": objects}, wait_for_completion=False)
        assert status.status == "complete" and status.success_count == 2500
        before = datetime.now(UTC)
        newer = [indicator(n, modified="2026-12-01T09:00:00.000Z") for n in range(10)]
        status = collection.add_objects({"objects": newer})
        assert status.success_count == 10
        # added_after: only what was added after ``before``.
        later = collection.get_objects(added_after=before, version="all")["objects"]
        assert sorted(o["id"] for o in later) == sorted(o["id"] for o in newer)

        # Paging: every object exactly once, whatever the page size.
        for per_page in (1000, 333, 7):
            if per_page == 7:
                objects_seen = []
                pages = as_pages(collection.get_objects, per_request=7, type="ipv4-addr")
                for envelope in pages:
                    objects_seen += [o["id"] for o in envelope.get("objects", [])]
                assert len(objects_seen) == 500 == len(set(objects_seen))
                continue
            seen: list[str] = []
            for envelope in as_pages(collection.get_objects, per_request=per_page):
                seen += [o["id"] for o in envelope.get("objects", [])]
            assert len(seen) == 2500 == len(set(seen))

        # Filters: type, id, version (last by default, all, first), spec_version.
        one = indicator(3)["id"]
        last = collection.get_objects(id=one)["objects"]
        assert [o["modified"] for o in last] == ["2026-12-01T09:00:00.000Z"]
        every = collection.get_objects(id=one, version="all")["objects"]
        assert sorted(o["modified"] for o in every) == [
            "2026-11-30T08:00:00.000Z",
            "2026-12-01T09:00:00.000Z",
        ]
        first = collection.get_objects(id=one, version="first")["objects"]
        assert [o["modified"] for o in first] == ["2026-11-30T08:00:00.000Z"]
        assert collection.get_objects(spec_version="2.0").get("objects", []) == []
        assert collection.object_versions(one)["versions"] == [
            "2026-11-30T08:00:00.000Z",
            "2026-12-01T09:00:00.000Z",
        ]
        assert collection.get_object(one)["objects"][0]["id"] == one

        # Manifest pages like objects.
        manifest_ids: list[str] = []
        for envelope in as_pages(collection.get_manifest, per_request=900, type="indicator"):
            manifest_ids += [m["id"] for m in envelope.get("objects", [])]
        assert len(manifest_ids) == 2000 == len(set(manifest_ids))

        # A bad object fails alone, the rest is stored.
        mixed = {"objects": [indicator(9000), {"type": "indicator", "id": "indicator--bad"}]}
        status = collection.add_objects(mixed)
        assert status.success_count == 1 and status.failure_count == 1
        assert "object_malformed" in status.failures[0]["message"]
        again = root.get_status(status.id)
        assert again.success_count == 1

        # Delete our own object, then it is gone.
        collection.delete_object(one)
        with pytest.raises((HTTPError, TAXIIServiceException)):
            collection.get_object(one)

        # No token, no TAXII.
        with pytest.raises((HTTPError, TAXIIServiceException)):
            Server(f"{url}/taxii2/").title  # noqa: B018
