"""The console's page areas: what each puts in the navigation and on the home page.

A page area is a ``PageArea``: a router (built with ``console_router()``), its navigation
entries and, optionally, an ``attention(session, viewer) -> list[Attention]`` source for the home
page's "needs attention" panel. Each domain's module declares its areas
(``DomainParts.console``); the composition root collects them and the app context holds them.
Templates go in ``templates/<area>/``, catalogues in ``locales/<lang>/LC_MESSAGES/<area>.po``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from jisr.web.viewer import Viewer


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


@dataclass(frozen=True)
class PageArea:
    router: APIRouter
    nav: tuple[NavItem, ...] = ()
    attention: AttentionSource | None = None
    # Position in the navigation (lower first); areas of equal rank keep the modules' order.
    rank: int = 100


def navigation(areas: Sequence[PageArea], roles: frozenset[str]) -> list[NavItem]:
    ordered = sorted(areas, key=lambda area: area.rank)
    return [item for area in ordered for item in area.nav if item.visible_to(roles)]


def attention_sources(areas: Sequence[PageArea]) -> list[AttentionSource]:
    return [area.attention for area in areas if area.attention is not None]
