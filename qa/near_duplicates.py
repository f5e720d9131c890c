"""Find near-duplicate assets in a delivery from 64-bit perceptual hashes, fast enough for 10,000+ files.

Why: comparing every pair in Python costs about a microsecond per pair, which is 50 s for
10,000 assets (50 million pairs). Here each block of rows is XORed against all earlier
hashes at once and the bits are counted with a 16-bit lookup table, so the same run takes
about a second, with identical results.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

#: Bits set in every 16-bit value: four lookups per 64-bit hash (a 64 KB table stays in cache).
_POPCOUNT16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)


def popcount64(x: np.ndarray) -> np.ndarray:
    """Number of set bits of each element of a uint64 array (same shape, int16)."""
    x = np.ascontiguousarray(x, dtype=np.uint64)
    parts = _POPCOUNT16[x.view(np.uint16)].reshape(*x.shape, 4)
    return parts[..., 0].astype(np.int16) + parts[..., 1] + parts[..., 2] + parts[..., 3]


def first_earlier_match(hashes: Sequence[int], identities: Sequence[str | None], max_bits: int,
                        block: int = 256) -> list[tuple[int, int, int]]:
    """For each asset, the first earlier asset it duplicates: (index, earlier index, bit distance).

    A pair matches when the identities (content hashes) are equal and not None, or the
    perceptual hashes differ in at most `max_bits` bits. Assets with no earlier match are left out.
    """
    n = len(hashes)
    if n < 2:
        return []
    h = np.array([int(v) & 0xFFFFFFFFFFFFFFFF for v in hashes], dtype=np.uint64)
    ident_codes = _identity_codes(identities)
    out: list[tuple[int, int, int]] = []
    for start in range(1, n, block):
        stop = min(n, start + block)
        rows = h[start:stop]
        earlier = h[:stop - 1]
        # (rows x earlier) distances; a row only looks at columns before its own index.
        dist = popcount64(np.bitwise_xor(rows[:, None], earlier[None, :]))
        match = dist <= max_bits
        if ident_codes is not None:
            match |= (ident_codes[start:stop, None] == ident_codes[None, :stop - 1]) & (ident_codes[start:stop, None] >= 0)
        cols = np.arange(stop - 1)
        match &= cols[None, :] < np.arange(start, stop)[:, None]
        has = match.any(axis=1)
        first = match.argmax(axis=1)
        for r in np.flatnonzero(has):
            b = int(first[r])
            out.append((start + int(r), b, int(dist[r, b])))
    return out


def _identity_codes(identities: Sequence[str | None]) -> np.ndarray | None:
    """Integer code per identity (-1 for None), so equal content hashes compare as integers."""
    codes: dict[str, int] = {}
    arr = np.full(len(identities), -1, dtype=np.int64)
    for i, key in enumerate(identities):
        if key:
            arr[i] = codes.setdefault(key, len(codes))
    return arr if codes else None
