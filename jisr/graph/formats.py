"""Exports (FtM JSONL, GraphML, GEXF, Cytoscape JSON) and imports (FtM JSONL).

An export is the viewer's graph around an entity, so it holds only what the viewer may see.
Exported *for a partner* (``recipient``), it keeps only statements policy lets this node pass
on to that partner (``share``): a partner's record, H2 above all, is never passed on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import check
from jisr.audit.models import AuditAction
from jisr.audit.service import record as audit
from jisr.errors import ValidationError
from jisr.graph.access import require_graph, resource_of, signature_of, view_for
from jisr.graph.linking import rebuild_entities
from jisr.graph.models import GraphSource, GraphStatement, SourceKind
from jisr.graph.network import VALUE_PREFIX, NetworkReader
from jisr.graph.queries import MAX_NODES
from jisr.graph.statements import ID_PROP, SourceRecord, facts_of, record_source

MAX_IMPORT_LINE = 1_000_000


class ExportFormat(StrEnum):
    FTM = "ftm"
    GRAPHML = "graphml"
    GEXF = "gexf"
    CYTOSCAPE = "cytoscape"


MEDIA_TYPES = {
    ExportFormat.FTM: "application/x-ndjson",
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.GEXF: "application/gexf+xml",
    ExportFormat.CYTOSCAPE: "application/json",
}


def _shareable(session: Session, actor: Actor, recipient: str) -> set[str]:
    """Sources this node may pass on to ``recipient``."""
    out: set[str] = set()
    decided: dict[tuple[str, str | None, str | None, str], bool] = {}
    for source in session.execute(select(GraphSource)).scalars():
        signature = signature_of(source)
        if signature not in decided:
            resource = resource_of(signature)
            shared = type(resource)(**{**_fields(resource), "recipient_agency": recipient})
            decided[signature] = check(session, actor, Action.SHARE, shared).allowed
        if decided[signature] and source.withdrawn_at is None:
            out.add(source.id)
    return out


def _fields(resource: object) -> dict[str, Any]:
    return {name: getattr(resource, name) for name in resource.__slots__}  # type: ignore[attr-defined]


def export_graph(
    session: Session,
    actor: Actor,
    entity_id: str,
    fmt: ExportFormat,
    *,
    depth: int = 2,
    recipient: str | None = None,
) -> str:
    view = view_for(session, actor)
    if recipient is not None:
        allowed = _shareable(session, actor, recipient)
        everything = set(session.execute(select(GraphSource.id)).scalars())
        view.hidden_sources |= everything - allowed
    reader = NetworkReader(session, view)
    if not reader.visible(entity_id):
        raise ValidationError(f"nothing of {entity_id} may be exported", code="graph_export_empty")
    graph = reader.neighbourhood([entity_id], depth, MAX_NODES)
    reader.describe(graph)
    text = render(session, view.hidden_sources, graph, fmt)
    audit(
        session,
        actor,
        AuditAction.DISCLOSURE if recipient else AuditAction.CONSULTATION,
        "graph_export",
        entity_id,
        recipients=[recipient] if recipient else [],
        details={"format": fmt.value, "nodes": graph.number_of_nodes()},
    )
    return text


def render(session: Session, hidden: set[str], graph: nx.MultiGraph, fmt: ExportFormat) -> str:
    if fmt is ExportFormat.FTM:
        entities = [n for n in graph.nodes if not str(n).startswith(VALUE_PREFIX)]
        return "".join(
            json.dumps(e, ensure_ascii=False) + "\n"
            for e in ftm_entities(session, hidden, entities)
        )
    simple = nx.Graph()
    for node, data in graph.nodes(data=True):
        simple.add_node(str(node), **{k: str(v) for k, v in data.items()})
    for a, b, data in graph.edges(data=True):
        simple.add_edge(str(a), str(b), **{k: str(v) for k, v in data.items()})
    if fmt is ExportFormat.GRAPHML:
        return "\n".join(nx.generate_graphml(simple)) + "\n"
    if fmt is ExportFormat.GEXF:
        return "\n".join(nx.generate_gexf(simple)) + "\n"
    return json.dumps(nx.cytoscape_data(simple), ensure_ascii=False)


def ftm_entities(
    session: Session, hidden: set[str], entity_ids: Iterable[str]
) -> Iterator[dict[str, Any]]:
    """Entities as FollowTheMoney JSON from their visible statements."""
    ids = sorted(set(entity_ids))
    for start in range(0, len(ids), 400):
        rows = session.execute(
            select(GraphStatement)
            .where(GraphStatement.entity_id.in_(ids[start : start + 400]))
            .order_by(GraphStatement.entity_id, GraphStatement.prop, GraphStatement.value)
        ).scalars()
        current: dict[str, Any] | None = None
        for row in rows:
            if row.source_id in hidden:
                continue
            if current is None or current["id"] != row.entity_id:
                if current is not None:
                    yield current
                current = {"id": row.entity_id, "schema": row.schema, "properties": {}}
            if row.prop != ID_PROP:
                values = current["properties"].setdefault(row.prop, [])
                if row.value not in values:
                    values.append(row.value)
        if current is not None:
            yield current


def read_ftm_lines(lines: Iterable[str | bytes]) -> list[dict[str, Any]]:
    """Parse FtM JSONL, refusing the whole file on the first bad line (nothing half-imported)."""
    entities: list[dict[str, Any]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            raise ValidationError(
                f"line {number}: not UTF-8 text", code="graph_import_invalid"
            ) from None
        if not text.strip():
            continue
        if len(text) > MAX_IMPORT_LINE:
            raise ValidationError(f"line {number}: too long", code="graph_import_invalid")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"line {number}: not JSON ({exc.msg})", code="graph_import_invalid"
            ) from None
        if not isinstance(data, dict) or "id" not in data or "schema" not in data:
            raise ValidationError(
                f"line {number}: not a FollowTheMoney entity (id, schema, properties)",
                code="graph_import_invalid",
            )
        try:
            list(facts_of(data))
        except ValidationError as exc:
            raise ValidationError(
                f"line {number}: {exc.detail}", code="graph_import_invalid"
            ) from None
        entities.append(data)
    return entities


def import_ftm(
    session: Session,
    actor: Actor,
    lines: Iterable[str | bytes],
    *,
    name: str,
    handling_code: str = "H0",
    crime_area: str | None = None,
) -> tuple[str, int]:
    """Bring an analyst's FtM file (a leak, a registry) into the graph as this agency's record."""
    require_graph(session, actor, write=True)
    entities = read_ftm_lines(lines)
    if not entities:
        raise ValidationError("the file holds no entity", code="graph_import_empty")
    digest = hashlib.sha256(json.dumps(entities, sort_keys=True).encode()).hexdigest()[:16]
    record = SourceRecord(
        kind=SourceKind.IMPORT,
        record_id=f"{actor.agency_code}:import:{name[:60]}:{digest}",
        owner_agency=actor.agency_code,
        handling_code=handling_code,
        entities=entities,
        crime_area=crime_area,
        data_category="personal",
    )
    touched = record_source(session, record)
    rebuild_entities(session, touched, actor.agency_code)
    audit(
        session,
        actor,
        AuditAction.COLLECTION,
        "graph_import",
        record.key,
        details={"entities": len(entities), "name": name[:100]},
    )
    return record.key, len(entities)
