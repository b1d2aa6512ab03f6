"""The handler registry: each domain handles its own envelope types; federation knows none.

A domain's module declares the envelope types it handles (``FederationHandlers`` in its
``DomainParts``: handlers and, when some of its outbox payloads name content rather than carry
it, expanders, ``jisr.federation.payloads``); the composition root (``jisr.node``) builds the
node's registry from every module at start-up and the app context holds it. Tests build their
own with ``jisr.node.handler_registry(extra=...)``.

A handler runs inside the transaction that records the inbox row, so its effects happen exactly
once; it refuses an envelope by raising ``RejectedError`` (its writes are then rolled back and
the refusal is recorded and signed back to the sender).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.errors import RejectedError
from jisr.federation.payloads import Expander


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """A verified, decrypted envelope as a handler sees it."""

    header: EnvelopeHeader
    payload: dict[str, Any]
    # Local id of the agreement it travels under.
    agreement_id: str

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def sender(self) -> str:
        return self.header.sender

    @property
    def type(self) -> str:
        return self.header.type

    @property
    def actor(self) -> Actor:
        """The sending partner as a policy actor."""
        return Actor(ActorKind.PARTNER, self.sender, self.sender, label=self.sender)


Handler = Callable[[Session, InboundEnvelope], None]


class HandlerRegistry:
    """Envelope type -> handler (receiving) and -> expander (sending, for the few types whose
    queued payload names its content). One per node, built at start-up, never patched."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        expanders: Mapping[str, Expander] | None = None,
    ) -> None:
        self._handlers: dict[str, Handler] = {}
        self._expanders: dict[str, Expander] = {}
        self.extend(handlers or {}, expanders or {})

    def extend(self, handlers: Mapping[str, Handler], expanders: Mapping[str, Expander]) -> None:
        for envelope_type, handler in handlers.items():
            self.register(envelope_type, handler)
        for envelope_type, expander in expanders.items():
            self.register_expander(envelope_type, expander)

    def register(self, envelope_type: str, handler: Handler) -> None:
        if envelope_type in self._handlers:
            raise ValueError(f"a handler for {envelope_type!r} is already registered")
        self._handlers[envelope_type] = handler

    def register_expander(self, envelope_type: str, expander: Expander) -> None:
        if envelope_type in self._expanders:
            raise ValueError(f"an expander for {envelope_type!r} is already registered")
        self._expanders[envelope_type] = expander

    def get(self, envelope_type: str) -> Handler | None:
        return self._handlers.get(envelope_type)

    def expander(self, envelope_type: str) -> Expander | None:
        return self._expanders.get(envelope_type)

    def __contains__(self, envelope_type: object) -> bool:
        return envelope_type in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))


_Payload = TypeVar("_Payload", bound=BaseModel)


def parse_payload(model: type[_Payload], envelope: InboundEnvelope) -> _Payload:
    """Validate an inbound payload; a malformed one is refused with ``payload_invalid``."""
    try:
        return model.model_validate(envelope.payload)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RejectedError(
            f"invalid {envelope.type} payload: {where}: {first['msg']}", code="payload_invalid"
        ) from None
