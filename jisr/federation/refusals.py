"""Refused envelopes: counted and logged always, audited only when their sender is proven.

An envelope whose signature does not verify against a pinned partner key was sent by nobody
we know: writing it to the audit trail would let anyone on the network fill the trail (300
garbage posts made 300 entries). So it is counted (``jisr_federation_refusals_total``, by
code, ``authenticated="false"``) and logged with the address it came from, and answered; an
envelope refused after its signature verified (expired, sealed to a retired key, malformed
payload) is the partner's act and is audited as such.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from prometheus_client import Counter

from jisr.federation import errors
from jisr.federation.envelope import SenderKeyLookup, _header, _parse, _signed_bytes

REFUSALS = Counter(
    "jisr_federation_refusals",
    "Envelopes and requests the federation endpoints refused",
    ["code", "authenticated"],
)


def count_refusal(code: str, *, authenticated: bool) -> None:
    REFUSALS.labels(code=code, authenticated="true" if authenticated else "false").inc()


def proven_sender(raw: bytes, sender_keys: SenderKeyLookup) -> str | None:
    """The sender of ``raw`` if its signature verifies with that sender's pinned key."""
    try:
        header_json, ciphertext, signature = _parse(raw)
        header = _header(header_json)
        public = sender_keys(header.sender, header.sender_key)
        if hashlib.sha256(ciphertext).hexdigest() != header.digest:
            return None
        public.verify(signature, _signed_bytes(header_json, ciphertext))
    except (errors.EnvelopeError, InvalidSignature):
        return None
    return header.sender
