"""Envelopes: what is sealed opens only for its recipient, and every alteration is named."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from jisr.clock import utcnow
from jisr.federation import errors
from jisr.federation.acks import Ack, sign_ack, verify_ack
from jisr.federation.envelope import SealRequest, open_envelope, seal
from jisr.federation.keyring import NodeKeyring
from jisr.federation.keys import NodeKeys, fingerprint, raw_public_key

SENDER, RECIPIENT = "MA-DGST", "FR-DGSI"


def _keys() -> NodeKeys:
    return NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


@pytest.fixture(scope="module")
def sender() -> NodeKeys:
    return _keys()


@pytest.fixture(scope="module")
def recipient() -> NodeKeyring:
    return NodeKeyring(_keys())


def _seal(keys: NodeKeys, recipient: NodeKeyring, **overrides: object) -> bytes:
    now = overrides.pop("now", utcnow())
    ttl = overrides.pop("ttl", timedelta(hours=1))
    fields: dict[str, object] = {
        "id": f"{SENDER}:envelope:01TEST",
        "sender": SENDER,
        "recipient": RECIPIENT,
        "agreement": "MA-FR/2026/01",
        "type": "test.note",
        "case": "MA-DGST:case:1",
        "seq": 1,
        **overrides,
    }
    return seal(
        SealRequest(**fields),  # type: ignore[arg-type]
        {"text": "rendez-vous à 10h", "n": 1},
        signing_key=keys.signing,
        signing_fingerprint=fingerprint(keys.signing_public),
        recipient_key=raw_public_key(recipient.current.encryption_public),
        now=now,  # type: ignore[arg-type]
        ttl=ttl,  # type: ignore[arg-type]
    )


def _open(raw: bytes, sender: NodeKeys, recipient: NodeKeyring, **kwargs: object) -> object:
    def lookup(code: str, fp: str) -> Ed25519PublicKey:
        if code != SENDER:
            raise errors.UnknownSenderError(f"{code} unknown")
        if fp != fingerprint(sender.signing_public):
            raise errors.UnknownSenderKeyError("key unknown")
        return sender.signing.public_key()

    now = kwargs.pop("now", utcnow())
    return open_envelope(
        raw,
        local_agency=str(kwargs.pop("local_agency", RECIPIENT)),
        sender_keys=lookup,
        decryption_keys=recipient.decryption_keys(now),  # type: ignore[arg-type]
        now=now,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def _edit(raw: bytes, change: object) -> bytes:
    document = json.loads(raw)
    change(document)  # type: ignore[operator]
    return json.dumps(document).encode()


def test_round_trip(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient)
    assert b"rendez-vous" not in raw
    opened = _open(raw, sender, recipient)
    assert opened.payload == {"text": "rendez-vous à 10h", "n": 1}  # type: ignore[attr-defined]
    assert opened.header.case == "MA-DGST:case:1"  # type: ignore[attr-defined]
    assert opened.header.seq == 1  # type: ignore[attr-defined]


def test_one_flipped_ciphertext_byte_is_tampering(sender: NodeKeys, recipient: NodeKeyring) -> None:
    def flip(document: dict[str, object]) -> None:
        data = bytearray(base64.b64decode(str(document["ciphertext"])))
        data[len(data) // 2] ^= 0x01
        document["ciphertext"] = base64.b64encode(bytes(data)).decode()

    with pytest.raises(errors.TamperedEnvelopeError):
        _open(_edit(_seal(sender, recipient), flip), sender, recipient)


def test_flipped_byte_anywhere_is_refused(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient)
    for position in range(0, len(raw), max(1, len(raw) // 60)):
        mutated = bytearray(raw)
        mutated[position] ^= 0x04
        with pytest.raises(errors.EnvelopeError):
            _open(bytes(mutated), sender, recipient)


def test_changed_header_breaks_signature(sender: NodeKeys, recipient: NodeKeyring) -> None:
    def retarget(document: dict[str, dict[str, object]]) -> None:
        document["header"]["type"] = "exchange.message"

    with pytest.raises(errors.SignatureInvalidError):
        _open(_edit(_seal(sender, recipient), retarget), sender, recipient)


def test_signature_by_another_key(sender: NodeKeys, recipient: NodeKeyring) -> None:
    impostor = _keys()
    raw = _seal(impostor, recipient)

    def claim_pinned_key(document: dict[str, dict[str, object]]) -> None:
        document["header"]["sender_key"] = fingerprint(sender.signing_public)

    with pytest.raises(errors.SignatureInvalidError):
        _open(_edit(raw, claim_pinned_key), sender, recipient)
    with pytest.raises(errors.UnknownSenderKeyError):
        _open(raw, sender, recipient)


def test_unknown_sender(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient, id="ES-CGI:envelope:01X", sender="ES-CGI")
    with pytest.raises(errors.UnknownSenderError):
        _open(raw, sender, recipient)


def test_id_must_be_namespaced_by_sender(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient, id="ES-CGI:envelope:01X")
    with pytest.raises(errors.MalformedEnvelopeError):
        _open(raw, sender, recipient)


def test_wrong_recipient(sender: NodeKeys, recipient: NodeKeyring) -> None:
    with pytest.raises(errors.WrongRecipientError):
        _open(_seal(sender, recipient), sender, recipient, local_agency="ES-CGI")


def test_sealed_to_another_key(sender: NodeKeys, recipient: NodeKeyring) -> None:
    other = NodeKeyring(_keys())
    with pytest.raises(errors.UnknownRecipientKeyError):
        _open(_seal(sender, other), sender, recipient)


def test_expired(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient, now=utcnow() - timedelta(hours=2), ttl=timedelta(hours=1))
    with pytest.raises(errors.ExpiredEnvelopeError):
        _open(raw, sender, recipient)


def test_clock_skew(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient, now=utcnow() + timedelta(minutes=30))
    with pytest.raises(errors.ClockSkewError) as caught:
        _open(raw, sender, recipient)
    assert caught.value.retryable
    _open(raw, sender, recipient, clock_skew=timedelta(hours=1))


def test_unsupported_version(sender: NodeKeys, recipient: NodeKeyring) -> None:
    def bump(document: dict[str, dict[str, object]]) -> None:
        document["header"]["v"] = 2

    with pytest.raises(errors.UnsupportedVersionError):
        _open(_edit(_seal(sender, recipient), bump), sender, recipient)


def test_oversized(sender: NodeKeys, recipient: NodeKeyring) -> None:
    raw = _seal(sender, recipient)
    with pytest.raises(errors.OversizedEnvelopeError):
        _open(raw, sender, recipient, max_bytes=len(raw) - 1)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"header": {"v": 1}}', b"\xff\xfe"])
def test_malformed(raw: bytes, sender: NodeKeys, recipient: NodeKeyring) -> None:
    with pytest.raises(errors.EnvelopeError):
        _open(raw, sender, recipient)


def test_retired_key_opens_during_grace(sender: NodeKeys) -> None:
    from jisr.federation.keyring import RetiredKeys

    old = _keys()
    raw = _seal(sender, NodeKeyring(old))
    keyring = NodeKeyring(_keys(), (RetiredKeys(old, utcnow()),), grace=timedelta(days=1))
    assert _open(raw, sender, keyring).payload["n"] == 1  # type: ignore[attr-defined]
    later = utcnow() + timedelta(days=2)
    with pytest.raises(errors.EnvelopeError):
        _open(raw, sender, keyring, now=later)


def test_ack_signed_and_bound_to_envelope(recipient: NodeKeyring) -> None:
    signer = recipient.current
    ack = Ack(
        "MA-DGST:envelope:1",
        "accepted",
        RECIPIENT,
        SENDER,
        "2026-01-01T00:00:00Z",
        fingerprint(signer.signing_public),
    )
    raw = sign_ack(ack, signer.signing)

    def keys(code: str, fp: str) -> Ed25519PublicKey:
        return signer.signing.public_key()

    assert verify_ack(raw, signer=RECIPIENT, envelope_id=ack.envelope_id, keys=keys) == ack
    with pytest.raises(errors.AckInvalidError):
        verify_ack(raw, signer=RECIPIENT, envelope_id="MA-DGST:envelope:2", keys=keys)
    forged = raw.replace(b'"accepted"', b'"rejected"')
    with pytest.raises(errors.AckInvalidError):
        verify_ack(forged, signer=RECIPIENT, envelope_id=ack.envelope_id, keys=keys)
