"""The console's own page: home, which gathers every area's "needs attention" lines."""

from __future__ import annotations

from jisr.modules import DomainModule, DomainParts


def _parts() -> DomainParts:
    from jisr.web.pages import home
    from jisr.web.registry import PageArea

    return DomainParts(console=(PageArea(home.router, home.NAV, rank=10),))


MODULE = DomainModule(name="console", parts=_parts)
