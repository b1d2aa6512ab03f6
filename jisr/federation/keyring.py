"""This node's keys over time: the current pair and retired pairs still in their grace period.

``rotate_node_keys`` retires the current pair (kept under ``keys/retired/``) and installs a new
one with atomic renames, so a running node picks the new keys up on its next use (``KeyStore``
reloads when the key file changes) and keeps opening envelopes sealed to the old key until the
grace period ends.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from nacl.public import PrivateKey

from jisr.federation.keys import (
    ENCRYPTION_FILE,
    KEYS_DIR,
    SIGNING_FILE,
    NodeKeys,
    fingerprint,
    load_node_keys,
    load_private_key,
    write_private_key,
)

RETIRED_DIR = "retired"
GRACE_PERIOD = timedelta(days=7)
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class RetiredKeys:
    keys: NodeKeys
    retired_at: datetime


@dataclass(frozen=True)
class NodeKeyring:
    current: NodeKeys
    retired: tuple[RetiredKeys, ...] = ()
    grace: timedelta = GRACE_PERIOD
    _nacl: dict[str, PrivateKey] = field(default_factory=dict, compare=False, repr=False)

    @property
    def signing_fingerprint(self) -> str:
        return fingerprint(self.current.signing_public)

    @property
    def encryption_fingerprint(self) -> str:
        return fingerprint(self.current.encryption_public)

    def usable(self, now: datetime) -> list[NodeKeys]:
        """The current pair first, then retired pairs still inside the grace period."""
        return [self.current] + [r.keys for r in self.retired if r.retired_at + self.grace > now]

    def signing_key(self, key_fingerprint: str, now: datetime) -> Ed25519PrivateKey | None:
        for keys in self.usable(now):
            if fingerprint(keys.signing_public) == key_fingerprint:
                return keys.signing
        return None

    def decryption_keys(self, now: datetime) -> dict[str, PrivateKey]:
        result: dict[str, PrivateKey] = {}
        for keys in self.usable(now):
            fp = fingerprint(keys.encryption_public)
            if fp not in self._nacl:
                self._nacl[fp] = PrivateKey(_raw_private(keys.encryption))
            result[fp] = self._nacl[fp]
        return result


def load_keyring(
    data_dir: Path, passphrase: bytes | None, grace: timedelta = GRACE_PERIOD
) -> NodeKeyring:
    current = load_node_keys(data_dir, passphrase)
    retired: list[RetiredKeys] = []
    directory = data_dir / KEYS_DIR / RETIRED_DIR
    for path in sorted(directory.glob(f"*-{SIGNING_FILE}"), reverse=True):
        stamp = path.name.removesuffix(f"-{SIGNING_FILE}")
        signing = load_private_key(path, passphrase)
        encryption = load_private_key(directory / f"{stamp}-{ENCRYPTION_FILE}", passphrase)
        if isinstance(signing, Ed25519PrivateKey) and isinstance(encryption, X25519PrivateKey):
            at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
            retired.append(RetiredKeys(NodeKeys(signing, encryption), at))
    return NodeKeyring(current, tuple(retired), grace)


def install_node_keys(
    data_dir: Path, passphrase: bytes | None, old: NodeKeys, new: NodeKeys, now: datetime
) -> None:
    """Retire ``old`` under ``keys/retired/`` and make ``new`` current (atomic renames)."""
    directory = data_dir / KEYS_DIR
    retired_dir = directory / RETIRED_DIR
    retired_dir.mkdir(exist_ok=True, mode=0o700)
    stamp = now.astimezone(UTC).strftime(_STAMP)
    write_private_key(retired_dir / f"{stamp}-{SIGNING_FILE}", old.signing, passphrase)
    write_private_key(retired_dir / f"{stamp}-{ENCRYPTION_FILE}", old.encryption, passphrase)
    # Signing last: KeyStore reloads when the signing file changes.
    for name, key in ((ENCRYPTION_FILE, new.encryption), (SIGNING_FILE, new.signing)):
        staging = directory / f"{name}.new"
        staging.unlink(missing_ok=True)
        write_private_key(staging, key, passphrase)
        os.replace(staging, directory / name)


class KeyStore:
    """The keyring of a running node, reloaded when ``jisr partner rotate-key`` changes it."""

    def __init__(
        self, data_dir: Path, passphrase: bytes | None, grace: timedelta = GRACE_PERIOD
    ) -> None:
        self.data_dir = data_dir
        self.passphrase = passphrase
        self.grace = grace
        self._stamp: tuple[int, int] | None = None
        self._keyring: NodeKeyring | None = None

    def get(self) -> NodeKeyring:
        stat = (self.data_dir / KEYS_DIR / SIGNING_FILE).stat()
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if self._keyring is None or stamp != self._stamp:
            self._keyring = load_keyring(self.data_dir, self.passphrase, self.grace)
            self._stamp = stamp
        return self._keyring


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
