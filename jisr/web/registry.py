"""The console's page areas, what they put in the navigation and on the home page.

A page area is a module exposing ``router: APIRouter`` (built with ``console_router()``),
``NAV: tuple[NavItem, ...]`` and, optionally, ``attention(session, viewer) -> list[Attention]``
for the home page's "needs attention" panel. Adding an area is one line in ``PAGE_MODULES``
plus its templates (``templates/<area>/``) and catalogues
(``locales/<lang>/LC_MESSAGES/<area>.po``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jisr.web.viewer import Viewer

# Order is the navigation's order.
PAGE_MODULES: tuple[str, ...] = (
    "jisr.web.pages.auth",
    "jisr.web.pages.home",
    "jisr.web.pages.exchange",
    "jisr.web.pages.exchange_actions",
    "jisr.web.pages.notices",
    "jisr.web.pages.notices_changes",
    "jisr.web.pages.screening",
    "jisr.web.pages.partners",
    "jisr.web.pages.dashboard",
    "jisr.web.pages.users",
    "jisr.web.pages.audit",
    "jisr.web.pages.graph",
)


@dataclass(frozen=True)
class NavItem:
    # English msgid of the label; translated at render time.
    label: str
    href: str
    # Roles that see the entry; empty means every signed-in user.
    roles: frozenset[str] = frozenset()

    def visible_to(self, roles: frozenset[str]) -> bool:
        return not self.roles or bool(self.roles & roles)


@dataclass(frozen=True)
class Attention:
    """One line of the home page's "needs attention" panel."""

    # English msgid of the label ("Overdue requests").
    label: str
    count: int
    href: str
    # "danger", "warning" or "info": the badge colour.
    severity: str = "warning"


AttentionSource = Callable[["Session", "Viewer"], Sequence[Attention]]


def page_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in PAGE_MODULES]


def navigation(roles: frozenset[str]) -> list[NavItem]:
    items: list[NavItem] = []
    for module in page_modules():
        items.extend(item for item in getattr(module, "NAV", ()) if item.visible_to(roles))
    return items


def attention_sources() -> list[AttentionSource]:
    sources: list[AttentionSource] = []
    for module in page_modules():
        source = getattr(module, "attention", None)
        if source is not None:
            sources.append(source)
    return sources
