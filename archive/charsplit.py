"""The character-split text the full-text index is built from.

SQLite's ``unicode61`` tokenizer keeps a run of Chinese characters as one token,
so ``党建`` would never match inside ``加强党建工作``, and the trigram tokenizer
cannot match queries under three characters. The index is therefore built from
the text split here into single characters and pairs of characters, each its own
token, which stock SQLite reads with its plain ``ascii`` tokenizer.

Every character must stay a token, otherwise ``组，织`` would read as ``组织``.
CJK ideographs and ASCII letters and digits pass through (ASCII lower-cased, so
Latin matching ignores case); every other character (punctuation, whitespace,
other scripts) becomes the one placeholder token ``U+E000``. A query with such a
character is therefore a superset at the index level and is checked against the
stored text afterwards (see ``archive.query``).

The index holds, per article, the set of its characters and the set of its overlapping
character pairs (``党建工作`` -> ``党 建 工 作 党建 建工 工作``), each once, without positions
(``detail=none``): a character or a pair is found by presence alone, exactly, and a longer
string needs all of its pairs (``组织生活`` -> ``组织 AND 织生 AND 生活``), which narrows the
candidates to nearly the articles that contain it; the stored text then decides. A pair with
a placeholder side is written as the one token ``U+E000 U+E000``: such queries are checked
against the text anyway, and ten thousand distinct punctuation pairs would only make the
index bigger. Positions would cost four times the size of the sets and most of the time to
write them; the sets cost about a quarter of the raw text.

The index is a plain FTS5 table, so any SQLite tool can query it with the same spelling:
``SELECT rowid FROM articles_fts WHERE articles_fts MATCH '"党建"'`` finds every article with
党建 in its title or body, ``'"组织" AND "织部"'`` the candidates for 组织部 (then
``instr(title, '组织部') OR instr(body, '组织部')`` keeps the articles that contain it).
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


def index_text(*texts: str | None) -> str:
    """What the index holds for an article of ``texts`` (its title and body): every distinct
    character token and every distinct pair token, space-separated, in a fixed order (a
    contentless index forgets an article only when given the same tokens again)."""
    singles: list[np.ndarray] = []
    pairs: list[np.ndarray] = []
    for text in texts:
        if not text:
            continue
        mapped = _token_codes(text)
        singles.append(mapped)
        if mapped.size > 1:
            first, second = mapped[:-1].astype(np.uint64), mapped[1:].astype(np.uint64)
            blank = (first == _PLACEHOLDER_CODE) | (second == _PLACEHOLDER_CODE)
            key = np.where(
                blank, (_PLACEHOLDER_CODE << 32) | _PLACEHOLDER_CODE, (first << np.uint64(32)) | second
            )
            pairs.append(key)
    if not singles:
        return ""
    characters = np.unique(np.concatenate(singles))
    out_characters = np.empty((characters.size, 2), dtype=np.uint32)
    out_characters[:, 0] = characters
    out_characters[:, 1] = 0x20
    keys = np.unique(np.concatenate(pairs)) if pairs else np.empty(0, dtype=np.uint64)
    out_pairs = np.empty((keys.size, 3), dtype=np.uint32)
    out_pairs[:, 0] = keys >> np.uint64(32)
    out_pairs[:, 1] = keys & np.uint64(0xFFFFFFFF)
    out_pairs[:, 2] = 0x20
    return (out_characters.tobytes() + out_pairs.tobytes()).decode("utf-32-le")
