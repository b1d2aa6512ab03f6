"""The node's side of verification: its keys (current and retired) and its partners' keys."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from jisr.audit.verify import LogReport, verify_log
from jisr.audit.witness import partner_signing_keys
from jisr.federation.keyring import load_keyring
from jisr.settings import JisrSettings


def _passphrase(settings: JisrSettings) -> bytes | None:
    secret = settings.key_passphrase
    return secret.get_secret_value().encode() if secret else None


def node_signing_key(settings: JisrSettings) -> Ed25519PrivateKey:
    return load_keyring(settings.data_dir, _passphrase(settings)).current.signing


def node_public_keys(settings: JisrSettings) -> list[Ed25519PublicKey]:
    """Every signing key this node has had that is still on disk: checkpoints signed before a
    rotation keep verifying."""
    keyring = load_keyring(settings.data_dir, _passphrase(settings))
    keys = [keyring.current, *(retired.keys for retired in keyring.retired)]
    return [k.signing.public_key() for k in keys]


def verify_node_log(
    session: Session,
    settings: JisrSettings,
    agency: str,
    external: Sequence[tuple[str, str]] = (),
) -> LogReport:
    return verify_log(
        session,
        agency=agency,
        node_keys=node_public_keys(settings),
        witness_keys=lambda code: partner_signing_keys(session, code),
        external=external,
    )
