"""Certificates as signed verifiable credentials: a good one verifies; one changed byte, an
expired one, a revoked one, another key or a missing proof each fail with their own code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisr.training import credentials
from jisr.training.credentials import VerificationCode

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
METHOD = "urn:jisr:agency:FR-DGSI#0123456789abcdef"


def credential(**extra: Any) -> dict[str, Any]:
    document = {
        "@context": [credentials.VC_CONTEXT, credentials.OB3_CONTEXT],
        "id": "urn:jisr:FR-DGSI:certificate:01JF00000000000000000000AA",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "urn:jisr:agency:FR-DGSI", "type": ["Profile"], "name": "DGSI"},
        "validFrom": "2026-11-30T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Nadia Benjelloun (fictional)",
        },
        **extra,
    }
    return credentials.sign_document(document, KEY, METHOD, "2026-11-30T09:00:00Z")


def keys(key: Ed25519PublicKey | None = None) -> Callable[[str, str], Ed25519PublicKey | None]:
    public = key or KEY.public_key()
    return lambda issuer, _fp: public if issuer == "FR-DGSI" else None


def verify(
    document: dict[str, Any],
    revoked: frozenset[str] = frozenset(),
    key: Ed25519PublicKey | None = None,
) -> credentials.Verification:
    return credentials.verify_credential(document, keys(key), revoked=revoked, now=NOW)


def test_a_signed_certificate_verifies() -> None:
    result = verify(credential())
    assert result.valid, result.reason
    assert (result.code, result.issuer) == (VerificationCode.VALID, "FR-DGSI")
    assert credential()["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_one_changed_byte_fails_with_bad_signature() -> None:
    raw = json.dumps(credential(), sort_keys=True).encode()
    at = raw.index(b"Nadia") + 1
    tampered = json.loads(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :])
    result = verify(tampered)
    assert not result.valid
    assert result.code == VerificationCode.BAD_SIGNATURE
    assert "does not match" in result.reason


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"validUntil": "2026-12-01T00:00:00Z"}, VerificationCode.EXPIRED),
        ({"validFrom": "2027-01-01T00:00:00Z"}, VerificationCode.NOT_YET_VALID),
    ],
)
def test_dates_are_checked(extra: dict[str, str], code: str) -> None:
    result = verify(credential(**extra))
    assert (result.valid, result.code) == (False, code)


def test_revoked_fails_with_revoked() -> None:
    document = credential()
    result = verify(document, revoked=frozenset({document["id"]}))
    assert (result.valid, result.code) == (False, VerificationCode.REVOKED)


def test_other_key_missing_proof_unknown_issuer() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    assert verify(credential(), key=other).code == VerificationCode.BAD_SIGNATURE
    unsigned = {k: v for k, v in credential().items() if k != "proof"}
    assert verify(unsigned).code == VerificationCode.NO_PROOF
    foreign = credential(issuer={"id": "urn:jisr:agency:XX-NOBODY"})
    assert verify(foreign).code == VerificationCode.UNKNOWN_ISSUER
    assert verify({"id": 3}).code == VerificationCode.MALFORMED


def test_revocation_list_counts_only_when_its_proof_holds() -> None:
    listing = credentials.sign_document(
        {
            "@context": [credentials.VC_CONTEXT],
            "id": "urn:jisr:FR-DGSI:revocations",
            "type": ["VerifiableCredential"],
            "issuer": {"id": "urn:jisr:agency:FR-DGSI"},
            "credentialSubject": {"revoked": [{"id": "urn:jisr:FR-DGSI:certificate:X"}]},
        },
        KEY,
        METHOD,
        "2026-11-30T10:00:00Z",
    )
    assert credentials.revoked_ids(listing, KEY.public_key()) == {"urn:jisr:FR-DGSI:certificate:X"}
    forged = json.loads(json.dumps(listing))
    forged["credentialSubject"]["revoked"].append({"id": "urn:jisr:FR-DGSI:certificate:Y"})
    assert credentials.revoked_ids(forged, KEY.public_key()) == frozenset()


def test_base58_round_trip() -> None:
    for data in (b"", b"\0\0abc", bytes(range(64))):
        assert credentials.b58decode(credentials.b58encode(data)) == data
