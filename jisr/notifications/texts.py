"""What each kind of notification says, in English, with the values it names (the console has
the same sentences as translatable messages; a test keeps them equal)."""

from __future__ import annotations

from typing import Any

from jisr.notifications.models import Kind

TITLES: dict[Kind, str] = {
    Kind.MESSAGE: "New message from %(agency)s",
    Kind.REQUEST: "New request from %(agency)s to answer",
    Kind.REPLY: "%(agency)s replied to your message",
    Kind.REQUEST_DUE: "A request's deadline is near",
    Kind.REQUEST_OVERDUE: "A request is overdue",
    Kind.ALERT_RECEIVED: "Alert %(reference)s received from %(agency)s",
    Kind.ALERT_WITHDRAWN: "%(agency)s withdrew one of its alerts",
    Kind.REVIEW_REQUESTED: "Alert %(reference)s awaits your review",
    Kind.ALERT_REVIEWED: "Your alert %(reference)s was reviewed",
    Kind.HIT: "Screening hits to decide: %(count)s",
    Kind.MANIFEST_SCREENED: "Your manifest was screened, hits: %(count)s",
    Kind.CASE_MEMBER: "You were added to case %(case)s",
    Kind.ENVELOPE_DEAD: "A delivery to %(agency)s failed for good",
    Kind.PARTNER_UNREACHABLE: "Partner %(agency)s is unreachable",
    Kind.SUBJECT_REQUEST: "A data-subject request was registered",
    Kind.INCIDENT: "%(agency)s reported an incident",
}


def values_of(agency: str | None, params: dict[str, Any]) -> dict[str, Any]:
    return {"agency": agency or "", "reference": "", "count": 0, "case": "", **params}


def title_of(kind: str, agency: str | None, params: dict[str, Any]) -> str:
    try:
        template = TITLES[Kind(kind)]
    except ValueError:
        return kind
    return template % values_of(agency, params)
