"""Content-addressed attachment files: ``DATA_DIR/attachments/ab/cd/<sha256>``.

Files are streamed: written chunk by chunk to a temporary file while hashed, fsynced, then
renamed into place, so a crash never leaves a half-written file under a valid name and the same
bytes are stored once. A partner's attachment is assembled from its chunks in a staging file
under ``attachments/incoming/`` and adopted the same way once its digest checks out. Nothing
here loads a whole file in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from jisr.errors import JisrError, NotFoundError

SNIFF_BYTES = 8192
CHUNK_BYTES = 64 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
OCTET_STREAM = "application/octet-stream"


class EmptyAttachmentError(JisrError):
    code = "attachment_empty"
    http_status = 422
    title = "Empty attachment"


class AttachmentTooLargeError(JisrError):
    code = "payload_too_large"
    http_status = 413
    title = "Payload too large"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    mime_type: str


def sniff(head: bytes) -> str:
    """The MIME type of a file judged by its first bytes, never by its name or a client's say."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head)
    if head and _is_text(head):
        return "text/plain; charset=utf-8"
    return OCTET_STREAM


def _zip_kind(head: bytes) -> str:
    # Office Open XML packages name their parts in the first local headers.
    if b"[Content_Types].xml" in head or b"word/" in head or b"xl/" in head:
        if b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"xl/" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if b"ppt/" in head:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "application/zip"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still text.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 100


class BlobWriter:
    """Receives chunks, hashes and counts them, refuses more than ``max_bytes``."""

    def __init__(self, store: BlobStore, max_bytes: int, *, allow_empty: bool = False) -> None:
        self._store = store
        self._max = max_bytes
        self._allow_empty = allow_empty
        self._hash = hashlib.sha256()
        self._head = b""
        self._size = 0
        store.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=store.tmp_dir, prefix="upload-")
        self._path = Path(name)
        self._file: BinaryIO = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._max:
            self.abort()
            raise AttachmentTooLargeError(f"attachment exceeds {self._max} bytes")
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> StoredBlob:
        """fsync, then rename into place (or drop the copy when these bytes are already here).

        An upload of no bytes is refused: an empty file is never evidence of anything."""
        if self._size == 0 and not self._allow_empty:
            self.abort()
            raise EmptyAttachmentError("the file is empty (0 bytes); nothing was stored")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        digest = self._hash.hexdigest()
        self._store.adopt(self._path, digest)
        return StoredBlob(digest, self._size, sniff(self._head))

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> BlobStore:
        return cls(data_dir / "attachments")

    def staging_path(self, key: str) -> Path:
        """Where the incoming transfer named ``key`` (any string) is assembled."""
        return self.root / "incoming" / f"{hashlib.sha256(key.encode()).hexdigest()}.part"

    def adopt(self, path: Path, sha256: str) -> None:
        """Move a complete, fsynced file whose digest is ``sha256`` into place (or drop it when
        these bytes are already stored). The caller has checked the digest."""
        target = self.path_for(sha256)
        if target.exists():
            path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        _fsync_dir(target.parent)

    def path_for(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise NotFoundError("not a SHA-256 digest", code="attachment_not_found")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def writer(self, max_bytes: int, *, allow_empty: bool = False) -> BlobWriter:
        return BlobWriter(self, max_bytes, allow_empty=allow_empty)

    def write_bytes(self, data: bytes) -> StoredBlob:
        writer = self.writer(len(data) or 1, allow_empty=True)
        try:
            writer.write(data)
            return writer.finish()
        except BaseException:
            writer.abort()
            raise

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        with self.path_for(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)


def digest_file(path: Path) -> tuple[str, int, bytes]:
    """SHA-256, size and first bytes of a file, read a chunk at a time."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if not head:
                head = chunk[:SNIFF_BYTES]
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size, head
