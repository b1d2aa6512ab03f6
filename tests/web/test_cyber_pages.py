"""Cyber console pages: search, import with per-object errors, an object's page with its
relationships and correlations, a sighting recorded, revocation by the owner."""

from __future__ import annotations

import json
import re

from tests.cyber.data import bundle, campaign_objects, indicator
from tests.nodes import wait_until
from tests.web.conftest import Console

_STATUS = re.compile(r"/cyber/imports/([0-9a-z]{26})")
_JOB = re.compile(r"/jobs/([A-Z]{2}-[A-Z0-9]+:job:[0-9A-Z]{26})")


def test_import_search_object_sighting_revoke(console: Console) -> None:
    console.sign_in("youssef.cert")
    page = console.client.get("/cyber")
    assert page.status_code == 200 and "Cyber indicators" in page.text
    objects = [
        *campaign_objects(),
        {"type": "x-unknown", "id": "x-unknown--6b0b4b5e-1d6a-4f9a-9a3e-8a3d3f4c2b1a"},
    ]
    objects.append(indicator(9, value="login-ministere.example", name="Same domain, other report"))
    upload = {"file": ("campaign.json", json.dumps(bundle(objects)), "application/json")}
    queued = console.post("/cyber/imports", {"tlp": "green"}, files=upload)
    assert queued.status_code == 200, queued.text[:2000]
    # Imported in the background: the job's page follows it and then links to the outcome.
    job = _JOB.search(str(queued.url))
    assert job and "being imported" in queued.text
    wait_until(
        lambda: "See the result" in console.client.get(f"/jobs/{job[1]}/progress").text,
        timeout=30,
        what="the import job",
    )
    outcome = _STATUS.search(console.client.get(f"/jobs/{job[1]}/progress").text)
    assert outcome
    result = console.client.get(outcome[0])
    assert "unknown_type" in result.text and "Objects refused" in result.text
    found = console.client.get("/cyber", params={"q": "login-ministere.example"})
    ind = campaign_objects()[2]["id"]
    assert ind in found.text and indicator(9)["id"] in found.text
    view = console.client.get(f"/cyber/objects/{ind}")
    assert view.status_code == 200
    assert "indicates" in view.text  # its relationship to the campaign
    assert indicator(9)["id"] in view.text  # correlated through the same domain
    console.csrf = re.search(r'name="csrf_token" value="([^"]+)"', view.text).group(1)  # type: ignore[union-attr]
    sighted = console.post(f"/cyber/objects/{ind}/sightings", {"count": "4"})
    assert sighted.status_code == 200 and "MA-DGST" in sighted.text
    revoked = console.post(f"/cyber/objects/{ind}/revoke")
    assert revoked.status_code == 200 and "Revoked" in revoked.text
    bad = console.post(
        "/cyber/imports", {}, files={"file": ("x.json", "{oops", "application/json")}
    )
    assert bad.status_code == 422 and "neither a STIX 2.1 bundle" in bad.text
    assert console.audit("consultation", "cyber_object")


def test_other_roles_do_not_see_cyber(console: Console) -> None:
    console.sign_in("salma.border")
    assert console.client.get("/cyber").status_code == 403
