"""Two real nodes witness each other's logs: Paris co-signs Rabat's checkpoints after checking
each consistency proof. When Rabat's operator rewrites history (recomputing the chain, the tree
and re-signing every stored checkpoint with the node's key) and sends the next checkpoint,
Paris refuses it, audits the refusal and raises an alert on its console; Rabat stores the
refusal, and its own verification names the co-signatures that no longer verify."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, record
from jisr.audit.models import (
    AlertKind,
    AuditCheckpoint,
    AuditCosignature,
    AuditEntry,
    WitnessAlert,
    WitnessedCheckpoint,
    WitnessPeer,
)
from jisr.audit.verify import ProblemKind
from jisr.clock import utcnow
from jisr.db import make_session_factory, unit_of_work
from jisr.federation.keys import load_node_keys
from jisr.federation.node import FederationNode, FederationSettings, build_node
from jisr.federation.transports import Transports
from jisr.federation.worker import deliver_once
from jisr.identity import service as identity
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.node import create_app, handler_registry
from jisr.witness.integrity import verify_node_log
from jisr.witness.publish import AuditSettings, witness_pass
from tests.audit import insider
from tests.federation.nodes import FedNode, Loopback, Server, serving, wait_for
from tests.web.conftest import PASSWORD, csrf_of

EVERY_ENTRY = AuditSettings(checkpoint_every_entries=1)


class Witnessing:
    """Rabat (origin) and Paris (witness), delivering to each other in process."""

    def __init__(self, rabat: FedNode, paris: FedNode) -> None:
        self.rabat, self.paris = rabat, paris
        self.fed = {node.code: _federation(node) for node in (rabat, paris)}
        self.loopback = Loopback(self.fed)

    def write(self, node: FedNode, count: int) -> None:
        officer = Actor(ActorKind.USER, f"{node.code}:user:1", node.code, frozenset(), "amal")
        with node.session() as session:
            for n in range(count):
                record(session, officer, AuditAction.CONSULTATION, "message", f"{node.code}:m:{n}")

    def witness(self, node: FedNode) -> AuditCheckpoint | None:
        key = load_node_keys(node.data_dir, None).signing
        checkpoint = witness_pass(self.fed[node.code].session_factory, node.code, key, EVERY_ENTRY)
        self.deliver()
        return checkpoint

    def deliver(self) -> None:
        transports = Transports({"http": self.loopback})
        for _ in range(8):
            moved = sum(deliver_once(fed, transports) for fed in self.fed.values())
            if not moved:
                return

    @contextmanager
    def db(self, node: FedNode) -> Iterator[Session]:
        with node.session() as session:
            yield session


def _federation(node: FedNode) -> FederationNode:
    factory = make_session_factory(node.engine, node.data_dir)
    return build_node(node.settings, factory, node.code, handler_registry(), FederationSettings())


def test_partner_cosigns_then_refuses_a_rewritten_history(pair: tuple[FedNode, FedNode]) -> None:
    rabat, paris = pair
    world = Witnessing(rabat, paris)
    world.write(rabat, 10)
    first = world.witness(rabat)
    assert first is not None
    with world.db(paris) as session:
        held = session.get(WitnessedCheckpoint, rabat.code)
        assert held is not None and held.tree_size == first.tree_size
    with world.db(rabat) as session:
        cosigned = session.execute(select(AuditCosignature)).scalars().all()
        assert [(c.witness, c.checkpoint_id) for c in cosigned] == [(paris.code, first.id)]
    # The log grows; the next checkpoint comes with a consistency proof and is co-signed.
    world.write(rabat, 7)
    second = world.witness(rabat)
    assert second is not None and second.tree_size > first.tree_size
    with world.db(paris) as session:
        held = session.get(WitnessedCheckpoint, rabat.code)
        assert held is not None and held.tree_size == second.tree_size
        held_root = held.root_hash
    with world.db(rabat) as session:
        report = verify_node_log(session, rabat.settings, rabat.code)
        assert report.intact, report.problems
        assert report.cosignatures == 2

    # Rabat's operator rewrites entry 5 and recomputes everything, even the stored checkpoints.
    with insider.database(rabat.engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 5).values(actor="nobody"))
        insider.rechain(session, 5)
        insider.rebuild_tree(session)
        insider.resign_checkpoints(session, rabat.data_dir, rabat.code)
    world.write(rabat, 3)
    third = world.witness(rabat)
    assert third is not None and third.tree_size > second.tree_size

    with world.db(paris) as session:
        # Refused: Paris still holds the history it witnessed...
        held = session.get(WitnessedCheckpoint, rabat.code)
        assert held is not None and (held.tree_size, held.root_hash) == (
            second.tree_size,
            held_root,
        )
        # ... alerts ...
        alerts = session.execute(select(WitnessAlert)).scalars().all()
        assert [(a.kind, a.agency, a.offered_size) for a in alerts] == [
            (AlertKind.INCONSISTENT.value, rabat.code, third.tree_size)
        ]
        # ... and audited the refusal as Rabat's act.
        refusals = [
            e
            for e in session.execute(
                select(AuditEntry).where(AuditEntry.object_type == "audit_checkpoint")
            ).scalars()
            if e.details.get("event") == "checkpoint_refused"
        ]
        assert [(e.actor, e.details["offered_size"]) for e in refusals] == [
            (rabat.code, third.tree_size)
        ]
    with world.db(rabat) as session:
        alerts = session.execute(select(WitnessAlert)).scalars().all()
        assert [(a.kind, a.agency) for a in alerts] == [
            (AlertKind.REFUSED_BY_WITNESS.value, paris.code)
        ]
        kinds = {p.kind for p in verify_node_log(session, rabat.settings, rabat.code).problems}
        assert kinds == {ProblemKind.COSIGNATURE, ProblemKind.WITNESS}

    _console_shows_the_alert(paris, rabat.code)


def test_a_truncated_log_is_refused_as_a_rollback(pair: tuple[FedNode, FedNode]) -> None:
    rabat, paris = pair
    world = Witnessing(rabat, paris)
    world.write(rabat, 12)
    first = world.witness(rabat)
    assert first is not None
    # The operator cuts the log back, rebuilds the tree and forgets every checkpoint.
    with insider.database(rabat.engine) as session:
        insider.truncate(session, first.tree_size - 4)
        insider.rebuild_tree(session)
        session.execute(delete(AuditCosignature))
        session.execute(delete(AuditCheckpoint))
        session.execute(delete(WitnessPeer))
    world.witness(rabat)
    with world.db(paris) as session:
        alerts = session.execute(select(WitnessAlert)).scalars().all()
        assert [(a.kind, a.held_size) for a in alerts] == [
            (AlertKind.ROLLBACK.value, first.tree_size)
        ]


def test_two_nodes_witness_each_other(pair: tuple[FedNode, FedNode]) -> None:
    rabat, paris = pair
    world = Witnessing(rabat, paris)
    world.write(rabat, 3)
    world.write(paris, 4)
    world.witness(rabat)
    world.witness(paris)
    for origin, witness in ((rabat, paris), (paris, rabat)):
        with world.db(witness) as session:
            assert session.get(WitnessedCheckpoint, origin.code) is not None
        with world.db(origin) as session:
            report = verify_node_log(session, origin.settings, origin.code)
            assert report.intact and report.cosignatures == 1, report.problems


def _console_shows_the_alert(node: FedNode, origin: str) -> None:
    """An auditor of ``node`` signs in: the home page and the audit page show the alert."""
    with node.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        auditor = identity.create_user(
            session,
            actor_for(admin),
            username="hind.auditor",
            display_name="Hind",
            agency_code=None,
            roles=[Role.AUDITOR],
            password=PASSWORD,
        )
        seed, _uri = identity.begin_totp_enrolment(session, node.settings, auditor)
        totp = pyotp.TOTP(seed)
        identity.confirm_totp_enrolment(
            session, node.settings, auditor, totp.at(utcnow(), counter_offset=-1)
        )
    app = create_app(node.settings.with_sections(FederationSettings(worker_enabled=False)))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/sign-in")
        form = {
            "csrf_token": csrf_of(page.text),
            "username": "hind.auditor",
            "password": PASSWORD,
            "totp_code": totp.at(utcnow()),
            "next": "/",
        }
        home = client.post("/sign-in", data=form)
        assert home.status_code == 200, home.text[:500]
        assert "Audit log inconsistencies" in home.text
        audit = client.get("/audit")
        assert audit.status_code == 200
        assert "rewritten or forked" in audit.text and origin in audit.text
        # Acknowledged, it leaves the home page (and the acknowledgement is audited).
        alert_id = audit.text.split("/audit/alerts/", 1)[1].split("/", 1)[0]
        done = client.post(
            f"/audit/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_of(audit.text)}
        )
        assert done.status_code == 200
        assert "/audit/alerts/" not in done.text
        assert "Audit log inconsistencies" not in client.get("/").text
    with unit_of_work(make_session_factory(node.engine)) as session:
        alert = session.execute(select(WitnessAlert)).scalar_one()
        assert alert.acknowledged_by == "hind.auditor"


def test_served_nodes_witness_each_other_on_schedule(pair: tuple[FedNode, FedNode]) -> None:
    """``jisr serve`` signs checkpoints and has them co-signed without anyone asking."""
    rabat, paris = pair
    Witnessing(rabat, paris).write(rabat, 5)
    env = {"JISR_AUDIT_WITNESS_POLL_SECONDS": "0.5", "JISR_AUDIT_CHECKPOINT_EVERY_ENTRIES": "1"}

    def cosigned() -> bool:
        with rabat.session() as session:
            return session.execute(select(AuditCosignature.id)).first() is not None

    with serving(Server(rabat, env), Server(paris, env)):
        wait_for(cosigned, timeout=60, what="Paris to co-sign Rabat's checkpoint")
    with rabat.session() as session:
        report = verify_node_log(session, rabat.settings, rabat.code)
        assert report.intact and report.cosignatures >= 1, report.problems
