"""TAXII 2.1 feeds: a partner's or a vendor's collection polled on a schedule.

Each feed has its own credentials (a bearer token), names the agency that provides it and,
for a partner, the agreement its content arrives under. Objects are held as the provider's
(origin ``feed``), in the feed's own collection, so this node never passes them on as its own.
The token is sealed at rest under ``JISR_SECRET_KEY`` (``jisr.sealing``): a copy of the
database alone does not yield a partner's credential. Polling uses the real ``taxii2-client``
and pages with the server's ``next``; the next poll asks for what was added since the previous
one began (less a minute for clock skew; objects seen twice are simply unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, as_pages

from jisr.actors import Actor
from jisr.agreements.service import get_agreement
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.cyber.access import require_write
from jisr.cyber.collections import collection_id
from jisr.cyber.models import CyberCollection, CyberFeed, Origin
from jisr.cyber.store import IngestResult, Labels, ingest
from jisr.cyber.taxii import timestamp
from jisr.cyber.tlp import Tlp
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import ConflictError, NotFoundError, UnavailableError
from jisr.ids import new_id
from jisr.sealing import seal, unseal

log = structlog.get_logger("jisr.cyber")
PAGE = 1000
SKEW = timedelta(seconds=60)
_TOKEN_PURPOSE = b"jisr/cyber/feed-token/v1"
# Sealed tokens carry this prefix; a value without it was stored before tokens were sealed and
# is sealed on the feed's next poll.
_SEALED = "sealed:"


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str | None) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass(frozen=True, slots=True)
class FeedSpec:
    name: str
    url: str  # the remote collection, ending in /collections/<id>/
    provider_agency: str
    token: str | None = None
    agreement: str | None = None
    interval_seconds: int = 3600


def seal_token(secret: str, token: str | None) -> str | None:
    return _SEALED + seal(secret, _TOKEN_PURPOSE, token) if token else None


def feed_token(secret: str, stored: str | None) -> str | None:
    """The bearer token a feed row holds (sealed, or plain from before sealing)."""
    if not stored:
        return None
    if not stored.startswith(_SEALED):
        return stored
    return unseal(
        secret,
        _TOKEN_PURPOSE,
        stored.removeprefix(_SEALED),
        code="feed_token_unreadable",
        what="a feed's token",
    )


def add_feed(session: Session, actor: Actor, spec: FeedSpec, secret: str) -> CyberFeed:
    require_write(session, actor)
    if session.execute(select(CyberFeed).where(CyberFeed.name == spec.name)).first():
        raise ConflictError(f"a feed named {spec.name!r} exists", code="feed_exists")
    agreement_id = get_agreement(session, spec.agreement).id if spec.agreement else None
    alias = f"feed:{spec.name}"
    collection = CyberCollection(
        id=collection_id(actor.agency_code, alias),
        alias=alias,
        title=f"Feed {spec.name} ({spec.provider_agency})",
        description=spec.url,
        agreement_id=agreement_id,
        can_write=False,
    )
    feed = CyberFeed(
        id=new_id(actor.agency_code, "feed"),
        name=spec.name,
        url=spec.url if spec.url.endswith("/") else spec.url + "/",
        token=seal_token(secret, spec.token),
        agreement_id=agreement_id,
        collection_id=collection.id,
        provider_agency=spec.provider_agency,
        interval_seconds=spec.interval_seconds,
    )
    session.add_all([collection, feed])
    session.flush()
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "cyber_feed",
        feed.id,
        details={"name": spec.name, "provider": spec.provider_agency},
    )
    return feed


def _fetch(url: str, token: str | None, added_after: str | None) -> list[list[dict[str, Any]]]:
    collection = Collection(url, auth=_Bearer(token))
    pages: list[list[dict[str, Any]]] = []
    kwargs: dict[str, Any] = {"added_after": added_after} if added_after else {}
    for envelope in as_pages(collection.get_objects, per_request=PAGE, **kwargs):
        pages.append(list(envelope.get("objects", [])))
    return pages


def poll_feed(factory: SessionFactory, actor: Actor, name: str, secret: str) -> IngestResult:
    """Fetch what the feed added since the last poll and store it; the error is kept."""
    with unit_of_work(factory) as session:
        feed = session.execute(select(CyberFeed).where(CyberFeed.name == name)).scalar_one_or_none()
        if feed is None:
            raise NotFoundError(f"no feed {name!r}", code="feed_not_found")
        token = feed_token(secret, feed.token)
        if token and not (feed.token or "").startswith(_SEALED):
            feed.token = seal_token(secret, token)
        session.flush()
        session.expunge(feed)
    started = utcnow()
    try:
        pages = _fetch(feed.url, token, feed.added_after)
    except (TAXIIServiceException, requests.RequestException, ValueError) as exc:
        with unit_of_work(factory) as session:
            row = session.get(CyberFeed, feed.id)
            if row is not None:
                row.last_error, row.last_polled_at = str(exc)[:1000], started
        raise UnavailableError(f"feed {name} unreachable: {exc}", code="feed_unreachable") from None
    result = IngestResult()
    labels = Labels(
        owner_agency=feed.provider_agency,
        origin=Origin.FEED.value,
        default_tlp=Tlp.AMBER,
        agreement_id=feed.agreement_id,
        legal_basis=f"TAXII feed {feed.name}",
    )
    with unit_of_work(factory) as session:
        for objects in pages:
            ingest(session, feed.collection_id, objects, labels, result)
        row = session.get(CyberFeed, feed.id)
        if row is not None:
            row.added_after = timestamp(started - SKEW)
            row.last_polled_at, row.last_error = started, None
        record(
            session,
            actor,
            AuditAction.COLLECTION,
            "cyber_feed",
            feed.id,
            details={
                "stored": result.stored,
                "unchanged": result.unchanged,
                "rejected": len(result.errors),
            },
        )
    return result


def due_feeds(factory: SessionFactory, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    with unit_of_work(factory) as session:
        feeds = session.execute(select(CyberFeed)).scalars()
        return [
            f.name
            for f in feeds
            if f.last_polled_at is None
            or f.last_polled_at + timedelta(seconds=f.interval_seconds) <= now
        ]
