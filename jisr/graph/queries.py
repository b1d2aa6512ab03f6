"""Graph queries for an analyst: an entity with its statements, neighbours, shortest paths,
the connected component with its communities, and what links two cases.

Each query builds the viewer's graph from the store (``network.NetworkReader``, filtered by
policy on every edge), analyses it in memory with networkx, and audits the consultation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit.models import AuditAction
from jisr.audit.service import record as audit
from jisr.errors import NotFoundError, ValidationError
from jisr.exchange.models import Message
from jisr.graph.access import view_for
from jisr.graph.models import GraphEntity, GraphSource, GraphStatement, SourceKind
from jisr.graph.network import NetworkReader, TimeWindow

MAX_DEPTH = 6
MAX_NODES = 5_000


@dataclass(frozen=True, slots=True)
class StatementView:
    prop: str
    value: str
    source_id: str
    source_kind: str
    owner_agency: str
    handling_code: str
    agreement_id: str | None
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class EntityView:
    id: str
    schema: str
    caption: str
    cluster_id: str
    statements: list[StatementView]
    same_as: list[str]


@dataclass
class Subgraph:
    nodes: list[dict[str, str]] = field(default_factory=list)
    edges: list[dict[str, str]] = field(default_factory=list)
    total_nodes: int = 0
    next_offset: int | None = None
    communities: list[list[str]] = field(default_factory=list)


def _consulted(session: Session, actor: Actor, what: str, **details: object) -> None:
    audit(
        session, actor, AuditAction.CONSULTATION, "graph", None, details={"query": what, **details}
    )


def to_subgraph(
    graph: nx.MultiGraph, offset: int = 0, limit: int | None = None, first: Iterable[str] = ()
) -> Subgraph:
    """Nodes paged (``first`` at the top, then by id); edges among the page's nodes."""
    leading = [n for n in first if n in graph]
    ordered = leading + sorted(n for n in graph.nodes if n not in set(leading))
    page = ordered[offset : offset + limit] if limit is not None else ordered[offset:]
    chosen = set(page)
    nodes = [{"id": str(n), **{k: str(v) for k, v in graph.nodes[n].items()}} for n in page]
    edges = [
        {"source": str(a), "target": str(b), **{k: str(v) for k, v in d.items()}}
        for a, b, d in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
        if a in chosen and b in chosen
    ]
    end = offset + len(page)
    return Subgraph(nodes, edges, len(ordered), end if end < len(ordered) else None)


def _reader(session: Session, actor: Actor, window: TimeWindow | None) -> NetworkReader:
    return NetworkReader(session, view_for(session, actor), window)


def _require_visible(reader: NetworkReader, entity_id: str) -> None:
    if not reader.visible(entity_id):
        raise NotFoundError(f"no entity {entity_id}", code="graph_entity_not_found")


def get_entity(session: Session, actor: Actor, entity_id: str) -> EntityView:
    reader = _reader(session, actor, None)
    _require_visible(reader, entity_id)
    entity = session.get(GraphEntity, entity_id)
    rows = session.execute(
        select(GraphStatement, GraphSource)
        .join(GraphSource, GraphSource.id == GraphStatement.source_id)
        .where(GraphStatement.entity_id == entity_id)
        .order_by(GraphStatement.prop, GraphStatement.value, GraphStatement.source_id)
    ).all()
    statements = [
        StatementView(
            s.prop,
            s.value,
            src.id,
            src.kind,
            src.owner_agency,
            src.handling_code,
            src.agreement_id,
            s.first_seen.isoformat(),
            s.last_seen.isoformat(),
        )
        for s, src in rows
        if reader.view.sees_source(src.id)
    ]
    graph = reader.neighbourhood([entity_id], 1, MAX_NODES)
    reader.describe(graph)
    same = sorted(
        str(b if a == entity_id else a)
        for a, b, d in graph.edges(data=True)
        if d.get("kind") == "same"
    )
    _consulted(session, actor, "entity", entity=entity_id)
    return EntityView(
        entity_id,
        entity.schema if entity else statements[0].prop,
        entity.caption if entity else entity_id,
        str(graph.nodes[entity_id].get("cluster", entity_id)),
        statements,
        same,
    )


def neighbours(
    session: Session,
    actor: Actor,
    entity_id: str,
    *,
    depth: int = 1,
    window: TimeWindow | None = None,
    offset: int = 0,
    limit: int = 200,
) -> Subgraph:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be 1 to {MAX_DEPTH}", code="graph_depth_invalid")
    reader = _reader(session, actor, window)
    _require_visible(reader, entity_id)
    graph = reader.neighbourhood([entity_id], depth, MAX_NODES)
    reader.describe(graph)
    _consulted(session, actor, "neighbours", entity=entity_id, depth=depth)
    return to_subgraph(graph, offset, limit, first=[entity_id])


def _meet(
    reader: NetworkReader, sources: set[str], targets: set[str], max_hops: int
) -> nx.MultiGraph:
    """Expand from both sides in turn until they reach a common node or ``max_hops`` hops."""
    graph: nx.MultiGraph = nx.MultiGraph()
    graph.add_nodes_from(sources | targets)
    reach = [set(sources), set(targets)]
    fronts = [set(sources), set(targets)]
    for step in range(max_hops):
        if reach[0] & reach[1]:
            break
        side = step % 2 if fronts[0] and fronts[1] else (0 if fronts[0] else 1)
        if not fronts[side]:
            break
        for a, b, data in reader.expand(fronts[side]):
            graph.add_edge(a, b, key=f"{data['kind']}:{data['prop']}:{data['source']}", **data)
        reached = set().union(*(set(graph.neighbors(n)) for n in fronts[side]))
        fronts[side] = reached - reach[side]
        reach[side] |= reached
    return graph


def shortest_path(
    session: Session,
    actor: Actor,
    source: str,
    target: str,
    *,
    max_depth: int = MAX_DEPTH,
    window: TimeWindow | None = None,
) -> Subgraph:
    """The shortest chain of visible edges between two entities (empty when none within
    ``max_depth`` hops)."""
    reader = _reader(session, actor, window)
    for entity_id in (source, target):
        _require_visible(reader, entity_id)
    graph = _meet(reader, {source}, {target}, min(max_depth, MAX_DEPTH) + 1)
    _consulted(session, actor, "path", source=source, target=target)
    return _path_subgraph(reader, graph, [source], [target])


def _path_subgraph(
    reader: NetworkReader, graph: nx.MultiGraph, sources: list[str], targets: list[str]
) -> Subgraph:
    best: list[str] | None = None
    simple = nx.Graph(graph)
    for a in sources:
        for b in targets:
            if a in simple and b in simple and nx.has_path(simple, a, b):
                path = nx.shortest_path(simple, a, b)
                if best is None or len(path) < len(best):
                    best = path
    if best is None:
        return Subgraph()
    path_graph = graph.subgraph(best).copy()
    reader.describe(path_graph)
    return to_subgraph(path_graph, first=best)


def component(
    session: Session,
    actor: Actor,
    entity_id: str,
    *,
    window: TimeWindow | None = None,
    max_nodes: int = MAX_NODES,
    offset: int = 0,
    limit: int = 500,
) -> Subgraph:
    """The connected component around an entity (up to ``max_nodes``), with communities."""
    reader = _reader(session, actor, window)
    _require_visible(reader, entity_id)
    graph = reader.neighbourhood([entity_id], max_nodes, max_nodes)
    reader.describe(graph)
    result = to_subgraph(graph, offset, limit, first=[entity_id])
    simple = nx.Graph(graph)
    if simple.number_of_edges():
        communities = nx.community.louvain_communities(simple, seed=7)
        result.communities = sorted(
            (sorted(str(n) for n in c) for c in communities), key=lambda c: (-len(c), c)
        )
    _consulted(session, actor, "component", entity=entity_id, nodes=result.total_nodes)
    return result


def case_entities(session: Session, reader: NetworkReader, case_ref: str) -> set[str]:
    message_ids = list(
        session.execute(select(Message.id).where(Message.case_ref == case_ref)).scalars()
    )
    keys = [f"{SourceKind.MESSAGE.value}:{m}" for m in message_ids]
    keys = [k for k in keys if reader.view.sees_source(k)]
    if not keys:
        return set()
    ids = session.execute(
        select(GraphStatement.entity_id).where(GraphStatement.source_id.in_(keys)).distinct()
    ).scalars()
    return {i for i in ids if reader.visible(i)}


def case_links(
    session: Session,
    actor: Actor,
    case_a: str,
    case_b: str,
    *,
    max_depth: int = MAX_DEPTH,
    window: TimeWindow | None = None,
) -> Subgraph:
    """What links two cases: the shortest visible chain between any entity of one case's
    messages and any entity of the other's."""
    reader = _reader(session, actor, window)
    left, right = case_entities(session, reader, case_a), case_entities(session, reader, case_b)
    if not left or not right:
        raise NotFoundError(
            "no entities you may see in one of these cases", code="graph_case_empty"
        )
    graph = _meet(reader, left, right, min(max_depth, MAX_DEPTH) + 1)
    _consulted(session, actor, "case_links", cases=[case_a, case_b])
    return _path_subgraph(reader, graph, sorted(left), sorted(right))
