"""The demo's cyber story: a fictional phishing campaign against partner ministries.

Paris (FR-DGSI) publishes the campaign's indicators under a three-party cyber agreement; Rabat
(MA-DGST) sights one of them on its networks and the sighting is counted back at Paris; Madrid
(ES-CGI) had seen the same domain in its own proxy logs, and its correlation links the two.
Domains are under ``.example``, addresses in the documentation ranges; nobody here is real.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory, HandlingCode
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import create_agreement, list_agreements
from jisr.clock import utcnow
from jisr.cyber import correlate, service
from jisr.cyber.models import CyberObject
from jisr.cyber.stix import agency_identity_id
from jisr.cyber.tlp import MARKING_IDS, Tlp, marking_definition
from jisr.db import SessionFactory, make_engine, make_session_factory, unit_of_work
from jisr.errors import JisrError
from jisr.identity.accounts import create_user
from jisr.identity.models import Role, User
from jisr.identity.service import local_agency_code
from jisr.settings import load_settings

log = structlog.get_logger("jisr.cyber")
REFERENCE = "CYBER/2026/01"
PARTIES = ("FR-DGSI", "MA-DGST", "ES-CGI")
NODES = {"paris": "FR-DGSI", "rabat": "MA-DGST", "madrid": "ES-CGI"}
ANALYSTS = {"paris": "camille.roux", "rabat": "leila.bennani", "madrid": "pablo.soto"}
DOMAIN = "login-ministere-affaires.example"
STAMP = "2026-11-28T09:00:00.000Z"
_NS = uuid.UUID("4d2c9b1a-7e6f-5a4b-8c3d-2e1f0a9b8c7d")
KIT_SHA256 = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
WAIT_S = 30.0


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(_NS, key)}"


def _sdo(kind: str, key: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": _id(kind, key),
        "created": STAMP,
        "modified": STAMP,
        "object_marking_refs": [MARKING_IDS[Tlp.GREEN]],
        **fields,
    }


def _indicator(key: str, name: str, pattern: str) -> dict[str, Any]:
    return _sdo(
        "indicator",
        key,
        name=name,
        pattern=pattern,
        pattern_type="stix",
        pattern_version="2.1",
        valid_from=STAMP,
        indicator_types=["malicious-activity"],
    )


def campaign_bundle() -> list[dict[str, Any]]:
    campaign = _sdo(
        "campaign",
        "campaign",
        name="Operation Faux Portail",
        description="Fictional credential phishing against partner ministries",
    )
    indicators = [
        _indicator("domain", "Phishing portal", f"[domain-name:value = '{DOMAIN}']"),
        _indicator("url", "Phishing URL", f"[url:value = 'https://{DOMAIN}/owa/auth.aspx']"),
        _indicator("ip", "Phishing host", "[ipv4-addr:value = '203.0.113.45']"),
        _indicator(
            "kit",
            "Phishing kit archive",
            f"[file:hashes.'SHA-256' = '{KIT_SHA256}']",
        ),
    ]
    relations = [
        _sdo(
            "relationship",
            f"rel-{i}",
            relationship_type="indicates",
            source_ref=ind["id"],
            target_ref=campaign["id"],
        )
        for i, ind in enumerate(indicators)
    ]
    return [marking_definition(Tlp.GREEN), campaign, *indicators, *relations]


@dataclass
class _Node:
    agency_code: str
    session_factory: SessionFactory

    @property
    def system(self) -> Actor:
        return system_actor(self.agency_code)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with unit_of_work(self.session_factory) as session:
            yield session


@contextmanager
def open_node(node_dir: Path) -> Iterator[_Node]:
    """A demo node's database (the demo is a domain-level story: no CLI helpers here)."""
    settings = load_settings(node_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        factory = make_session_factory(engine, settings.data_dir)
        with unit_of_work(factory) as session:
            agency = local_agency_code(session)
        yield _Node(agency, factory)
    finally:
        engine.dispose()


def _ensure_world(node_dir: Path, slug: str) -> None:
    """The three-party cyber agreement and a CERT analyst, once."""
    with open_node(node_dir) as node, node.session() as session:
        if REFERENCE not in {a.reference for a in list_agreements(session)}:
            create_agreement(
                session,
                node.system,
                AgreementCreate(
                    reference=REFERENCE,
                    title="Cybercrime indicator sharing (Morocco, France, Spain)",
                    parties=list(PARTIES),
                    crime_areas=[CrimeArea.CYBERCRIME],
                    data_categories=[DataCategory.CYBER_INDICATOR],
                    valid_from=utcnow() - timedelta(days=1),
                    valid_until=utcnow() + timedelta(days=3 * 365),
                    legal_basis="Fictional trilateral memorandum on cybercrime (demo)",
                    default_handling=HandlingCode.H0,
                    status=AgreementStatus.ACTIVE,
                ),
            )
        username = ANALYSTS[slug]
        if session.execute(select(User).where(User.username == username)).first() is None:
            create_user(
                session,
                node.system,
                username=username,
                display_name=username,
                agency_code=node.agency_code,
                roles=[Role.CERT_ANALYST],
                password=f"{slug}-demo-2026",
            )


def _holds(node_dir: Path, stix_id: str) -> bool:
    with open_node(node_dir) as node, node.session() as session:
        return (
            session.execute(select(CyberObject.seq).where(CyberObject.stix_id == stix_id)).first()
            is not None
        )


def _wait(node_dir: Path, stix_id: str) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if _holds(node_dir, stix_id):
            return True
        time.sleep(0.5)
    return False


def share_phishing_campaign(data_dir: Path) -> bool:
    """Run the story on running demo nodes (idempotent); True when Madrid's link shows. The
    rest of the demo goes on whatever happens here."""
    try:
        return _story(data_dir)
    except JisrError as exc:
        log.warning("cyber demo story stopped", code=exc.code, detail=exc.detail)
        return False


def _story(data_dir: Path) -> bool:
    for slug in NODES:
        _ensure_world(data_dir / slug, slug)
    objects = campaign_bundle()
    domain_indicator = objects[2]["id"]
    with open_node(data_dir / "paris") as node, node.session() as session:
        service.import_objects(
            session, node.system, objects, collection_key=REFERENCE, tlp=Tlp.GREEN
        )
    with open_node(data_dir / "madrid") as node, node.session() as session:
        own = _indicator(
            "madrid-proxy",
            "Domain seen in ministry proxy logs",
            f"[domain-name:value = '{DOMAIN}']",
        )
        service.import_objects(session, node.system, [own], tlp=Tlp.GREEN)
    if not _wait(data_dir / "rabat", domain_indicator):
        return False
    with open_node(data_dir / "rabat") as node, node.session() as session:
        sighting = _sdo(
            "sighting",
            "rabat-sighting",
            sighting_of_ref=domain_indicator,
            count=3,
            first_seen="2026-11-29T07:12:00.000Z",
            last_seen="2026-11-29T10:40:00.000Z",
            where_sighted_refs=[agency_identity_id("MA-DGST")],
        )
        service.import_objects(
            session, node.system, [sighting], collection_key=REFERENCE, tlp=Tlp.GREEN
        )
    if not _wait(data_dir / "madrid", domain_indicator):
        return False
    with open_node(data_dir / "madrid") as node, node.session() as session:
        return correlate.lookup(session, node.system, DOMAIN).cross_agency
