"""How envelopes reach a partner: one ``Transport`` per kind, chosen by ``Agency.transport``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from jisr.federation.errors import TransportError
from jisr.federation.partners import PartnerAddress


class Transport(Protocol):
    """Carries sealed envelopes to partners."""

    name: str

    async def send(
        self, partner: PartnerAddress, batch: Sequence[tuple[str, bytes]]
    ) -> list[bytes | None]:
        """Hand over ``batch`` ((envelope id, envelope) pairs). Returns, in order, each
        envelope's signed answer, or None when the transport stored it durably and the answer
        will arrive on its own (NATS). Raises TransportError when the partner or the broker
        cannot be reached (then nothing of the batch counts as answered)."""
        ...

    async def aclose(self) -> None: ...


class Transports:
    """The transports of a node, by name."""

    def __init__(self, transports: Mapping[str, Transport]) -> None:
        self._by_name = dict(transports)

    def for_partner(self, partner: PartnerAddress) -> Transport:
        transport = self._by_name.get(partner.transport)
        if transport is None:
            raise TransportError(f"transport {partner.transport} is not configured on this node")
        return transport

    def named(self, name: str) -> Transport | None:
        return self._by_name.get(name)

    async def aclose(self) -> None:
        for transport in self._by_name.values():
            await transport.aclose()
