"""Signed report documents: a partnership's assessment or the transparency report as a PDF in
Arabic, French or English, signed with the node's Ed25519 key (the signature embedded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.errors import ValidationError
from jisr.identity.models import Agency
from jisr.reports import pdf, signing
from jisr.reports.periods import Period
from jisr.reports.service import partner_report, resolve_period
from jisr.reports.transparency import transparency_report
from jisr.training import credentials
from jisr.training.certificates import get_certificate
from jisr.training.models import Course
from jisr.training.signing import Signer

TREND = 4


@dataclass(frozen=True, slots=True)
class SignedDocument:
    content: bytes  # the PDF, its signature statement appended
    statement: dict[str, Any]  # the same statement, for a detached ``.sig`` file
    filename: str


def _language(lang: str) -> str:
    if lang not in pdf.LANGUAGES:
        raise ValidationError(
            "language must be ar, fr or en", code="report_language_invalid", field="lang"
        )
    return lang


def _names(session: Session, lang: str, *codes: str) -> dict[str, str]:
    rows = session.execute(select(Agency).where(Agency.code.in_(codes))).scalars()
    pick = {"ar": "name_ar", "fr": "name_fr"}.get(lang, "name_en")
    return {a.code: str(getattr(a, pick) or a.name_en) for a in rows}


def partner_document(
    session: Session,
    actor: Actor,
    partner: str,
    period: str | Period | None,
    lang: str,
    signer: Signer,
    *,
    now: datetime | None = None,
) -> SignedDocument:
    """The partnership's signed assessment; reading it is audited as a consultation."""
    lang = _language(lang)
    report = partner_report(
        session,
        actor,
        partner,
        period=period,
        now=now,
        trend=TREND,
        audit_details={"format": "pdf", "lang": lang},
    )
    names = _names(session, lang, report.local, partner)
    html = pdf.partner_html(report, lang, names, signer.fingerprint)
    document = pdf.render_pdf(html)
    about = {"kind": "partner", "partner": partner, "period": report.period.label, "lang": lang}
    statement = signing.sign_document(document, signer.key, signer.agency_code, about)
    filename = f"jisr-{partner}-{report.period.label}-{lang}.pdf"
    return SignedDocument(signing.embed(document, statement), statement, filename)


def transparency_document(
    session: Session,
    actor: Actor,
    period: str | Period | None,
    lang: str,
    signer: Signer,
    *,
    now: datetime | None = None,
) -> SignedDocument:
    from jisr.clock import utcnow

    lang = _language(lang)
    moment = now or utcnow()
    chosen = resolve_period(period, None, moment)
    report = transparency_report(session, actor, chosen, now=moment)
    local_name = _names(session, lang, actor.agency_code).get(actor.agency_code, actor.agency_code)
    document = pdf.render_pdf(pdf.transparency_html(report, lang, local_name, signer.fingerprint))
    about = {"kind": "transparency", "period": chosen.label, "lang": lang}
    statement = signing.sign_document(document, signer.key, signer.agency_code, about)
    filename = f"jisr-transparency-{chosen.label}-{lang}.pdf"
    return SignedDocument(signing.embed(document, statement), statement, filename)


def certificate_document(
    session: Session, actor: Actor, certificate_id: str, lang: str, signer: Signer
) -> SignedDocument:
    """A training certificate as a signed PDF in ``lang``, carrying its signed credential
    (``jisr training verify FILE`` reads it; ``jisr report verify FILE`` checks the page's
    bytes). Reading it is audited as a consultation of the certificate."""
    from jisr.clock import utcnow

    lang = _language(lang)
    certificate = get_certificate(session, actor, certificate_id)
    course = session.get(Course, certificate.course_id)
    names = _names(session, lang, certificate.issuer_agency, certificate.holder_agency)
    html = pdf.certificate_html(certificate, course, names, lang, signer.fingerprint, utcnow())
    document = credentials.attach_to_pdf(pdf.render_pdf(html), certificate.document)
    about = {"kind": "certificate", "certificate": certificate.id, "lang": lang}
    statement = signing.sign_document(document, signer.key, signer.agency_code, about)
    filename = f"jisr-{certificate.id.replace(':', '-')}-{lang}.pdf"
    return SignedDocument(signing.embed(document, statement), statement, filename)
