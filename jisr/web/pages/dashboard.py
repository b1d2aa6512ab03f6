"""Cooperation dashboard: one partnership over a period (a quarter, month, year or rolling
window), its trend over the periods before, every partner side by side, the signed PDF, and the
transparency report for the audit readers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from jisr.actors import AUDIT_READER_ROLES
from jisr.api.deps import SessionDep
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.reports import charts, documents
from jisr.reports import service as reports
from jisr.reports.periods import Period, calendar_month, calendar_year, current_quarter
from jisr.reports.transparency import transparency_report
from jisr.training.signing import node_signer
from jisr.web.errors import console_router
from jisr.web.i18n import N_, gettext
from jisr.web.pages.partners import agency_name
from jisr.web.registry import NavItem
from jisr.web.templating import render, request_language
from jisr.web.viewer import Viewer, viewer_with

ROLES = tuple(sorted(reports.REPORT_ROLES))
router = console_router()
NAV = (NavItem(N_("Dashboard"), "/dashboard", roles=frozenset(ROLES)),)
ReportViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
PERIOD_LABELS = {30: N_("30 days"), 90: N_("90 days"), 365: N_("365 days")}
PeriodParam = Annotated[str | None, Query(max_length=12)]
GROUND_LABELS = {
    "political": N_("Political character"),
    "military": N_("Military character"),
    "religious": N_("Religious character"),
    "racial": N_("Racial character"),
    "refugee_status": N_("Refugee status"),
    "insufficient_identifiers": N_("Insufficient identifiers"),
    "not_serious_enough": N_("Not serious enough"),
    "no_legal_basis": N_("No legal basis"),
    "duplicate": N_("Duplicate of another alert"),
    "other": N_("Other ground"),
}
FIGURE_LABELS = {
    "alerts.refused": N_("Alerts refused"),
    **{f"alerts.refused.{key}": label for key, label in GROUND_LABELS.items()},
    "alerts.approved": N_("Alerts approved"),
    "alerts.retracted": N_("Review decisions retracted"),
    "requests.received.access": N_("Access requests received"),
    "requests.received.correction": N_("Correction requests received"),
    "requests.received.deletion": N_("Deletion requests received"),
    "requests.decided.granted": N_("Requests granted"),
    "requests.decided.refused": N_("Requests refused"),
    "requests.decided_in_time": N_("Decided within the legal time"),
    "requests.decided_late": N_("Decided after the legal time"),
    "requests.open_overdue": N_("Open at the period's end, past due"),
    "requests.open_in_time": N_("Open at the period's end, within time"),
}


def period_choices(now: datetime) -> list[tuple[str, str]]:
    """Rolling windows, the last four quarters, the last three months, the last two years."""
    choices = [(f"{d}d", PERIOD_LABELS[d]) for d in reports.PERIODS]
    quarter = current_quarter(now)
    for p in quarter.history(4)[::-1]:
        choices.append((p.label, p.label))
    month = calendar_month(now.year, now.month)
    for p in month.history(3)[::-1]:
        choices.append((p.label, p.label))
    for p in calendar_year(now.year).history(2)[::-1]:
        choices.append((p.label, p.label))
    return choices


def _chosen(period: str | None, days: int | None) -> str:
    if period:
        return period
    return f"{days if days is not None else 90}d"


def _charts(report: reports.PartnerReport, lang: str) -> dict[str, Markup]:
    """The page's SVG charts (``jisr.reports.charts`` escapes every text it draws)."""

    def t(message: str) -> str:
        return gettext(lang, message)

    rtl = lang == "ar"
    ours, theirs = t("By us"), t("By the partner")
    d = report.deadlines
    deadlines = charts.paired_bars(
        t("Requests and their deadlines"),
        [
            charts.Row(t("Answered in time"), d.ours.on_time, d.theirs.on_time),
            charts.Row(t("Answered late"), d.ours.late, d.theirs.late),
            charts.Row(t("Past due, unanswered"), d.ours.overdue, d.theirs.overdue),
        ],
        ours=ours,
        theirs=theirs,
        rtl=rtl,
        chart_id="chart-deadlines",
    )
    alerts = charts.paired_bars(
        t("Alerts and hits"),
        [
            charts.Row(t("Alerts"), report.alerts.ours, report.alerts.theirs),
            charts.Row(t("Screening hits"), report.hits.ours, report.hits.theirs),
            charts.Row(t("Confirmed hits"), report.confirmed.ours, report.confirmed.theirs),
        ],
        ours=ours,
        theirs=theirs,
        rtl=rtl,
        chart_id="chart-alerts",
    )
    trend = charts.trend_columns(
        t("Messages and requests over time"),
        [charts.Row(s.period.label, s.sent, s.received) for s in report.trend],
        ours=t("Sent"),
        theirs=t("Received"),
        rtl=rtl,
        chart_id="chart-trend",
    )
    drawn = {"deadlines": deadlines, "alerts": alerts, "trend": trend}
    return {name: Markup(svg) for name, svg in drawn.items()}  # noqa: S704 - escaped when drawn


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    viewer: ReportViewer,
    partner: Annotated[str | None, Query(max_length=24)] = None,
    period: PeriodParam = None,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> Response:
    lang = request_language(request)
    now = utcnow()
    partners = reports.report_partners(session, viewer.actor)
    choices = [(a.code, f"{agency_name(a, lang)} ({a.code})") for a in partners]
    names = {a.code: agency_name(a, lang) for a in partners}
    chosen = partner or (partners[0].code if partners else None)
    label = _chosen(period, days)
    report = overview = None
    if chosen:
        report = reports.partner_report(
            session, viewer.actor, chosen, period=label, now=now, trend=reports.TREND_LENGTH
        )
        overview = reports.overview(session, viewer.actor, period=report.period, now=now)
    return render(
        request,
        "dashboard/index.html",
        {
            "choices": choices,
            "partner": chosen,
            "partner_name": names.get(chosen or "", chosen),
            "names": names,
            "period": label,
            "periods": period_choices(now),
            "report": report,
            "overview": overview,
            "charts": _charts(report, lang) if report else {},
            "audit_reader": viewer.has_role(*sorted(AUDIT_READER_ROLES)),
            "ground_labels": GROUND_LABELS,
        },
    )


def _pdf(document: documents.SignedDocument) -> Response:
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Jisr-Signature-Key": str(document.statement["key_fingerprint"]),
        },
    )


@router.get("/dashboard/report.pdf")
def partner_pdf(
    request: Request,
    session: SessionDep,
    viewer: ReportViewer,
    partner: Annotated[str, Query(max_length=24)],
    period: PeriodParam = None,
) -> Response:
    """The partnership's signed assessment, in the viewer's language."""
    ctx = request.app.state.ctx
    signer = node_signer(ctx.settings, ctx.agency_code)
    document = documents.partner_document(
        session, viewer.actor, partner, _chosen(period, None), request_language(request), signer
    )
    return _pdf(document)


def _require_audit_reader(viewer: Viewer) -> None:
    if not viewer.has_role(*sorted(AUDIT_READER_ROLES)):
        raise PermissionDeniedError("the transparency report is for the audit trail's readers")


@router.get("/dashboard/transparency")
def transparency(
    request: Request, session: SessionDep, viewer: ReportViewer, period: PeriodParam = None
) -> Response:
    _require_audit_reader(viewer)
    now = utcnow()
    label = period or current_quarter(now).label
    chosen: Period = reports.resolve_period(label, None, now)
    report = transparency_report(session, viewer.actor, chosen, now=now)
    return render(
        request,
        "dashboard/transparency.html",
        {
            "report": report,
            "period": label,
            "periods": [(v, t) for v, t in period_choices(now) if not v.endswith("d")],
            "figure_labels": FIGURE_LABELS,
        },
    )


@router.get("/dashboard/transparency.pdf")
def transparency_pdf(
    request: Request, session: SessionDep, viewer: ReportViewer, period: PeriodParam = None
) -> Response:
    _require_audit_reader(viewer)
    ctx = request.app.state.ctx
    signer = node_signer(ctx.settings, ctx.agency_code)
    label = period or current_quarter(utcnow()).label
    document = documents.transparency_document(
        session, viewer.actor, label, request_language(request), signer
    )
    return _pdf(document)
