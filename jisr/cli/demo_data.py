"""The demo's fictional world: three agencies, their officers and the agreements between them.

Every person here is invented. Later domains add their demo data in ``seed_demo``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pyotp
from sqlalchemy import select

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory, HandlingCode
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import create_agreement, list_agreements
from jisr.cli.common import Node, open_node
from jisr.cli.node import init_node
from jisr.clock import utcnow
from jisr.federation.keys import load_node_keys
from jisr.federation.partners import PartnerInfo, add_partner, list_partners
from jisr.identity.login import begin_totp_enrolment, confirm_totp_enrolment
from jisr.identity.models import Role, User
from jisr.identity.service import create_user

LOGINS_FILE = "logins.json"


@dataclass(frozen=True)
class DemoNode:
    slug: str
    city: str
    agency: str
    country: str
    name_en: str
    name_fr: str
    name_ar: str
    port: int
    officers: tuple[tuple[str, str, Role], ...]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


DEMO_NODES: tuple[DemoNode, ...] = (
    DemoNode(
        "rabat",
        "Rabat",
        "MA-DGST",
        "MA",
        "General Directorate for Territorial Surveillance",
        "Direction générale de la surveillance du territoire",
        "المديرية العامة لمراقبة التراب الوطني",
        8701,
        (
            ("amal.idrissi", "Amal Idrissi", Role.LIAISON),
            ("youssef.benali", "Youssef Benali", Role.BORDER_OFFICER),
            ("salma.tazi", "Salma Tazi", Role.ANALYST),
            ("karim.alaoui", "Karim Alaoui", Role.AUDITOR),
        ),
    ),
    DemoNode(
        "paris",
        "Paris",
        "FR-DGSI",
        "FR",
        "General Directorate for Internal Security",
        "Direction générale de la sécurité intérieure",
        "المديرية العامة للأمن الداخلي",
        8702,
        (
            ("claire.martin", "Claire Martin", Role.LIAISON),
            # A second liaison officer: alerts are reviewed by someone other than their author.
            ("sophie.laurent", "Sophie Laurent", Role.LIAISON),
            ("julien.moreau", "Julien Moreau", Role.ANALYST),
            ("ines.haddad", "Inès Haddad", Role.BORDER_OFFICER),
        ),
    ),
    DemoNode(
        "madrid",
        "Madrid",
        "ES-CGI",
        "ES",
        "General Commissariat of Information",
        "Commissariat général de l'information",
        "المفوضية العامة للاستعلامات",
        8703,
        (
            ("lucia.garcia", "Lucía García", Role.LIAISON),
            ("javier.ruiz", "Javier Ruiz", Role.ANALYST),
        ),
    ),
)

_EVERYTHING = [
    CrimeArea.TERRORISM,
    CrimeArea.ORGANISED_CRIME,
    CrimeArea.MIGRANT_SMUGGLING,
    CrimeArea.HUMAN_TRAFFICKING,
    CrimeArea.DRUG_TRAFFICKING,
    CrimeArea.FINANCIAL_CRIME,
    CrimeArea.CYBERCRIME,
    CrimeArea.BORDER_SECURITY,
    CrimeArea.MAJOR_EVENTS,
    CrimeArea.TRAINING,
]
# (reference, title, parties, crime areas, data categories, legal basis)
DEMO_AGREEMENTS = (
    (
        "MA-FR/2026/01",
        "Morocco–France security cooperation",
        ("MA-DGST", "FR-DGSI"),
        _EVERYTHING,
        [
            DataCategory.PERSONAL,
            DataCategory.OPERATIONAL,
            DataCategory.CYBER_INDICATOR,
            DataCategory.TRAINING,
        ],
        "Fictional bilateral agreement on police cooperation (demo)",
    ),
    (
        "MA-ES/2026/01",
        "Morocco–Spain cooperation on migration and organised crime",
        ("MA-DGST", "ES-CGI"),
        [
            CrimeArea.MIGRANT_SMUGGLING,
            CrimeArea.HUMAN_TRAFFICKING,
            CrimeArea.DRUG_TRAFFICKING,
            CrimeArea.ORGANISED_CRIME,
            CrimeArea.TERRORISM,
            CrimeArea.BORDER_SECURITY,
        ],
        [DataCategory.PERSONAL, DataCategory.OPERATIONAL],
        "Fictional memorandum of understanding (demo)",
    ),
    (
        "FR-ES/2026/01",
        "France–Spain counter-terrorism cooperation",
        ("FR-DGSI", "ES-CGI"),
        [CrimeArea.TERRORISM, CrimeArea.ORGANISED_CRIME, CrimeArea.MIGRANT_SMUGGLING],
        [DataCategory.PERSONAL, DataCategory.OPERATIONAL],
        "Fictional bilateral agreement (demo)",
    ),
)

# (node, username, password, role, TOTP seed)
Login = tuple[DemoNode, str, str, str, str]


def demo_password(node: DemoNode) -> str:
    return f"{node.slug}-demo-2026"


def demo_nodes(base_port: int = DEMO_NODES[0].port) -> tuple[DemoNode, ...]:
    """The demo nodes listening on ``base_port``, ``base_port + 1``... (tests pick free ports)."""
    return tuple(replace(node, port=base_port + i) for i, node in enumerate(DEMO_NODES))


def seed_demo(data_dir: Path, nodes: tuple[DemoNode, ...] = DEMO_NODES) -> list[Login]:
    """Create whatever part of the demo world is missing; return every login to print."""
    data_dir.mkdir(parents=True, exist_ok=True)
    logins_path = data_dir / LOGINS_FILE
    stored: dict[str, str] = json.loads(logins_path.read_text()) if logins_path.exists() else {}
    for node in nodes:
        if not (data_dir / node.slug / "node.env").exists():
            os.environ["JISR_ADMIN_PASSWORD"] = demo_password(node)
            try:
                init_node(
                    data_dir / node.slug,
                    agency=node.agency,
                    name=node.name_en,
                    country=node.country,
                    name_fr=node.name_fr,
                    name_ar=node.name_ar,
                )
            finally:
                del os.environ["JISR_ADMIN_PASSWORD"]
            _append_env(data_dir / node.slug, f"JISR_PUBLIC_URL={node.url}")
    for node in nodes:
        with open_node(data_dir / node.slug) as opened:
            _seed_node(opened, node, nodes, data_dir, stored)
    logins_path.write_text(json.dumps(stored, indent=2))
    logins_path.chmod(0o600)
    return [
        (node, username, demo_password(node), role.value, stored[f"{node.slug}/{username}"])
        for node in nodes
        for username, _name, role in (("admin", "", Role.ADMIN), *node.officers)
    ]


def _append_env(directory: Path, line: str) -> None:
    with (directory / "node.env").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _seed_node(
    opened: Node,
    node: DemoNode,
    nodes: tuple[DemoNode, ...],
    data_dir: Path,
    stored: dict[str, str],
) -> None:
    with opened.session() as session:
        known = {agency.code for agency in list_partners(session)}
        for partner in nodes:
            if partner is node or partner.agency in known:
                continue
            keys = load_node_keys(data_dir / partner.slug, None)
            info = PartnerInfo(
                code=partner.agency,
                name_en=partner.name_en,
                name_fr=partner.name_fr,
                name_ar=partner.name_ar,
                country=partner.country,
                endpoint_url=partner.url,
                transport="http",
                signing_key=keys.signing_public,
                encryption_key=keys.encryption_public,
            )
            add_partner(session, opened.system, info, now=utcnow())
    with opened.session() as session:
        existing = {a.reference for a in list_agreements(session)}
        for reference, title, parties, areas, categories, basis in DEMO_AGREEMENTS:
            if node.agency not in parties or reference in existing:
                continue
            data = AgreementCreate(
                reference=reference,
                title=title,
                parties=list(parties),
                crime_areas=areas,
                data_categories=categories,
                valid_from=utcnow() - timedelta(days=1),
                valid_until=utcnow() + timedelta(days=3 * 365),
                legal_basis=basis,
                default_handling=HandlingCode.H0,
                status=AgreementStatus.ACTIVE,
            )
            create_agreement(session, opened.system, data)
    with opened.session() as session:
        users = {u.username: u for u in session.execute(select(User)).scalars()}
        for username, display_name, role in (("admin", "", Role.ADMIN), *node.officers):
            user = users.get(username) or create_user(
                session,
                opened.system,
                username=username,
                display_name=display_name,
                agency_code=node.agency,
                roles=[role],
                password=demo_password(node),
            )
            key = f"{node.slug}/{username}"
            if key not in stored and not user.mfa_enabled:
                seed, _uri = begin_totp_enrolment(session, opened.settings, user)
                confirm_totp_enrolment(session, opened.settings, user, pyotp.TOTP(seed).now())
                # The seeder's own code must not count as used: whoever reads the seed from the
                # logins file may sign in within the same 30 seconds.
                user.totp_last_step = None
                stored[key] = seed
            stored.setdefault(key, "(enrolled elsewhere)")
