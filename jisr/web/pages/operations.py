"""Operations, major events and training in the console: the list with a month calendar, an
event's page (venues map, contingents, tasks, the shared log with live incidents by HTMX
polling, a form to log an incident) and the courses."""

from __future__ import annotations

import calendar as month_grid
from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from jisr.agreements.policy import ResourceKind, roles_reading
from jisr.api.deps import SessionDep
from jisr.clock import utcnow
from jisr.errors import JisrError, PermissionDeniedError
from jisr.operations import log, service, venues
from jisr.operations.models import EntryKind, Severity
from jisr.operations.schemas import EntryRead, GradedEntryCreate
from jisr.training import service as training
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, blank_to_none, form_values, validate
from jisr.web.i18n import N_, Translatable, pgettext_lazy
from jisr.web.registry import NavItem
from jisr.web.templating import render, set_flash
from jisr.web.viewer import Viewer, record_view, viewer_with

# Who the area is for: whoever policy lets read operations or courses (coordinators, trainers,
# liaison officers, oversight).
ROLES = tuple(sorted(roles_reading(ResourceKind.OPERATION, ResourceKind.TRAINING)))
router = console_router()
NAV = (NavItem(N_("Operations"), "/operations", roles=frozenset(ROLES)),)
OpsViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
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
        items.append((course.starts_at, course.title, "/operations/training"))
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
        },
    )


@router.get("/operations/training")
def courses(request: Request, session: SessionDep, viewer: OpsViewer) -> Response:
    rows = [training.course_read(session, c) for c in training.list_courses(session, viewer.actor)]
    record_view(session, viewer, "course", None, count=len(rows))
    return render(request, "operations/training.html", {"courses": rows})


def _detail(
    request: Request, session: SessionDep, viewer: Viewer, op_id: str, **extra: Any
) -> Response:
    operation = service.read_operation(session, viewer.actor, op_id)
    entries = [EntryRead.model_validate(e) for e in log.list_entries(session, viewer.actor, op_id)]
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
            "severities": [(s.value, SEVERITY_LABELS[s.value]) for s in Severity],
            "can_log": viewer.actor.agency_code
            in {operation.owner_agency, *(p.agency_code for p in operation.participants)}
            and operation.status == "active"
            and viewer.has_role("coordinator"),
            "values": extra.get("values", {}),
            "errors": extra.get("errors", {}),
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
        return _detail(
            request, session, viewer, op_id, values=values, errors=errors, status_code=422
        )
    try:
        log.add_entry(session, viewer.actor, op_id, data.as_entry(EntryKind.INCIDENT))
    except PermissionDeniedError:
        raise  # the console's refusal page, not a field error
    except (JisrError, ValueError):
        session.rollback()
        errors = {"severity": N_("Choose a severity.")}
        return _detail(
            request, session, viewer, op_id, values=values, errors=errors, status_code=422
        )
    response = redirect(request, f"/operations/{op_id}")
    set_flash(response, request, N_("Incident logged and sent to the participating agencies."))
    return response
