"""Cooperation dashboard: one partnership's figures over 30, 90 or 365 days, as SVG charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from jisr.api.deps import SessionDep
from jisr.reports import service as reports
from jisr.web.errors import console_router
from jisr.web.i18n import N_
from jisr.web.pages.partners import agency_name
from jisr.web.registry import NavItem
from jisr.web.templating import render, request_language
from jisr.web.viewer import Viewer, viewer_with

ROLES = tuple(sorted(reports.REPORT_ROLES))
router = console_router()
NAV = (NavItem(N_("Dashboard"), "/dashboard", roles=frozenset(ROLES)),)
ReportViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
PERIOD_LABELS = {30: N_("30 days"), 90: N_("90 days"), 365: N_("365 days")}


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    viewer: ReportViewer,
    partner: Annotated[str | None, Query(max_length=24)] = None,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> Response:
    lang = request_language(request)
    partners = reports.report_partners(session, viewer.actor)
    choices = [(a.code, f"{agency_name(a, lang)} ({a.code})") for a in partners]
    chosen = partner or (partners[0].code if partners else None)
    report = reports.partner_report(session, viewer.actor, chosen, days=days) if chosen else None
    names = {a.code: agency_name(a, lang) for a in partners}
    return render(
        request,
        "dashboard/index.html",
        {
            "choices": choices,
            "partner": chosen,
            "partner_name": names.get(chosen or "", chosen),
            "days": days,
            "periods": [(d, PERIOD_LABELS[d]) for d in reports.PERIODS],
            "report": report,
        },
    )
