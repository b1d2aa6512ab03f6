"""Signed reports: the node's Ed25519 identity key signs the report's bytes.

The signature is a small JSON statement (format ``jisr-report-signature/1``): the SHA-256 of
the document's bytes, what the report is (kind, partner, period, language), when it was signed
and by which key (agency, fingerprint, public key), and the Ed25519 signature over the
statement's canonical JSON (sorted keys, no spaces) without its ``signature`` member.

It travels two ways: appended to the PDF as a last comment line (``%JISR-SIGNATURE <base64>``,
after ``%%EOF``, which PDF readers ignore), so one file carries its proof, or alone, as a
detached ``.sig`` file beside it. Verification needs no network: the document, the statement
and a public key that the verifier trusts (the node's, given as ``--key``, or the node's own key
files).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisr.clock import utcnow
from jisr.errors import ValidationError
from jisr.federation.keys import fingerprint, public_b64

FORMAT = "jisr-report-signature/1"
MARKER = b"\n%JISR-SIGNATURE "
# Which public key verifies a statement: (agency, fingerprint) -> key, None if not trusted.
TrustedKeys = Callable[[str, str], Ed25519PublicKey | None]


@dataclass(frozen=True, slots=True)
class Verified:
    """What a valid signature proves: who signed which report, with which key, when."""

    agency: str
    key_fingerprint: str
    signed_at: str
    sha256: str
    report: dict[str, Any]


def _canonical(statement: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in statement.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_document(
    document: bytes,
    key: Ed25519PrivateKey,
    agency: str,
    report: Mapping[str, Any],
    at: datetime | None = None,
) -> dict[str, Any]:
    """The detached signature statement of ``document``."""
    public = public_b64(key.public_key())
    statement: dict[str, Any] = {
        "format": FORMAT,
        "agency": agency,
        "key_fingerprint": fingerprint(public),
        "public_key": public,
        "sha256": hashlib.sha256(document).hexdigest(),
        "signed_at": (at or utcnow()).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "report": dict(report),
    }
    statement["signature"] = base64.b64encode(key.sign(_canonical(statement))).decode()
    return statement


def embed(document: bytes, statement: Mapping[str, Any]) -> bytes:
    """``document`` with its signature statement appended as a PDF comment line."""
    packed = base64.b64encode(_canonical_full(statement))
    return document + MARKER + packed + b"\n"


def _canonical_full(statement: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(statement), sort_keys=True, separators=(",", ":")).encode()


def split(signed: bytes) -> tuple[bytes, dict[str, Any] | None]:
    """(the document, its embedded statement or None)."""
    at = signed.rfind(MARKER)
    if at < 0:
        return signed, None
    tail = signed[at + len(MARKER) :].strip()
    try:
        statement = json.loads(base64.b64decode(tail, validate=True))
    except (ValueError, TypeError):
        raise ValidationError(
            "the embedded signature is not readable", code="report_signature_invalid"
        ) from None
    if not isinstance(statement, dict):
        raise ValidationError(
            "the embedded signature is not readable", code="report_signature_invalid"
        )
    return signed[:at], statement


def parse_statement(raw: bytes) -> dict[str, Any]:
    """A detached ``.sig`` file (the statement's JSON)."""
    try:
        statement = json.loads(raw)
    except ValueError:
        raise ValidationError(
            "the signature file is not JSON", code="report_signature_invalid"
        ) from None
    if not isinstance(statement, dict):
        raise ValidationError(
            "the signature file is not a JSON object", code="report_signature_invalid"
        )
    return statement


def verify_document(
    signed: bytes, trusted: TrustedKeys, detached: Mapping[str, Any] | None = None
) -> Verified:
    """Check ``signed`` (a PDF, with its signature embedded unless ``detached`` is given)
    against a trusted key; ``report_signature_invalid`` with the reason otherwise."""
    document, embedded = split(signed)
    statement = dict(detached) if detached is not None else embedded
    if statement is None:
        raise ValidationError(
            "the file carries no signature (give the .sig file)", code="report_signature_missing"
        )
    if statement.get("format") != FORMAT:
        raise ValidationError(f"not a {FORMAT} signature", code="report_signature_invalid")
    agency = str(statement.get("agency", ""))
    key_id = str(statement.get("key_fingerprint", ""))
    key = trusted(agency, key_id)
    if key is None:
        raise ValidationError(
            f"signed by key {key_id} of {agency}, which is not the key given",
            code="report_signature_untrusted",
        )
    if hashlib.sha256(document).hexdigest() != statement.get("sha256"):
        raise ValidationError(
            "the document was changed after it was signed", code="report_signature_invalid"
        )
    try:
        key.verify(base64.b64decode(str(statement.get("signature", ""))), _canonical(statement))
    except (InvalidSignature, ValueError):
        raise ValidationError(
            "the signature does not verify", code="report_signature_invalid"
        ) from None
    report = statement.get("report")
    return Verified(
        agency,
        key_id,
        str(statement.get("signed_at", "")),
        str(statement["sha256"]),
        dict(report) if isinstance(report, dict) else {},
    )


def single_key(public: Ed25519PublicKey) -> TrustedKeys:
    """Trust exactly one key (``jisr report verify --key``), whoever the statement names."""
    wanted = fingerprint(public_b64(public))

    def lookup(_agency: str, key_id: str) -> Ed25519PublicKey | None:
        return public if key_id == wanted else None

    return lookup


def own_keys(agency: str, keys: Mapping[str, Ed25519PublicKey]) -> TrustedKeys:
    """This node's keys by fingerprint, current and retired (``--data-dir``)."""

    def lookup(signer: str, key_id: str) -> Ed25519PublicKey | None:
        return keys.get(key_id) if signer == agency else None

    return lookup
