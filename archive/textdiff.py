"""What an edit changed in an article's text: paragraphs matched first, then characters inside them.

Chinese has no spaces to split words on, so a changed paragraph is compared character by
character; unchanged paragraphs stay whole (the page folds long runs of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a diff: ``kind`` same / changed / added / removed, and its pieces as
    (``same`` / ``added`` / ``removed``, text) pairs."""

    kind: str
    pieces: tuple[tuple[str, str], ...]


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a stored body (separated by newlines), blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def diff_texts(old: str | None, new: str | None) -> list[Paragraph]:
    """The paragraphs of ``new`` and ``old`` interleaved, marked with what changed from old to new."""
    before, after = paragraphs(old), paragraphs(new)
    result: list[Paragraph] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(Paragraph("same", (("same", text),)) for text in after[j1:j2])
            continue
        olds, news = before[i1:i2], after[j1:j2]
        # Pair replaced paragraphs one to one; the surplus on either side is removed or added whole.
        for old_text, new_text in zip(olds, news, strict=False):
            result.append(Paragraph("changed", _characters(old_text, new_text)))
        result.extend(Paragraph("removed", (("removed", text),)) for text in olds[len(news) :])
        result.extend(Paragraph("added", (("added", text),)) for text in news[len(olds) :])
    return result


def _characters(old: str, new: str) -> tuple[tuple[str, str], ...]:
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", new[j1:j2]))
            continue
        if i2 > i1:
            pieces.append(("removed", old[i1:i2]))
        if j2 > j1:
            pieces.append(("added", new[j1:j2]))
    return tuple(pieces)


def folded(diff: list[Paragraph], context: int = 1) -> list[Paragraph]:
    """``diff`` with runs of unchanged paragraphs more than ``context`` away from a change replaced by
    one ``gap`` paragraph whose text is how many were left out."""
    keep = [p.kind != "same" for p in diff]
    near = [any(keep[max(0, i - context) : i + context + 1]) for i in range(len(diff))]
    result: list[Paragraph] = []
    skipped = 0
    for paragraph, shown in zip(diff, near, strict=True):
        if shown:
            if skipped:
                result.append(Paragraph("gap", (("gap", str(skipped)),)))
            skipped = 0
            result.append(paragraph)
        else:
            skipped += 1
    if skipped:
        result.append(Paragraph("gap", (("gap", str(skipped)),)))
    return result


def changed_share(diff: list[Paragraph]) -> float:
    """Share of the paragraphs an edit touched (0 when nothing changed)."""
    if not diff:
        return 0.0
    return sum(1 for p in diff if p.kind != "same") / len(diff)
