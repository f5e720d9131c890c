"""Vectorised near-duplicate search must equal the obvious pairwise loop."""
from __future__ import annotations

import numpy as np

from qa.near_duplicates import first_earlier_match, popcount64


def _brute_force(hashes, identities, bits):
    out = []
    for a in range(len(hashes)):
        for b in range(a):
            same = identities[a] and identities[a] == identities[b]
            d = bin(hashes[a] ^ hashes[b]).count("1")
            if same or d <= bits:
                out.append((a, b, d))
                break
    return out


def test_matches_the_pairwise_loop_on_clusters_and_identical_bytes():
    rng = np.random.default_rng(3)
    bases = [int(v) for v in rng.integers(0, 2**63, 40, dtype=np.int64)]
    hashes, identities = [], []
    for i in range(700):
        h = bases[i % len(bases)] if i % 3 else int(rng.integers(0, 2**63, dtype=np.int64))
        for bit in rng.choice(64, size=int(rng.integers(0, 20)), replace=False):
            h ^= 1 << int(bit)
        hashes.append(h | (1 << 63) if i % 5 == 0 else h)  # exercise the top bit too
        identities.append(f"sha{i % 7}" if i % 11 == 0 else None)
    for bits in (0, 6, 12):
        assert first_earlier_match(hashes, identities, bits, block=64) == _brute_force(hashes, identities, bits)
    assert any(d > 12 for _, _, d in first_earlier_match(hashes, identities, 12))  # identity-only matches exist


def test_popcount_counts_bits():
    others = np.array([0, 1, 0xFF, 2**64 - 1], dtype=np.uint64)
    assert popcount64(others).tolist() == [0, 1, 8, 64]
