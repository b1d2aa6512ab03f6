"""The policy matrix, table-driven: every row is a question an officer's action asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jisr.actors import Actor, ActorKind, system_actor
from jisr.agreements.policy import Action, AgreementTerms, Resource, ResourceKind, authorize

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MA, FR, ES, QA = "MA-DGST", "FR-DGSI", "ES-CGI", "QA-SSB"


def user(agency: str, *roles: str) -> Actor:
    return Actor(ActorKind.USER, f"{agency}:user:x", agency, frozenset(roles), label="u")


def partner(agency: str) -> Actor:
    return Actor(ActorKind.PARTNER, agency, agency, label=agency)


def terms(
    parties: tuple[str, ...] = (MA, FR),
    status: str = "active",
    areas: tuple[str, ...] = ("terrorism", "migrant_smuggling"),
    categories: tuple[str, ...] = ("personal", "operational"),
    starts: datetime = NOW - timedelta(days=30),
    ends: datetime | None = None,
) -> AgreementTerms:
    return AgreementTerms(
        "MA-DGST:agreement:1",
        frozenset(parties),
        status,
        frozenset(areas),
        frozenset(categories),
        starts,
        ends,
    )


MSG_MA = Resource(ResourceKind.MESSAGE, MA, "migrant_smuggling", "personal", "H0")
MSG_FR = Resource(ResourceKind.MESSAGE, FR, "migrant_smuggling", "personal", "H0")
SHARE_TO_FR = Resource(ResourceKind.MESSAGE, MA, "migrant_smuggling", "personal", "H0", FR)
NOTICE_MA = Resource(ResourceKind.NOTICE, MA, "terrorism", "personal", "H0")
SCREEN_MA = Resource(ResourceKind.SCREENING, MA)
USER_MA = Resource(ResourceKind.USER, MA)
DSR_MA = Resource(ResourceKind.SUBJECT_REQUEST, MA)
DSR_FR = Resource(ResourceKind.SUBJECT_REQUEST, FR)

CASES = [
    # (id, actor, action, resource, agreements, allowed, reason fragment)
    ("liaison creates own", user(MA, "liaison"), Action.CREATE, MSG_MA, [], True, "owner"),
    ("liaison creates for other", user(MA, "liaison"), Action.CREATE, MSG_FR, [], False, "own"),
    ("trainer cannot message", user(MA, "trainer"), Action.CREATE, MSG_MA, [], False, "no role"),
    ("auditor reads", user(MA, "auditor"), Action.READ, MSG_FR, [], True, "read-only"),
    ("auditor cannot write", user(MA, "auditor"), Action.CREATE, MSG_MA, [], False, "read-only"),
    ("auditor reads audit", user(MA, "auditor"), Action.AUDIT_READ, MSG_MA, [], True, "audit"),
    ("liaison no audit", user(MA, "liaison"), Action.AUDIT_READ, MSG_MA, [], False, "only"),
    ("dpo reads partner's", user(MA, "dpo"), Action.READ, MSG_FR, [], True, "read-only"),
    ("dpo reads notice", user(MA, "dpo"), Action.READ, NOTICE_MA, [], True, "read-only"),
    ("dpo reads audit", user(MA, "dpo"), Action.AUDIT_READ, MSG_MA, [], True, "audit"),
    ("dpo cannot write", user(MA, "dpo"), Action.CREATE, MSG_MA, [], False, "read-only"),
    ("dpo cannot update", user(MA, "dpo"), Action.UPDATE, NOTICE_MA, [], False, "read-only"),
    ("dpo cannot withdraw", user(MA, "dpo"), Action.WITHDRAW, NOTICE_MA, [], False, "read-only"),
    ("dpo cannot share", user(MA, "dpo"), Action.SHARE, SHARE_TO_FR, [terms()], False, "read-only"),
    ("dpo cannot screen", user(MA, "dpo"), Action.SCREEN, SCREEN_MA, [], False, "border_officer"),
    ("dpo cannot review", user(MA, "dpo"), Action.REVIEW, NOTICE_MA, [], False, "liaison"),
    ("dpo no admin", user(MA, "dpo"), Action.ADMINISTER, USER_MA, [], False, "admin"),
    ("dpo registers dsr", user(MA, "dpo"), Action.CREATE, DSR_MA, [], True, "owner"),
    ("dpo decides dsr", user(MA, "dpo"), Action.UPDATE, DSR_MA, [], True, "owner"),
    ("dpo reads dsr", user(MA, "dpo"), Action.READ, DSR_MA, [], True, "read-only"),
    ("dpo not for partner", user(MA, "dpo"), Action.CREATE, DSR_FR, [], False, "own"),
    ("auditor reads dsr", user(MA, "auditor"), Action.READ, DSR_MA, [], True, "read-only"),
    ("auditor no dsr", user(MA, "auditor"), Action.CREATE, DSR_MA, [], False, "read-only"),
    ("admin no dsr", user(MA, "admin"), Action.UPDATE, DSR_MA, [], False, "no role"),
    ("liaison no dsr", user(MA, "liaison"), Action.READ, DSR_MA, [], False, "no role"),
    ("dpo+liaison writes", user(MA, "dpo", "liaison"), Action.CREATE, MSG_MA, [], True, "owner"),
    ("admin reads audit", user(MA, "admin"), Action.AUDIT_READ, MSG_MA, [], True, "audit"),
    ("owner updates", user(MA, "liaison"), Action.UPDATE, MSG_MA, [], True, "owner"),
    (
        "partner copy not edited",
        user(MA, "liaison"),
        Action.UPDATE,
        MSG_FR,
        [terms()],
        False,
        "only the owner",
    ),
    (
        "only owner withdraws",
        user(MA, "liaison"),
        Action.WITHDRAW,
        MSG_FR,
        [terms()],
        False,
        "FR-DGSI",
    ),
    ("share covered", user(MA, "liaison"), Action.SHARE, SHARE_TO_FR, [terms()], True, "covered"),
    (
        "share no agreement",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [],
        False,
        "no agreement",
    ),
    (
        "share other parties",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms((MA, ES))],
        False,
        "no agreement",
    ),
    (
        "share suspended",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(status="suspended")],
        False,
        "suspended",
    ),
    (
        "share draft",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(status="draft")],
        False,
        "draft",
    ),
    (
        "share not yet in force",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(starts=NOW + timedelta(days=1))],
        False,
        "not yet",
    ),
    (
        "share expired",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(ends=NOW - timedelta(seconds=1))],
        False,
        "expired",
    ),
    (
        "share out of scope",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(areas=("cybercrime",))],
        False,
        "outside its scope",
    ),
    (
        "share category refused",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(categories=("operational",))],
        False,
        "not allowed",
    ),
    (
        "second agreement covers",
        user(MA, "liaison"),
        Action.SHARE,
        SHARE_TO_FR,
        [terms(status="suspended"), terms()],
        True,
        "covered",
    ),
    (
        "onward H2 refused",
        user(MA, "liaison"),
        Action.SHARE,
        Resource(ResourceKind.MESSAGE, FR, "migrant_smuggling", "personal", "H2", ES),
        [terms((MA, FR, ES))],
        False,
        "H2",
    ),
    (
        "read partner record covered",
        user(MA, "analyst"),
        Action.READ,
        MSG_FR,
        [terms()],
        True,
        "covered",
    ),
    (
        "read partner record uncovered",
        user(MA, "analyst"),
        Action.READ,
        MSG_FR,
        [],
        False,
        "no agreement",
    ),
    (
        "partner delivers",
        partner(FR),
        Action.RECEIVE,
        Resource(ResourceKind.MESSAGE, FR, "terrorism", "personal", "H0", MA),
        [terms()],
        True,
        "covered",
    ),
    (
        "partner delivers out of scope",
        partner(FR),
        Action.RECEIVE,
        Resource(ResourceKind.MESSAGE, FR, "cybercrime", "personal", "H0", MA),
        [terms()],
        False,
        "outside",
    ),
    (
        "partner spoofs owner",
        partner(FR),
        Action.RECEIVE,
        Resource(ResourceKind.MESSAGE, ES, "terrorism", "personal", "H0", MA),
        [terms()],
        False,
        "another",
    ),
    ("partner cannot read", partner(FR), Action.READ, MSG_MA, [terms()], False, "only deliver"),
    (
        "admin administers",
        user(MA, "admin"),
        Action.ADMINISTER,
        Resource(ResourceKind.USER, MA),
        [],
        True,
        "administrator",
    ),
    (
        "liaison cannot administer",
        user(MA, "liaison"),
        Action.ADMINISTER,
        Resource(ResourceKind.USER, MA),
        [],
        False,
        "admin",
    ),
    ("admin no casework", user(MA, "admin"), Action.CREATE, MSG_MA, [], False, "no role"),
    (
        "border officer screens",
        user(MA, "border_officer"),
        Action.SCREEN,
        Resource(ResourceKind.SCREENING, MA),
        [],
        True,
        "screen",
    ),
    (
        "analyst cannot screen",
        user(MA, "analyst"),
        Action.SCREEN,
        Resource(ResourceKind.SCREENING, MA),
        [],
        False,
        "border_officer",
    ),
    (
        "owner reviews",
        user(MA, "liaison"),
        Action.REVIEW,
        Resource(ResourceKind.NOTICE, MA),
        [],
        True,
        "review",
    ),
    (
        "foreign reviewer refused",
        user(MA, "liaison"),
        Action.REVIEW,
        Resource(ResourceKind.NOTICE, FR),
        [],
        False,
        "owner",
    ),
    (
        "system administers",
        system_actor(MA),
        Action.ADMINISTER,
        Resource(ResourceKind.AGREEMENT, MA),
        [],
        True,
        "local",
    ),
    (
        "system shares covered",
        system_actor(MA),
        Action.SHARE,
        SHARE_TO_FR,
        [terms()],
        True,
        "covered",
    ),
    ("system cannot alter partner's", system_actor(MA), Action.UPDATE, MSG_FR, [], False, "owner"),
    (
        "token scope limits",
        Actor(ActorKind.USER, "t", MA, frozenset({"liaison"}), "t", frozenset({"read"})),
        Action.CREATE,
        MSG_MA,
        [],
        False,
        "scope",
    ),
    (
        "qatar not party",
        user(MA, "liaison"),
        Action.SHARE,
        Resource(ResourceKind.MESSAGE, MA, "major_events", "operational", "H0", QA),
        [terms()],
        False,
        "no agreement",
    ),
]


@pytest.mark.parametrize(
    ("actor", "action", "resource", "agreements", "allowed", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_policy_matrix(
    actor: Actor,
    action: Action,
    resource: Resource,
    agreements: list[AgreementTerms],
    allowed: bool,
    fragment: str,
) -> None:
    decision = authorize(actor, action, resource, agreements=agreements, now=NOW)
    assert decision.allowed is allowed, decision.reason
    assert fragment in decision.reason
