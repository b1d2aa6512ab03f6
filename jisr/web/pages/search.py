"""The console's search: one box in the top bar, a results page grouped by kind.

The page calls the same service as ``GET /api/v1/search``, as the signed-in officer: policy
filters in the query, the search is audited, and snippets arrive escaped with ``<mark>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from jisr.api.deps import SessionDep
from jisr.errors import JisrError
from jisr.search import service
from jisr.search.documents import Kind
from jisr.search.schemas import SearchPage, SearchResult
from jisr.web.errors import console_router
from jisr.web.i18n import N_
from jisr.web.registry import NavItem
from jisr.web.templating import render
from jisr.web.viewer import ViewerDep

router = console_router()


@dataclass(frozen=True, slots=True)
class Shown:
    result: SearchResult
    title_html: Markup
    snippet_html: Markup

    @classmethod
    def of(cls, result: SearchResult) -> Shown:
        # Both were escaped by jisr.search.snippets.highlight before <mark> was added.
        return cls(result, Markup(result.title_html), Markup(result.snippet_html))  # noqa: S704


# The box in the top bar is the way in; no navigation entry.
NAV: tuple[NavItem, ...] = ()
KIND_LABELS: dict[str, str] = {
    Kind.MESSAGE: N_("Messages"),
    Kind.REQUEST: N_("Requests"),
    Kind.CASE: N_("Cases"),
    Kind.ALERT: N_("Alerts"),
    Kind.HIT: N_("Screening hits"),
    Kind.PERSON: N_("People"),
    Kind.ORGANIZATION: N_("Organisations"),
    Kind.DOCUMENT: N_("Identity documents"),
    Kind.ACCOUNT: N_("Accounts"),
    Kind.VEHICLE: N_("Vehicles"),
    Kind.CYBER: N_("Cyber objects"),
    Kind.OPERATION: N_("Operations"),
    Kind.LOG_ENTRY: N_("Operation log entries"),
    Kind.COURSE: N_("Training courses"),
    Kind.WATCHLIST_ENTRY: N_("Watchlist entries"),
}


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(max_length=service.MAX_QUERY)] = "",
    type: Annotated[str, Query(max_length=200)] = "",  # noqa: A002 - the URL's own name
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    page: SearchPage | None = None
    error = ""
    kinds: list[Kind] = []
    if q.strip():
        try:
            kinds = service.parse_types([type] if type else [])
            page = service.search(session, viewer.actor, q, types=kinds, cursor=cursor)
        except JisrError as exc:
            error = exc.code
    groups: list[tuple[str, list[Shown]]] = []
    if page is not None:
        for kind in KIND_LABELS:
            items = [Shown.of(r) for r in page.results if r.kind == kind]
            if items:
                groups.append((kind, items))
    return render(
        request,
        "search/results.html",
        {
            "q": q,
            "page": page,
            "groups": groups,
            "selected": kinds[0].value if len(kinds) == 1 else "",
            "labels": KIND_LABELS,
            "error": error,
        },
        status_code=422 if error else 200,
    )
