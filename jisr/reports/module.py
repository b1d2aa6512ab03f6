"""The reports domain as the node sees it: the cooperation dashboard."""

from __future__ import annotations

from jisr.modules import DomainModule, DomainParts


def _parts() -> DomainParts:
    from jisr.web.pages import dashboard
    from jisr.web.registry import PageArea

    return DomainParts(console=(PageArea(dashboard.router, dashboard.NAV, rank=60),))


MODULE = DomainModule(name="reports", parts=_parts)
