"""The one decision function: may this actor do this to this resource, under which agreement?

``authorize`` is pure (agreements are passed in), so its whole matrix is tested table-driven;
``require`` in ``service`` loads the agreements and turns a refusal into PermissionDeniedError.
Rules, in order:
1. Auditors and the data-protection officer (``dpo``) read every record (content read-only) and
   the audit trail; auditors never write, the data-protection officer writes only data-subject
   requests (registering them, blocking records, deciding).
2. Each action kind needs a role (ROLE_GRANTS; reading, ROLE_GRANTS or ROLE_READS);
   administrators administer but do not handle cases.
3. Only the owner agency alters, withdraws or extends a record (the owner keeps control).
4. Disclosing to a partner, reading a partner's record, or receiving one from a partner needs an
   active, in-date agreement with both agencies as parties, covering the crime area and allowing
   the data category; records under H2 are never passed on by anyone but their owner.
5. Need to know inside the agency: a case and what hangs on it (messages, attachments,
   entities) under H2 or H3 is open only to the case's members — an officer named
   (``user:<id>``) or a unit named by its role (``role:liaison``). Under H0 and H1 the roles of
   rule 2 suffice. Oversight (rule 1) is not bound by membership; the node itself is not either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from jisr.actors import Actor, ActorKind, Role, reads_audit_trail
from jisr.agreements.models import AgreementStatus, HandlingCode


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    WITHDRAW = "withdraw"
    EXTEND = "extend"
    SHARE = "share"  # disclose to a partner agency
    RECEIVE = "receive"  # accept a record from a partner agency
    REVIEW = "review"  # compliance review of an alert
    SCREEN = "screen"
    ADMINISTER = "administer"
    AUDIT_READ = "audit_read"


class ResourceKind(StrEnum):
    AGENCY = "agency"
    USER = "user"
    AGREEMENT = "agreement"
    AUDIT = "audit"
    MESSAGE = "message"
    CASE = "case"
    ATTACHMENT = "attachment"
    NOTICE = "notice"
    WATCHLIST = "watchlist"
    SCREENING = "screening"
    INDICATOR = "indicator"
    ENTITY = "entity"
    OPERATION = "operation"
    TRAINING = "training"
    SUBJECT_REQUEST = "subject_request"  # data-subject request, its blocks and decisions


_CASEWORK = {ResourceKind.MESSAGE, ResourceKind.CASE, ResourceKind.ATTACHMENT, ResourceKind.ENTITY}
_ADMIN_KINDS = {ResourceKind.AGENCY, ResourceKind.USER, ResourceKind.AGREEMENT}

# Which roles may create, alter or share which kinds of record.
ROLE_GRANTS: dict[str, set[ResourceKind]] = {
    Role.LIAISON: _CASEWORK | {ResourceKind.NOTICE, ResourceKind.WATCHLIST},
    Role.ANALYST: _CASEWORK | {ResourceKind.WATCHLIST},
    Role.BORDER_OFFICER: {ResourceKind.SCREENING, ResourceKind.MESSAGE, ResourceKind.CASE},
    Role.CERT_ANALYST: {ResourceKind.INDICATOR, ResourceKind.MESSAGE, ResourceKind.CASE},
    Role.COORDINATOR: {ResourceKind.OPERATION, ResourceKind.MESSAGE, ResourceKind.CASE},
    Role.TRAINER: {ResourceKind.TRAINING},
    Role.ADMIN: set(_ADMIN_KINDS),
    Role.AUDITOR: set(),
    Role.DPO: {ResourceKind.SUBJECT_REQUEST},
}
# What a role reads besides the kinds it works with (rule 2): liaison officers follow the joint
# operations, major events and courses their agency takes part in (an event's contingents and
# liaison officers), without running them.
ROLE_READS: dict[str, set[ResourceKind]] = {
    Role.LIAISON: {ResourceKind.OPERATION, ResourceKind.TRAINING},
}
# Read every record and the audit trail, write no content (see rule 1).
OVERSIGHT_ROLES = frozenset({Role.AUDITOR, Role.DPO})
REVIEWER_ROLES = frozenset({Role.LIAISON})
WRITE_ACTIONS = frozenset(
    {Action.CREATE, Action.UPDATE, Action.WITHDRAW, Action.EXTEND, Action.SHARE, Action.REVIEW}
)
OWNER_ONLY = frozenset({Action.UPDATE, Action.WITHDRAW, Action.EXTEND})
# Handling codes under which a case's records are for its members only (rule 5).
NEED_TO_KNOW_CODES = frozenset({HandlingCode.H2.value, HandlingCode.H3.value})


@dataclass(frozen=True, slots=True)
class Resource:
    kind: ResourceKind
    owner_agency: str
    crime_area: str | None = None
    data_category: str | None = None
    handling_code: str | None = None
    # For SHARE: the partner it would go to. For RECEIVE: the sending partner is the actor.
    recipient_agency: str | None = None
    id: str | None = None
    # The case's members (``user:<id>``, ``role:<role>``) for casework records that belong to a
    # case; None for records outside a case (a new case, an upload not yet sent).
    members: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    """What policy needs to know of an agreement (a view, so tests need no database)."""

    id: str
    parties: frozenset[str]
    status: str
    crime_areas: frozenset[str]
    data_categories: frozenset[str]
    valid_from: datetime
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    agreement_id: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


def authorize(
    actor: Actor,
    action: Action,
    resource: Resource,
    *,
    agreements: Iterable[AgreementTerms] = (),
    now: datetime,
) -> Decision:
    if actor.scopes is not None and action.value not in actor.scopes and "*" not in actor.scopes:
        return Decision(False, f"token scope does not include {action.value}")
    if actor.kind is ActorKind.PARTNER:
        return _partner_decision(actor, action, resource, agreements, now)
    if actor.kind is ActorKind.SYSTEM:
        return _system_decision(actor, action, resource, agreements, now)
    return _user_decision(actor, action, resource, agreements, now)


def _user_decision(
    actor: Actor,
    action: Action,
    resource: Resource,
    agreements: Iterable[AgreementTerms],
    now: datetime,
) -> Decision:
    roles = actor.roles
    if action is Action.AUDIT_READ:
        if reads_audit_trail(actor):
            return Decision(
                True, "auditors, data-protection officers and administrators read the audit trail"
            )
        return Decision(
            False, "only auditors, data-protection officers and administrators read the audit trail"
        )
    if action is Action.READ:
        if roles & OVERSIGHT_ROLES:
            return Decision(True, "oversight reads all records of this node (read-only)")
        if resource.kind in _ADMIN_KINDS:
            return Decision(True, "reference data is readable by every signed-in user")
        if not _reads(roles, resource.kind):
            return Decision(False, f"no role of yours works with {resource.kind.value} records")
        if not _needs_to_know(actor, resource):
            return _not_a_member(resource)
        if resource.owner_agency == actor.agency_code:
            return Decision(True, "record of your own agency")
        return _covered(actor.agency_code, resource.owner_agency, resource, agreements, now)
    if action is Action.ADMINISTER:
        if Role.ADMIN in roles:
            return Decision(True, "administrator")
        return Decision(False, "administration needs the admin role")
    if action is Action.SCREEN:
        if Role.BORDER_OFFICER in roles or Role.LIAISON in roles:
            return Decision(True, "border officers and liaison officers screen travellers")
        return Decision(False, "screening needs the border_officer or liaison role")
    if action is Action.REVIEW:
        if roles & REVIEWER_ROLES and resource.owner_agency == actor.agency_code:
            return Decision(True, "compliance review by the owner's liaison desk")
        return Decision(False, "only the owner agency's liaison officers review alerts")
    if (
        roles & OVERSIGHT_ROLES
        and action in WRITE_ACTIONS
        and not _granted(roles - OVERSIGHT_ROLES, resource.kind)
        and not (resource.kind is ResourceKind.SUBJECT_REQUEST and Role.DPO in roles)
    ):
        who = "auditors" if "auditor" in roles else "data-protection officers"
        return Decision(False, f"{who} are read-only on content")
    if not _granted(roles, resource.kind):
        return Decision(False, f"no role of yours may {action.value} {resource.kind.value} records")
    if not _needs_to_know(actor, resource):
        return _not_a_member(resource)
    if action in OWNER_ONLY and resource.owner_agency != actor.agency_code:
        return Decision(
            False, f"only the owner agency ({resource.owner_agency}) may {action.value}"
        )
    if action is Action.CREATE:
        if resource.owner_agency != actor.agency_code:
            return Decision(False, "records are created for your own agency only")
        return Decision(True, "created by its owner agency")
    if action is Action.SHARE:
        return _cross_border(actor, action, resource, agreements, now, actor.display)
    return Decision(True, f"{action.value} by the owner agency")


def _system_decision(
    actor: Actor,
    action: Action,
    resource: Resource,
    agreements: Iterable[AgreementTerms],
    now: datetime,
) -> Decision:
    """The node itself: local administration from its own machine, and its own federation."""
    if action is Action.SHARE:
        return _cross_border(actor, action, resource, agreements, now, "the node")
    if action in {Action.ADMINISTER, Action.AUDIT_READ, Action.READ}:
        return Decision(True, "local administration by the node's operator")
    if resource.owner_agency != actor.agency_code:
        return Decision(False, f"only the owner agency ({resource.owner_agency}) may do that")
    return Decision(True, "the node acting on its own records")


def _cross_border(
    actor: Actor,
    action: Action,
    resource: Resource,
    agreements: Iterable[AgreementTerms],
    now: datetime,
    who: str,
) -> Decision:
    if resource.recipient_agency is None:
        return Decision(False, "a disclosure needs a recipient agency")
    if resource.owner_agency != actor.agency_code:
        reason = "only the owner agency may pass a record on"
        if resource.handling_code == HandlingCode.H2.value:
            reason += " (H2: no onward dissemination without the owner's permission)"
        return Decision(False, reason)
    return _covered(actor.agency_code, resource.recipient_agency, resource, agreements, now)


def _partner_decision(
    actor: Actor,
    action: Action,
    resource: Resource,
    agreements: Iterable[AgreementTerms],
    now: datetime,
) -> Decision:
    if action is not Action.RECEIVE:
        return Decision(False, "partner nodes may only deliver records to this node")
    if resource.owner_agency != actor.agency_code:
        return Decision(False, f"{actor.agency_code} cannot deliver a record owned by another")
    if resource.recipient_agency is None:
        return Decision(False, "a delivery needs a recipient agency")
    return _covered(actor.agency_code, resource.recipient_agency, resource, agreements, now)


def _needs_to_know(actor: Actor, resource: Resource) -> bool:
    """Rule 5: whether the actor is one of the case's members, when membership matters."""
    if (
        resource.members is None
        or resource.kind not in _CASEWORK
        or resource.handling_code not in NEED_TO_KNOW_CODES
    ):
        return True
    return not _member_keys(actor).isdisjoint(resource.members)


def _member_keys(actor: Actor) -> frozenset[str]:
    """The case members an officer is: itself and each of its units."""
    return frozenset({f"user:{actor.id}", *(f"role:{role}" for role in actor.roles)})


def _not_a_member(resource: Resource) -> Decision:
    return Decision(
        False,
        f"{resource.handling_code} case records are for the case's members (need to know); "
        "ask a member to add you",
    )


def _granted(roles: frozenset[str], kind: ResourceKind) -> bool:
    return any(kind in ROLE_GRANTS.get(role, set()) for role in roles)


def _reads(roles: frozenset[str], kind: ResourceKind) -> bool:
    return _granted(roles, kind) or any(kind in ROLE_READS.get(role, set()) for role in roles)


def roles_reading(*kinds: ResourceKind) -> frozenset[str]:
    """The roles whose holders may read records of any of ``kinds`` (of their own agency, or a
    partner's under an agreement): who a console area listing them is for."""
    return frozenset(
        role
        for role in Role
        if role in OVERSIGHT_ROLES or any(_reads(frozenset({role}), kind) for kind in kinds)
    )


def _covered(
    agency_a: str,
    agency_b: str,
    resource: Resource,
    agreements: Iterable[AgreementTerms],
    now: datetime,
) -> Decision:
    """An agreement between the two agencies that covers this record, or the reason none does."""
    reasons: list[str] = []
    for terms in agreements:
        if not {agency_a, agency_b} <= terms.parties:
            continue
        problem = _terms_problem(terms, resource, now)
        if problem is None:
            return Decision(True, f"covered by agreement {terms.id}", terms.id)
        reasons.append(f"{terms.id}: {problem}")
    if not reasons:
        return Decision(False, f"no agreement between {agency_a} and {agency_b}")
    return Decision(False, "; ".join(reasons))


def _terms_problem(terms: AgreementTerms, resource: Resource, now: datetime) -> str | None:
    if terms.status != AgreementStatus.ACTIVE.value:
        return f"agreement is {terms.status}"
    if now < terms.valid_from:
        return "agreement is not yet in force"
    if terms.valid_until is not None and now >= terms.valid_until:
        return "agreement has expired"
    if resource.crime_area is not None and resource.crime_area not in terms.crime_areas:
        return f"crime area {resource.crime_area} is outside its scope"
    if resource.data_category is not None and resource.data_category not in terms.data_categories:
        return f"data category {resource.data_category} is not allowed"
    return None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Records of ``owner_agency`` an agreement in force lets the actor read (a missing crime
    area or data category on a record is covered, as `authorize` decides)."""

    owner_agency: str
    crime_areas: frozenset[str]
    data_categories: frozenset[str]


@dataclass(frozen=True, slots=True)
class Visibility:
    """The records of one kind ``actor`` may read, as a set a query filters by: every record,
    those of ``own_agency``, and those ``covered`` by an agreement; nothing when all are empty.

    ``member_keys`` is rule 5 for casework: when set, a record of a case handled under one of
    ``NEED_TO_KNOW_CODES`` is in the set only if the case's members include one of these keys
    (the actor as ``user:<id>`` and its units as ``role:<role>``); None when membership does
    not bind the actor (oversight, the node, records outside casework)."""

    everything: bool = False
    own_agency: str | None = None
    covered: tuple[Coverage, ...] = ()
    member_keys: frozenset[str] | None = None


def visible(
    actor: Actor, kind: ResourceKind, *, agreements: Iterable[AgreementTerms], now: datetime
) -> Visibility:
    """What `authorize` answers to READ of each record of ``kind``, as one set: listings
    filter by it in the query and then page (``agreements``: those of the actor's agency).
    For casework kinds the set carries the actor's membership keys (rule 5)."""
    scopes = actor.scopes
    if scopes is not None and Action.READ.value not in scopes and "*" not in scopes:
        return Visibility()
    if actor.kind is ActorKind.SYSTEM:
        return Visibility(everything=True)
    if actor.kind is ActorKind.PARTNER:
        return Visibility()
    if actor.roles & OVERSIGHT_ROLES or kind in _ADMIN_KINDS:
        return Visibility(everything=True)
    if not _reads(actor.roles, kind):
        return Visibility()
    own = actor.agency_code
    in_force = Resource(kind, owner_agency=own)
    covered = tuple(
        Coverage(other, terms.crime_areas, terms.data_categories)
        for terms in agreements
        if own in terms.parties and _terms_problem(terms, in_force, now) is None
        for other in sorted(terms.parties - {own})
    )
    keys = _member_keys(actor) if kind in _CASEWORK else None
    return Visibility(own_agency=own, covered=covered, member_keys=keys)
