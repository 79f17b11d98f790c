"""Main-content detection: known containers first, then text and punctuation density."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lxml import etree

from crawler.extract.patterns import (
    BLOCK_TAGS,
    BODY_SELECTORS,
    CHROME_ATTR_RE,
    NOT_CONTENT_ATTR_RE,
    PUNCTUATION,
    SECTION_END_RE,
)
from crawler.extract.tree import AttrIndex, Line, all_text

_MARKED_DESCENDANTS = etree.XPath(".//*[@class or @id]")
_PUNCT_RE = re.compile("[" + re.escape("".join(sorted(PUNCTUATION))) + "]")
# How much of a paragraph's weight flows up to each ancestor level.
_DECAY = (1.0, 1.0, 0.5, 0.25, 0.125)
# A known container must hold at least this share of the densest block's weight.
_KNOWN_MIN_SHARE = 0.45
# Navigation and related-link lines make a wrapper less likely to be the article.
_LINK_PENALTY = 0.5
# Prose weight (about as many characters) an article must show before a related heading cuts.
_PROSE_BEFORE_RELATED = 40.0


def line_weight(line: Line) -> float:
    """Prose scores high: long lines with Chinese punctuation; link lines count against."""
    if line.link_ratio > 0.5:
        return -_LINK_PENALTY * min(len(line.text), 40)
    text = line.text
    punct = len(_PUNCT_RE.findall(text))
    length = min(len(text), 600)
    if punct == 0:
        return length * 0.2 if length >= 20 else 0.0
    return length * (1.0 - line.link_ratio) + 8 * min(punct, 30)


def density_container(
    lines: Sequence[Line], weights: Sequence[float], skip: set[Any] | frozenset[Any] = frozenset()
) -> tuple[Any | None, float]:
    """The element that collects most prose weight from the lines below it
    (``weights[line.index]``; lines owned by ``skip`` count for nothing)."""
    scores: dict[Any, float] = {}
    for line in lines:
        weight = weights[line.index] if line.owner not in skip else 0.0
        if not weight:
            continue
        node = line.owner
        for share in _DECAY:
            if node is None:
                break
            scores[node] = scores.get(node, 0.0) + weight * share
            node = node.getparent()
    if not scores:
        return None, 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]


def subtree_weight(lines: Sequence[Line], weights: Sequence[float], members: set[Any]) -> float:
    return sum(max(weights[line.index], 0.0) for line in lines if line.owner in members)


def find_container(
    lines: Sequence[Line], index: AttrIndex, profile_elements: Sequence[Any] = ()
) -> tuple[Any | None, str]:
    """Return ``(element, how)``; ``how`` names the rule that chose it."""
    for el in profile_elements:
        if _has_text(el):
            return el, "profile"
    weights = [line_weight(line) for line in lines]
    # Below the article, a 推荐阅读 block may hold a story longer than the article itself.
    article_lines = lines[: related_block_start(lines, weights)]
    dense, dense_score = density_container(article_lines, weights)
    outside = not_content_blocks(index)
    if outside:
        # A thread of comments or a feed of teasers can hold more prose than a short article.
        kept, kept_score = density_container(article_lines, weights, outside)
        if kept is not None:
            dense, dense_score = kept, kept_score
    for selector in BODY_SELECTORS:
        for el in index.select(selector):
            weight = subtree_weight(lines, weights, block_members(el))
            if weight and weight >= _KNOWN_MIN_SHARE * dense_score:
                return el, f"known {selector}"
    return dense, "density"


def related_block_start(lines: Sequence[Line], weights: Sequence[float]) -> int:
    """Index of the first related-content heading (推荐阅读, 相关新闻...) that follows the
    page's <h1> and some prose: nothing from there on is the article. ``len(lines)`` if none."""
    headline_seen = False
    prose = 0.0
    for line in lines:
        if line.owner.tag == "h1":
            headline_seen = True
        elif headline_seen:
            if prose >= _PROSE_BEFORE_RELATED and SECTION_END_RE.match(line.text):
                return line.index
            prose += max(weights[line.index], 0.0)
    return len(lines)


def not_content_blocks(index: AttrIndex) -> set[Any]:
    """Block elements inside comment threads, recommendation feeds, sidebars and footers.

    A marked region holding an ``<h1>`` is the page's own wrapper (``main with-sidebar``),
    not furniture, and is kept.
    """
    found: set[Any] = set()
    for key, elements in index.by_key.items():
        if NOT_CONTENT_ATTR_RE.search(key):
            for el in elements:
                if el not in found and next(el.iter("h1"), None) is None:
                    found.update(el.iter(*BLOCK_TAGS))
    return found


def _has_text(el: Any) -> bool:
    return bool(all_text(el).strip())


def block_members(el: Any) -> set[Any]:
    """``el`` and the block elements under it: every element a line can belong to."""
    return {el, *el.iter(*BLOCK_TAGS, "body")}


def chrome_subtrees(container: Any) -> set[Any]:
    """Elements under the container that are widgets, share bars or related lists."""
    dropped: set[Any] = set()
    for el in _MARKED_DESCENDANTS(container):
        if el in dropped:
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        if CHROME_ATTR_RE.search(attrs):
            dropped.update(el.iter())
    return dropped
