"""The RFC 9162 core against a direct recursive definition of the tree, for every small size."""

from __future__ import annotations

import pytest

from jisr.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    LeafList,
    ProofError,
    consistency_proof,
    inclusion_proof,
    largest_power_of_two_below,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(40)]


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, literally."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def test_known_vector() -> None:
    # The empty tree and a one-leaf tree over the empty string (RFC 6962 test vectors).
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )


def test_roots_match_the_definition() -> None:
    compact = CompactRange()
    for n in range(1, len(LEAVES) + 1):
        compact.append(LEAVES[n - 1])
        assert compact.root() == mth(LEAVES[:n]) == root_of(LEAVES[:n])


def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not() -> None:
    source = LeafList(LEAVES)
    for size in range(1, 34):
        root = mth(LEAVES[:size])
        for index in range(size):
            proof = inclusion_proof(source, index, size)
            verify_inclusion(LEAVES[index], index, size, proof, root)
            with pytest.raises(ProofError):
                verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
            if size > 1:
                with pytest.raises(ProofError):
                    verify_inclusion(LEAVES[index], index, size, proof[:-1], root)


def test_every_consistency_proof_verifies_and_a_fork_does_not() -> None:
    source = LeafList(LEAVES)
    forked = [*LEAVES[:20], leaf_hash(b"rewritten"), *LEAVES[21:]]
    for new in range(1, 34):
        new_root = mth(LEAVES[:new])
        for old in range(0, new + 1):
            proof = consistency_proof(source, old, new)
            verify_consistency(old, new, mth(LEAVES[:old]), new_root, proof)
            if old > 20:
                # The forked log's history differs before ``old``: never consistent.
                fork_proof = consistency_proof(LeafList(forked), old, new)
                with pytest.raises(ProofError):
                    verify_consistency(old, new, mth(LEAVES[:old]), mth(forked[:new]), fork_proof)


def test_a_smaller_tree_never_extends_a_bigger_one() -> None:
    with pytest.raises(ProofError):
        verify_consistency(10, 5, mth(LEAVES[:10]), mth(LEAVES[:5]), [])
