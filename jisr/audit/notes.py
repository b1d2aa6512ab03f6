"""C2SP signed notes, checkpoints and cosignatures, with Ed25519 keys.

- ``c2sp.org/signed-note``: text, a blank line, then lines ``— <name> base64(keyid || sig)``;
  key id = SHA-256(name || "\\n" || 0x01 || public key)[:4]; the signature covers the text.
- ``c2sp.org/tlog-checkpoint``: the text is origin, tree size, base64 root hash, extensions.
- ``c2sp.org/tlog-cosignature``: a witness's line, key id with type 0x04, signature =
  u64 timestamp || Ed25519 over "cosignature/v1\\ntime <t>\\n" + the checkpoint text.

Input is untrusted (partners send checkpoints, auditors hand files): sizes are bounded and
every malformed note is a ``CheckpointError`` with a stable code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jisr.errors import ValidationError

SIGNATURE_ED25519 = 0x01
SIGNATURE_COSIGNATURE_V1 = 0x04
MAX_NOTE_BYTES = 16 * 1024
MAX_SIGNATURES = 64
_DASH = "\u2014 "
_NAME = re.compile(r"^[^\s+]+$")
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,18})$")


class CheckpointError(ValidationError):
    code = "checkpoint_invalid"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text (what the log signs, and what a cosignature covers)."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(f"{line}\n" for line in lines)


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{_DASH}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    signatures: tuple[NoteSignature, ...]

    def note(self) -> str:
        return self.checkpoint.text() + "\n" + "".join(s.line() for s in self.signatures)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, key: Ed25519PublicKey, kind: int = SIGNATURE_ED25519) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + raw_public(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The signed-note verifier key ``<name>+<hex key id>+<base64(0x01 || key)>``."""
    blob = base64.b64encode(bytes([SIGNATURE_ED25519]) + raw_public(key)).decode()
    return f"{name}+{key_id(name, key).hex()}+{blob}"


def parse_verifier_key(value: str) -> tuple[str | None, Ed25519PublicKey]:
    """A vkey, or the base64 of a raw 32-byte Ed25519 key (as ``GET /federation/v1/node``
    shows it): (name or None, key)."""
    value = value.strip()
    name: str | None = None
    blob = value
    if "+" in value and value.count("+") >= 2 and not value.endswith("="):
        name, hex_id, blob = value.split("+", 2)
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("the public key is not base64", code="key_invalid") from None
    if name is not None:
        if len(raw) != 33 or raw[0] != SIGNATURE_ED25519:
            raise CheckpointError("the verifier key is not an Ed25519 key", code="key_invalid")
        raw = raw[1:]
    if len(raw) != 32:
        raise CheckpointError("an Ed25519 public key has 32 bytes", code="key_invalid")
    key = Ed25519PublicKey.from_public_bytes(raw)
    if name is not None and key_id(name, key).hex() != hex_id:
        raise CheckpointError("the verifier key's id does not match it", code="key_invalid")
    return name, key


def sign_checkpoint(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey) -> SignedCheckpoint:
    signature = key.sign(checkpoint.text().encode())
    return SignedCheckpoint(
        checkpoint, (NoteSignature(name, key_id(name, key.public_key()), signature),)
    )


def parse_note(note: str | bytes) -> SignedCheckpoint:
    """Split a signed checkpoint into its checkpoint and signature lines (none verified)."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise CheckpointError(f"a checkpoint is at most {MAX_NOTE_BYTES} bytes")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("a checkpoint is UTF-8 text") from None
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise CheckpointError(f"a checkpoint is at most {MAX_NOTE_BYTES} bytes")
    text, sep, signature_block = note.partition("\n\n")
    if not sep or not signature_block.endswith("\n"):
        raise CheckpointError("a signed note is its text, a blank line and signature lines")
    lines = text.split("\n")
    if len(lines) < 3 or any(not line or "\r" in line for line in lines):
        raise CheckpointError("a checkpoint has an origin, a tree size and a root hash")
    origin, size, root_b64, *extensions = lines
    if not _SIZE.match(size):
        raise CheckpointError("the tree size is not a decimal number")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except (binascii.Error, ValueError):
        root = b""
    if len(root) != 32:
        raise CheckpointError("the root hash is not 32 bytes of base64")
    signatures = tuple(_signature(line) for line in signature_block[:-1].split("\n"))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise CheckpointError(f"a checkpoint carries 1 to {MAX_SIGNATURES} signatures")
    return SignedCheckpoint(Checkpoint(origin, int(size), root, tuple(extensions)), signatures)


def _signature(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        raise CheckpointError("a signature line starts with an em dash and a space")
    name, _, blob = line[len(_DASH) :].partition(" ")
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not _NAME.match(name) or len(raw) < 5:
        raise CheckpointError("malformed signature line")
    return NoteSignature(name, raw[:4], raw[4:])


def verify_checkpoint(
    note: str | bytes, name: str, keys: list[Ed25519PublicKey]
) -> SignedCheckpoint:
    """The checkpoint, if one of ``keys`` signed it under ``name`` and its origin is ``name``."""
    signed = parse_note(note)
    if signed.checkpoint.origin != name:
        raise CheckpointError(
            f"checkpoint of log {signed.checkpoint.origin!r}, not {name!r}",
            code="checkpoint_origin",
        )
    message = signed.checkpoint.text().encode()
    for key in keys:
        wanted = key_id(name, key)
        for sig in signed.signatures:
            if sig.name == name and sig.key_id == wanted and _valid(key, sig.signature, message):
                return signed
    raise CheckpointError(
        f"no valid signature by {name} on the checkpoint", code="checkpoint_signature"
    )


def cosign(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """The witness's cosignature line (tlog-cosignature v1) on ``checkpoint`` at ``timestamp``."""
    signature = key.sign(_cosigned_message(checkpoint, timestamp))
    kid = key_id(name, key.public_key(), SIGNATURE_COSIGNATURE_V1)
    return NoteSignature(name, kid, struct.pack(">Q", timestamp) + signature).line()


def verify_cosignature(
    checkpoint: Checkpoint, line: str, name: str, keys: list[Ed25519PublicKey]
) -> int:
    """The cosignature's timestamp if ``line`` is ``name``'s valid cosignature on it."""
    sig = _signature(line.rstrip("\n"))
    if sig.name != name or len(sig.signature) != 8 + 64:
        raise CheckpointError(f"not a cosignature by {name}", code="cosignature_invalid")
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    message = _cosigned_message(checkpoint, timestamp)
    for key in keys:
        if sig.key_id == key_id(name, key, SIGNATURE_COSIGNATURE_V1) and _valid(
            key, sig.signature[8:], message
        ):
            return int(timestamp)
    raise CheckpointError(
        f"the cosignature by {name} does not verify on this checkpoint", code="cosignature_invalid"
    )


def _cosigned_message(checkpoint: Checkpoint, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint.text()}".encode()


def _valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
