"""Fixtures for report tests: the local agency, a pinned partner and an active agreement."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.exchange.conftest import add_local_agency
from tests.reports.seed import LOCAL, PARTNER, Traffic, add_agreement, pin_partner


@pytest.fixture()
def traffic(session: Session) -> Traffic:
    add_local_agency(session)
    pin_partner(session, LOCAL, PARTNER)
    return Traffic(session, add_agreement(session, LOCAL, PARTNER))
