"""Operations and major events in the console: the list with a month calendar, a form to open
an operation or event, an event's page (venues map, contingents, tasks with forms to add one and
mark it done, the shared log with live incidents by HTMX polling, forms to log an incident or a
note). Courses are the training area (``jisr.web.pages.training``).

Every form writes through the operations service the API calls, as the signed-in officer: the
service decides through policy and audits. A form is shown only to those policy lets act
(``may_*`` below ask it); a refusal the form can explain is shown beside its field with what
was typed, anything else is the console's error page."""

from __future__ import annotations

import calendar as month_grid
from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jisr.agreements.policy import Action, Resource, ResourceKind, roles_reading
from jisr.agreements.service import check
from jisr.api.deps import SessionDep
from jisr.clock import utcnow
from jisr.errors import JisrError, PermissionDeniedError
from jisr.operations import log, service, venues
from jisr.operations.models import EntryKind, OperationKind, OperationStatus
from jisr.operations.schemas import EntryRead, GradedEntryCreate, OperationRead
from jisr.training import service as training
from jisr.web.errors import console_router, redirect
from jisr.web.forms import (
    CsrfForm,
    blank_to_none,
    filled_in,
    form_key_for,
    form_once,
    form_values,
    refusal,
    validate,
)
from jisr.web.i18n import N_, Translatable, pgettext_lazy
from jisr.web.pages import operations_forms as forms
from jisr.web.registry import NavItem
from jisr.web.templating import render, set_flash
from jisr.web.viewer import Viewer, record_view, viewer_with

# Who the area is for: whoever policy lets read operations or courses (coordinators, trainers,
# liaison officers, oversight).
ROLES = tuple(sorted(roles_reading(ResourceKind.OPERATION, ResourceKind.TRAINING)))
router = console_router()
NAV = (NavItem(N_("Operations"), "/operations", roles=frozenset(ROLES)),)
OpsViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
RECORD_ID = r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z_]+:[0-9A-Z]{1,40}$"
TaskId = Annotated[str, Path(pattern=RECORD_ID, max_length=80)]
KIND_LABELS = {
    "note": N_("Note"),
    "incident": N_("Incident"),
    "threat_assessment": N_("Threat assessment"),
    "handover": N_("Hand-over"),
    "task": N_("Task"),
    "event": N_("Major event"),
    "operation": N_("Joint operation"),
}
SEVERITY_LABELS = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "critical": N_("Critical"),
    "moderate": N_("Moderate"),
    "substantial": N_("Substantial"),
    "severe": N_("Severe"),
}
SEVERITY_TONES = {"low": "neutral", "medium": "info", "high": "warning", "critical": "bad"}
STATUS_LABELS: dict[str, Translatable] = {
    "active": pgettext_lazy("operation", "Active"),
    "closed": N_("Closed"),
    "handed_over": N_("Handed over"),
}


def _month(
    items: list[tuple[datetime, str, str]], year: int, month: int
) -> list[list[dict[str, Any]]]:
    """Weeks of the month, each day with what happens on it (events, deadlines, sessions)."""
    by_day: dict[date, list[tuple[str, str]]] = defaultdict(list)
    for when, label, href in items:
        if (when.year, when.month) == (year, month):
            by_day[when.date()].append((label, href))
    weeks = []
    for week in month_grid.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [{"day": d, "in_month": d.month == month, "items": by_day.get(d, [])} for d in week]
        )
    return weeks


@router.get("/operations")
def index(
    request: Request,
    session: SessionDep,
    viewer: OpsViewer,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
) -> Response:
    operations = service.list_operations(session, viewer.actor)
    courses = training.list_courses(session, viewer.actor)
    items: list[tuple[datetime, str, str]] = []
    for operation in operations:
        items.append((operation.starts_at, operation.title, f"/operations/{operation.id}"))
        for task in service.to_read(session, operation).tasks:
            if task.status == "open":
                items.append((task.due_at, task.title, f"/operations/{operation.id}#tasks"))
    for course in courses:
        items.append((course.starts_at, course.title, f"/training/{course.id}"))
    first = min((i[0] for i in items if i[0] >= utcnow()), default=utcnow())
    year, number = (int(p) for p in month.split("-")) if month else (first.year, first.month)
    previous = f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"
    following = f"{year + (number == 12)}-{number % 12 + 1:02d}"
    record_view(session, viewer, "operation", None, count=len(operations))
    return render(
        request,
        "operations/index.html",
        {
            "operations": operations,
            "courses": courses,
            "weeks": _month(items, year, number),
            "month_label": date(year, number, 1),
            "previous": previous,
            "following": following,
            "kind_labels": KIND_LABELS,
            "status_labels": STATUS_LABELS,
            "weekdays": [date(2024, 1, d) for d in range(1, 8)],
            "may_create": may_create(session, viewer),
        },
    )


@router.get("/operations/training")
def courses(request: Request) -> Response:
    """The courses moved to their own area; old links still land there."""
    return redirect(request, "/training")


def may_create(session: Session, viewer: Viewer) -> bool:
    """Whether policy lets the viewer open an operation or event for their agency."""
    own = Resource(ResourceKind.OPERATION, owner_agency=viewer.actor.agency_code)
    return check(session, viewer.actor, Action.CREATE, own).allowed


def _resource(op: OperationRead, owner: str | None = None) -> Resource:
    return Resource(
        ResourceKind.OPERATION,
        owner_agency=owner or op.owner_agency,
        crime_area=op.crime_area,
        data_category=op.data_category,
        handling_code=op.handling_code,
        id=op.id,
    )


def may_manage(session: Session, viewer: Viewer, op: OperationRead) -> bool:
    """Tasks are the owner agency's to add and close, while the operation is active."""
    active = op.status == OperationStatus.ACTIVE.value
    return active and check(session, viewer.actor, Action.UPDATE, _resource(op)).allowed


def may_log(session: Session, viewer: Viewer, op: OperationRead) -> bool:
    """Every participating agency writes in the shared log while the operation is active."""
    agency = viewer.actor.agency_code
    taking_part = agency in {op.owner_agency, *(p.agency_code for p in op.participants)}
    allowed = check(session, viewer.actor, Action.CREATE, _resource(op, owner=agency)).allowed
    return taking_part and op.status == OperationStatus.ACTIVE.value and allowed


def _new_context(session: Session, viewer: Viewer, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "values": values,
        "partners": forms.partner_choices(session, viewer.actor.agency_code),
        "form_key": form_key_for(viewer, "operations.new"),
    }


def _show_new(
    request: Request,
    session: Session,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {**_new_context(session, viewer, values), "errors": errors}
    return render(request, "operations/new.html", context, status_code=status_code)


@router.get("/operations/new")
def new_operation(request: Request, session: SessionDep, viewer: OpsViewer) -> Response:
    if not may_create(session, viewer):
        raise PermissionDeniedError("opening an operation needs the coordinator role")
    values = {"kind": OperationKind.OPERATION.value, "crime_area": "major_events"}
    return _show_new(request, session, viewer, {**values, "handling_code": "H0"}, {})


@router.post("/operations/new")
async def create_operation(request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    form = await request.form()
    once = form_once("operations.new", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return redirect(request, first.location or "/operations")
    typed = form_values(form)
    data, errors = forms.parse_operation(filled_in(typed))
    if data is not None:
        try:
            operation = service.create_operation(session, viewer.actor, data)
        except PermissionDeniedError:
            raise  # the console's refusal page, not a field error
        except JisrError as exc:
            errors = refusal(session, exc, forms.REFUSALS, forms.REFUSAL_FIELDS)
    if data is None or errors:
        typed["participants"] = forms.as_list(typed.get("participants"))
        return _show_new(request, session, viewer, typed, errors, status_code=422)
    location = f"/operations/{operation.id}"
    twin = once.remember_result(session, viewer, operation.id, location)
    response = redirect(request, twin.location or location if twin else location)
    set_flash(response, request, N_("The operation is open and sent to its participants."))
    return response


def _refused(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    op_id: str,
    form: str,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    """The operation's page again with ``form``'s errors beside its fields and what was typed."""
    return _detail(
        request, session, viewer, op_id, values=values, errors=errors, form=form, status_code=422
    )


def _detail(
    request: Request, session: SessionDep, viewer: Viewer, op_id: str, **extra: Any
) -> Response:
    operation = service.read_operation(session, viewer.actor, op_id)
    entries = [EntryRead.model_validate(e) for e in log.list_entries(session, viewer.actor, op_id)]
    agencies = [operation.owner_agency, *(p.agency_code for p in operation.participants)]
    return render(
        request,
        "operations/detail.html",
        {
            "op": operation,
            "entries": list(reversed(entries)),
            "venue_list": venues.venues_text([v.model_dump() for v in operation.venues]),
            "kind_labels": KIND_LABELS,
            "severity_labels": SEVERITY_LABELS,
            "severity_tones": SEVERITY_TONES,
            "status_labels": STATUS_LABELS,
            "can_log": may_log(session, viewer, operation),
            "can_manage": may_manage(session, viewer, operation),
            "agencies": [(code, code) for code in agencies],
            "values": extra.get("values", {}),
            "errors": extra.get("errors", {}),
            # The form the errors are about (several forms share the page).
            "form": extra.get("form", ""),
        },
        status_code=extra.get("status_code", 200),
    )


@router.get("/operations/{op_id}")
def detail(request: Request, op_id: str, session: SessionDep, viewer: OpsViewer) -> Response:
    return _detail(request, session, viewer, op_id)


@router.get("/operations/{op_id}/live")
def live_log(request: Request, op_id: str, session: SessionDep, viewer: OpsViewer) -> Response:
    """The log's rows alone, for HTMX polling (new incidents appear without a reload)."""
    entries = [EntryRead.model_validate(e) for e in log.list_entries(session, viewer.actor, op_id)]
    return render(
        request,
        "operations/_log.html",
        {
            "entries": list(reversed(entries)),
            "kind_labels": KIND_LABELS,
            "severity_labels": SEVERITY_LABELS,
            "severity_tones": SEVERITY_TONES,
        },
    )


@router.post("/operations/{op_id}/incidents")
async def add_incident(
    request: Request, op_id: str, session: SessionDep, viewer: CsrfForm
) -> Response:
    values = blank_to_none(form_values(await request.form()))
    data, errors = validate(GradedEntryCreate, values)
    if data is None:
        return _refused(request, session, viewer, op_id, "incident", values, errors)
    try:
        entry = data.as_entry(EntryKind.INCIDENT)
    except ValueError:
        errors = {"severity": N_("Choose a severity.")}
        return _refused(request, session, viewer, op_id, "incident", values, errors)
    try:
        log.add_entry(session, viewer.actor, op_id, entry)
    except PermissionDeniedError:
        raise  # the console's refusal page, not a field error
    except JisrError as exc:
        errors = refusal(session, exc, forms.REFUSALS, {})
        return _refused(request, session, viewer, op_id, "incident", values, errors)
    return _done(request, op_id, N_("Incident logged and sent to the participating agencies."))


def _done(request: Request, op_id: str, message: str, anchor: str = "") -> Response:
    response = redirect(request, f"/operations/{op_id}{anchor}")
    set_flash(response, request, message)
    return response


@router.post("/operations/{op_id}/notes")
async def add_note(request: Request, op_id: str, session: SessionDep, viewer: CsrfForm) -> Response:
    """A note in the shared log: when it happened, apart from when it is written down."""
    values = form_values(await request.form())
    fields, errors = validate(forms.EntryFields, filled_in(values))
    if fields is not None:
        try:
            log.add_entry(session, viewer.actor, op_id, fields.to_create())
        except PermissionDeniedError:
            raise
        except JisrError as exc:
            errors = refusal(session, exc, forms.REFUSALS, {})
    if fields is None or errors:
        return _refused(request, session, viewer, op_id, "note", values, errors)
    return _done(request, op_id, N_("The note is in the log and sent to the participants."))


@router.post("/operations/{op_id}/tasks")
async def add_task(request: Request, op_id: str, session: SessionDep, viewer: CsrfForm) -> Response:
    values = form_values(await request.form())
    fields, errors = validate(forms.TaskFields, filled_in(values))
    if fields is not None:
        try:
            service.add_task(session, viewer.actor, op_id, fields.to_create())
        except PermissionDeniedError:
            raise
        except JisrError as exc:
            errors = refusal(session, exc, forms.REFUSALS, forms.REFUSAL_FIELDS)
    if fields is None or errors:
        return _refused(request, session, viewer, op_id, "task", values, errors)
    return _done(request, op_id, N_("The task is added and sent to the participants."), "#tasks")


@router.post("/operations/{op_id}/tasks/{task_id}/done")
def complete_task(
    request: Request, op_id: str, task_id: TaskId, session: SessionDep, viewer: CsrfForm
) -> Response:
    try:
        service.complete_task(session, viewer.actor, op_id, task_id)
    except PermissionDeniedError:
        raise
    except JisrError as exc:
        errors = refusal(session, exc, forms.REFUSALS, {})
        return _detail(request, session, viewer, op_id, errors=errors, form="task", status_code=409)
    return _done(request, op_id, N_("The task is marked done."), "#tasks")
