"""The RFC 9162 (Certificate Transparency v2) Merkle tree core: hashing, proofs, verification.

``leaf = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left || right)``; the tree over
``n`` leaves splits at the largest power of two below ``n`` (RFC 9162 §2.1.1). Proofs are
built from a ``SubtreeSource`` (the node's stored tree, ``jisr.audit.tree``, or leaves in
memory) and verified with the algorithms of §2.1.3.2 and §2.1.4.2, which need no tree at all:
that is what an auditor runs. Written here rather than taken from a library: see
docs/audit.md ("Why our own Merkle code").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not verify, or that cannot be built for the sizes asked."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162: the largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that cover leaves ``[start, end)``, left to
    right, for a range that begins on a boundary of its size (as every range in a proof does):
    the subtree hash is their hashes folded from the right."""
    ranges: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        ranges.append((level, start >> level))
        start += 1 << level
    return ranges


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of consecutive complete subtrees (decreasing sizes), folded from the right."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


@dataclass
class CompactRange:
    """The right edge of a growing tree: the roots of its complete subtrees, largest first.
    Appending is O(log n) amortised O(1); ``root`` is the tree head at the current size.
    ``append`` returns the complete subtrees the leaf finished, as ``(level, index, hash)``,
    which is what the node stores."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        index = self.size
        finished = [(0, index, leaf)]
        self.hashes.append(leaf)
        level = 0
        while index & 1:
            right = self.hashes.pop()
            left = self.hashes.pop()
            level += 1
            index >>= 1
            parent = node_hash(left, right)
            self.hashes.append(parent)
            finished.append((level, index, parent))
        self.size += 1
        return finished

    def root(self) -> bytes:
        return fold(self.hashes)


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes, streaming."""
    compact = CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    return compact.root()


class SubtreeSource(Protocol):
    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range that begins on a boundary of its size."""
        ...


class LeafList:
    """A ``SubtreeSource`` over leaf hashes in memory (tests, small exports)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = leaves

    def subtree(self, start: int, end: int) -> bytes:
        return root_of(self.leaves[start:end])


def inclusion_proof(source: SubtreeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    return _path(source, index, 0, size)


def _path(source: SubtreeSource, index: int, start: int, end: int) -> list[bytes]:
    if end - start == 1:
        return []
    k = largest_power_of_two_below(end - start)
    if index < k:
        return [*_path(source, index, start, start + k), source.subtree(start + k, end)]
    return [*_path(source, index - k, start + k, end), source.subtree(start, start + k)]


def consistency_proof(source: SubtreeSource, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1 (empty when a size is 0 or both are
    equal: nothing to prove)."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    return _subproof(source, old_size, 0, new_size, complete=True)


def _subproof(
    source: SubtreeSource, m: int, start: int, end: int, *, complete: bool
) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [source.subtree(start, end)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [
            *_subproof(source, m, start, start + k, complete=complete),
            source.subtree(start + k, end),
        ]
    return [
        *_subproof(source, m - k, start + k, end, complete=False),
        source.subtree(start, start + k),
    ]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2; raises ProofError unless ``leaf`` is at ``index`` in ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if result != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError unless the tree of ``new_size`` leaves with
    ``new_root`` extends the tree of ``old_size`` leaves with ``old_root``."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree of {new_size} cannot extend one of {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("no proof expected between equal sizes")
        if old_root != new_root:
            raise ProofError("two different roots for the same size")
        return
    if old_size == 0:
        if proof:
            raise ProofError("no proof expected from the empty tree")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first_root = second_root = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            first_root = node_hash(value, first_root)
            second_root = node_hash(value, second_root)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            second_root = node_hash(second_root, value)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if first_root != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if second_root != new_root:
        raise ProofError("consistency proof does not lead to the new root")
