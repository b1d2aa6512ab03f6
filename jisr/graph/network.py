"""The viewer's graph around some entities, read from the store one hop at a time.

Nodes are entities and shared identifier values (a phone, an e-mail, an IBAN: ``value:phone:+33...``
nodes, so two records naming one number meet there). Edges are
- ``ref``: a property of one entity naming another (a passport's holder, a boat's owner);
- ``has``: an entity stating an identifier value;
- ``same``: a resolution link that merges (a standing "same" judgement, or an automatic link at
  or above ``AUTO_LINK`` nobody judged otherwise).
Every edge is filtered by the viewer's ``View``: a statement edge needs its statement's source
visible and both ends visible; a ``same`` edge needs both entities visible whole. Time filters
keep statements first seen up to ``until`` and last seen from ``since``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from jisr.graph.access import View, visibility
from jisr.graph.clusters import active_judgements
from jisr.graph.compare import AUTO_LINK
from jisr.graph.models import GraphEntity, GraphLink, GraphStatement, Judgement

VALUE_TYPES = ("phone", "email", "iban")
# FollowTheMoney 4 types an IBAN as a plain identifier: the property names it.
VALUE_PROPS = ("iban",)
VALUE_PREFIX = "value:"
_CHUNK = 400


@dataclass(frozen=True, slots=True)
class TimeWindow:
    since: datetime | None = None
    until: datetime | None = None

    def admits(self, first_seen: datetime, last_seen: datetime) -> bool:
        if self.until is not None and first_seen > self.until:
            return False
        return not (self.since is not None and last_seen < self.since)


@dataclass
class Hop:
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


def value_node(prop_type: str, value: str) -> str:
    return f"{VALUE_PREFIX}{prop_type}:{value}"


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


class NetworkReader:
    """Expands the viewer's graph hop by hop; every read filtered by the view."""

    def __init__(self, session: Session, view: View, window: TimeWindow | None = None) -> None:
        self.session = session
        self.view = view
        self.window = window or TimeWindow()
        self._visible: dict[str, bool] = {}
        self._whole: dict[str, bool] = {}

    def _check(self, entity_ids: Iterable[str]) -> None:
        unknown = {e for e in entity_ids if e not in self._visible}
        if not unknown:
            return
        seen = visibility(self.session, self.view, unknown)
        for entity_id in unknown:
            self._visible[entity_id] = entity_id in seen.visible
            self._whole[entity_id] = entity_id in seen.whole

    def visible(self, entity_id: str) -> bool:
        if entity_id.startswith(VALUE_PREFIX):
            return True
        self._check([entity_id])
        return self._visible[entity_id]

    def _statement_ok(self, row: GraphStatement) -> bool:
        return self.view.sees_source(row.source_id) and self.window.admits(
            row.first_seen, row.last_seen
        )

    def expand(self, nodes: Iterable[str]) -> list[tuple[str, str, dict[str, str]]]:
        """Every visible edge touching ``nodes``."""
        entities = {n for n in nodes if not n.startswith(VALUE_PREFIX)}
        values = [n[len(VALUE_PREFIX) :].split(":", 1) for n in nodes if n.startswith(VALUE_PREFIX)]
        raw: list[tuple[str, str, dict[str, str]]] = []
        for chunk in _chunks(entities):
            rows = self.session.execute(
                select(GraphStatement).where(
                    or_(
                        and_(
                            GraphStatement.entity_id.in_(chunk),
                            or_(
                                GraphStatement.prop_type.in_(("entity", *VALUE_TYPES)),
                                GraphStatement.prop.in_(VALUE_PROPS),
                            ),
                        ),
                        and_(GraphStatement.prop_type == "entity", GraphStatement.value.in_(chunk)),
                    )
                )
            ).scalars()
            raw.extend(self._statement_edge(row) for row in rows if self._statement_ok(row))
        for kind, value in values:
            match = (
                GraphStatement.prop.in_(VALUE_PROPS)
                if kind in VALUE_PROPS
                else GraphStatement.prop_type == kind
            )
            rows = self.session.execute(
                select(GraphStatement).where(match, GraphStatement.value == value)
            ).scalars()
            raw.extend(self._statement_edge(row) for row in rows if self._statement_ok(row))
        raw.extend(self._same_edges(entities))
        self._check(x for a, b, _ in raw for x in (a, b) if not x.startswith(VALUE_PREFIX))
        return [(a, b, d) for a, b, d in raw if self.visible(a) and self.visible(b)]

    @staticmethod
    def _statement_edge(row: GraphStatement) -> tuple[str, str, dict[str, str]]:
        kind = row.prop if row.prop in VALUE_PROPS else row.prop_type
        target = row.value if row.prop_type == "entity" else value_node(kind, row.value)
        edge = "ref" if row.prop_type == "entity" else "has"
        return (row.entity_id, target, {"kind": edge, "prop": row.prop, "source": row.source_id})

    def _same_edges(self, entities: set[str]) -> list[tuple[str, str, dict[str, str]]]:
        if not entities:
            return []
        out: list[tuple[str, str, dict[str, str]]] = []
        judged = active_judgements(self.session, entities)
        for (a, b), judgement in judged.items():
            if judgement == Judgement.POSITIVE.value:
                out.append((a, b, {"kind": "same", "prop": "judgement", "source": ""}))
        for chunk in _chunks(entities):
            rows = self.session.execute(
                select(GraphLink.left_id, GraphLink.right_id, GraphLink.score).where(
                    GraphLink.score >= AUTO_LINK,
                    or_(GraphLink.left_id.in_(chunk), GraphLink.right_id.in_(chunk)),
                )
            ).all()
            out.extend(
                (a, b, {"kind": "same", "prop": f"score {score:.2f}", "source": ""})
                for a, b, score in rows
                if (a, b) not in judged
            )
        self._check(x for a, b, _ in out for x in (a, b))
        return [(a, b, d) for a, b, d in out if self._whole[a] and self._whole[b]]

    def neighbourhood(self, seeds: Iterable[str], depth: int, max_nodes: int) -> nx.MultiGraph:
        """The graph within ``depth`` hops of ``seeds`` (visible seeds only), at most
        ``max_nodes`` nodes (the traversal stops at the hop that reaches it)."""
        graph: nx.MultiGraph = nx.MultiGraph()
        frontier = {s for s in seeds if self.visible(s)}
        graph.add_nodes_from(frontier)
        for _ in range(depth):
            if not frontier or graph.number_of_nodes() >= max_nodes:
                break
            edges = self.expand(frontier)
            before = set(graph.nodes)
            for a, b, data in edges:
                graph.add_edge(a, b, key=f"{data['kind']}:{data['prop']}:{data['source']}", **data)
            frontier = set(graph.nodes) - before
        return graph

    def describe(self, graph: nx.MultiGraph) -> None:
        """Label the nodes: schema and caption for entities, type and value for values, and the
        viewer's cluster: the parts joined by visible ``same`` edges. The largest part of a
        stored cluster shows the stored cluster id; a smaller part (the viewer does not see
        what joins it) shows its smallest member's id, so no hidden bridge is revealed."""
        entity_ids = [n for n in graph.nodes if not str(n).startswith(VALUE_PREFIX)]
        stored: dict[str, str] = {}
        for chunk in _chunks(entity_ids):
            rows = self.session.execute(
                select(
                    GraphEntity.id, GraphEntity.schema, GraphEntity.caption, GraphEntity.cluster_id
                ).where(GraphEntity.id.in_(chunk))
            ).all()
            for entity_id, schema, caption, cluster in rows:
                graph.nodes[entity_id].update(schema=schema, label=caption)
                stored[entity_id] = cluster
        same: nx.Graph = nx.Graph()
        same.add_nodes_from(entity_ids)
        same.add_edges_from((a, b) for a, b, d in graph.edges(data=True) if d.get("kind") == "same")
        parts = sorted(nx.connected_components(same), key=lambda p: (-len(p), min(p)))
        claimed: set[str] = set()
        for part in parts:
            cluster = stored.get(min(part, key=lambda m: (stored.get(m, m), m)), min(part))
            label = cluster if cluster not in claimed else min(part)
            claimed.add(cluster)
            for member in part:
                graph.nodes[member]["cluster"] = label
        for node in graph.nodes:
            if str(node).startswith(VALUE_PREFIX):
                prop_type, value = str(node)[len(VALUE_PREFIX) :].split(":", 1)
                graph.nodes[node].update(schema=prop_type, label=value, cluster=str(node))
            graph.nodes[node].setdefault("schema", "Thing")
            graph.nodes[node].setdefault("label", str(node))
            graph.nodes[node].setdefault("cluster", str(node))
