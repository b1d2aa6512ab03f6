"""Alerts: the list (ours and partners'), one alert, writing one, the compliance review queue,
publication and withdrawal (editing, extending and retracting a decision: ``notices_changes``).

Every page calls the notices service the API calls, as the signed-in officer; the service
audits each reading and decides, through policy, who may do what.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from jisr.actors import Role
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check
from jisr.api.deps import SessionDep
from jisr.errors import JisrError, PermissionDeniedError, ValidationError
from jisr.notices import drafting, publication, queries, receipts, review
from jisr.notices.access import may
from jisr.notices.models import (
    CLOSED_STATUSES,
    AlertType,
    Notice,
    NoticeReview,
    NoticeStatus,
    Origin,
)
from jisr.notices.schemas import NOTICE_ID_PATTERN, ReviewCreate
from jisr.notices.subjects import documents_of, names_of, values
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, filled_in, form_values, refusal, validate
from jisr.web.i18n import N_
from jisr.web.pages import notices_findings as findings
from jisr.web.pages.notices_forms import (
    CHECKBOXES,
    AlertForm,
    CloseForm,
    ReviewForm,
    listify,
    subject_error_field,
)
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, request_language, set_flash
from jisr.web.viewer import Viewer, ViewerDep

router = console_router()
NAV = (
    NavItem(N_("Alerts"), "/alerts", roles=frozenset({Role.LIAISON, Role.AUDITOR})),
    NavItem(N_("Alert review"), "/review/alerts", roles=frozenset({Role.LIAISON})),
)
NoticeId = Annotated[str, Path(pattern=NOTICE_ID_PATTERN, max_length=80)]

# Domain refusals shown beside a field, by error code (msgids).
DOMAIN_ERRORS = {
    "entity_invalid": N_("FollowTheMoney does not accept this value."),
    "validity_invalid": N_("Choose a date in the future, at most ten years away."),
    "recipients_required": N_("A diffusion names the partner agencies it goes to."),
    "recipient_invalid": N_("A diffusion goes to partner agencies, not to your own."),
    "recipients_not_allowed": N_("Only diffusions name recipients; leave this empty."),
    "grounds_required": N_("A refusal states at least one ground."),
    "grounds_not_allowed": N_("Grounds are for refusals only."),
    "justification_required": N_(
        "This alert was flagged by the checks: write why you approve it (10 characters or more)."
    ),
    "reviewer_is_author": N_("You wrote this alert: another liaison officer reviews it."),
    "notice_sent": N_("The recipients of a diffusion already sent cannot change."),
    "update_needs_review": N_(
        "This change would need a new compliance review: withdraw the alert and write a new one."
    ),
    "notice_expired": N_("The alert's validity has ended: choose a later date."),
    "subject_blocked": N_(
        "The alert's subject is blocked while a data-subject request is reviewed."
    ),
    "birth_date_in_future": N_("A date of birth cannot be in the future."),
    "nationality_invalid": N_("This is not the code of a country (ISO 3166, e.g. MA, FR)."),
}
# Refusals about a value of the subject, placed on the form field of that value.
_SUBJECT_CODES = frozenset({"entity_invalid", "birth_date_in_future", "nationality_invalid"})
_ERROR_FIELDS = {
    "validity_invalid": "valid_until",
    "recipients_required": "recipients",
    "recipient_invalid": "recipients",
    "recipients_not_allowed": "recipients",
    "grounds_required": "grounds",
    "grounds_not_allowed": "grounds",
    "justification_required": "comment",
    "reviewer_is_author": "form",
    "notice_sent": "recipients",
    "notice_expired": "valid_until",
}
SUBMITTED = {
    NoticeStatus.IN_REVIEW.value: N_("The alert passed the automated checks and waits for review."),
    NoticeStatus.DRAFT.value: N_("The automated checks found problems: see the findings below."),
    NoticeStatus.PUBLISHED.value: N_("The diffusion passed the checks and was sent."),
}
_CLOSED = {
    "withdraw": N_("The alert is withdrawn; partners are asked to erase their copies."),
    "cancel": N_("The alert is cancelled; partners are asked to erase their copies."),
    "recall": N_("The diffusion is recalled; partners are asked to erase their copies."),
}
_CLOSING = {
    "withdraw": NoticeStatus.WITHDRAWN,
    "cancel": NoticeStatus.CANCELLED,
    "recall": NoticeStatus.RECALLED,
}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    count = queries.count_awaiting_review(session, viewer.actor)
    return [Attention(N_("Alerts awaiting your review"), count, "/review/alerts", "warning")]


def _enum_or_none(kind: type[Any], value: str | None) -> Any:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


@router.get("/alerts")
def alert_list(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    alert_type: str | None = None,
    status: str | None = None,
    origin: str | None = None,
) -> Response:
    query = drafting.NoticeFilter(
        alert_type=_enum_or_none(AlertType, alert_type),
        status=_enum_or_none(NoticeStatus, status),
        origin=_enum_or_none(Origin, origin),
        limit=200,
    )
    notices = drafting.list_notices(session, viewer.actor, query)
    return render(
        request,
        "notices/list.html",
        {
            "notices": notices,
            "filters": {
                "alert_type": query.alert_type.value if query.alert_type else "",
                "status": query.status.value if query.status else "",
                "origin": query.origin.value if query.origin else "",
            },
            "may_create": _may_create(session, viewer),
        },
    )


def _may_create(session: Session, viewer: Viewer) -> bool:
    """Whether policy lets the viewer write an alert for their agency."""
    own = Resource(ResourceKind.NOTICE, owner_agency=viewer.actor.agency_code)
    return check(session, viewer.actor, Action.CREATE, own).allowed


def _blank_alert() -> dict[str, Any]:
    return {
        "alert_type": AlertType.WANTED.value,
        "handling_code": "H0",
        "document_type": "passport",
    }


@router.get("/alerts/new")
def new_alert(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if not _may_create(session, viewer):
        raise PermissionDeniedError("writing alerts needs the liaison role")
    return render(request, "notices/new.html", {"values": _blank_alert(), "errors": {}})


def domain_error(session: Session, exc: JisrError) -> dict[str, str]:
    """A refusal of the notices service as a field error, the transaction rolled back
    (re-raised when it has no field error)."""
    errors = refusal(session, exc, DOMAIN_ERRORS, _ERROR_FIELDS)
    if exc.code in _SUBJECT_CODES:
        return {subject_error_field(exc.field): DOMAIN_ERRORS[exc.code]}
    return errors


@router.post("/alerts/new")
def create_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(AlertForm, filled_in(typed))
    if parsed is not None:
        try:
            notice = drafting.create_notice(session, viewer.actor, parsed.to_create())
            notice = drafting.submit_notice(session, viewer.actor, notice.id)
        except ValidationError as exc:
            errors = domain_error(session, exc)
    if parsed is None or errors:
        values = {**_blank_alert(), **typed}
        for name in CHECKBOXES:
            values[name] = name in typed
        return render(
            request, "notices/new.html", {"values": values, "errors": errors}, status_code=422
        )
    response = redirect(request, f"/alerts/{notice.id}")
    set_flash(response, request, SUBMITTED.get(notice.status, SUBMITTED["in_review"]))
    return response


_EXTENDABLE = frozenset({NoticeStatus.IN_REVIEW, NoticeStatus.APPROVED, NoticeStatus.PUBLISHED})


def _standing_decision(notice: Notice, reviews: Sequence[NoticeReview]) -> NoticeReview | None:
    """The decision the alert's current status comes from (the one a reviewer may retract)."""
    if notice.state not in {NoticeStatus.APPROVED, NoticeStatus.REFUSED}:
        return None
    standing = [r for r in reviews if r.deleted_at is None]
    return standing[-1] if standing else None


def _alert_context(
    request: Request, session: Session, viewer: Viewer, notice_id: str
) -> dict[str, Any]:
    notice = drafting.read_notice(session, viewer.actor, notice_id)
    reviews = review.list_reviews(session, viewer.actor, notice.id)
    actor = viewer.actor
    owner = notice.origin == Origin.LOCAL.value and notice.owner_agency == actor.agency_code
    deletion_receipts = receipts.list_deletion_receipts(session, actor, notice.id) if owner else []
    found = findings.describe(request_language(request), notice.checks)
    open_ = owner and notice.state not in CLOSED_STATUSES
    decision = _standing_decision(notice, reviews) if owner else None
    return {
        "notice": notice,
        "names": names_of(notice.subject),
        "birth_dates": values(notice.subject, "birthDate"),
        "nationalities": values(notice.subject, "nationality", "citizenship"),
        "genders": values(notice.subject, "gender"),
        "documents": documents_of(notice.subject, notice.related),
        "reviews": reviews,
        "history": queries.status_history(notice, reviews),
        "owner_review": queries.owner_decision(notice),
        "receipts": deletion_receipts,
        "findings": found,
        "review_reasons": findings.review_reasons(found),
        "may_review": owner
        and may(session, actor, Action.REVIEW, notice)
        and notice.status == NoticeStatus.IN_REVIEW.value
        and notice.created_by_id != actor.id,
        "is_author": notice.created_by_id == actor.id,
        "may_publish": owner
        and notice.status == NoticeStatus.APPROVED.value
        and may(session, actor, Action.UPDATE, notice),
        "may_submit": owner
        and may(session, actor, Action.UPDATE, notice)
        and notice.status in {NoticeStatus.DRAFT.value, NoticeStatus.REFUSED.value},
        "may_close": owner
        and notice.state not in CLOSED_STATUSES
        and may(session, actor, Action.WITHDRAW, notice),
        "may_edit": open_ and may(session, actor, Action.UPDATE, notice),
        # A draft's validity is changed in the edit form.
        "may_extend": open_
        and notice.state in _EXTENDABLE
        and may(session, actor, Action.EXTEND, notice),
        "retractable": decision
        if decision is not None and may(session, actor, Action.REVIEW, notice)
        else None,
        "is_diffusion": notice.alert_type == AlertType.DIFFUSION.value,
    }


def show_alert(
    request: Request,
    session: Session,
    viewer: Viewer,
    notice_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The alert's page; with ``errors``, one of its forms is shown again with what was typed."""
    context = _alert_context(request, session, viewer, notice_id)
    context.update(errors=errors or {}, values=values or {"grounds": []})
    return render(request, "notices/alert.html", context, status_code=status_code)


@router.get("/alerts/{notice_id}")
def alert_page(
    request: Request, session: SessionDep, viewer: ViewerDep, notice_id: NoticeId
) -> Response:
    return show_alert(request, session, viewer, notice_id)


@router.post("/alerts/{notice_id}/submit")
def resubmit_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, notice_id: NoticeId
) -> Response:
    notice = drafting.submit_notice(session, viewer.actor, notice_id)
    response = redirect(request, f"/alerts/{notice.id}")
    set_flash(response, request, SUBMITTED.get(notice.status, SUBMITTED["in_review"]))
    return response


def _back(form: FormData, notice_id: str) -> str:
    return "/review/alerts" if form.get("back") == "queue" else f"/alerts/{notice_id}"


@router.post("/alerts/{notice_id}/review")
def review_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, notice_id: NoticeId
) -> Response:
    typed = listify(form_values(form), "grounds")
    typed.pop("back", None)
    parsed, errors = validate(ReviewForm, typed)
    if parsed is not None:
        try:
            review.review_notice(
                session,
                viewer.actor,
                notice_id,
                ReviewCreate(
                    decision=parsed.decision, grounds=parsed.grounds, comment=parsed.comment
                ),
            )
        except (ValidationError, PermissionDeniedError) as exc:
            errors = domain_error(session, exc)
    if parsed is None or errors:
        return show_alert(
            request, session, viewer, notice_id, errors=errors, values=typed, status_code=422
        )
    response = redirect(request, _back(form, notice_id))
    refused = parsed.decision.value == "refuse"
    set_flash(
        response,
        request,
        N_("The alert is refused; its author is told why.")
        if refused
        else N_("The alert is approved and may be published."),
    )
    return response


@router.post("/alerts/{notice_id}/publish")
def publish_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, notice_id: NoticeId
) -> Response:
    notice = publication.publish_notice(session, viewer.actor, notice_id)
    response = redirect(request, f"/alerts/{notice.id}")
    set_flash(response, request, N_("The alert is published to every partner it may go to."))
    return response


@router.post("/alerts/{notice_id}/close")
def close_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, notice_id: NoticeId
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(CloseForm, filled_in(typed))
    if parsed is None:
        return show_alert(
            request, session, viewer, notice_id, errors=errors, values=typed, status_code=422
        )
    target = _CLOSING[parsed.action]
    notice = publication.close_notice(session, viewer.actor, notice_id, target, parsed.reason)
    response = redirect(request, f"/alerts/{notice.id}")
    set_flash(response, request, _CLOSED[parsed.action])
    return response


@router.get("/review/alerts")
def review_queue(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    queue = review.review_queue(session, viewer.actor)
    stats = review.review_stats(session, viewer.actor)
    lang = request_language(request)
    return render(
        request,
        "notices/review.html",
        {
            "queue": [(n, findings.describe(lang, n.checks)) for n in queue],
            "stats": stats,
            "errors": {},
            "values": {"grounds": []},
        },
    )
