"""The character-split text the full-text index is built from.

SQLite's ``unicode61`` tokenizer keeps a run of Chinese characters as one token,
so ``党建`` would never match inside ``加强党建工作``, and the trigram tokenizer
cannot match queries under three characters. The index is therefore built from
a copy of the text in which every character is its own token, and a query
becomes an FTS5 phrase of its characters: adjacent one-character tokens match
exactly where the string occurs, for any query length, with stock SQLite.

Every character must stay a token, otherwise ``组，织`` would read as ``组织``.
CJK ideographs and ASCII letters and digits pass through (ASCII lower-cased, so
Latin matching ignores case); every other character (punctuation, whitespace,
other scripts) becomes the one placeholder token ``U+E000``. A query with such a
character is therefore a superset at the index level and is checked against the
stored text afterwards (see ``archive.query``).

A phrase of single characters that occur in nearly every article (党, 建, 工,
作) makes SQLite read every position of each of them, so a second index table,
``articles_pairs``, holds the text as overlapping character pairs (``党建工作`` ->
``党建 建工 工作``): a query of two or more characters is the phrase of its pairs,
exact in the same way, and reads the far shorter position lists of pairs. One
character is looked up among the single characters. A pair with a placeholder
side is written as the one token ``U+E000 U+E000``: a query with punctuation is
looked up among the characters, and ten thousand distinct punctuation pairs would
only make the index bigger.

Pairs cost several times what characters cost to index, so a bulk load may defer
them (``Archive.save_articles(defer_pairs=True)``): ``index_progress.pairs_through``
is the last article id whose pairs are indexed, later articles are indexed by their
characters only, and a query runs as the pair phrase up to that id and as the
character phrase after it (exact either way) until ``Archive.index_pairs()`` or
``orgnews index`` catches up. Articles saved one at a time get their pairs at once. An archive
that keeps no pairs (``orgnews index --no-pairs``) reads every query as the character phrase.

Both are plain FTS5 tables, so any SQLite tool can query them with the same
spelling: ``SELECT rowid FROM articles_pairs WHERE articles_pairs MATCH '"党建 建工"'``
(``SELECT rowid FROM articles_fts WHERE articles_fts MATCH '"党"'`` for one
character, and for articles past ``pairs_through``).
"""

from __future__ import annotations

import numpy as np

PLACEHOLDER = "\ue000"
_PLACEHOLDER_CODE = 0xE000

# Ranges every unicode61 table version treats as letters or digits, so no character
# that passes through can turn into a separator with an older SQLite.
_PASSTHROUGH_RANGES = (
    (0x30, 0x39),
    (0x61, 0x7A),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
)
_SUPPLEMENTARY_CJK = (0x20000, 0x2FA1F)


def _build_bmp_table() -> np.ndarray:
    table = np.full(0x10000, _PLACEHOLDER_CODE, dtype=np.uint32)
    for low, high in _PASSTHROUGH_RANGES:
        table[low : high + 1] = np.arange(low, high + 1, dtype=np.uint32)
    table[0x41:0x5B] = np.arange(0x61, 0x7B, dtype=np.uint32)  # ASCII upper -> lower
    return table


_BMP_TABLE = _build_bmp_table()


def _token_codes(text: str) -> np.ndarray:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mapped = _BMP_TABLE[codes & 0xFFFF]
    beyond_bmp = codes > 0xFFFF
    if beyond_bmp.any():
        low, high = _SUPPLEMENTARY_CJK
        cjk = beyond_bmp & (codes >= low) & (codes <= high)
        mapped = np.where(beyond_bmp, np.where(cjk, codes, _PLACEHOLDER_CODE), mapped)
    return mapped


def split_text(text: str | None) -> str:
    """The space-separated token copy of ``text`` that goes into the index."""
    if not text:
        return ""
    mapped = _token_codes(text)
    out = np.empty(mapped.size * 2, dtype=np.uint32)
    out[0::2] = mapped
    out[1::2] = 0x20
    return out.tobytes().decode("utf-32-le")


def split_pairs(text: str | None) -> str:
    """The space-separated overlapping character pairs of ``text``: the second copy in the index."""
    if not text:
        return ""
    mapped = _token_codes(text)
    if mapped.size < 2:
        return ""
    first, second = mapped[:-1], mapped[1:]
    blank = (first == _PLACEHOLDER_CODE) | (second == _PLACEHOLDER_CODE)
    out = np.empty((first.size, 3), dtype=np.uint32)
    out[:, 0] = np.where(blank, _PLACEHOLDER_CODE, first)
    out[:, 1] = np.where(blank, _PLACEHOLDER_CODE, second)
    out[:, 2] = 0x20
    return out.tobytes().decode("utf-32-le")


def pair_tokens(text: str) -> list[str]:
    """The pair tokens of a search string of two or more characters, in order (as the index has them)."""
    return split_pairs(text).split()


def phrase_tokens(text: str) -> list[str]:
    """The index tokens of a search string, in order."""
    return [chr(code) for code in _token_codes(text).tolist()] if text else []


def is_exact(text: str) -> bool:
    """True when the index alone decides whether ``text`` occurs (no placeholder token)."""
    return PLACEHOLDER not in phrase_tokens(text)


def fold(text: str) -> str:
    """Lower-case ASCII letters only: the case folding the index applies."""
    return text.encode("utf-8").lower().decode("utf-8")
