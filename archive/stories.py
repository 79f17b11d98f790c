"""Repost detection: copies of one story share a normalised title or a similar body.

The body signature is a MinHash over character 5-shingles, computed with numpy
in one pass (datasketch's ``MinHash.update`` hashes each shingle in Python, which
costs more than the whole insert; the tests check our estimate against it). Locality-sensitive hashing in
bands (8 bands of 4 values) turns "similar body" into equal band keys, which live
in an indexed table, so finding candidates is an index lookup at any archive size.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

import numpy as np

NUM_PERM = 32
BANDS = 8
ROWS = NUM_PERM // BANDS
SHINGLE = 5
MIN_SHINGLES = 30  # shorter bodies (a caption, "详见附件") say nothing about identity
SAME_BODY = 0.9  # estimated Jaccard above which two bodies are one story (template notices reach 0.85)
SAME_TITLE_BODY = 0.6  # enough when the normalised titles are equal too
MIN_TITLE_KEY = 6

_RNG = np.random.default_rng(20240601)
# Multiply-shift hashing: a universal family that needs no modulo, so numpy does it fast.
_A = _RNG.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SAMPLE_SHIFT = np.uint64(62)  # keep the shingles whose top two hash bits are 0: a quarter


@dataclass(frozen=True)
class Signature:
    title_key: str
    minhash: bytes | None  # NUM_PERM little-endian uint32 values, None for short bodies

    def band_keys(self) -> list[int]:
        if self.minhash is None:
            return []
        keys = []
        for band in range(BANDS):
            chunk = self.minhash[band * ROWS * 4 : (band + 1) * ROWS * 4]
            digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys


def normalise_title(title: str | None) -> str:
    """Title without punctuation, spaces and width or case differences."""
    if not title:
        return ""
    folded = unicodedata.normalize("NFKC", title).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def body_minhash(body: str | None) -> bytes | None:
    if not body:
        return None
    codes = np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32)
    codes = codes[(codes > 0x20) & (codes != 0x3000)].astype(np.uint64)
    count = codes.size - SHINGLE + 1
    if count < MIN_SHINGLES:
        return None
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        shingles = (shingles * _MIX) ^ codes[offset : offset + count]
    # A consistent quarter of the shingles: equal bodies keep equal samples, and the
    # Jaccard estimate stays unbiased at a quarter of the cost.
    shingles = shingles * _MIX
    # Repeated shingles are left in: they cannot change a minimum.
    shingles = shingles[(shingles >> _SAMPLE_SHIFT) == 0]
    if shingles.size < MIN_SHINGLES // 4:
        return None
    values = ((np.outer(shingles, _A) + _B) >> np.uint64(32)).min(axis=0).astype("<u4")
    return values.tobytes()


def signature(title: str | None, body: str | None) -> Signature:
    return Signature(title_key=normalise_title(title), minhash=body_minhash(body))


def similarity(first: bytes | None, second: bytes | None) -> float:
    """Estimated Jaccard similarity of two bodies (0 when either is too short)."""
    if first is None or second is None:
        return 0.0
    a = np.frombuffer(first, dtype="<u4")
    b = np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / NUM_PERM


def same_story(new: Signature, other_title_key: str, other_minhash: bytes | None) -> float:
    """A score above 0 when ``new`` is a copy of the other article; higher is more certain."""
    score = similarity(new.minhash, other_minhash)
    titles_equal = len(new.title_key) >= MIN_TITLE_KEY and new.title_key == other_title_key
    if score >= SAME_BODY or (titles_equal and score >= SAME_TITLE_BODY):
        return score + (1.0 if titles_equal else 0.0)
    return 0.0
