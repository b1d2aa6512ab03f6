"""Rotating this node's keys without downtime, and learning a partner's rotation.

The node generates a new pair and queues, for every partner, a ``federation.key_rotation``
envelope signed with the OLD key (which the partner trusts) carrying the new public keys and a
proof of possession signed with the NEW key. Retired keys stay usable for the grace period, so
envelopes in flight either way still open; partners accept the old key for the same period.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import AgreementStatus
from jisr.agreements.policy import ResourceKind
from jisr.agreements.service import terms_between
from jisr.audit import AuditAction, record
from jisr.errors import ConfigError
from jisr.federation import errors
from jisr.federation.envelope import canonical
from jisr.federation.handlers import Handler, InboundEnvelope
from jisr.federation.keyring import install_node_keys, load_keyring
from jisr.federation.keys import NodeKeys, fingerprint, load_encryption_public, load_signing_public
from jisr.federation.partners import apply_rotation, list_partners
from jisr.federation.service import enqueue

KEY_ROTATION = "federation.key_rotation"
MAX_GRACE = timedelta(days=30)


def handlers() -> dict[str, Handler]:
    return {KEY_ROTATION: learn_rotation}


def rotation_payload(agency: str, old: NodeKeys, new: NodeKeys, grace: timedelta) -> dict[str, Any]:
    claim = {
        "agency": agency,
        "signing_key": new.signing_public,
        "encryption_key": new.encryption_public,
        "previous": fingerprint(old.signing_public),
    }
    proof = new.signing.sign(canonical(claim))
    return {
        **claim,
        "grace_seconds": int(grace.total_seconds()),
        "proof": base64.b64encode(proof).decode("ascii"),
    }


def learn_rotation(session: Session, envelope: InboundEnvelope) -> None:
    """Pin a partner's new keys after checking both signatures (old key: envelope; new: proof)."""
    data = envelope.payload
    try:
        claim = {k: str(data[k]) for k in ("agency", "signing_key", "encryption_key", "previous")}
        new_signing = load_signing_public(claim["signing_key"])
        load_encryption_public(claim["encryption_key"])
        proof = base64.b64decode(str(data["proof"]), validate=True)
        grace = min(timedelta(seconds=int(data["grace_seconds"])), MAX_GRACE)
    except (KeyError, ValueError, TypeError, binascii.Error, ConfigError):
        raise errors.RejectedError(
            "malformed key rotation notice", code="rotation_invalid"
        ) from None
    if claim["agency"] != envelope.sender or claim["previous"] != envelope.header.sender_key:
        raise errors.RejectedError(
            "rotation must be signed with the key it replaces", code="rotation_invalid"
        )
    try:
        new_signing.verify(proof, canonical(claim))
    except InvalidSignature:
        raise errors.RejectedError(
            "no proof of possession of the new key", code="rotation_invalid"
        ) from None
    apply_rotation(
        session,
        envelope.sender,
        signing_key=claim["signing_key"],
        encryption_key=claim["encryption_key"],
        now=envelope.header.created_at,
        grace=grace,
    )


def rotate_node_keys(
    session: Session,
    actor: Actor,
    data_dir: Path,
    passphrase: bytes | None,
    *,
    now: datetime,
    grace: timedelta,
) -> tuple[NodeKeys, list[str]]:
    """Install new keys and queue the notices; returns the new keys and the partners told.

    Run inside the caller's transaction: the key files are replaced before it commits, so a
    failure before that point leaves the old keys and no notice.
    """
    old = load_keyring(data_dir, passphrase).current
    new = NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    payload = rotation_payload(actor.agency_code, old, new, grace)
    told: list[str] = []
    for partner in list_partners(session):
        agreement = _carrier(session, actor.agency_code, partner.code)
        if agreement is None or not partner.encryption_key:
            continue
        enqueue(
            session,
            actor,
            recipient=partner.code,
            agreement_id=agreement,
            envelope_type=KEY_ROTATION,
            payload=payload,
            data_category=None,
            crime_area=None,
            handling_code=None,
            resource_kind=ResourceKind.AGENCY,
            signing_fingerprint=fingerprint(old.signing_public),
        )
        told.append(partner.code)
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "node_keys",
        actor.agency_code,
        recipients=told,
        details={
            "event": "keys_rotated",
            "previous_signing": fingerprint(old.signing_public),
            "signing": fingerprint(new.signing_public),
            "encryption": fingerprint(new.encryption_public),
        },
    )
    install_node_keys(data_dir, passphrase, old, new, now)
    return new, told


def _carrier(session: Session, local: str, partner: str) -> str | None:
    """An agreement to carry the notice: an active one, else a suspended one (held)."""
    terms = terms_between(session, local, partner)
    for wanted in (AgreementStatus.ACTIVE.value, AgreementStatus.SUSPENDED.value):
        for t in terms:
            if t.status == wanted:
                return t.id
    return None
