"""Partner agencies (address, pinned keys, reachability) and the agreements that bind us."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Role
from jisr.agreements import service as agreements
from jisr.agreements.models import Agreement, AgreementStatus
from jisr.agreements.schemas import AgreementStatusChange
from jisr.api.deps import SessionDep
from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.federation.health import DeliveryHealth, delivery_health, health_of
from jisr.federation.keys import fingerprint
from jisr.federation.models import PartnerKey
from jisr.identity import service as identity
from jisr.identity.models import Agency
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, blank_to_none, form_values, validate
from jisr.web.i18n import N_
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, request_language, set_flash
from jisr.web.viewer import Viewer, ViewerDep, viewer_with

router = console_router()
NAV = (NavItem(N_("Partners"), "/partners"),)
EXPIRY_WINDOW = timedelta(days=30)
# Who is told on the home page about partners and agreements needing action.
ATTENTION_ROLES = (Role.ADMIN, Role.LIAISON)

STATUS_LABELS = {
    "draft": N_("Draft"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "expired": N_("Expired"),
}
STATUS_TONES = {"draft": "neutral", "active": "good", "suspended": "warning", "expired": "bad"}
CRIME_AREAS = {
    "terrorism": N_("Terrorism"),
    "organised_crime": N_("Organised crime"),
    "migrant_smuggling": N_("Migrant smuggling"),
    "human_trafficking": N_("Human trafficking"),
    "drug_trafficking": N_("Drug trafficking"),
    "financial_crime": N_("Financial crime"),
    "cybercrime": N_("Cybercrime"),
    "border_security": N_("Border security"),
    "major_events": N_("Major events"),
    "training": N_("Training"),
}
DATA_CATEGORIES = {
    "personal": N_("Personal data"),
    "biometric_reference": N_("Biometric references"),
    "cyber_indicator": N_("Cyber indicators"),
    "operational": N_("Operational information"),
    "training": N_("Training"),
}
TRANSITION_ERROR = N_("This agreement cannot take that status now (it may already have it).")


def agency_name(agency: Agency, lang: str) -> str:
    """The agency's name in the viewer's language."""
    return {"ar": agency.name_ar, "fr": agency.name_fr}.get(lang, agency.name_en)


@dataclass(frozen=True)
class PartnerRow:
    agency: Agency
    name: str
    signing_fp: str | None
    encryption_fp: str | None
    retired_keys: list[PartnerKey]
    health: DeliveryHealth
    agreements: list[Agreement]


@dataclass(frozen=True)
class AgreementRow:
    agreement: Agreement
    status: str
    expiring: bool


def _expiring(agreement: Agreement, now: datetime) -> bool:
    return (
        agreements.effective_status(agreement) is AgreementStatus.ACTIVE
        and agreement.valid_until is not None
        and agreement.valid_until <= now + EXPIRY_WINDOW
    )


def _agreement_rows(rows: Sequence[Agreement], now: datetime) -> list[AgreementRow]:
    return [AgreementRow(a, agreements.effective_status(a).value, _expiring(a, now)) for a in rows]


def _partner_rows(
    session: Session, viewer: Viewer, lang: str, all_agreements: Sequence[Agreement]
) -> list[PartnerRow]:
    partners = [a for a in identity.list_agencies(session, viewer.actor) if not a.is_local]
    health = delivery_health(session, [p.code for p in partners])
    now = utcnow()
    retired: dict[str, list[PartnerKey]] = {}
    for key in session.execute(
        select(PartnerKey)
        .where(PartnerKey.retired_at.is_not(None), PartnerKey.accept_until > now)
        .order_by(PartnerKey.retired_at)
    ).scalars():
        retired.setdefault(key.agency_code, []).append(key)
    return [
        PartnerRow(
            agency=p,
            name=agency_name(p, lang),
            signing_fp=fingerprint(p.signing_key) if p.signing_key else None,
            encryption_fp=fingerprint(p.encryption_key) if p.encryption_key else None,
            retired_keys=retired.get(p.code, []),
            health=health_of(health, p.code),
            agreements=[a for a in all_agreements if p.code in a.party_codes],
        )
        for p in partners
    ]


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "crime_areas": CRIME_AREAS,
        "data_categories": DATA_CATEGORIES,
    }


@router.get("/partners")
def partners_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    lang = request_language(request)
    all_agreements = agreements.list_agreements(session)
    names = {a.code: agency_name(a, lang) for a in identity.list_agencies(session, viewer.actor)}
    return render(
        request,
        "partners/index.html",
        {
            "partners": _partner_rows(session, viewer, lang, all_agreements),
            "agreements": _agreement_rows(all_agreements, utcnow()),
            "names": names,
            **_labels(),
        },
    )


def _agreement_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    key: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    agreement = agreements.get_agreement(session, key)
    lang = request_language(request)
    names = {a.code: agency_name(a, lang) for a in identity.list_agencies(session, viewer.actor)}
    status = agreements.effective_status(agreement)
    return render(
        request,
        "partners/agreement.html",
        {
            "row": AgreementRow(agreement, status.value, _expiring(agreement, utcnow())),
            "names": names,
            "can_suspend": viewer.has_role(Role.ADMIN) and status is AgreementStatus.ACTIVE,
            "can_activate": viewer.has_role(Role.ADMIN)
            and status in (AgreementStatus.SUSPENDED, AgreementStatus.DRAFT),
            "errors": errors or {},
            "values": values or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/partners/agreements/{key:path}")
def agreement_page(key: str, request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    return _agreement_page(request, session, viewer, key)


async def submitted(request: Request) -> dict[str, Any]:
    """The posted form's text fields (read here so that handlers can stay synchronous)."""
    return form_values(await request.form())


FormDep = Annotated[dict[str, Any], Depends(submitted)]


def _change_status(
    request: Request,
    session: Session,
    viewer: Viewer,
    form: dict[str, Any],
    key: str,
    target: AgreementStatus,
) -> Response:
    admin = viewer_with(Role.ADMIN)(viewer)
    values = blank_to_none(form)
    given = {"reason": values["reason"]} if values.get("reason") is not None else {}
    data, errors = validate(AgreementStatusChange, given)
    if data is None:
        return _agreement_page(
            request, session, admin, key, errors=errors, values=values, status_code=422
        )
    try:
        agreement = agreements.change_status(session, admin.actor, key, target, data.reason)
    except JisrError as exc:
        if exc.http_status != 409:
            raise
        session.rollback()
        return _agreement_page(
            request,
            session,
            admin,
            key,
            errors={"form": TRANSITION_ERROR},
            values=values,
            status_code=409,
        )
    response = redirect(request, f"/partners/agreements/{agreement.id}")
    set_flash(
        response,
        request,
        N_("The agreement is suspended.")
        if target is AgreementStatus.SUSPENDED
        else N_("The agreement is active."),
    )
    return response


@router.post("/partners/agreements/{key:path}/suspend")
def suspend_agreement(
    key: str, request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep
) -> Response:
    return _change_status(request, session, viewer, form, key, AgreementStatus.SUSPENDED)


@router.post("/partners/agreements/{key:path}/activate")
def activate_agreement(
    key: str, request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep
) -> Response:
    return _change_status(request, session, viewer, form, key, AgreementStatus.ACTIVE)


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    if not viewer.has_role(*ATTENTION_ROLES):
        return []
    now = utcnow()
    partners = [a.code for a in identity.list_agencies(session, viewer.actor) if not a.is_local]
    unreachable = sum(1 for h in delivery_health(session, partners).values() if not h.reachable)
    expiring = sum(1 for a in agreements.list_agreements(session) if _expiring(a, now))
    return [
        Attention(N_("Partner nodes unreachable"), unreachable, "/partners", "danger"),
        Attention(
            N_("Agreements expiring within 30 days"), expiring, "/partners#agreements", "info"
        ),
    ]
