"""Changing an alert once written: edit it, extend its validity, retract a review decision.

Each route calls the notices service function the API calls (``update_notice``,
``extend_notice``, ``retract_review``): it asks policy and writes the audit trail. The alert's
page shows each control only to those policy lets use it (see ``notices._alert_context``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jisr.agreements.policy import Action
from jisr.api.deps import SessionDep
from jisr.errors import ConflictError, ValidationError
from jisr.notices import drafting, review
from jisr.notices.access import load_notice
from jisr.notices.models import CLOSED_STATUSES, Notice, NoticeStatus, Origin
from jisr.notices.schemas import NoticeUpdate
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, filled_in, form_values, validate
from jisr.web.i18n import N_
from jisr.web.pages.notices import (
    SUBMITTED,
    FormDep,
    NoticeId,
    domain_error,
    show_alert,
)
from jisr.web.pages.notices_forms import (
    CHECKBOXES,
    EditForm,
    ExtendForm,
    RetractForm,
    changed_fields,
    edit_values,
    end_of_day,
    person_values,
)
from jisr.web.registry import NavItem
from jisr.web.templating import render, set_flash
from jisr.web.viewer import Viewer, ViewerDep

router = console_router()
NAV: tuple[NavItem, ...] = ()
ReviewId = Annotated[
    str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}:review:[0-9A-Z]{1,40}$", max_length=80)
]

NAME_REQUIRED = N_("This field is required.")
EXTEND_INVALID = N_("Choose a date after the current expiry, at most ten years away.")
SAVED = {
    "published": N_("The alert is changed; partners holding a copy receive the new version."),
    "draft": N_("The alert is saved as a draft: submit it for the checks when it is ready."),
    "unchanged": N_("Nothing was changed."),
}


def _editable(session: Session, viewer: Viewer, notice_id: str) -> Notice:
    """The alert, if policy lets the viewer edit it and it is still open (read audited)."""
    load_notice(session, viewer.actor, notice_id, Action.UPDATE)
    notice = drafting.read_notice(session, viewer.actor, notice_id)
    if notice.origin != Origin.LOCAL.value or notice.state in CLOSED_STATUSES:
        raise ConflictError(f"notice is {notice.status}", code="notice_closed")
    return notice


def _edit_page(
    request: Request,
    notice: Notice,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "notice": notice,
        "values": values,
        "errors": errors,
        "person": person_values(notice.subject) is not None,
        "published": notice.state is NoticeStatus.PUBLISHED,
    }
    return render(request, "notices/edit.html", context, status_code=status_code)


@router.get("/alerts/{notice_id}/edit")
def edit_alert_page(
    request: Request, session: SessionDep, viewer: ViewerDep, notice_id: NoticeId
) -> Response:
    notice = _editable(session, viewer, notice_id)
    return _edit_page(request, notice, edit_values(notice), {})


def _save(
    session: Session, viewer: Viewer, notice: Notice, form: EditForm, then: str
) -> tuple[str, dict[str, str]]:
    """Apply the edit (only the fields it changes), then submit when asked: the flash msgid,
    or the field errors."""
    changes = changed_fields(notice, form, person=person_values(notice.subject) is not None)
    update, errors = validate(NoticeUpdate, changes)
    if update is None:
        return "", {("name" if k == "subject" else k): v for k, v in errors.items()}
    published = notice.state is NoticeStatus.PUBLISHED
    if changes:
        notice = drafting.update_notice(session, viewer.actor, notice.id, update)
    if then == "submit" and notice.state in {NoticeStatus.DRAFT, NoticeStatus.REFUSED}:
        notice = drafting.submit_notice(session, viewer.actor, notice.id)
        return SUBMITTED.get(notice.status, SUBMITTED["in_review"]), {}
    if not changes:
        return SAVED["unchanged"], {}
    return (SAVED["published"] if published else SAVED["draft"]), {}


@router.post("/alerts/{notice_id}/edit")
def edit_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, notice_id: NoticeId
) -> Response:
    notice = _editable(session, viewer, notice_id)
    typed = form_values(form)
    then = str(typed.pop("then", "save"))
    parsed, errors = validate(EditForm, filled_in(typed))
    if parsed is not None and not parsed.name and person_values(notice.subject) is not None:
        errors = {"name": NAME_REQUIRED}
    done = ""
    if parsed is not None and not errors:
        try:
            done, errors = _save(session, viewer, notice, parsed, then)
        except (ValidationError, ConflictError) as exc:
            errors = domain_error(session, exc)
    if parsed is None or errors:
        notice = _editable(session, viewer, notice_id)
        values = {**edit_values(notice), **typed}
        for name in CHECKBOXES:
            values[name] = name in typed
        return _edit_page(request, notice, values, errors, status_code=422)
    response = redirect(request, f"/alerts/{notice_id}")
    set_flash(response, request, done)
    return response


@router.post("/alerts/{notice_id}/extend")
def extend_alert(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, notice_id: NoticeId
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(ExtendForm, filled_in(typed))
    if parsed is not None:
        try:
            drafting.extend_notice(session, viewer.actor, notice_id, end_of_day(parsed.valid_until))
        except ValidationError as exc:
            if exc.code != "validity_invalid":
                raise
            session.rollback()
            errors = {"valid_until": EXTEND_INVALID}
    if parsed is None or errors:
        return show_alert(
            request, session, viewer, notice_id, errors=errors, values=typed, status_code=422
        )
    response = redirect(request, f"/alerts/{notice_id}")
    set_flash(response, request, N_("The alert's validity is extended."))
    return response


@router.post("/alerts/{notice_id}/reviews/{review_id}/retract")
def retract_decision(
    request: Request,
    session: SessionDep,
    viewer: CsrfForm,
    form: FormDep,
    notice_id: NoticeId,
    review_id: ReviewId,
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(RetractForm, filled_in(typed))
    if parsed is None:
        return show_alert(
            request, session, viewer, notice_id, errors=errors, values=typed, status_code=422
        )
    review.retract_review(session, viewer.actor, notice_id, review_id, parsed.retract_reason)
    response = redirect(request, f"/alerts/{notice_id}")
    set_flash(response, request, N_("The decision is retracted; the alert waits for review again."))
    return response
