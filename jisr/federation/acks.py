"""Signed acknowledgements: the receiving node's word that it accepted or refused an envelope.

Wire form: ``{"ack": {...}, "signature": b64}``; the signature covers ``DOMAIN || canonical(ack)``.
A rejection carries the stable error code and the reason; ``retryable`` tells the sender to keep
the message and try again later instead of marking it rejected.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisr.federation import errors
from jisr.federation.envelope import SenderKeyLookup, canonical

ACK_DOMAIN = b"jisr.ack.v1\n"


class AckStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Ack:
    envelope_id: str
    status: str
    # Agency that signs this ack (the envelope's recipient) and the agency it answers.
    node: str
    to: str
    at: str
    key: str
    code: str | None = None
    reason: str | None = None
    retryable: bool = False
    # True when this envelope had already been processed and this is the stored answer.
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.status == AckStatus.ACCEPTED.value


def sign_ack(ack: Ack, signing_key: Ed25519PrivateKey) -> bytes:
    body = asdict(ack)
    signature = signing_key.sign(ACK_DOMAIN + canonical(body))
    return canonical({"ack": body, "signature": base64.b64encode(signature).decode("ascii")})


def verify_ack(raw: bytes, *, signer: str, envelope_id: str, keys: SenderKeyLookup) -> Ack:
    """Check that ``raw`` is ``signer``'s signed answer about ``envelope_id``."""
    try:
        document = json.loads(raw)
        body: dict[str, Any] = document["ack"]
        signature = base64.b64decode(document["signature"], validate=True)
        ack = Ack(**body)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise errors.AckInvalidError("acknowledgement is malformed") from None
    if ack.node != signer:
        raise errors.AckInvalidError(f"acknowledgement signed by {ack.node}, expected {signer}")
    if ack.envelope_id != envelope_id:
        raise errors.AckInvalidError("acknowledgement is about another envelope")
    public = keys(signer, ack.key)
    try:
        public.verify(signature, ACK_DOMAIN + canonical(body))
    except InvalidSignature:
        raise errors.AckInvalidError("acknowledgement signature does not verify") from None
    return ack


def decode_ack(raw: bytes) -> tuple[Ack, dict[str, Any]]:
    """The ack as claimed, unverified, and its JSON (for NATS, where acks arrive on their own)."""
    try:
        document = json.loads(raw)
        return Ack(**document["ack"]), document
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise errors.AckInvalidError("acknowledgement is malformed") from None
