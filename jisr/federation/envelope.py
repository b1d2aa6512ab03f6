"""Envelopes: a signed header and a payload sealed to the recipient.

Wire form (JSON): ``{"header": {...}, "ciphertext": b64, "signature": b64}``.

* The payload (a JSON object) is encrypted to the recipient's X25519 key with a libsodium sealed
  box (PyNaCl): anonymous, authenticated encryption; only the recipient can open it.
* The sender signs ``DOMAIN || canonical(header) || NUL || ciphertext`` with Ed25519. The header
  carries the ciphertext's SHA-256, so a changed ciphertext is reported as tampering and a
  changed header as a bad signature.
* The header carries the fingerprints of both keys used, so either side can rotate keys and
  keep accepting traffic sealed under the previous key during a grace period.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from jisr import jsonlimits
from jisr.federation import errors
from jisr.ids import owner_of

SCHEMA_VERSION = 1
SIGNING_DOMAIN = b"jisr.envelope.v1\n"
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_TTL = timedelta(days=1)

# Look up the signing key a sender uses, by (agency code, key fingerprint); raises
# UnknownSenderError / UnknownSenderKeyError when there is none to accept.
SenderKeyLookup = Callable[[str, str], Ed25519PublicKey]


@dataclass(frozen=True, slots=True)
class EnvelopeHeader:
    id: str
    sender: str
    recipient: str
    # The agreement's shared reference: ids are local to each node, references are common.
    agreement: str
    type: str
    created: str
    expires: str
    sender_key: str
    recipient_key: str
    digest: str
    v: int = SCHEMA_VERSION
    case: str | None = None
    seq: int | None = None
    data_category: str | None = None
    crime_area: str | None = None
    handling_code: str | None = None
    # W3C trace context of the sender's span (only when tracing is on; absent otherwise, so
    # nodes that predate it read the header unchanged). Never in the payload.
    traceparent: str | None = None
    tracestate: str | None = None

    @property
    def created_at(self) -> datetime:
        return _parse_time(self.created)

    @property
    def expires_at(self) -> datetime:
        return _parse_time(self.expires)


@dataclass(frozen=True, slots=True)
class OpenedEnvelope:
    header: EnvelopeHeader
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SealRequest:
    """Everything about an envelope except keys and payload."""

    id: str
    sender: str
    recipient: str
    agreement: str
    type: str
    case: str | None = None
    seq: int | None = None
    data_category: str | None = None
    crime_area: str | None = None
    handling_code: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None


def canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_fingerprint(raw: bytes) -> str:
    """Same rule as ``keys.fingerprint``: first 16 hex digits of SHA-256 of the raw key."""
    return hashlib.sha256(raw).hexdigest()[:16]


def seal(
    request: SealRequest,
    payload: Mapping[str, Any],
    *,
    signing_key: Ed25519PrivateKey,
    signing_fingerprint: str,
    recipient_key: bytes,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> bytes:
    """Encrypt ``payload`` to ``recipient_key`` (raw X25519) and sign; returns the wire bytes."""
    ciphertext = SealedBox(PublicKey(recipient_key)).encrypt(canonical(payload))
    header = EnvelopeHeader(
        id=request.id,
        sender=request.sender,
        recipient=request.recipient,
        agreement=request.agreement,
        type=request.type,
        created=_format_time(now),
        expires=_format_time(now + ttl),
        sender_key=signing_fingerprint,
        recipient_key=key_fingerprint(recipient_key),
        digest=hashlib.sha256(ciphertext).hexdigest(),
        case=request.case,
        seq=request.seq,
        data_category=request.data_category,
        crime_area=request.crime_area,
        handling_code=request.handling_code,
        traceparent=request.traceparent,
        tracestate=request.tracestate,
    )
    header_json = asdict(header)
    for name in _TRACE_FIELDS:
        if header_json[name] is None:
            del header_json[name]
    signature = signing_key.sign(_signed_bytes(header_json, ciphertext))
    return canonical(
        {
            "header": header_json,
            "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
            "signature": base64.b64encode(signature).decode("ascii"),
        }
    )


def peek_header(raw: bytes) -> EnvelopeHeader | None:
    """The header as claimed, unverified (for routing and for naming a refusal); None if absent."""
    try:
        return _header(_parse(raw)[0])
    except errors.EnvelopeError:
        return None


def open_envelope(
    raw: bytes,
    *,
    local_agency: str,
    sender_keys: SenderKeyLookup,
    decryption_keys: Mapping[str, PrivateKey],
    now: datetime,
    max_bytes: int = MAX_ENVELOPE_BYTES,
    clock_skew: timedelta = CLOCK_SKEW,
) -> OpenedEnvelope:
    """Verify and decrypt; raises an ``EnvelopeError`` subclass naming the first problem found.

    ``decryption_keys`` maps this node's encryption-key fingerprints (current and those still in
    their grace period) to private keys.
    """
    if len(raw) > max_bytes:
        raise errors.OversizedEnvelopeError(f"envelope of {len(raw)} bytes exceeds {max_bytes}")
    header_json, ciphertext, signature = _parse(raw)
    header = _header(header_json)
    if header.recipient != local_agency:
        raise errors.WrongRecipientError(f"envelope is addressed to {header.recipient}")
    if owner_of(header.id) != header.sender:
        raise errors.MalformedEnvelopeError("envelope id is not namespaced by its sender")
    public = sender_keys(header.sender, header.sender_key)
    if hashlib.sha256(ciphertext).hexdigest() != header.digest:
        raise errors.TamperedEnvelopeError("ciphertext does not match the signed digest")
    try:
        public.verify(signature, _signed_bytes(header_json, ciphertext))
    except InvalidSignature:
        raise errors.SignatureInvalidError("signature does not verify") from None
    if header.created_at > now + clock_skew:
        raise errors.ClockSkewError(f"envelope created {header.created}, in the future")
    if header.expires_at <= now:
        raise errors.ExpiredEnvelopeError(f"envelope expired at {header.expires}")
    private = decryption_keys.get(header.recipient_key)
    if private is None:
        raise errors.UnknownRecipientKeyError("sealed to an encryption key this node does not hold")
    try:
        plaintext = SealedBox(private).decrypt(ciphertext)
    except CryptoError:
        raise errors.TamperedEnvelopeError("ciphertext does not decrypt") from None
    try:
        payload = json.loads(plaintext)
    except ValueError:
        raise errors.MalformedEnvelopeError("payload is not JSON") from None
    if not isinstance(payload, dict):
        raise errors.MalformedEnvelopeError("payload is not a JSON object")
    return OpenedEnvelope(header, payload)


def _signed_bytes(header_json: Mapping[str, Any], ciphertext: bytes) -> bytes:
    return SIGNING_DOMAIN + canonical(header_json) + b"\x00" + ciphertext


def _parse(raw: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    try:
        document = jsonlimits.loads(raw)
    except (ValueError, UnicodeDecodeError, jsonlimits.JsonLimitError):
        raise errors.MalformedEnvelopeError("envelope is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("header"), dict):
        raise errors.MalformedEnvelopeError("envelope has no header")
    try:
        ciphertext = base64.b64decode(document["ciphertext"], validate=True)
        signature = base64.b64decode(document["signature"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise errors.MalformedEnvelopeError(
            "ciphertext or signature missing or not base64"
        ) from None
    return document["header"], ciphertext, signature


_REQUIRED_STR: tuple[str, ...] = (
    "id",
    "sender",
    "recipient",
    "agreement",
    "type",
    "created",
    "expires",
    "sender_key",
    "recipient_key",
    "digest",
)
_TRACE_FIELDS = ("traceparent", "tracestate")
_OPTIONAL_STR = ("case", "data_category", "crime_area", "handling_code", *_TRACE_FIELDS)
_MAX_TRACE_CHARS = 512


def _header(data: dict[str, Any]) -> EnvelopeHeader:
    if data.get("v") != SCHEMA_VERSION:
        raise errors.UnsupportedVersionError(f"envelope schema version {data.get('v')!r}")
    known = set(EnvelopeHeader.__dataclass_fields__)
    if set(data) - known:
        raise errors.MalformedEnvelopeError(f"unknown header fields: {sorted(set(data) - known)}")
    for name in _REQUIRED_STR:
        if not isinstance(data.get(name), str) or not data[name]:
            raise errors.MalformedEnvelopeError(f"header field {name} missing")
    for name in _OPTIONAL_STR:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise errors.MalformedEnvelopeError(f"header field {name} is not a string")
    for name in _TRACE_FIELDS:
        if len(data.get(name) or "") > _MAX_TRACE_CHARS:
            raise errors.MalformedEnvelopeError(f"header field {name} is too long")
    seq = data.get("seq")
    if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool) or seq < 1):
        raise errors.MalformedEnvelopeError("header field seq must be a positive integer")
    header = EnvelopeHeader(**data)
    header.created_at, header.expires_at  # noqa: B018 - validates both timestamps
    return header


def _format_time(value: datetime) -> str:
    return value.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.MalformedEnvelopeError(f"not an ISO 8601 time: {value}") from None
    if parsed.tzinfo is None:
        raise errors.MalformedEnvelopeError(f"time without a timezone: {value}")
    return parsed
