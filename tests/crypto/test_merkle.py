"""The receipt log's Merkle tree against the RFC 9162 definitions recomputed naively."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.crypto import merkle
from ggzy.crypto.sm import sm3


def tree_of(n: int) -> tuple[merkle.MemoryTree, list[bytes]]:
    t = merkle.MemoryTree()
    leaves = [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]
    for h in leaves:
        t.append(h)
    return t, leaves


def test_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"a") == sm3(b"\x00a")
    assert merkle.node_hash(b"l", b"r") == sm3(b"\x01lr")
    assert merkle.EMPTY_ROOT == sm3(b"") == merkle.MemoryTree().root()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.data())
def test_root_and_proofs_match_the_definition(n, data):
    t, leaves = tree_of(n)
    for size in {1, n, data.draw(st.integers(1, n))}:
        root = merkle.naive_root(leaves[:size])
        assert t.root(size) == root
        index = data.draw(st.integers(0, size - 1))
        proof = merkle.inclusion_proof(index, size, t.fetch)
        assert proof == merkle.naive_inclusion(index, leaves[:size])
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        first = data.draw(st.integers(0, size))
        cproof = merkle.consistency_proof(first, size, t.fetch)
        assert cproof == merkle.naive_consistency(first, leaves[:size])
        assert merkle.verify_consistency(first, size, merkle.naive_root(leaves[:first]), root, cproof)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.data())
def test_wrong_proofs_fail(n, data):
    t, leaves = tree_of(n)
    root = t.root()
    index = data.draw(st.integers(0, n - 1))
    proof = merkle.inclusion_proof(index, n, t.fetch)
    other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
    assert not merkle.verify_inclusion(leaves[other], index, n, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, n, proof, sm3(b"x"))
    if proof:
        j = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof]
        bad[j] = sm3(bad[j])
        assert not merkle.verify_inclusion(leaves[index], index, n, bad, root)
        assert not merkle.verify_inclusion(leaves[index], index, n, proof[:-1], root)
        assert not merkle.verify_inclusion(leaves[index], index, n, [*proof, proof[0]], root)
    first = data.draw(st.integers(1, n - 1))
    cproof = merkle.consistency_proof(first, n, t.fetch)
    old = t.root(first)
    assert not merkle.verify_consistency(first, n, sm3(old), root, cproof)
    assert not merkle.verify_consistency(first, n, old, sm3(root), cproof)
    j = data.draw(st.integers(0, len(cproof) - 1))
    bad = [*cproof]
    bad[j] = sm3(bad[j])
    assert not merkle.verify_consistency(first, n, old, root, bad)


def test_rewritten_history_fails_consistency():
    t, leaves = tree_of(20)
    old_root = t.root(13)
    rewritten = merkle.MemoryTree()
    for i, h in enumerate(leaves):
        rewritten.append(merkle.leaf_hash(b"forged") if i == 5 else h)
    proof = merkle.consistency_proof(13, 20, rewritten.fetch)
    assert not merkle.verify_consistency(13, 20, old_root, rewritten.root(), proof)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 1023, 1024, 1025])
def test_proof_reads_are_logarithmic(n):
    for index in (0, n // 2, n - 1):
        keys = merkle.keys_for(merkle.inclusion_ranges(index, n))
        assert len(keys) <= 2 * max(1, n.bit_length())
    assert len(merkle.keys_for([(0, n)])) == bin(n).count("1")


def test_append_writes_few_nodes():
    t = merkle.MemoryTree()
    for i in range(64):
        before = len(t.nodes)
        t.append(merkle.leaf_hash(bytes([i])))
        assert len(t.nodes) - before == 1 + len(merkle.append_keys(i))
    assert (6, 0) in t.nodes and t.nodes[(6, 0)] == t.root()


def test_created_keys_are_what_append_writes():
    t = merkle.MemoryTree()
    for i in range(40):
        before = set(t.nodes)
        t.append(merkle.leaf_hash(bytes([i])))
        assert set(t.nodes) - before == merkle.created_keys(i)
