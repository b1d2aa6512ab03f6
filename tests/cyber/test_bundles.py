"""STIX import and export through the service, on both databases: every exported bundle
passes stix2-validator; bad objects get stable codes and the rest is stored; versions and
revocation are kept; MISP events go out and come back with the same content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from stix2validator import ValidationOptions, validate_instance

from jisr.actors import Actor, ActorKind
from jisr.cyber import correlate, service
from jisr.cyber.errors import UploadTooLargeError
from jisr.cyber.models import CyberObject, CyberObservable
from jisr.cyber.stix import agency_identity_id
from jisr.cyber.tlp import MARKING_IDS, Tlp, marking_definition
from jisr.errors import JisrError
from tests.cyber.data import STAMP, bundle, campaign_objects, indicator, ipv4
from tests.exchange.conftest import LOCAL, add_local_agency

MISP_EVENT = Path(__file__).with_name("fixtures") / "misp_event.json"


@pytest.fixture()
def analyst(session: Session) -> Actor:
    add_local_agency(session)
    return Actor(ActorKind.USER, f"{LOCAL}:user:cert", LOCAL, frozenset({"cert_analyst"}), "cert")


def valid(document: dict[str, Any]) -> bool:
    result = validate_instance(document, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]
    return True


def _import(session: Session, actor: Actor, objects: list[Any], **kw: Any) -> service.ImportOutcome:
    raw = json.dumps(bundle(objects)).encode()
    return service.import_document(session, actor, raw, **kw)


def test_every_type_round_trips_and_validates(session: Session, analyst: Actor) -> None:
    objects = campaign_objects() + [marking_definition(Tlp.GREEN)]
    outcome = _import(session, analyst, objects, tlp=Tlp.GREEN)
    assert outcome.result.stored == len(objects) and not outcome.result.errors
    exported = service.export_bundle(session, analyst, None)
    assert valid(exported)
    ids = {o["id"] for o in exported["objects"]}
    assert {o["id"] for o in objects} <= ids
    # The owner agency stands as creator, its identity is in the bundle.
    assert agency_identity_id(LOCAL) in ids
    campaign = next(o for o in exported["objects"] if o["type"] == "campaign")
    assert campaign["created_by_ref"] == agency_identity_id(LOCAL)


def test_bad_objects_are_refused_one_by_one(session: Session, analyst: Actor) -> None:
    bad_pattern = indicator(2, value="x")
    bad_pattern["pattern"] = "[domain-name:value = 'unclosed"
    objects: list[Any] = [
        indicator(1),
        "not an object",
        {"type": "x-unknown-thing", "id": "x-unknown-thing--6b0b4b5e-1d6a-4f9a-9a3e-8a3d3f4c2b1a"},
        bad_pattern,
        {**indicator(3), "spec_version": "2.0"},
        {**indicator(4), "created": "yesterday"},
        {"type": "indicator", "id": "indicator--nope"},
        ipv4(1),
    ]
    outcome = _import(session, analyst, objects)
    codes = [(e.index, e.code) for e in outcome.result.errors]
    assert codes == [
        (1, "object_malformed"),
        (2, "unknown_type"),
        (3, "pattern_invalid"),
        (4, "spec_version_unsupported"),
        (5, "object_invalid"),
        (6, "object_malformed"),
    ]
    assert outcome.result.stored == 2
    stored = session.execute(select(func.count()).select_from(CyberObject)).scalar_one()
    assert stored == 2
    assert valid(service.export_bundle(session, analyst, None))


def test_malformed_and_oversized_documents(session: Session, analyst: Actor) -> None:
    with pytest.raises(JisrError) as caught:
        service.import_document(session, analyst, b"{not json")
    assert caught.value.code == "bundle_malformed"
    with pytest.raises(JisrError) as caught:
        service.import_document(session, analyst, b'{"type": "bundle", "objects": 3}')
    assert caught.value.code == "bundle_malformed"
    with pytest.raises(UploadTooLargeError):
        service.import_document(session, analyst, b" " * (service.MAX_UPLOAD_BYTES + 1))


def test_versions_and_revocation_are_kept(session: Session, analyst: Actor) -> None:
    _import(session, analyst, [indicator(1)])
    again = _import(session, analyst, [indicator(1)])
    assert again.result.unchanged == 1 and again.result.stored == 0
    newer = indicator(1, modified="2026-12-01T00:00:00.000Z", name="renamed")
    older = indicator(1, modified="2026-11-01T00:00:00.000Z")
    _import(session, analyst, [newer, older])
    rows = session.execute(
        select(CyberObject.modified_text, CyberObject.current).where(
            CyberObject.stix_id == newer["id"]
        )
    ).all()
    assert sorted(rows) == [
        ("2026-11-01T00:00:00.000Z", False),
        (STAMP, False),
        ("2026-12-01T00:00:00.000Z", True),
    ]
    revoked = service.revoke_object(session, analyst, newer["id"])
    assert revoked.result.stored == 1
    current = correlate.current_version(session, newer["id"])
    assert current is not None and current.revoked and current.body["revoked"] is True
    assert session.execute(select(func.count()).select_from(CyberObject)).scalar_one() == 4
    # A revoked indicator no longer correlates.
    values = session.execute(
        select(CyberObservable.value).where(CyberObservable.stix_id == newer["id"])
    ).all()
    assert values == []
    assert valid(service.export_bundle(session, analyst, None))


def test_tlp_markings_are_read(session: Session, analyst: Actor) -> None:
    red = indicator(1, object_marking_refs=[MARKING_IDS[Tlp.RED]])
    tlp1_amber = indicator(
        2, object_marking_refs=["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]
    )
    plain = indicator(3)
    _import(session, analyst, [red, tlp1_amber, plain], tlp=Tlp.GREEN)
    levels = dict(session.execute(select(CyberObject.stix_id, CyberObject.tlp)).all())
    assert levels == {red["id"]: "red", tlp1_amber["id"]: "amber", plain["id"]: "green"}


def _misp_content(event: dict[str, Any]) -> dict[str, Any]:
    inner = event.get("Event", event)
    attributes = sorted(
        (
            a["type"],
            a["value"],
            a.get("category"),
            bool(a.get("to_ids")),
            tuple(sorted(t["name"] for t in a.get("Tag", []))),
        )
        for a in inner.get("Attribute", [])
    )
    objects = sorted(
        (
            o["name"],
            tuple(sorted((a["object_relation"], a["value"]) for a in o.get("Attribute", []))),
        )
        for o in inner.get("Object", [])
    )
    tags = sorted(
        t["name"]
        for t in inner.get("Tag", [])
        if t["name"].startswith(("tlp:", "misp-galaxy:threat"))
    )
    clusters = sorted(
        c["value"] for g in inner.get("Galaxy", []) for c in g.get("GalaxyCluster", [])
    )
    return {
        "info": inner["info"],
        "attributes": attributes,
        "objects": objects,
        "tags": tags,
        "clusters": clusters,
    }


def test_misp_event_out_and_back(session: Session, analyst: Actor) -> None:
    original = json.loads(MISP_EVENT.read_text())
    outcome = service.import_document(session, analyst, MISP_EVENT.read_bytes())
    assert outcome.source_format == "misp" and not outcome.result.errors
    assert outcome.result.by_type["indicator"] >= 3
    assert valid(service.export_bundle(session, analyst, None))
    events = service.export_misp(session, analyst, None)
    assert len(events) == 1
    back = _misp_content(events[0])
    expected = _misp_content(original)
    assert back["info"] == expected["info"]
    assert back["attributes"] == expected["attributes"]
    assert back["objects"] == expected["objects"]
    assert back["clusters"] == expected["clusters"]
    assert "tlp:green" in back["tags"]
    # The exported event, imported into an empty store and exported again: the same content.
    session.execute(delete(CyberObservable))
    session.execute(delete(CyberObject))
    again = service.import_document(session, analyst, json.dumps(events[0]).encode())
    assert again.source_format == "misp" and not again.result.errors
    assert _misp_content(service.export_misp(session, analyst, None)[0]) == back


def test_misp_sightings_go_out_and_back(session: Session, analyst: Actor) -> None:
    event = json.loads(MISP_EVENT.read_text())
    domain = event["Event"]["Attribute"][0]
    domain["Sighting"] = [
        {
            "type": "0",
            "date_sighting": "1764400000",
            "source": "proxy logs",
            "uuid": "5e1f0c2a-7d3b-4c8e-9a1f-2b3c4d5e6f70",
            "Organisation": {"name": "CERT-MA", "uuid": "0f1e2d3c-4b5a-4968-8776-655443322110"},
        }
    ]
    outcome = service.import_document(session, analyst, json.dumps(event).encode())
    assert not outcome.result.errors and outcome.result.by_type["sighting"] == 1
    sighting = session.execute(
        select(CyberObject.body).where(CyberObject.stix_type == "sighting")
    ).scalar_one()
    assert sighting["sighting_of_ref"] == f"indicator--{domain['uuid']}"
    assert valid(service.export_bundle(session, analyst, None))
    exported = service.export_misp(session, analyst, None)[0]
    back = exported.get("Event", exported)
    sighted = {a["value"]: a.get("Sighting", []) for a in back["Attribute"]}
    assert [
        (s["date_sighting"], s["source"], s["Organisation"]["name"])
        for s in sighted[domain["value"]]
    ] == [("1764400000", "proxy logs", "CERT-MA")]
    assert all(not s for value, s in sighted.items() if value != domain["value"])
