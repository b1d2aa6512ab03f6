"""The delivery worker: claims due outbox messages, seals them, hands them to the partner's
transport, and records the answers. Runs as an asyncio task inside ``jisr serve``; database
work runs in threads and never spans a network call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog

from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.federation import wakeup
from jisr.federation.envelope import seal
from jisr.federation.node import FederationNode
from jisr.federation.observed import deliver_span, receive_span, seal_span
from jisr.federation.outbox import Claimed, Outcome, ack_subject_envelope, claim_due, settle
from jisr.federation.payloads import expand_payload
from jisr.federation.service import receive, receive_many
from jisr.federation.transports import Transport, Transports
from jisr.federation.transports.http import HttpTransport
from jisr.federation.transports.nats import NatsTransport, consume

log = structlog.get_logger("jisr.federation")
RELEASE_INTERVAL = 1.0


def build_transports(node: FederationNode) -> Transports:
    settings = node.settings
    transports: dict[str, Transport] = {
        "http": HttpTransport(settings.http_timeout_seconds, settings.concurrency * 2)
    }
    if settings.nats_url:
        transports["nats"] = NatsTransport(settings.nats_url, settings.nats_prefix)
    return Transports(transports)


class DeliveryWorker:
    def __init__(self, node: FederationNode, transports: Transports) -> None:
        self.node = node
        self.transports = transports
        self._released_at = -RELEASE_INTERVAL
        self._limit: asyncio.Semaphore | None = None

    async def run_pass(self) -> int:
        """One pass: claim, send in per-partner batches concurrently, settle. Returns how many
        messages were attempted."""
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            await self._deliver(claimed)
        return len(claimed)

    async def _deliver(self, claimed: list[Claimed]) -> None:
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.node.settings.concurrency)
        limit = self._limit
        batches = await asyncio.gather(*(self._observed(b, limit) for b in self._batches(claimed)))
        await asyncio.to_thread(self.settle, [o for batch in batches for o in batch])

    def _batches(self, claimed: list[Claimed]) -> list[list[Claimed]]:
        """Per partner, up to ``send_batch`` messages in one request."""
        by_partner: dict[str, list[Claimed]] = {}
        for message in claimed:
            by_partner.setdefault(message.partner.code, []).append(message)
        size = self.node.settings.send_batch
        return [
            group[i : i + size] for group in by_partner.values() for i in range(0, len(group), size)
        ]

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Claim after claim, with up to ``pipeline`` passes in flight: the next messages are
        claimed and sealed while earlier ones travel and settle (a claim is a lease, and a
        case's next message is not claimed before the previous one is settled, so passes in
        flight never overlap or reorder). When idle, the wait grows from poll/8 to poll so
        that an idle node costs little and a busy one answers fast."""
        with wakeup.listening(asyncio.get_running_loop()) as queued:
            await self._run(stop, queued)

    async def _run(self, stop: asyncio.Event, queued: asyncio.Event) -> None:
        settings = self.node.settings
        idle = settings.poll_seconds / 8
        in_flight: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            if len(in_flight) >= settings.pipeline:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            queued.clear()
            try:
                claimed = await asyncio.to_thread(self._claim)
            except Exception as exc:  # noqa: BLE001 - the worker outlives database outages
                log.error("delivery pass failed", error=type(exc).__name__, exc_info=exc)
                claimed = []
            if claimed:
                task = asyncio.create_task(self._deliver_logged(claimed))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                if len(claimed) >= settings.batch_size:
                    continue
            idle = settings.poll_seconds / 8 if claimed else min(idle * 2, settings.poll_seconds)
            # A pass that settles may unblock the next message of a case, and a commit in this
            # process may have queued envelopes: wake up for either.
            await _sleep(stop, idle, in_flight, queued)
        if in_flight:
            await asyncio.wait(in_flight, timeout=settings.http_timeout_seconds)

    async def _deliver_logged(self, claimed: list[Claimed]) -> None:
        try:
            await self._deliver(claimed)
        except Exception as exc:  # noqa: BLE001 - leased messages are retried after the lease
            log.error("delivery pass failed", error=type(exc).__name__, exc_info=exc)

    def _claim(self) -> list[Claimed]:
        settings = self.node.settings
        now = time.monotonic()
        # Held messages are re-examined about once a second, not on every pass.
        release = now - self._released_at >= RELEASE_INTERVAL
        if release:
            self._released_at = now
        with self.node.transaction() as session:
            return claim_due(
                session,
                self.node.agency_code,
                now=utcnow(),
                limit=settings.batch_size,
                lease=timedelta(seconds=settings.lease_seconds),
                release=release,
            )

    def settle(self, outcomes: list[Outcome]) -> None:
        settings = self.node.settings
        with self.node.transaction() as session:
            settle(
                session,
                self.node.agency_code,
                outcomes,
                now=utcnow(),
                base=settings.backoff_base_seconds,
                cap=settings.backoff_max_seconds,
                max_attempts=settings.max_attempts,
            )

    async def _observed(self, batch: list[Claimed], limit: asyncio.Semaphore) -> list[Outcome]:
        with deliver_span(self.node.agency_code, batch[0].partner.code, len(batch)) as delivery:
            outcomes = await self._attempt(batch, limit)
            delivery.failed = sum(1 for outcome in outcomes if outcome.error)
        return outcomes

    async def _attempt(self, batch: list[Claimed], limit: asyncio.Semaphore) -> list[Outcome]:
        async with limit:
            sealed: list[tuple[str, bytes]] = []
            outcomes: dict[str, Outcome] = {}
            for message in batch:
                try:
                    sealed.append((message.id, self._seal(message)))
                except JisrError as exc:
                    outcomes[message.id] = Outcome(message.id, error=f"{exc.code}: {exc.detail}")
            partner = batch[0].partner
            for chunk in _by_size(sealed, self.node.settings.max_envelope_bytes * 2):
                try:
                    transport = self.transports.for_partner(partner)
                    answers = await transport.send(partner, chunk)
                except JisrError as exc:
                    for envelope_id, _raw in chunk:
                        error = f"{exc.code}: {exc.detail}"
                        outcomes[envelope_id] = Outcome(envelope_id, error=error)
                    continue
                for (envelope_id, _raw), answer in zip(chunk, answers, strict=True):
                    outcomes[envelope_id] = Outcome(envelope_id, signed=answer, queued=not answer)
            return [outcomes[m.id] for m in batch]

    def _seal(self, claimed: Claimed) -> bytes:
        now = utcnow()
        keyring = self.node.keys.get()
        signing, fingerprint = keyring.current.signing, keyring.signing_fingerprint
        if claimed.signing_fingerprint:
            chosen = keyring.signing_key(claimed.signing_fingerprint, now)
            if chosen is not None:
                signing, fingerprint = chosen, claimed.signing_fingerprint
        with seal_span(claimed.request) as request:
            return seal(
                request,
                expand_payload(self.node, claimed),
                signing_key=signing,
                signing_fingerprint=fingerprint,
                recipient_key=claimed.partner.encryption_key,
                now=now,
                ttl=self.node.settings.envelope_ttl,
            )


def receive_one(node: FederationNode, raw: bytes) -> tuple[str, bytes]:
    """Receive one envelope in its own transaction; returns (sender, signed answer)."""
    with receive_span(node.agency_code, [raw]), node.transaction() as session:
        receipt = receive(session, raw, node=node)
    return receipt.ack.to, receipt.signed


def receive_batch(node: FederationNode, raws: list[bytes]) -> list[bytes]:
    """Receive several envelopes in one transaction (one commit); signed answers in order."""
    with receive_span(node.agency_code, raws), node.transaction() as session:
        receipts = receive_many(session, raws, node=node)
    return [receipt.signed for receipt in receipts]


def deliver_once(node: FederationNode, transports: Transports | None = None) -> int:
    """Run one delivery pass synchronously (tests, CLI); returns how many were attempted."""

    async def run() -> int:
        own = transports or build_transports(node)
        try:
            return await DeliveryWorker(node, own).run_pass()
        finally:
            if transports is None:
                await own.aclose()

    return asyncio.run(run())


@asynccontextmanager
async def running(node: FederationNode) -> AsyncIterator[None]:
    """Run federation while the block runs: the delivery worker and the NATS consumers."""
    settings = node.settings
    transports = build_transports(node)
    worker = DeliveryWorker(node, transports)
    stop = asyncio.Event()
    tasks = []
    if settings.worker_enabled:
        tasks.append(asyncio.create_task(worker.run_forever(stop), name="federation-worker"))
    nats_transport = transports.named("nats")
    if isinstance(nats_transport, NatsTransport):

        async def on_envelope(raw: bytes) -> tuple[str, bytes]:
            return await asyncio.to_thread(receive_one, node, raw)

        async def on_ack(raw: bytes) -> None:
            envelope_id = ack_subject_envelope(raw)
            if envelope_id:
                await asyncio.to_thread(worker.settle, [Outcome(envelope_id, signed=raw)])

        consumer = consume(nats_transport, node.agency_code, on_envelope, on_ack, stop)
        tasks.append(asyncio.create_task(consumer, name="federation-nats"))
    log.info("federation started", agency=node.agency_code, worker=settings.worker_enabled)
    try:
        yield
    finally:
        stop.set()
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()
        await transports.aclose()


def _by_size(sealed: list[tuple[str, bytes]], limit: int) -> Iterator[list[tuple[str, bytes]]]:
    """Consecutive chunks whose total size stays under ``limit`` (one envelope at least)."""
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for item in sealed:
        if chunk and size + len(item[1]) > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item[1])
    if chunk:
        yield chunk


async def _sleep(
    stop: asyncio.Event,
    seconds: float,
    wake: set[asyncio.Task[None]] | None = None,
    queued: asyncio.Event | None = None,
) -> None:
    """Wait ``seconds``, or less if ``stop`` or ``queued`` is set or a ``wake`` task ends."""
    events: list[asyncio.Future[object]] = [
        asyncio.ensure_future(e.wait()) for e in (stop, queued) if e is not None
    ]
    waits: set[asyncio.Future[object]] = {*events, *(wake or ())}
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in events:
            waiting.cancel()
