"""A large upload imported in the background (the console's import): a job of kind
``cyber.import`` that stores the file part by part, each part in its own transaction together
with the job's checkpoint, so progress is visible while it runs and a crashed worker's
successor resumes where the last committed part ended (nothing stored twice, nothing lost).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.cyber import misp, service, stix
from jisr.cyber.access import require_write
from jisr.cyber.collections import get_collection
from jisr.cyber.errors import UploadTooLargeError
from jisr.cyber.tlp import Tlp
from jisr.db import unit_of_work
from jisr.jobs.models import Job
from jisr.jobs.queue import JobRun, enqueue
from jisr.modules import JobKind

if TYPE_CHECKING:
    from jisr.api.context import AppContext

IMPORT = "cyber.import"
# Objects per transaction: large enough to keep the set-wise writes efficient, small enough
# that progress moves every second or two.
PART = 1000


def queue_import(
    session: Session,
    actor: Actor,
    raw: bytes,
    *,
    data_dir: Path,
    collection_key: str | None = None,
    tlp: Tlp = Tlp.AMBER,
    recipients: Sequence[str] = (),
) -> Job:
    """Check what can be checked at once (size, JSON, a bundle or an event, the collection,
    the right to write), then queue the import; its progress is the job's."""
    if len(raw) > service.MAX_UPLOAD_BYTES:
        raise UploadTooLargeError(f"upload of {len(raw)} bytes is over {service.MAX_UPLOAD_BYTES}")
    document = stix.load_document(raw)
    is_event = misp.is_misp_event(document)
    total = None if is_event else len(stix.bundle_objects(document))
    require_write(session, actor)
    collection = get_collection(session, actor.agency_code, collection_key)
    payload = {
        "collection": collection.alias,
        "tlp": tlp.value,
        "recipients": sorted(set(recipients)),
    }
    return enqueue(session, actor, IMPORT, payload, data_dir=data_dir, content=raw, total=total)


def run_import(ctx: AppContext, run: JobRun) -> dict[str, Any]:
    objects, source = service.read_document(run.input())
    payload = run.payload
    result: dict[str, Any] = {
        "format": source,
        "stored": 0,
        "unchanged": 0,
        "rejected": 0,
        **run.result,
    }
    start = int(run.checkpoint.get("next", 0))
    # An empty bundle still gets its (empty) status, so the outcome has a page.
    offsets = range(start, len(objects), PART) if objects else range(start, 1)
    for offset in offsets:
        part = objects[offset : offset + PART]
        with unit_of_work(ctx.session_factory) as session:
            outcome = service.import_objects(
                session,
                run.actor(session),
                part,
                collection_key=payload["collection"],
                tlp=Tlp(payload["tlp"]),
                recipients=payload["recipients"],
                source_format=source,
                status_id=result.get("status"),
                first_index=offset,
            )
            result["status"] = outcome.status_id
            result["stored"] += outcome.result.stored
            result["unchanged"] += outcome.result.unchanged
            result["rejected"] += len(outcome.result.errors)
            result["link"] = f"/cyber/imports/{outcome.status_id}"
            done = offset + len(part)
            run.step(
                session,
                done=done,
                total=len(objects),
                note=f"{result['stored']} stored, {result['rejected']} refused",
                checkpoint={"next": done},
                result=result,
            )
    return result


JOB_KINDS = (JobKind(IMPORT, run_import),)
