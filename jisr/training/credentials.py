"""Certificates as W3C Verifiable Credentials (Open Badges 3.0 shape) with a detached Ed25519
proof, and their verification: pure functions, no database, so a partner verifies offline.

The proof follows the Data Integrity ``eddsa-jcs-2022`` cryptosuite: the credential without its
proof and the proof's options are each canonicalised (JCS, RFC 8785), hashed with SHA-256, and
the two hashes concatenated are signed with the issuer node's Ed25519 key; ``proofValue`` is the
signature in multibase base58-btc. Our documents hold only strings, integers and lists, for
which sorted-key compact JSON is exactly JCS. base58 is twenty lines, written here rather than
adding a dependency for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CRYPTOSUITE = "eddsa-jcs-2022"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58encode(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    value = 0
    for char in text:
        value = value * 58 + _B58_INDEX[char]
    body = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def jcs(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _signing_input(unsigned: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(unsigned)).digest()


def sign_document(
    document: Mapping[str, Any], key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict[str, Any]:
    """The document with a detached ``DataIntegrityProof`` added."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "@context": unsigned.get("@context", [VC_CONTEXT]),
    }
    signature = key.sign(_signing_input(unsigned, options))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + b58encode(signature)
    return {**unsigned, "proof": proof}


class VerificationCode:
    VALID = "valid"
    MALFORMED = "malformed"
    NO_PROOF = "no_proof"
    UNKNOWN_ISSUER = "unknown_issuer"
    BAD_SIGNATURE = "bad_signature"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    code: str
    reason: str
    credential_id: str | None = None
    issuer: str | None = None

    def __bool__(self) -> bool:
        return self.valid


def issuer_of(document: Mapping[str, Any]) -> str | None:
    """The issuing agency code of a Jisr credential (``urn:jisr:agency:CODE``)."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if isinstance(issuer_id, str) and issuer_id.startswith("urn:jisr:agency:"):
        return issuer_id.removeprefix("urn:jisr:agency:")
    return None


def key_fingerprint_of(document: Mapping[str, Any]) -> str:
    """The key fingerprint the proof's verification method names (``urn:...#fingerprint``)."""
    proof = document.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    return str(method).rsplit("#", 1)[-1] if isinstance(method, str) and "#" in method else ""


def check_proof(document: Mapping[str, Any], key: Ed25519PublicKey) -> Verification | None:
    """None when the proof is good, else why not."""
    proof = document.get("proof")
    if not isinstance(proof, Mapping) or not isinstance(proof.get("proofValue"), str):
        return Verification(False, VerificationCode.NO_PROOF, "the document carries no proof")
    if proof.get("cryptosuite") != CRYPTOSUITE or proof.get("type") != "DataIntegrityProof":
        return Verification(False, VerificationCode.MALFORMED, "unsupported proof type")
    value = str(proof["proofValue"])
    try:
        signature = b58decode(value[1:]) if value.startswith("z") else b""
    except KeyError:
        signature = b""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = unsigned.get("@context", [VC_CONTEXT])
    try:
        key.verify(signature, _signing_input(unsigned, options))
    except InvalidSignature:
        return Verification(
            False,
            VerificationCode.BAD_SIGNATURE,
            "the signature does not match the document (altered, or signed by another key)",
        )
    return None


def _time(document: Mapping[str, Any], field: str) -> datetime | None:
    value = document.get(field)
    if value is None:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def verify_credential(
    document: Mapping[str, Any],
    key_for: Callable[[str, str], Ed25519PublicKey | None],
    *,
    revoked: Container[str],
    now: datetime,
) -> Verification:
    """Verify a credential: well-formed, signed by its issuer's key, in date, not revoked.

    ``key_for`` maps (issuer agency code, key fingerprint named by the proof's verification
    method) to the issuer's public key (None: unknown issuer or key); ``revoked``
    holds the credential ids the issuer's newest revocation list names."""
    credential_id = document.get("id")
    types = document.get("type")
    if not isinstance(credential_id, str) or not isinstance(types, list):
        return Verification(False, VerificationCode.MALFORMED, "not a verifiable credential")
    if "VerifiableCredential" not in types:
        return Verification(False, VerificationCode.MALFORMED, "not a verifiable credential")
    issuer = issuer_of(document)
    if issuer is None:
        return Verification(False, VerificationCode.MALFORMED, "no Jisr issuer", credential_id)
    key = key_for(issuer, key_fingerprint_of(document))
    if key is None:
        return Verification(
            False,
            VerificationCode.UNKNOWN_ISSUER,
            f"no pinned signing key for issuer {issuer}",
            credential_id,
            issuer,
        )
    problem = check_proof(document, key)
    if problem is not None:
        return Verification(False, problem.code, problem.reason, credential_id, issuer)
    try:
        valid_from, valid_until = _time(document, "validFrom"), _time(document, "validUntil")
    except ValueError:
        return Verification(False, VerificationCode.MALFORMED, "bad date", credential_id, issuer)
    if valid_from is not None and now < valid_from:
        reason = f"not valid before {valid_from.isoformat()}"
        return Verification(False, VerificationCode.NOT_YET_VALID, reason, credential_id, issuer)
    if valid_until is not None and now >= valid_until:
        reason = f"expired on {valid_until.isoformat()}"
        return Verification(False, VerificationCode.EXPIRED, reason, credential_id, issuer)
    if credential_id in revoked:
        reason = f"revoked by its issuer {issuer}"
        return Verification(False, VerificationCode.REVOKED, reason, credential_id, issuer)
    return Verification(True, VerificationCode.VALID, f"signed by {issuer}", credential_id, issuer)


def revoked_ids(
    revocation_list: Mapping[str, Any] | None, key: Ed25519PublicKey | None
) -> frozenset[str]:
    """The credential ids a signed revocation list names; a list whose proof fails names none
    (and the caller says so)."""
    if revocation_list is None or key is None or check_proof(revocation_list, key) is not None:
        return frozenset()
    subject = revocation_list.get("credentialSubject", {})
    entries = subject.get("revoked", []) if isinstance(subject, Mapping) else []
    return frozenset(str(e["id"]) for e in entries if isinstance(e, Mapping) and "id" in e)


# A printed certificate (PDF) carries its signed credential as a last comment line, after
# ``%%EOF`` (PDF readers ignore it): ``jisr training verify FILE.pdf`` reads it from there.
PDF_MARKER = b"\n%JISR-CREDENTIAL "


def attach_to_pdf(pdf: bytes, document: Mapping[str, Any]) -> bytes:
    """``pdf`` with the signed credential ``document`` appended (base64 of its JSON)."""
    packed = base64.b64encode(json.dumps(dict(document), ensure_ascii=False).encode())
    return pdf + PDF_MARKER + packed + b"\n"


def credential_in_pdf(pdf: bytes) -> dict[str, Any] | None:
    """The signed credential a printed certificate carries (None: none, or unreadable)."""
    at = pdf.rfind(PDF_MARKER)
    if at < 0:
        return None
    start = at + len(PDF_MARKER)
    end = pdf.find(b"\n", start)
    try:
        value = json.loads(base64.b64decode(pdf[start : end if end >= 0 else None], validate=True))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None
