"""NATS JetStream transport: a durable stream per receiving node, and one for its acks.

The sender publishes to ``{prefix}.in.{RECIPIENT}`` (stream ``{PREFIX}_IN_{RECIPIENT}``) with the
envelope id as ``Nats-Msg-Id`` (the broker drops duplicates in its window); the broker's
PubAck means stored, not processed, so the message stays pending until the receiving node's
signed answer arrives on ``{prefix}.ack.{SENDER}``. The receiving node consumes both streams
with durable pull consumers and acknowledges a broker message only after its transaction
committed, so a crash means redelivery, which the idempotent inbox absorbs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import Error as JetStreamError

from jisr.federation.errors import TransportError
from jisr.federation.partners import PartnerAddress

log = structlog.get_logger("jisr.federation.nats")
STREAM_MAX_AGE = timedelta(days=14)
DURABLE = "node"

# Process one inbound envelope; returns (agency to answer, signed answer) or None.
EnvelopeSink = Callable[[bytes], Awaitable[tuple[str, bytes] | None]]
AckSink = Callable[[bytes], Awaitable[None]]


def inbox_subject(prefix: str, agency: str) -> str:
    return f"{prefix}.in.{agency}"


def ack_subject(prefix: str, agency: str) -> str:
    return f"{prefix}.ack.{agency}"


def _stream(prefix: str, kind: str, agency: str) -> str:
    return f"{prefix}_{kind}_{agency}".upper().replace(".", "_")


class _Connection:
    """One lazily opened connection, with the streams it has already declared."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._nc: Client | None = None
        self._declared: set[str] = set()
        self._lock = asyncio.Lock()

    async def jetstream(self) -> JetStreamContext:
        async with self._lock:
            if self._nc is None or self._nc.is_closed:
                try:
                    self._nc = await nats.connect(
                        self.url, connect_timeout=2, max_reconnect_attempts=-1, allow_reconnect=True
                    )
                except (OSError, NatsError) as exc:
                    raise TransportError(f"NATS unreachable: {type(exc).__name__}") from None
            return self._nc.jetstream()

    async def declare(self, js: JetStreamContext, kind: str, agency: str) -> tuple[str, str]:
        name = _stream(self.prefix, kind, agency)
        make = inbox_subject if kind == "IN" else ack_subject
        subject = make(self.prefix, agency)
        if name not in self._declared:
            config = StreamConfig(
                name=name,
                subjects=[subject],
                max_age=STREAM_MAX_AGE.total_seconds(),
                duplicate_window=120.0,
            )
            try:
                await js.add_stream(config)
            except JetStreamError as exc:
                raise TransportError(f"cannot declare stream {name}: {exc}") from None
            self._declared.add(name)
        return name, subject

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            # Not drain(): it waits on pull subscriptions; unacked messages are redelivered.
            await self._nc.close()
        self._nc = None


class NatsTransport:
    name = "nats"

    def __init__(self, url: str, prefix: str) -> None:
        self._conn = _Connection(url, prefix)

    @property
    def connection(self) -> _Connection:
        return self._conn

    async def send(
        self, partner: PartnerAddress, batch: Sequence[tuple[str, bytes]]
    ) -> list[bytes | None]:
        js = await self._conn.jetstream()
        _name, subject = await self._conn.declare(js, "IN", partner.code)
        answers: list[bytes | None] = []
        for envelope_id, envelope in batch:
            try:
                await js.publish(subject, envelope, timeout=5, headers={"Nats-Msg-Id": envelope_id})
            except (NatsError, JetStreamError) as exc:
                raise TransportError(f"NATS publish failed: {type(exc).__name__}") from None
            answers.append(None)
        return answers

    async def answer(self, agency: str, signed: bytes) -> None:
        js = await self._conn.jetstream()
        _name, subject = await self._conn.declare(js, "ACK", agency)
        await js.publish(subject, signed, timeout=5)

    async def aclose(self) -> None:
        await self._conn.close()


async def consume(
    transport: NatsTransport,
    local: str,
    on_envelope: EnvelopeSink,
    on_ack: AckSink,
    stop: asyncio.Event,
    *,
    batch: int = 32,
) -> None:
    """Consume this node's inbox and ack streams until ``stop`` is set; survives outages."""
    while not stop.is_set():
        try:
            await _consume_once(transport, local, on_envelope, on_ack, stop, batch)
        except (TransportError, NatsError, JetStreamError, OSError) as exc:
            log.warning("nats consumer interrupted", error=type(exc).__name__)
            await _sleep(stop, 1.0)


async def _consume_once(
    transport: NatsTransport,
    local: str,
    on_envelope: EnvelopeSink,
    on_ack: AckSink,
    stop: asyncio.Event,
    batch: int,
) -> None:
    conn = transport.connection
    js = await conn.jetstream()
    in_stream, in_subject = await conn.declare(js, "IN", local)
    ack_stream, ack_subj = await conn.declare(js, "ACK", local)
    inbox = await js.pull_subscribe(in_subject, durable=DURABLE, stream=in_stream)
    acks = await js.pull_subscribe(ack_subj, durable=DURABLE, stream=ack_stream)
    while not stop.is_set():
        for msg in await _fetch(inbox, batch):
            answer = await on_envelope(msg.data)
            if answer is not None and answer[0]:
                await transport.answer(*answer)
            await msg.ack()
        for msg in await _fetch(acks, batch):
            await on_ack(msg.data)
            await msg.ack()


async def _fetch(sub: JetStreamContext.PullSubscription, batch: int) -> list[Msg]:
    try:
        return await sub.fetch(batch=batch, timeout=0.2)
    except NatsTimeoutError:
        return []


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
