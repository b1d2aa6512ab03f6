"""The home page: what needs the viewer's attention now, gathered from every page area, and
the newest of their unread notifications (a partner's alert that just arrived, a reply, a hit)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from jisr.api.deps import ContextDep, SessionDep
from jisr.web.errors import console_router
from jisr.web.i18n import N_
from jisr.web.pages.notifications import recent_unread
from jisr.web.registry import Attention, NavItem, attention_sources
from jisr.web.templating import render
from jisr.web.viewer import ViewerDep

router = console_router()
NAV = (NavItem(N_("Home"), "/"),)


@router.get("/")
def home(request: Request, ctx: ContextDep, session: SessionDep, viewer: ViewerDep) -> Response:
    items: list[Attention] = []
    for source in attention_sources(ctx.console):
        items.extend(source(session, viewer))
    pending = [item for item in items if item.count > 0]
    return render(
        request,
        "home/index.html",
        {"attention": pending, "news": recent_unread(session, viewer)},
    )
