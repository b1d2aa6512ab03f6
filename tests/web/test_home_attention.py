"""The home page says what needs attention: a partner's wanted alert that just arrived is on it
(it used to say "Nothing needs your attention right now." at that moment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jisr.agreements.models import Agreement
from jisr.db import make_session_factory, unit_of_work
from jisr.notices.federation import handlers
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, officer, pin_partner
from tests.nodes import wait_until
from tests.notices.conftest import wanted
from tests.notices.test_handlers import _envelope
from tests.web.conftest import Console

NOTHING = "Nothing needs your attention right now."


@dataclass
class _Link:
    agreement: Agreement


def _partner_alert(console: Console) -> dict[str, Any]:
    """Paris's wanted alert arrives through the node's federation handler, as from the inbox."""
    from jisr.notices.drafting import create_notice
    from jisr.notices.schemas import NoticeCreate
    from jisr.notices.wire import notice_payload

    factory = make_session_factory(console.engine)
    with unit_of_work(factory) as session:
        pin_partner(session, LOCAL, PARTNER)
        link = _Link(add_agreement(session, LOCAL, PARTNER))
    with unit_of_work(factory) as session:
        # What Paris would send: one of ours, renamed as Paris's (then dropped here).
        ours = create_notice(session, officer("liaison"), NoticeCreate(**wanted()))
        payload = notice_payload(ours)
        session.delete(ours)
    payload.update(id=f"{PARTNER}:notice:01JW0000000000000000000001",
                   reference=f"{PARTNER}/2026/R-0007", version=1)  # fmt: skip
    payload["subject"]["id"] = f"{PARTNER}.p1"
    with unit_of_work(factory) as session:
        handlers()["notices.publish"](session, _envelope(link, "notices.publish", payload))  # type: ignore[arg-type]
    return payload


def test_home_page_shows_a_wanted_alert_that_just_arrived(console: Console) -> None:
    console.sign_in("amal.liaison")
    assert NOTHING in console.client.get("/").text
    alert = _partner_alert(console)
    expected = f"Alert {alert['reference']} received from {PARTNER}"

    def on_home() -> bool:
        return expected in console.client.get("/").text

    wait_until(on_home, timeout=10, what="the alert on the home page")
    page = console.client.get("/").text
    assert NOTHING not in page
    # A border officer (who may not read alerts) is not told of it.
    console.client.cookies.clear()
    console.sign_in("salma.border")
    assert expected not in console.client.get("/").text
