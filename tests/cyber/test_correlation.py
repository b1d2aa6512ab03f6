"""Correlation: linked across agencies, hidden when policy hides the owner, capped per value."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.agreements.models import CrimeArea, DataCategory
from jisr.cyber import correlate, service
from jisr.cyber.collections import LOCAL_ALIAS, collection_for_agreement, get_collection
from jisr.cyber.models import Origin
from jisr.cyber.store import Labels, ingest
from jisr.cyber.tlp import Tlp
from tests.cyber.data import bundle, indicator, ipv4
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, add_local_agency, pin_partner

STRANGER = "US-FBI"


def _analyst() -> Actor:
    return Actor(ActorKind.USER, f"{LOCAL}:user:cert", LOCAL, frozenset({"cert_analyst"}), "cert")


def test_links_across_agencies_only_where_policy_allows(session: Session) -> None:
    add_local_agency(session)
    pin_partner(session, LOCAL, PARTNER)
    pin_partner(session, LOCAL, STRANGER)
    agreement = add_agreement(
        session, LOCAL, PARTNER, reference="MA-FR/CYBER/01",
        crime_areas=[CrimeArea.CYBERCRIME], categories=[DataCategory.CYBER_INDICATOR],
    )  # fmt: skip
    actor = _analyst()
    shared = collection_for_agreement(session, LOCAL, agreement.id)
    theirs = indicator(1, value="login-ministere.example")
    ingest(
        session,
        shared,
        [theirs],
        Labels(PARTNER, Origin.PARTNER.value, Tlp.GREEN, agreement_id=agreement.id),
    )
    # A copy from an agency we have no agreement with (say, arrived before one ended).
    hidden = indicator(2, value="login-ministere.example")
    local = get_collection(session, LOCAL, LOCAL_ALIAS).id
    ingest(session, local, [hidden], Labels(STRANGER, Origin.PARTNER.value, Tlp.GREEN))
    ours = indicator(3, value="LOGIN-MINISTERE.example")
    service.import_document(session, actor, json.dumps(bundle([ours])).encode())

    found = correlate.lookup(session, actor, "login-ministere.example")
    assert {m.stix_id for m in found.matches} == {theirs["id"], ours["id"]}
    assert found.cross_agency and found.agencies == sorted([LOCAL, PARTNER])
    on_ours = correlate.for_object(session, actor, ours["id"])
    assert [m.stix_id for c in on_ours for m in c.matches] == [theirs["id"]]
    # The auditor reads everything (oversight), a border officer nothing of this.
    auditor = Actor(ActorKind.USER, f"{LOCAL}:user:aud", LOCAL, frozenset({"auditor"}), "aud")
    assert len(correlate.lookup(session, auditor, "login-ministere.example").matches) == 3
    officer = Actor(ActorKind.USER, f"{LOCAL}:user:bo", LOCAL, frozenset({"border_officer"}), "bo")
    assert correlate.lookup(session, officer, "login-ministere.example").matches == []


def test_a_common_value_is_capped(session: Session) -> None:
    add_local_agency(session)
    actor = _analyst()
    cdn = [
        {**ipv4(0), "id": f"ipv4-addr--{n:08d}-0000-4000-8000-000000000000"}
        for n in range(correlate.CAP + 1)
    ]
    # Same value, distinct objects: e.g. the same CDN address seen in many reports.
    indicators = [
        indicator(n, value="x", pattern="[ipv4-addr:value = '198.51.100.1']")
        for n in range(correlate.CAP + 1)
    ]
    service.import_document(session, actor, json.dumps(bundle(indicators + cdn[:1])).encode())
    found = correlate.lookup(session, actor, "198.51.100.1")
    assert found.capped and found.matches == []
    few = correlate.lookup(session, actor, "login-1.ministere-portail.example")
    assert not few.capped
