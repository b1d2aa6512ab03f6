"""Console pages for cases: the list (by status, assignee, label), the case page with its
timeline, and what officers post there (hold, close with an outcome, reopen; assign; due date;
labels; links; members). Each calls the service the API calls (``jisr.exchange.casework``),
with the viewer's actor, so policy and the audit trail see the same thing as from the API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from jisr.api.deps import SessionDep
from jisr.errors import JisrError, PermissionDeniedError
from jisr.exchange import access, cases, casework, desk, members
from jisr.exchange.case_schemas import (
    MEMBER_PATTERN,
    CaseLabels,
    CaseOutcome,
    CaseStatus,
    LinkKind,
)
from jisr.exchange.schemas import RECORD_ID_PATTERN, Block
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, filled_in, form_values, validate
from jisr.web.i18n import N_
from jisr.web.pages import cases_timeline as timeline
from jisr.web.pages import exchange_view as view
from jisr.web.pages.exchange import READERS, WRITERS, page
from jisr.web.templating import request_language, set_flash
from jisr.web.viewer import Viewer, viewer_with

router = console_router()
CaseRef = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
ReaderDep = Annotated[Viewer, Depends(viewer_with(*READERS))]
PAGE = 20

# Refusals of the case services, by code, as the console words them beside the form.
REFUSALS = {
    "case_transition_invalid": N_("The case is not in a state where this can be done."),
    "case_closed": N_("The case is closed: reopen it first."),
    "case_member_last": N_("This is the case's last member: add another one first."),
    "case_member_assigned": N_(
        "The case is assigned to this officer: assign it to someone else first."
    ),
    "case_member_invalid": N_("Choose an officer or a unit of this agency."),
    "case_member_unknown": N_("This is not a member of the case."),
    "case_assignee_invalid": N_("Choose an officer of this agency."),
    "case_due_invalid": N_("Choose a date in the future."),
    "case_labels_invalid": N_("A case has at most 20 labels."),
    "case_link_invalid": N_("This is not the reference of a record of that kind."),
    "case_link_unknown": N_("The case has no such link."),
    "case_not_found": N_("No case with this reference."),
}
DONE = {
    "hold": N_("The case is on hold; its partners are told."),
    "close": N_("The case is closed; its partners are told the outcome."),
    "reopen": N_("The case is open again; its partners are told."),
}


def _reader_post(viewer: CsrfForm) -> Viewer:
    if not viewer.has_role(*READERS):
        raise PermissionDeniedError("this page needs one of the roles: " + ", ".join(READERS))
    return viewer


PostDep = Annotated[Viewer, Depends(_reader_post)]


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=50)


FormDep = Annotated[FormData, Depends(_form)]


class StatusFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: casework.CaseAction
    reason: Block | None = Field(default=None, min_length=3, max_length=2000)
    outcome: CaseOutcome | None = None
    note: Block | None = Field(default=None, min_length=3, max_length=2000)


class DueFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    due_date: date | None = None


class LinkFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: LinkKind
    target: str = Field(pattern=RECORD_ID_PATTERN, max_length=80)


class MemberFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    member: str = Field(pattern=MEMBER_PATTERN, max_length=120)


def _names(session: Session, viewer: Viewer) -> dict[str, str]:
    """``user:<id>`` -> the officer's name, for the members and the assignee."""
    return {f"user:{u.id}": u.display_name for u in members.colleagues(session, viewer.actor)}


@router.get("/exchange/cases")
def case_list(
    request: Request,
    session: SessionDep,
    viewer: ReaderDep,
    status: str = "",
    assignee: str = "",
    label: str = "",
    offset: int = 0,
) -> Response:
    chosen = status if status in {s.value for s in CaseStatus} else None
    who = {"me": f"user:{viewer.user_id}", "none": "none"}.get(assignee)
    query = cases.CaseFilter(
        chosen, who, label.strip().casefold()[:40] or None, PAGE, max(0, min(offset, 1_000_000))
    )
    found = cases.list_cases(session, viewer.actor, query=query)
    context = {
        "cases": found,
        "total": cases.count_cases(session, viewer.actor, query),
        "totals": cases.counts(session, [c.ref for c in found]),
        "names": _names(session, viewer),
        "filters": {"status": status, "assignee": assignee, "label": label},
        "offset": query.offset,
        "page_size": PAGE,
    }
    return page(request, "cases/list.html", context)


def show_case(
    request: Request,
    session: Session,
    viewer: Viewer,
    ref: str,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    case, thread = cases.case_thread(session, viewer.actor, ref)
    links = timeline.links(session, viewer.actor, case)
    partners = sorted({m.owner_agency for m in thread} | {m.recipient_agency for m in thread})
    colleagues = members.colleagues(session, viewer.actor)
    context = {
        "case": case,
        "entries": timeline.timeline(session, viewer.actor, case, thread, links),
        "links": links,
        "receipts": desk.receipts_by_message(session, thread),
        "names": {f"user:{u.id}": u.display_name for u in colleagues},
        "officer_choices": [(f"user:{u.id}", u.display_name) for u in colleagues],
        "partner": next((p for p in partners if p != viewer.actor.agency_code), ""),
        "can_write": viewer.has_role(*WRITERS) and case.status != "closed",
        "can_manage": access.may_manage(session, viewer.actor, case),
        "can_change_status": access.may_change_status(session, viewer.actor, case),
        "actions": [a.value for a in casework.allowed_actions(case.status)],
        "outcomes": [o.value for o in CaseOutcome],
        "link_kinds": [k.value for k in LinkKind],
        "errors": errors or {},
        "values": values or {},
        "file_size": lambda size: view.file_size(size, request_language(request)),
    }
    return page(request, "cases/case.html", context, 422 if errors else 200)


@router.get("/exchange/cases/{ref}")
def case_page(request: Request, ref: CaseRef, session: SessionDep, viewer: ReaderDep) -> Response:
    return show_case(request, session, viewer, ref)


def _done(request: Request, ref: str, message: str) -> Response:
    response = redirect(request, f"/exchange/cases/{ref}")
    set_flash(response, request, message)
    return response


def _refused(
    request: Request, session: Session, viewer: Viewer, ref: str, form: str, exc: JisrError,
    values: dict[str, Any],
) -> Response:  # fmt: skip
    if exc.code not in REFUSALS:
        raise exc
    return show_case(request, session, viewer, ref, {form: {"form": REFUSALS[exc.code]}}, values)


@router.post("/exchange/cases/{ref}/status")
def change_status(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    fields, errors = validate(StatusFields, filled_in(values))
    if fields is not None and fields.action is casework.CaseAction.CLOSE:
        if fields.outcome is None:
            errors["outcome"] = N_("Choose the outcome.")
        if fields.note is None:
            errors["note"] = N_("Say what came of the case (at least 3 characters).")
    elif fields is not None and fields.reason is None:
        errors["reason"] = N_("Say why (at least 3 characters).")
    if fields is None or errors:
        return show_case(request, session, viewer, ref, {"status": errors}, values)
    reason = (fields.note if fields.action is casework.CaseAction.CLOSE else fields.reason) or ""
    try:
        casework.change_status(
            session, viewer.actor, ref, fields.action, reason=reason, outcome=fields.outcome
        )
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "status", exc, values)
    return _done(request, ref, DONE[fields.action.value])


@router.post("/exchange/cases/{ref}/assign")
def assign(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    assignee = str(values.get("assignee") or "") or None
    try:
        casework.assign(session, viewer.actor, ref, assignee)
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "assign", exc, values)
    return _done(request, ref, N_("The case's assignee is changed."))


@router.post("/exchange/cases/{ref}/due")
def set_due(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    fields, errors = validate(DueFields, filled_in(values))
    if fields is None:
        return show_case(request, session, viewer, ref, {"due": errors}, values)
    due = datetime.combine(fields.due_date, time(23, 59), UTC) if fields.due_date else None
    try:
        casework.set_due(session, viewer.actor, ref, due)
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "due", exc, values)
    return _done(request, ref, N_("The due date is saved."))


@router.post("/exchange/cases/{ref}/labels")
def labels(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    added = [p for p in str(values.get("add") or "").split(",") if p.strip()]
    removed = [str(values["remove"])] if values.get("remove") else []
    fields, errors = validate(CaseLabels, {"add": added, "remove": removed})
    if fields is None:
        message = N_("A label has letters, digits, spaces and - _ . / only, at most 40.")
        return show_case(request, session, viewer, ref, {"labels": {"add": message}}, values)
    try:
        casework.change_labels(session, viewer.actor, ref, fields.add, fields.remove)
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "labels", exc, values)
    return _done(request, ref, N_("The labels are saved."))


@router.post("/exchange/cases/{ref}/links")
def link(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    fields, errors = validate(LinkFields, filled_in(values))
    if fields is None:
        if "target" in errors:
            errors["target"] = N_("This is not the reference of a record of that kind.")
        return show_case(request, session, viewer, ref, {"links": errors}, values)
    try:
        if values.get("remove"):
            casework.remove_link(session, viewer.actor, ref, fields.kind, fields.target)
        else:
            casework.add_link(session, viewer.actor, ref, fields.kind, fields.target)
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "links", exc, values)
    return _done(request, ref, N_("The links are saved."))


@router.post("/exchange/cases/{ref}/members")
def member(
    request: Request, ref: CaseRef, session: SessionDep, viewer: PostDep, form: FormDep
) -> Response:
    values = form_values(form)
    fields, errors = validate(MemberFields, filled_in(values))
    if fields is None:
        errors = {"member": N_("Choose an officer or a unit of this agency.")}
        return show_case(request, session, viewer, ref, {"members": errors}, values)
    try:
        if values.get("remove"):
            members.remove_member(session, viewer.actor, ref, fields.member)
        else:
            members.add_member(session, viewer.actor, ref, fields.member)
    except JisrError as exc:
        return _refused(request, session, viewer, ref, "members", exc, values)
    return _done(request, ref, N_("The case's members are saved."))
