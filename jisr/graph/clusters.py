"""Clusters: the merged view, computed from links and judgements, with stable ids.

Edges that merge: analysts' "same" judgements first, then automatic links scoring at least
``AUTO_LINK`` (strongest first). An automatic link an analyst judged "not same" or "unsure" does
not merge, and no union may join two parts between which an analyst said "not same" (a
cannot-link constraint, as in nomenklatura's resolver). Nothing is merged destructively: the
entities and their statements stay as they are; only the cluster id on each entity changes.

**Stable ids.** Cluster ids are minted once (``AGENCY:cluster:ULID``, time-ordered). When parts
are recomputed, each former cluster id goes to the part holding most of its members (ties: the
larger part, then the part with the smallest member id); a part claiming several former ids (a
merge) keeps the oldest of them; a part that inherits none (a split-off) gets a fresh id. So a
merge keeps the older cluster's id and a split leaves the id with the larger part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from jisr.graph.compare import AUTO_LINK
from jisr.graph.models import GraphEntity, GraphJudgement, GraphLink, Judgement
from jisr.ids import new_id

MAX_CLUSTER = 20_000


@dataclass(frozen=True, slots=True)
class PairEdges:
    positive: list[tuple[str, str]]
    auto: list[tuple[float, str, str]]
    negative: set[tuple[str, str]]


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def active_judgements(session: Session, ids: Iterable[str]) -> dict[tuple[str, str], str]:
    """The standing judgement of each pair touching ``ids`` (the latest not retracted)."""
    chosen = sorted(set(ids))
    out: dict[tuple[str, str], str] = {}
    for start in range(0, len(chosen), 500):
        chunk = chosen[start : start + 500]
        rows = session.execute(
            select(GraphJudgement)
            .where(
                GraphJudgement.retracted_at.is_(None),
                or_(GraphJudgement.left_id.in_(chunk), GraphJudgement.right_id.in_(chunk)),
            )
            .order_by(GraphJudgement.decided_at, GraphJudgement.id)
        ).scalars()
        for row in rows:
            out[(row.left_id, row.right_id)] = row.judgement
    return out


def _edges(session: Session, ids: set[str]) -> PairEdges:
    judged = active_judgements(session, ids)
    positive = [p for p, j in judged.items() if j == Judgement.POSITIVE.value]
    negative = {p for p, j in judged.items() if j == Judgement.NEGATIVE.value}
    auto: list[tuple[float, str, str]] = []
    chosen = sorted(ids)
    for start in range(0, len(chosen), 500):
        chunk = chosen[start : start + 500]
        rows = session.execute(
            select(GraphLink.score, GraphLink.left_id, GraphLink.right_id).where(
                GraphLink.score >= AUTO_LINK,
                or_(GraphLink.left_id.in_(chunk), GraphLink.right_id.in_(chunk)),
            )
        )
        for score, left, right in rows:
            if (left, right) not in judged:
                auto.append((float(score), left, right))
    return PairEdges(positive, auto, negative)


def _component(session: Session, seeds: set[str]) -> tuple[set[str], PairEdges]:
    """Every entity reachable from ``seeds`` by merging edges, plus their former cluster-mates."""
    members: set[str] = set()
    frontier = set(seeds)
    edges = PairEdges([], [], set())
    while frontier and len(members) < MAX_CLUSTER:
        members |= frontier
        clusters = set(
            session.execute(
                select(GraphEntity.cluster_id).where(GraphEntity.id.in_(sorted(frontier)))
            ).scalars()
        )
        mates = set(
            session.execute(
                select(GraphEntity.id).where(GraphEntity.cluster_id.in_(sorted(clusters)))
            ).scalars()
        )
        edges = _edges(session, members | mates)
        reached = {x for a, b in edges.positive for x in (a, b)}
        reached |= {x for _, a, b in edges.auto for x in (a, b)}
        frontier = (reached | mates) - members
    existing = set(
        session.execute(select(GraphEntity.id).where(GraphEntity.id.in_(sorted(members)))).scalars()
    )
    return existing, edges


def _parts(members: set[str], edges: PairEdges) -> list[set[str]]:
    parent = {m: m for m in members}
    groups = {m: {m} for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        small, large = sorted((groups[ra], groups[rb]), key=len)
        if any(pair(x, y) in edges.negative for x in small for y in large):
            return
        root, other = (ra, rb) if groups[ra] is large else (rb, ra)
        parent[other] = root
        groups[root] = large | small
        del groups[other]

    for a, b in edges.positive:
        if a in members and b in members:
            union(a, b)
    for _, a, b in sorted(edges.auto, key=lambda e: (-e[0], e[1], e[2])):
        if a in members and b in members:
            union(a, b)
    return sorted(groups.values(), key=lambda g: min(g))


def assign_ids(
    parts: list[set[str]], former: dict[str, str], mint: Callable[[], str]
) -> dict[str, str]:
    """Cluster id per member under the stability rule in this module's docstring."""
    claims: dict[int, list[str]] = {}
    for old in sorted(set(former.values())):
        holders = [
            (sum(1 for m in part if former.get(m) == old), len(part), -i)
            for i, part in enumerate(parts)
        ]
        count, _, index = max(holders)
        index = -index
        if count:
            claims.setdefault(index, []).append(old)
    out: dict[str, str] = {}
    for index, part in enumerate(parts):
        ids = claims.get(index)
        cluster = min(ids, key=cluster_age) if ids else mint()
        out.update(dict.fromkeys(part, cluster))
    return out


def cluster_age(cluster_id: str) -> str:
    """Cluster ids sort by creation on their ULID (the part after the last colon)."""
    return cluster_id.rsplit(":", 1)[-1]


def recluster(session: Session, seeds: Iterable[str], agency_code: str) -> set[str]:
    """Recompute the clusters around ``seeds``; the ids of the entities whose cluster changed."""
    members, edges = _component(session, set(seeds))
    if not members:
        return set()
    former = dict(
        session.execute(
            select(GraphEntity.id, GraphEntity.cluster_id).where(
                GraphEntity.id.in_(sorted(members))
            )
        ).all()
    )
    assigned = assign_ids(_parts(members, edges), former, lambda: new_id(agency_code, "cluster"))
    changed = {m for m, c in assigned.items() if former.get(m) != c}
    by_cluster: dict[str, list[str]] = {}
    for member in changed:
        by_cluster.setdefault(assigned[member], []).append(member)
    for cluster, ids in by_cluster.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(GraphEntity)
                .where(GraphEntity.id.in_(sorted(ids)[start : start + 500]))
                .values(cluster_id=cluster)
            )
    return changed
