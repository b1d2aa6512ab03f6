"""The node's side of verification: its keys (current and retired) and its partners' keys."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from jisr.audit.schemas import AuditProblemRead, AuditVerification
from jisr.audit.service import verify_chain
from jisr.audit.verify import LogReport, verify_log
from jisr.errors import ConfigError
from jisr.federation.keyring import load_keyring
from jisr.settings import JisrSettings
from jisr.witness.handlers import partner_signing_keys


def _passphrase(settings: JisrSettings) -> bytes | None:
    secret = settings.key_passphrase
    return secret.get_secret_value().encode() if secret else None


def node_signing_key(settings: JisrSettings) -> Ed25519PrivateKey:
    return load_keyring(settings.data_dir, _passphrase(settings)).current.signing


def node_public_keys(settings: JisrSettings) -> list[Ed25519PublicKey]:
    """Every signing key this node has had that is still on disk: checkpoints signed before a
    rotation keep verifying. None when the node's key files are missing or locked (every
    stored checkpoint then fails to verify, naming why)."""
    try:
        keyring = load_keyring(settings.data_dir, _passphrase(settings))
    except ConfigError:
        return []
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


def verification(session: Session, settings: JisrSettings, agency: str) -> AuditVerification:
    """The whole log's verdict as the API and the console show it."""
    chain = verify_chain(session)
    report = verify_node_log(session, settings, agency)
    return AuditVerification(
        intact=report.intact,
        entries=report.entries,
        head_hash=chain.head_hash,
        first_bad_seq=chain.first_bad_seq,
        problem=chain.problem,
        root_hash=report.root_hash,
        checkpoints=report.checkpoints,
        cosignatures=report.cosignatures,
        problems=[
            AuditProblemRead(kind=p.kind.value, message=p.message, seq=p.seq)
            for p in report.problems
        ],
    )
