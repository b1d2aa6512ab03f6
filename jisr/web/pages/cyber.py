"""Cyber console: indicator search, import of a STIX bundle or a MISP event (per-object
errors shown), an object's page (labels, TLP and sharing, relationships, sightings,
correlations), revocation by the owner, recording a sighting.

Pages call the same cyber services as the API, as the signed-in officer: policy decides what
is read and written, and every read and write is audited.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from jisr.agreements.models import Agreement
from jisr.api.deps import SessionDep
from jisr.cyber import jobs as cyber_jobs
from jisr.cyber import service, views
from jisr.cyber.access import require_read_own
from jisr.cyber.collections import list_collections
from jisr.cyber.models import CyberShare, CyberStatus
from jisr.cyber.stix import agency_identity_id
from jisr.cyber.tlp import Tlp
from jisr.errors import JisrError
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm
from jisr.web.i18n import N_
from jisr.web.registry import NavItem
from jisr.web.templating import render, set_flash
from jisr.web.viewer import Viewer, ViewerDep

router = console_router()
NAV = (NavItem(N_("Cyber indicators"), "/cyber", roles=frozenset({"cert_analyst"})),)
StixId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,48}--[0-9a-fA-F-]{36}$")]
StatusId = Annotated[str, Path(pattern=r"^[0-9a-z]{26}$")]
_CHUNK = 1024 * 1024

NO_FILE = N_("Choose a STIX 2.1 bundle or a MISP event (JSON) to import.")
TOO_LARGE = N_("The file is larger than 64 MiB: split it.")
NOT_STIX = N_("This file is neither a STIX 2.1 bundle nor a MISP event.")
TLP_LABELS = {
    Tlp.CLEAR: N_("TLP:CLEAR — anyone"),
    Tlp.GREEN: N_("TLP:GREEN — the agreement's community"),
    Tlp.AMBER: N_("TLP:AMBER — named agencies and their clients"),
    Tlp.AMBER_STRICT: N_("TLP:AMBER+STRICT — named agencies only"),
    Tlp.RED: N_("TLP:RED — named recipients only"),
}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _index(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    q: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    require_read_own(session, viewer.actor)
    rows = views.search(session, viewer.actor, q)
    collections = list_collections(session, viewer.actor.agency_code)
    parties = sorted(
        {p for c in collections if c.agreement_id for p in _parties(session, c.agreement_id)}
        - {viewer.actor.agency_code}
    )
    imports = session.execute(
        select(CyberStatus)
        .where(CyberStatus.requested_by == viewer.actor.id)
        .order_by(CyberStatus.created_at.desc())
        .limit(10)
    ).scalars()
    return render(
        request,
        "cyber/index.html",
        {
            "q": q,
            "rows": rows,
            "collections": collections,
            "tlp_levels": [(t.value, TLP_LABELS[t]) for t in Tlp],
            "partners": parties,
            "imports": list(imports),
            "errors": errors or {},
        },
        status_code=status_code,
    )


def _parties(session: Session, agreement_id: str) -> list[str]:
    agreement = session.get(Agreement, agreement_id)
    return agreement.party_codes if agreement else []


@router.get("/cyber")
def cyber_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(max_length=512)] = "",
) -> Response:
    return _index(request, session, viewer, q=q)


def _read_upload(upload: UploadFile) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while chunk := upload.file.read(_CHUNK):
        size += len(chunk)
        if size > service.MAX_UPLOAD_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/cyber/imports")
def import_upload(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep
) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _index(request, session, viewer, errors={"file": NO_FILE}, status_code=422)
    content = _read_upload(upload)
    if content is None:
        return _index(request, session, viewer, errors={"file": TOO_LARGE}, status_code=413)
    level = str(form.get("tlp") or "amber")
    recipients = [str(v) for v in form.getlist("to")]
    collection = str(form.get("collection") or "") or None
    try:
        # Stored in the background, part by part: the job's page shows it live.
        job = cyber_jobs.queue_import(
            session,
            viewer.actor,
            content,
            data_dir=request.app.state.ctx.settings.data_dir,
            collection_key=collection,
            tlp=Tlp(level) if level in {t.value for t in Tlp} else Tlp.AMBER,
            recipients=recipients,
        )
    except JisrError as exc:
        if exc.code not in {"bundle_malformed", "misp_event_invalid"}:
            raise
        session.rollback()
        return _index(request, session, viewer, errors={"file": NOT_STIX}, status_code=422)
    response = redirect(request, f"/jobs/{job.id}")
    set_flash(response, request, N_("The file is being imported."))
    return response


@router.get("/cyber/imports/{status_id}")
def import_result(
    request: Request, session: SessionDep, viewer: ViewerDep, status_id: StatusId
) -> Response:
    status = session.get(CyberStatus, status_id)
    if status is None or status.requested_by != viewer.actor.id:
        return render(request, "error.html", {"status": 404}, status_code=404)
    return render(request, "cyber/import.html", {"status": status})


@router.get("/cyber/objects/{stix_id}")
def object_page(
    request: Request, session: SessionDep, viewer: ViewerDep, stix_id: StixId
) -> Response:
    require_read_own(session, viewer.actor)
    view = views.object_view(session, viewer.actor, stix_id)
    shares = []
    if view.row.owner_agency == viewer.actor.agency_code:
        shares = list(
            session.execute(select(CyberShare).where(CyberShare.stix_id == stix_id)).scalars()
        )
    return render(
        request,
        "cyber/object.html",
        {
            "view": view,
            "row": view.row,
            "own": view.row.owner_agency == viewer.actor.agency_code,
            "shares": shares,
            "body": json.dumps(view.row.body, indent=2, ensure_ascii=False),
            "tlp_label": TLP_LABELS[Tlp(view.row.tlp)],
        },
    )


@router.post("/cyber/objects/{stix_id}/revoke")
def revoke(request: Request, session: SessionDep, viewer: CsrfForm, stix_id: StixId) -> Response:
    service.revoke_object(session, viewer.actor, stix_id)
    response = redirect(request, f"/cyber/objects/{stix_id}")
    set_flash(response, request, N_("Revoked: every partner holding it receives the revocation."))
    return response


@router.post("/cyber/objects/{stix_id}/sightings")
def record_sighting(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, stix_id: StixId
) -> Response:
    """Record that our agency saw this object (counted back at its owner)."""
    view = views.object_view(session, viewer.actor, stix_id)
    try:
        count = max(1, min(int(str(form.get("count") or "1")), 1_000_000))
    except ValueError:
        count = 1
    sighting = views.new_sighting(stix_id, count, agency_identity_id(viewer.actor.agency_code))
    service.import_objects(
        session,
        viewer.actor,
        [sighting],
        collection_key=view.row.collection_id,
        tlp=Tlp(view.row.tlp) if Tlp(view.row.tlp) in {Tlp.CLEAR, Tlp.GREEN} else Tlp.AMBER,
        source_format="sighting",
    )
    response = redirect(request, f"/cyber/objects/{stix_id}")
    set_flash(response, request, N_("Sighting recorded and reported to the owner."))
    return response
