"""The audit trail for auditors and administrators: filter, page, inspect, verify the chain.

Every listing goes through ``jisr.audit.read_entries``, so viewing the trail is itself recorded
as ``audit_access``, exactly as through the API. The actor filter matches any part of the name,
whatever the case. ``/audit/export`` streams the whole filtered trail as JSON lines (oldest
first, a page of rows at a time from a session of its own), the export itself recorded first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from jisr.actors import AUDIT_READER_ROLES
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check
from jisr.api.deps import SessionDep, SettingsDep
from jisr.audit import AuditAction, AuditEntry, AuditFilter, read_entries, record
from jisr.audit.alerts import acknowledge_alert, open_alert_count, witnessing_view
from jisr.audit.models import AlertKind
from jisr.audit.service import entry_to_json, export_entries
from jisr.clock import utcnow
from jisr.errors import NotFoundError
from jisr.web.errors import console_router
from jisr.web.forms import CsrfForm, filled_in, validate
from jisr.web.i18n import N_, Translatable, pgettext_lazy
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, translate
from jisr.web.viewer import Viewer, viewer_with
from jisr.witness.integrity import verification

ROLES = tuple(sorted(AUDIT_READER_ROLES))
router = console_router()
NAV = (NavItem(N_("Audit trail"), "/audit", roles=frozenset(ROLES)),)
AuditViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
PAGE_SIZE = 50

ACTION_LABELS: dict[str, Translatable] = {
    AuditAction.COLLECTION.value: pgettext_lazy("audit action", "Collection"),
    AuditAction.ALTERATION.value: N_("Alteration"),
    AuditAction.CONSULTATION.value: N_("Consultation"),
    AuditAction.DISCLOSURE.value: N_("Disclosure"),
    AuditAction.TRANSFER.value: N_("Transfer"),
    AuditAction.COMBINATION.value: N_("Combination"),
    AuditAction.ERASURE.value: N_("Erasure"),
    AuditAction.LOGIN.value: N_("Sign-in"),
    AuditAction.LOGIN_FAILED.value: N_("Failed sign-in"),
    AuditAction.PRIVILEGE_USE.value: N_("Use of privileges"),
    AuditAction.AUDIT_ACCESS.value: N_("Audit trail access"),
    AuditAction.CONFIG_CHANGE.value: N_("Configuration change"),
}


ALERT_LABELS = {
    AlertKind.INCONSISTENT.value: N_("A partner's log was rewritten or forked"),
    AlertKind.ROLLBACK.value: N_("A partner's log was truncated"),
    AlertKind.REFUSED_BY_WITNESS.value: N_("A partner refused our checkpoint"),
}


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    """Inconsistencies found by witnessing, for those who watch the trail."""
    trail = Resource(ResourceKind.AUDIT, owner_agency=viewer.actor.agency_code)
    if not check(session, viewer.actor, Action.AUDIT_READ, trail).allowed:
        return []
    count = open_alert_count(session)
    return [Attention(N_("Audit log inconsistencies"), count, "/audit#witnessing", "danger")]


class TrailQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: AuditAction | None = None
    actor: str | None = Field(default=None, max_length=120)
    object_type: str | None = Field(default=None, max_length=40)
    since: date | None = None
    until: date | None = None
    # Newest first: the next page holds the entries before the last one shown.
    before_seq: int | None = Field(default=None, ge=1, le=2**62)

    def service_filter(self, limit: int) -> AuditFilter:
        return AuditFilter(
            action=self.action.value if self.action else None,
            actor_contains=self.actor,
            object_type=self.object_type,
            since=datetime.combine(self.since, time(), UTC) if self.since else None,
            until=datetime.combine(self.until + timedelta(days=1), time(), UTC)
            if self.until
            else None,
            newest_first=True,
            before_seq=self.before_seq,
            limit=limit,
        )

    def params(self, before_seq: int | None = None) -> str:
        values: dict[str, Any] = {
            "action": self.action.value if self.action else None,
            "actor": self.actor,
            "object_type": self.object_type,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "before_seq": before_seq,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _page(
    session: SessionDep, viewer: Viewer, query: TrailQuery
) -> tuple[list[AuditEntry], int | None]:
    """One page of entries, newest first, and the cursor of the next page (None at the end)."""
    rows = read_entries(session, viewer.actor, query.service_filter(PAGE_SIZE + 1))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].seq if more else None)


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, viewer: AuditViewer) -> Response:
    raw = filled_in(dict(request.query_params))
    query, errors = validate(TrailQuery, raw)
    context: dict[str, Any] = {
        "values": raw,
        "errors": errors,
        "action_options": [(k, translate(request, v)) for k, v in ACTION_LABELS.items()],
        "action_labels": ACTION_LABELS,
        "witnessing": witnessing_view(session, viewer.actor),
        "alert_labels": ALERT_LABELS,
    }
    if query is None:
        context.update(entries=[], next_url=None, export_url=None)
        return render(request, "audit/index.html", context, status_code=422)
    entries, cursor = _page(session, viewer, query)
    context.update(
        entries=entries,
        next_url=f"/audit?{query.params(cursor)}" if cursor is not None else None,
        export_url=f"/audit/export?{query.params()}",
    )
    if request.headers.get("hx-request") == "true" and query.before_seq:
        return render(request, "audit/_rows.html", context)
    return render(request, "audit/index.html", context)


@router.get("/audit/export")
def export(request: Request, session: SessionDep, viewer: AuditViewer) -> Response:
    """The whole filtered trail as JSON lines, streamed; the export is recorded before the
    first line is read (and commits with this request, whatever happens to the download)."""
    query, _errors = validate(TrailQuery, filled_in(dict(request.query_params)))
    if query is None:  # the trail page shows what is wrong with the filter
        return audit_page(request, session, viewer)
    bounds = query.service_filter(1)
    factory = request.app.state.ctx.session_factory
    entries = export_entries(session, viewer.actor, bounds, read_with=factory)

    def lines() -> Iterator[bytes]:
        for entry in entries:
            yield json.dumps(entry_to_json(entry), ensure_ascii=False).encode() + b"\n"

    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    name = f"audit-trail-{viewer.actor.agency_code}-{stamp}.jsonl"
    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/entries/{seq}")
def entry_page(seq: int, request: Request, session: SessionDep, viewer: AuditViewer) -> Response:
    rows = read_entries(session, viewer.actor, AuditFilter(after_seq=max(seq - 1, 0), limit=1))
    if not rows or rows[0].seq != seq:
        raise NotFoundError(f"no audit entry {seq}", code="audit_entry_not_found")
    entry = rows[0]
    return render(
        request,
        "audit/entry.html",
        {
            "entry": entry,
            "details": json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True),
            "action_labels": ACTION_LABELS,
        },
    )


@router.post("/audit/verify")
def verify(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: CsrfForm
) -> Response:
    auditor = viewer_with(*ROLES)(viewer)
    result = verification(session, settings, auditor.actor.agency_code)
    record(
        session,
        auditor.actor,
        AuditAction.AUDIT_ACCESS,
        "audit_trail",
        details={"verify": True, "intact": result.intact},
    )
    template = (
        "audit/_verify.html" if request.headers.get("hx-request") == "true" else "audit/verify.html"
    )
    return render(request, template, {"result": result})


@router.post("/audit/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    auditor = viewer_with(*ROLES)(viewer)
    acknowledge_alert(session, auditor.actor, alert_id, "acknowledged on the console")
    return RedirectResponse("/audit#witnessing", status_code=303)
