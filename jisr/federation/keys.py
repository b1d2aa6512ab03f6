"""Node key pairs: Ed25519 for signing, X25519 for encryption.

Private keys are PEM (PKCS#8) files with mode 0600, encrypted with ``JISR_KEY_PASSPHRASE`` when
one is set. Public keys travel as base64 of the raw 32 bytes; their fingerprint is the first
16 hex digits of its SHA-256, which is what officers compare out of band when pinning a partner.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from jisr.errors import ConfigError, ConflictError

KEYS_DIR = "keys"
SIGNING_FILE = "signing.pem"
ENCRYPTION_FILE = "encryption.pem"


@dataclass(frozen=True)
class NodeKeys:
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @property
    def signing_public(self) -> str:
        return public_b64(self.signing.public_key())

    @property
    def encryption_public(self) -> str:
        return public_b64(self.encryption.public_key())


def public_b64(key: Ed25519PublicKey | X25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def load_signing_public(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw32(value))


def load_encryption_public(value: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_raw32(value))


def _raw32(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ConfigError("public key is not valid base64", code="key_invalid") from None
    if len(raw) != 32:
        raise ConfigError("public key must be 32 bytes", code="key_invalid")
    return raw


def create_node_keys(data_dir: Path, passphrase: bytes | None) -> NodeKeys:
    """Generate and write both key pairs; refuses to overwrite existing keys."""
    directory = data_dir / KEYS_DIR
    if (directory / SIGNING_FILE).exists() or (directory / ENCRYPTION_FILE).exists():
        raise ConflictError(f"keys already exist in {directory}", code="node_exists")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys = NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    write_private_key(directory / SIGNING_FILE, keys.signing, passphrase)
    write_private_key(directory / ENCRYPTION_FILE, keys.encryption, passphrase)
    return keys


def write_private_key(
    path: Path, key: Ed25519PrivateKey | X25519PrivateKey, passphrase: bytes | None
) -> None:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_node_keys(data_dir: Path, passphrase: bytes | None) -> NodeKeys:
    directory = data_dir / KEYS_DIR
    signing = _load_private(directory / SIGNING_FILE, passphrase)
    encryption = _load_private(directory / ENCRYPTION_FILE, passphrase)
    if not isinstance(signing, Ed25519PrivateKey) or not isinstance(encryption, X25519PrivateKey):
        raise ConfigError(f"unexpected key types in {directory}", code="key_invalid")
    return NodeKeys(signing, encryption)


def _load_private(path: Path, passphrase: bytes | None) -> object:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"missing key file {path}; run `jisr init`", code="key_missing") from None
    try:
        return serialization.load_pem_private_key(data, password=passphrase or None)
    except (TypeError, ValueError):
        raise ConfigError(
            f"cannot open {path}: wrong or missing JISR_KEY_PASSPHRASE", code="key_locked"
        ) from None


def raw_public_key(value: str) -> bytes:
    """The raw 32 bytes of a base64 public key, validated."""
    return _raw32(value)


def load_private_key(path: Path, passphrase: bytes | None) -> object:
    """One private key file (PEM, PKCS#8), of whatever type it holds."""
    return _load_private(path, passphrase)
