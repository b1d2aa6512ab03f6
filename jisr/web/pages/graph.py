"""The graph console: an entity's network (Cytoscape.js, vendored), its statements and
sources, and the judgement queue.

Every read goes through ``jisr.graph`` services, so the console shows exactly what policy lets
the viewer see, and each consultation is audited as through the API.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from jisr.actors import Role
from jisr.api.deps import SessionDep
from jisr.errors import JisrError
from jisr.graph import judgements, queries
from jisr.graph.models import Judgement
from jisr.web.errors import console_router
from jisr.web.forms import CsrfForm
from jisr.web.i18n import N_
from jisr.web.registry import NavItem
from jisr.web.templating import render
from jisr.web.viewer import Viewer, viewer_with

ROLES = ("analyst", "liaison", "auditor", "dpo")
WRITERS = (Role.ANALYST, Role.LIAISON)
router = console_router()
NAV = (NavItem(N_("Network"), "/graph", roles=frozenset(ROLES)),)
GraphViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]


def cytoscape_elements(result: queries.Subgraph) -> list[dict[str, Any]]:
    nodes = [{"data": {**n, "label": n.get("label", n["id"])}} for n in result.nodes]
    edges = [
        {"data": {"id": f"e{i}", "source": e["source"], "target": e["target"], "kind": e["kind"]}}
        for i, e in enumerate(result.edges)
    ]
    return nodes + edges


@router.get("/graph")
def graph_page(
    request: Request, session: SessionDep, viewer: GraphViewer, entity: str = "", depth: int = 2
) -> Response:
    context: dict[str, Any] = {"entity": entity, "depth": depth, "result": None, "error": None}
    if entity:
        try:
            context["result"] = queries.neighbours(
                session, viewer.actor, entity, depth=max(1, min(depth, 4))
            )
        except JisrError as exc:
            context["error"] = exc.code
    return render(request, "graph/index.html", context)


@router.get("/graph/data")
def graph_data(session: SessionDep, viewer: GraphViewer, entity: str, depth: int = 2) -> Response:
    """The same neighbourhood as Cytoscape elements (the page's script draws it)."""
    result = queries.neighbours(session, viewer.actor, entity, depth=max(1, min(depth, 4)))
    return JSONResponse({"elements": cytoscape_elements(result)})


@router.get("/graph/entities/{entity_id}")
def entity_page(
    entity_id: str, request: Request, session: SessionDep, viewer: GraphViewer
) -> Response:
    view = queries.get_entity(session, viewer.actor, entity_id)
    return render(request, "graph/entity.html", {"entity": view})


@router.get("/graph/queue")
def queue_page(request: Request, session: SessionDep, viewer: GraphViewer) -> Response:
    items = judgements.queue(session, viewer.actor, limit=50)
    return render(
        request,
        "graph/queue.html",
        {"items": items, "can_judge": viewer.has_role(*WRITERS), "payload": json.dumps},
    )


@router.post("/graph/judgements")
def judge_pair(
    session: SessionDep,
    viewer: CsrfForm,
    left_id: Annotated[str, Form(max_length=160)],
    right_id: Annotated[str, Form(max_length=160)],
    judgement: Annotated[Judgement, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    judge_as = viewer_with(*WRITERS)(viewer)
    judgements.judge(session, judge_as.actor, left_id, right_id, judgement, reason)
    return RedirectResponse("/graph/queue", status_code=303)
