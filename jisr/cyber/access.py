"""Who may read or write cyber objects: policy, once per owner agency, plus TLP.

Reading asks policy (READ on an indicator resource of the owner, cybercrime, cyber_indicator)
once per distinct owner in a page, so a page of a thousand objects costs a handful of
decisions. A partner's AMBER+STRICT and RED copies are readable here by whoever policy admits,
but are never served on (TAXII, exports): see ``jisr.cyber.tlp``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require


def indicator_resource(owner: str, handling_code: str | None = None) -> Resource:
    return Resource(
        ResourceKind.INDICATOR,
        owner_agency=owner,
        crime_area=CrimeArea.CYBERCRIME.value,
        data_category=DataCategory.CYBER_INDICATOR.value,
        handling_code=handling_code,
    )


class ReadGate:
    """Policy's READ answer per owner agency, asked once each for one actor."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._answers: dict[str, bool] = {}

    def may_read(self, owner: str) -> bool:
        if owner not in self._answers:
            decision = check(self.session, self.actor, Action.READ, indicator_resource(owner))
            self._answers[owner] = decision.allowed
        return self._answers[owner]

    def readable(self, owners: Iterable[str]) -> set[str]:
        return {owner for owner in set(owners) if self.may_read(owner)}


def require_write(session: Session, actor: Actor) -> None:
    """Creating objects for one's own agency needs a role working with indicators."""
    require(session, actor, Action.CREATE, indicator_resource(actor.agency_code))


def require_read_own(session: Session, actor: Actor) -> None:
    require(session, actor, Action.READ, indicator_resource(actor.agency_code))
