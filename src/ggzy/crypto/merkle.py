"""Merkle tree of a log, RFC 6962 / RFC 9162 §2.1 with SM3 as the hash. Pure module.

leaf hash = SM3(0x00 ‖ leaf), node hash = SM3(0x01 ‖ left ‖ right), empty tree = SM3("").
The tree of n leaves splits at k, the largest power of two below n (RFC 9162 §2.1.1).

Stored form: the hash of every *perfect* subtree, keyed ``(level, index)`` (the subtree of the
2^level leaves from index·2^level). Every hash a proof or a root needs is the hash of a range
``[a, b)`` whose binary decomposition into perfect subtrees is at most log2(n) of them, so any
inclusion proof, consistency proof or root costs one batched read of O(log n) stored hashes
(``fetch``), and appending a leaf writes 1 + (trailing one bits of its index) hashes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ggzy.crypto.sm import sm3

Key = tuple[int, int]  # (level, index) of a perfect subtree
Range = tuple[int, int]  # leaves [a, b)
Fetch = Callable[[set[Key]], dict[Key, bytes]]

EMPTY_ROOT = sm3(b"")


def leaf_hash(leaf: bytes) -> bytes:
    return sm3(b"\x00" + leaf)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sm3(b"\x01" + left + right)


def split(n: int) -> int:
    """k: the largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- ranges the RFC algorithms need ---------------------------------------------------------------
def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(m, D[n]) as leaf ranges, bottom first (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    out: list[Range] = []

    def path(m: int, lo: int, hi: int) -> None:
        n = hi - lo
        if n <= 1:
            return
        k = split(n)
        if m < k:
            path(m, lo, lo + k)
            out.append((lo + k, hi))
        else:
            path(m - k, lo + k, hi)
            out.append((lo, lo + k))

    path(index, 0, size)
    return out


def consistency_ranges(first: int, second: int) -> list[Range]:
    """PROOF(m, D[n]) as leaf ranges (RFC 9162 §2.1.4.1); empty when m is 0 or m = n."""
    if not 0 <= first <= second:
        raise ValueError("first must be between 0 and second")
    if first in (0, second):
        return []
    out: list[Range] = []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> None:
        n = hi - lo
        if m == n:
            if not whole:
                out.append((lo, hi))
            return
        k = split(n)
        if m <= k:
            subproof(m, lo, lo + k, whole)
            out.append((lo + k, hi))
        else:
            subproof(m - k, lo + k, hi, False)
            out.append((lo, lo + k))

    subproof(first, 0, second, True)
    return out


def perfect_parts(a: int, b: int) -> list[Key]:
    """[a, b) as perfect subtrees, largest first (a is aligned in every range the tree makes)."""
    parts = []
    while a < b:
        size = 1 << ((b - a).bit_length() - 1)
        while a % size:
            size >>= 1
        level = size.bit_length() - 1
        parts.append((level, a >> level))
        a += size
    return parts


def keys_for(ranges: Iterable[Range]) -> set[Key]:
    return {k for a, b in ranges for k in perfect_parts(a, b)}


def range_hash(a: int, b: int, nodes: dict[Key, bytes]) -> bytes:
    """MTH(D[a:b]) from the stored perfect subtrees: right fold of the decomposition."""
    if a == b:
        return EMPTY_ROOT
    parts = [nodes[k] for k in perfect_parts(a, b)]
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = node_hash(h, acc)
    return acc


def resolve(ranges: Sequence[Range], fetch: Fetch) -> list[bytes]:
    nodes = fetch(keys_for(ranges))
    return [range_hash(a, b, nodes) for a, b in ranges]


def root_hash(size: int, fetch: Fetch) -> bytes:
    return resolve([(0, size)], fetch)[0] if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, fetch: Fetch) -> list[bytes]:
    return resolve(inclusion_ranges(index, size), fetch)


def consistency_proof(first: int, second: int, fetch: Fetch) -> list[bytes]:
    return resolve(consistency_ranges(first, second), fetch)


def append_keys(position: int) -> set[Key]:
    """Stored hashes needed to append leaf number ``position`` (its left siblings up the tree)."""
    keys, level, idx = set(), 0, position
    while idx & 1:
        keys.add((level, idx - 1))
        level, idx = level + 1, idx >> 1
    return keys


def created_keys(position: int) -> set[Key]:
    """The perfect subtrees that appending leaf number ``position`` completes."""
    keys, level, idx = {(0, position)}, 0, position
    while idx & 1:
        level, idx = level + 1, idx >> 1
        keys.add((level, idx))
    return keys


def append_nodes(position: int, leaf: bytes, nodes: dict[Key, bytes]) -> list[tuple[Key, bytes]]:
    """The perfect subtrees completed by appending the leaf with hash ``leaf`` at ``position``."""
    out = [((0, position), leaf)]
    level, idx, h = 0, position, leaf
    while idx & 1:
        h = node_hash(nodes[(level, idx - 1)], h)
        level, idx = level + 1, idx >> 1
        out.append(((level, idx), h))
    return out


class MemoryTree:
    """The same stored form in memory (verification of a whole log, tests)."""

    def __init__(self) -> None:
        self.nodes: dict[Key, bytes] = {}
        self.size = 0

    def append(self, leaf_hash_: bytes) -> None:
        for key, h in append_nodes(self.size, leaf_hash_, self.nodes):
            self.nodes[key] = h
        self.size += 1

    def fetch(self, keys: set[Key]) -> dict[Key, bytes]:
        return {k: self.nodes[k] for k in keys}

    def root(self, size: int | None = None) -> bytes:
        return root_hash(self.size if size is None else size, self.fetch)


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) --------------------------------------------------
def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Is the leaf hash ``leaf`` at ``index`` in the tree of ``size`` leaves with ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Is the tree of ``second`` leaves an append-only extension of the tree of ``first`` leaves?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


# --- naive recomputation from the leaves (the definition; for tests and small logs) --------------------
def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf *hashes*."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = split(n)
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_inclusion(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = split(n)
    if index < k:
        return [*naive_inclusion(index, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_inclusion(index - k, leaves[k:]), naive_root(leaves[:k])]


def naive_consistency(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    def sub(m: int, d: Sequence[bytes], whole: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if whole else [naive_root(d)]
        k = split(n)
        if m <= k:
            return [*sub(m, d[:k], whole), naive_root(d[k:])]
        return [*sub(m - k, d[k:], False), naive_root(d[:k])]

    if first in (0, len(leaves)):
        return []
    return sub(first, leaves, True)
