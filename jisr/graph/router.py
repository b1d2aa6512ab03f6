"""Graph API under /api/v1/graph: sync, entities, neighbours, paths, components, case links,
the judgement queue and judgements, exports and imports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.graph import formats, judgements, queries
from jisr.graph.ingest import sync
from jisr.graph.models import GraphJudgement
from jisr.graph.network import TimeWindow
from jisr.graph.schemas import (
    EntityRead,
    ImportRead,
    JudgementCreate,
    JudgementRead,
    QueueItemRead,
    RetractCreate,
    StatementRead,
    SubgraphRead,
    SyncRead,
)

router = APIRouter(prefix="/graph", tags=["graph"])
EntityId = Annotated[str, Path(min_length=3, max_length=160)]
Since = Annotated[datetime | None, Query(description="Statements last seen from this time")]
Until = Annotated[datetime | None, Query(description="Statements first seen up to this time")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "No role of yours works with entity records"},
    404: {"description": "No such entity you may see"},
    422: {"description": "Invalid input"},
}


def _aware(value: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC (every stored time is UTC)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _window(since: datetime | None, until: datetime | None) -> TimeWindow:
    return TimeWindow(_aware(since), _aware(until))


def _subgraph(result: queries.Subgraph) -> SubgraphRead:
    return SubgraphRead(
        nodes=result.nodes,
        edges=result.edges,
        total_nodes=result.total_nodes,
        next_offset=result.next_offset,
        communities=result.communities,
    )


def _judgement(row: GraphJudgement) -> JudgementRead:
    return JudgementRead.model_validate(row, from_attributes=True)


@router.post("/sync", response_model=SyncRead, responses=_ERRORS)
def sync_graph(session: SessionDep, actor: CurrentActor, ctx: ContextDep) -> SyncRead:
    """Ingest the node's new and changed records now (the schedule does it every minute)."""
    return SyncRead.model_validate(sync(session, actor, ctx.agency_code).to_json())


@router.get("/entities/{entity_id}", response_model=EntityRead, responses=_ERRORS)
def read_entity(entity_id: EntityId, session: SessionDep, actor: CurrentActor) -> EntityRead:
    """An entity with the statements you may see, each with its source, and its merges."""
    view = queries.get_entity(session, actor, entity_id)
    return EntityRead(
        id=view.id,
        schema_name=view.schema,
        caption=view.caption,
        cluster_id=view.cluster_id,
        statements=[StatementRead.model_validate(s, from_attributes=True) for s in view.statements],
        same_as=view.same_as,
    )


@router.get("/entities/{entity_id}/neighbours", response_model=SubgraphRead, responses=_ERRORS)
def read_neighbours(
    entity_id: EntityId,
    session: SessionDep,
    actor: CurrentActor,
    depth: Annotated[int, Query(ge=1, le=queries.MAX_DEPTH)] = 1,
    since: Since = None,
    until: Until = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> SubgraphRead:
    """Entities and values within ``depth`` hops, paged by ``offset``/``limit``."""
    return _subgraph(
        queries.neighbours(
            session,
            actor,
            entity_id,
            depth=depth,
            window=_window(since, until),
            offset=offset,
            limit=limit,
        )
    )


@router.get("/entities/{entity_id}/component", response_model=SubgraphRead, responses=_ERRORS)
def read_component(
    entity_id: EntityId,
    session: SessionDep,
    actor: CurrentActor,
    since: Since = None,
    until: Until = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> SubgraphRead:
    """The connected component around an entity, with its communities (Louvain)."""
    return _subgraph(
        queries.component(
            session, actor, entity_id, window=_window(since, until), offset=offset, limit=limit
        )
    )


@router.get("/path", response_model=SubgraphRead, responses=_ERRORS)
def read_path(
    session: SessionDep,
    actor: CurrentActor,
    source: Annotated[str, Query(min_length=3, max_length=160, alias="from")],
    target: Annotated[str, Query(min_length=3, max_length=160, alias="to")],
    max_depth: Annotated[int, Query(ge=1, le=queries.MAX_DEPTH)] = queries.MAX_DEPTH,
    since: Since = None,
    until: Until = None,
) -> SubgraphRead:
    """The shortest chain of edges you may see between two entities (empty when none)."""
    return _subgraph(
        queries.shortest_path(
            session, actor, source, target, max_depth=max_depth, window=_window(since, until)
        )
    )


@router.get("/cases/links", response_model=SubgraphRead, responses=_ERRORS)
def read_case_links(
    session: SessionDep,
    actor: CurrentActor,
    case_a: Annotated[str, Query(min_length=3, max_length=80, alias="a")],
    case_b: Annotated[str, Query(min_length=3, max_length=80, alias="b")],
    since: Since = None,
    until: Until = None,
) -> SubgraphRead:
    """What links two cases: the shortest chain between their messages' entities."""
    return _subgraph(
        queries.case_links(session, actor, case_a, case_b, window=_window(since, until))
    )


@router.get("/queue", response_model=list[QueueItemRead], responses=_ERRORS)
def read_queue(
    session: SessionDep,
    actor: CurrentActor,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[QueueItemRead]:
    """Pairs waiting for an analyst's judgement, best score first."""
    items = judgements.queue(session, actor, limit=limit, offset=offset)
    return [QueueItemRead.model_validate(i, from_attributes=True) for i in items]


@router.post("/judgements", response_model=JudgementRead, status_code=201, responses=_ERRORS)
def create_judgement(
    body: JudgementCreate, session: SessionDep, actor: CurrentActor
) -> JudgementRead:
    """Record that two entities are the same, not the same, or that you are unsure."""
    row = judgements.judge(session, actor, body.left_id, body.right_id, body.judgement, body.reason)
    return _judgement(row)


@router.post("/judgements/{judgement_id}/retract", response_model=JudgementRead, responses=_ERRORS)
def retract_judgement(
    judgement_id: Annotated[str, Path(max_length=80)],
    session: SessionDep,
    actor: CurrentActor,
    body: RetractCreate | None = None,
) -> JudgementRead:
    """Take a judgement back; the clusters return to what the other evidence says."""
    row = judgements.retract(session, actor, judgement_id, body.reason if body else "")
    return _judgement(row)


@router.get("/judgements", response_model=list[JudgementRead], responses=_ERRORS)
def read_judgements(
    session: SessionDep,
    actor: CurrentActor,
    left: Annotated[str, Query(min_length=3, max_length=160)],
    right: Annotated[str, Query(min_length=3, max_length=160)],
) -> list[JudgementRead]:
    """Every judgement on a pair, retracted ones included, oldest first."""
    return [_judgement(r) for r in judgements.history(session, actor, left, right)]


@router.get("/entities/{entity_id}/export", responses={**_ERRORS, 200: {"content": {}}})
def export_entity(
    entity_id: EntityId,
    session: SessionDep,
    actor: CurrentActor,
    fmt: Annotated[formats.ExportFormat, Query(alias="format")] = formats.ExportFormat.FTM,
    depth: Annotated[int, Query(ge=1, le=queries.MAX_DEPTH)] = 2,
    recipient: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}$", description="Partner agency")
    ] = None,
) -> Response:
    """The graph around an entity as FtM JSONL, GraphML, GEXF or Cytoscape JSON; for a
    partner (``recipient``) only what this node may pass on to it."""
    text = formats.export_graph(session, actor, entity_id, fmt, depth=depth, recipient=recipient)
    return Response(text, media_type=formats.MEDIA_TYPES[fmt])


@router.post(
    "/imports",
    response_model=ImportRead,
    status_code=201,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/x-ndjson", "application/octet-stream")
            },
        }
    },
)
async def import_entities(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    name: Annotated[str, Query(min_length=1, max_length=60)] = "import",
    handling_code: Annotated[str, Query(pattern=r"^H[0-3]$")] = "H0",
    crime_area: Annotated[str | None, Query(max_length=32)] = None,
) -> ImportRead:
    """Bring FtM entities (JSON lines, the raw body) into the graph as a record of your agency;
    a bad line refuses the whole file."""
    body = await request.body()
    source_id, count = await run_in_threadpool(
        formats.import_ftm,
        session,
        actor,
        body.splitlines(),
        name=name,
        handling_code=handling_code,
        crime_area=crime_area,
    )
    return ImportRead(source_id=source_id, entities=count)
