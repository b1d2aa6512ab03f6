"""Reports API: a partnership's periodic assessment, every partner side by side, and the
transparency report; as JSON, or as a signed PDF when the client asks for ``application/pdf``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse, Response

from jisr.api.context import AppContext
from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.reports import documents, schemas, service
from jisr.reports.periods import parse_period
from jisr.reports.transparency import transparency_report
from jisr.training.signing import Signer, node_signer

router = APIRouter(tags=["reports"])
PDF = "application/pdf"
AGENCY = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"
PeriodQuery = Annotated[
    str,
    Query(
        max_length=12,
        description="A year (2026), quarter (2026-Q4), month (2026-11), or 30d / 90d / 365d.",
    ),
]
LangQuery = Annotated[
    str | None, Query(pattern="^(ar|fr|en)$", description="Language of the PDF (ar, fr, en).")
]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    404: {"description": "No partnership with this agency"},
    422: {"description": "Invalid period or language"},
}
_PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON, or as a signed PDF with `Accept: application/pdf`",
        "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
    },
    **_ERRORS,
}


def _signer(ctx: AppContext) -> Signer:
    return node_signer(ctx.settings, ctx.agency_code)


def _wants_pdf(accept: str | None) -> bool:
    return bool(accept) and PDF in (accept or "").lower()


def _language(lang: str | None, accept_language: str | None) -> str:
    if lang:
        return lang
    for part in (accept_language or "").split(","):
        code = part.strip().split(";")[0].split("-")[0].lower()
        if code in ("ar", "fr", "en"):
            return code
    return "en"


def _pdf(document: documents.SignedDocument) -> Response:
    return Response(
        document.content,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Jisr-Signature-Key": str(document.statement["key_fingerprint"]),
            "Jisr-Document-Sha256": str(document.statement["sha256"]),
        },
    )


@router.get("/reports/partners", response_model=schemas.OverviewRead, responses=_ERRORS)
def partners_overview(
    session: SessionDep, actor: CurrentActor, period: PeriodQuery = "90d"
) -> schemas.OverviewRead:
    """Every partnership's headline figures over the period beside the period before it."""
    result = service.overview(session, actor, period=period)
    return schemas.OverviewRead.model_validate(result)


@router.get(
    "/reports/partners/{agency}",
    response_model=schemas.PartnerReportRead,
    responses=_PDF_RESPONSE,
)
def partner_report(
    ctx: ContextDep,
    session: SessionDep,
    actor: CurrentActor,
    agency: Annotated[str, Path(pattern=AGENCY, max_length=24)],
    period: PeriodQuery = "90d",
    trend: Annotated[int, Query(ge=0, le=24)] = 4,
    lang: LangQuery = None,
    accept: Annotated[str | None, Header()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """One partnership over one period, with the periods before it (``trend``)."""
    if _wants_pdf(accept):
        language = _language(lang, accept_language)
        document = documents.partner_document(
            session, actor, agency, period, language, _signer(ctx)
        )
        return _pdf(document)
    report = service.partner_report(session, actor, agency, period=period, trend=trend)
    return JSONResponse(schemas.partner_read(report).model_dump(mode="json"))


@router.get(
    "/reports/transparency", response_model=schemas.TransparencyRead, responses=_PDF_RESPONSE
)
def transparency(
    ctx: ContextDep,
    session: SessionDep,
    actor: CurrentActor,
    period: PeriodQuery,
    lang: LangQuery = None,
    accept: Annotated[str | None, Header()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """Refusals of alerts by ground and data-subject requests against their clocks, each
    figure with the audit filter and entries it was counted from."""
    if _wants_pdf(accept):
        language = _language(lang, accept_language)
        document = documents.transparency_document(session, actor, period, language, _signer(ctx))
        return _pdf(document)
    report = transparency_report(session, actor, parse_period(period))
    return JSONResponse(schemas.transparency_read(report).model_dump(mode="json"))
