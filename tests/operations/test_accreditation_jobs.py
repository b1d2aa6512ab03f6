"""An event's accreditation list is screened by a job of the node's queue: the uploader follows
it at ``/jobs`` as at the event, its unreadable rows are kept with their lines and reasons, and
its hits go to review. (Cancel, failure, resume and a killed worker: the same job kind, in
``tests/watchlists/test_manifest_jobs.py``.)"""

from __future__ import annotations

from typing import Any

from jisr.actors import system_actor
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from jisr.watchlists.imports import import_list
from jisr.watchlists.models import ManifestJob
from tests.nodes import wait_until
from tests.operations.conftest import LOCAL, Api
from tests.operations.test_api import body


def _queue_job_of(api: Api, manifest_id: str) -> str:
    engine = make_engine(api.node.settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            manifest = session.get(ManifestJob, manifest_id)
            assert manifest is not None and manifest.queue_job_id
            return manifest.queue_job_id
    finally:
        engine.dispose()


def _import_watchlist(api: Api) -> None:
    listed = api.node.data_dir / "wanted.csv"
    listed.write_text(watchlist_csv(extra=300), encoding="utf-8")
    engine = make_engine(api.node.settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            import_list(session, system_actor(LOCAL), "wanted", listed, alert_type="wanted")
    finally:
        engine.dispose()


def _accredit(api: Api, event_id: str, content: bytes) -> dict[str, Any]:
    response = api.post(
        f"/events/{event_id}/accreditations",
        params={"category": "volunteer", "filename": "volunteers.csv"},
        content=content,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    item: dict[str, Any] = response.json()
    return item


def test_an_accreditation_list_is_a_job_of_the_queue(api: Api) -> None:
    _import_watchlist(api)
    event = api.post("/events", json=body(title="Festival, Rabat", crime_area="major_events"))
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    item = _accredit(api, event_id, accreditation_csv(2500, broken=3).encode())

    def screened() -> dict[str, Any] | None:
        rows: list[dict[str, Any]] = api.get(f"/events/{event_id}/accreditations").json()
        return rows[0] if rows[0]["status"] in {"done", "failed"} else None

    result = wait_until(screened, timeout=120, what="the accreditation screening")
    assert (result["status"], result["screened"], result["rejected"]) == ("done", 2500, 3)
    # Every unreadable row kept, with its line (after the 2,500 applicants and the header).
    assert [r["line"] for r in result["rejections"]] == [2502, 2503, 2504]
    assert result["rejections"][0]["reason"] == "empty name"
    assert result["hits"] == 2 and len(result["hit_ids"]) == 2
    job_id = _queue_job_of(api, item["manifest_job_id"])
    job = api.get(f"/jobs/{job_id}").json()
    assert job["kind"] == "watchlists.manifest" and job["state"] == "done"
    assert job["done"] == job["total"] == 2503 and job["result"]["hits"] == 2
    assert job_id in [j["id"] for j in api.get("/jobs").json()]
    # Someone else's job is not theirs to follow.
    assert api.get(f"/jobs/{job_id}", who="analyst").status_code == 404
