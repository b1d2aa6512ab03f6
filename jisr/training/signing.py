"""Which key signs this node's certificates, and which keys verify anyone's: the node's own
Ed25519 keys (current and retired) and the keys pinned for partners (current and earlier ones,
so a certificate signed before a rotation still verifies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.federation.keyring import load_keyring
from jisr.federation.keys import fingerprint, load_signing_public, public_b64
from jisr.federation.models import PartnerKey
from jisr.identity.models import Agency
from jisr.settings import JisrSettings

KeyLookup = Callable[[str, str], Ed25519PublicKey | None]


@dataclass(frozen=True, slots=True)
class Signer:
    agency_code: str
    key: Ed25519PrivateKey
    # Public keys of this node by fingerprint (current first, then retired).
    own_keys: dict[str, Ed25519PublicKey]

    @property
    def fingerprint(self) -> str:
        return fingerprint(public_b64(self.key.public_key()))

    @property
    def verification_method(self) -> str:
        return f"urn:jisr:agency:{self.agency_code}#{self.fingerprint}"


def node_signer(settings: JisrSettings, agency_code: str) -> Signer:
    passphrase = settings.key_passphrase
    ring = load_keyring(
        settings.data_dir, passphrase.get_secret_value().encode() if passphrase else None
    )
    own = {}
    for keys in [ring.current, *(r.keys for r in ring.retired)]:
        public = keys.signing.public_key()
        own[fingerprint(public_b64(public))] = public
    return Signer(agency_code, ring.current.signing, own)


def key_lookup(session: Session, signer: Signer | None) -> KeyLookup:
    """(issuer, fingerprint) -> public key, from this node's keys and the partners' pins."""

    def lookup(issuer: str, key_fingerprint: str) -> Ed25519PublicKey | None:
        if signer is not None and issuer == signer.agency_code:
            return signer.own_keys.get(key_fingerprint)
        agency = session.get(Agency, issuer)
        if agency is None or agency.is_local or not agency.signing_key:
            return None
        if fingerprint(agency.signing_key) == key_fingerprint:
            return load_signing_public(agency.signing_key)
        old = session.execute(
            select(PartnerKey.signing_key).where(
                PartnerKey.agency_code == issuer, PartnerKey.signing_fingerprint == key_fingerprint
            )
        ).scalar()
        return load_signing_public(old) if old else None

    return lookup


def single_key(public_b64_value: str) -> KeyLookup:
    """A lookup that knows one key (``jisr training verify --key``), whatever the issuer."""
    key = load_signing_public(public_b64_value)

    def lookup(_issuer: str, _key_fingerprint: str) -> Ed25519PublicKey | None:
        return key

    return lookup
