"""The user's search language, parsed here and never handed to FTS5 as typed.

Syntax: terms separated by spaces must all occur (implicit AND); ``AND``, ``OR``
and ``NOT`` (upper case) combine them, ``NOT`` binding tightest, then ``AND``,
then ``OR``; parentheses group; ``"double quotes"`` make one term of text that
contains spaces or the words AND / OR / NOT (a space inside quotes stands for one
whitespace character). Every term matches as an exact substring of the title or
the body (ASCII letters ignore case).

A term of two or more characters, letters or digits is looked up as the FTS5
phrase of its character pairs in the pair index (see ``archive.charsplit``), any
other term (one character, or with punctuation) as the phrase of its characters in
the character index. A query whose terms are all of the first kind is one pair
expression; a query mixing both kinds is split into a few expressions per index
whose matches SQL combines (see ``Query``); and the whole query is also spelled in
single characters, for the articles whose pairs are not indexed yet. Every
expression is restricted to the index columns of the searched field.
Terms with punctuation or spaces only narrow the candidates at the index level;
``Query.matches`` then decides on the stored text. The index expression is built so that it never drops a true match: a superset
in positive position, a subset (or nothing) under ``NOT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from archive.charsplit import fold, is_exact, pair_tokens, phrase_tokens
from archive.errors import QueryError

OPERATORS = ("AND", "OR", "NOT")
FIELDS = ("all", "title", "body")
# The index columns a term is looked up in, by searched field (the same in both index tables).
INDEX_COLUMNS = {"all": "body title", "title": "title", "body": "body"}
_LEXER = re.compile(r'\s*(?:(?P<paren>[()])|"(?P<quoted>[^"]*)"|(?P<unclosed>")|(?P<word>[^\s()"]+))')

# Past these a query is refused with a sentence, not parsed: every level of parentheses and every
# operator is a level of recursion here and in the FTS5 expression (which stops at 256 levels).
MAX_QUERY_CHARACTERS = 2000
MAX_QUERY_PARTS = 200  # words, phrases, operators and parentheses
MAX_QUERY_NESTING = 20  # operators inside operators, by parentheses (FTS5 stops near 30)

# Sentinel for "no article" while building index expressions.
_NONE = "\x00none"


@dataclass(frozen=True)
class Term:
    text: str

    @property
    def pattern(self) -> re.Pattern | None:
        """For a phrase with spaces: each space stands for one whitespace character (as in the index)."""
        if not any(ch.isspace() for ch in self.text):
            return None
        return re.compile("".join(r"\s" if ch.isspace() else re.escape(ch) for ch in fold(self.text)))

    @property
    def exact(self) -> bool:
        return is_exact(self.text)

    @property
    def paired(self) -> bool:
        """Whether the pair index alone decides this term: two or more characters, none of them
        punctuation (which the pairs keep only as a placeholder)."""
        return len(phrase_tokens(self.text)) > 1 and self.exact

    def fts(self, field: str = "all", pairs: bool = True) -> str:
        # The phrase of its pairs (for the pair index, when ``paired``), or of its characters.
        tokens = pair_tokens(self.text) if pairs else phrase_tokens(self.text)
        return "{" + INDEX_COLUMNS[field] + '} : "' + " ".join(tokens) + '"'


@dataclass(frozen=True)
class Node:
    op: str  # AND, OR, NOT (NOT is binary: left NOT right)
    children: tuple


@dataclass
class Query:
    """A parsed query: its FTS5 expressions, its terms, and an exact check on stored text.

    For the articles whose pairs are indexed (ids up to ``pairs_through``), the query is read as
    ``((fts AND fts_beside) OR fts_either) NOT fts_excluded_pairs NOT fts_excluded_characters``,
    combined by SQL over the ids each expression matches: ``fts`` and ``fts_excluded_pairs``
    over the pair index, the others over characters; a None part is empty (``fts_beside`` None:
    no condition). A query whose terms are all ``Term.paired`` is ``fts`` alone; ``党 组织生活``
    is ``fts`` with ``fts_beside``; ``干部 OR 党`` ``fts`` with ``fts_either``; ``组织生活 NOT 党``
    ``fts`` with ``fts_excluded_characters``. A query no part of which pairs can decide (every
    term one character or with punctuation, or a shape these parts cannot hold) has ``fts`` and
    ``fts_excluded_pairs`` None and is read by ``fts_characters`` alone, the same query over
    single characters, which is also what reads the articles past ``pairs_through``.
    """

    text: str
    tree: Term | Node
    fts: str | None = None
    fts_characters: str = ""
    fts_beside: str | None = None
    fts_either: str | None = None
    fts_excluded_pairs: str | None = None
    fts_excluded_characters: str | None = None
    exact: bool = True
    terms: list[str] = field(default_factory=list)

    @property
    def index_expressions(self) -> dict[str, str | None]:
        """The FTS5 expressions by the names of ``archive.indexing.MATCH_PARTS``."""
        return {
            "pairs": self.fts,
            "beside": self.fts_beside,
            "either": self.fts_either,
            "excluded_pairs": self.fts_excluded_pairs,
            "excluded_characters": self.fts_excluded_characters,
            "characters": self.fts_characters,
        }

    def matches(self, *texts: str | None) -> bool:
        """Whether the query holds for an article whose searched fields are ``texts``."""
        folded = [fold(t) for t in texts if t]
        return _evaluate(self.tree, folded)


def parse_query(text: str, field: str = "all") -> Query:
    """Parse a user query searching ``field`` (all, title or body); QueryError says what to fix."""
    if field not in FIELDS:
        raise QueryError(f"unknown search field {field!r}: use one of {', '.join(FIELDS)}")
    if text is None or not text.strip():
        raise QueryError("the search query is empty: give at least one word, e.g. 党建")
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryError(
            f"the query is {len(text):,} characters long: at most {MAX_QUERY_CHARACTERS:,} are read"
        )
    tokens = _lex(text)
    _check_size(tokens)
    parser = _Parser(tokens, text)
    tree = parser.parse()
    if (depth := _nesting(tree)) > MAX_QUERY_NESTING:
        raise QueryError(
            f"the query nests AND / OR / NOT {depth} levels deep in parentheses: at most "
            f"{MAX_QUERY_NESTING} are read"
        )
    terms = _positive_terms(tree)
    query = Query(text=text, tree=tree, fts_characters=_superset(tree, field, False), terms=terms)
    _set_pair_expressions(query, _split(tree), field)
    query.exact = all(Term(t).exact for t in _all_terms(tree))
    return query


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _LEXER.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        if match.group("paren"):
            tokens.append(("paren", match.group("paren")))
        elif match.group("unclosed"):
            raise QueryError(f'unbalanced double quote in {text!r}: close the phrase with another "')
        elif match.group("quoted") is not None:
            if not match.group("quoted").strip():
                raise QueryError(f'empty phrase "" in {text!r}: put the words to find between the quotes')
            tokens.append(("term", match.group("quoted")))
        elif match.group("word") in OPERATORS:
            tokens.append(("op", match.group("word")))
        elif match.group("word"):
            tokens.append(("term", match.group("word")))
    return tokens


def _check_size(tokens: list[tuple[str, str]]) -> None:
    """Refuse a query with more parts than a search is built for."""
    if len(tokens) > MAX_QUERY_PARTS:
        raise QueryError(
            f"the query has {len(tokens):,} words, operators and parentheses: at most "
            f"{MAX_QUERY_PARTS} are read; split it into several searches"
        )


def _nesting(node: Term | Node) -> int:
    return 1 + max(map(_nesting, node.children)) if isinstance(node, Node) else 0


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Term | Node:
        tree = self.parse_or()
        if self.peek() is not None:
            _kind, value = self.peek()
            if value == ")":
                raise QueryError(f"unbalanced ')' in {self.text!r}: remove it or add the matching '('")
            raise QueryError(f"cannot understand {value!r} in {self.text!r}")
        return tree

    def parse_or(self) -> Term | Node:
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Node("OR", tuple(parts))

    def parse_and(self) -> Term | Node:
        parts = [self.parse_not()]
        while True:
            token = self.peek()
            if token == ("op", "AND"):
                self.take()
            elif token is None or token == ("op", "OR") or token == ("paren", ")"):
                break
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else Node("AND", tuple(parts))

    def parse_not(self) -> Term | Node:
        # a NOT b NOT c is a NOT (b OR c): one level however many words are left out.
        left = self.parse_primary()
        excluded = []
        while self.peek() == ("op", "NOT"):
            self.take()
            excluded.append(self.parse_primary())
        if not excluded:
            return left
        return Node("NOT", (left, excluded[0] if len(excluded) == 1 else Node("OR", tuple(excluded))))

    def parse_primary(self) -> Term | Node:
        token = self.peek()
        if token is None:
            raise QueryError(f"the query {self.text!r} ends where a word was expected")
        kind, value = self.take()
        if kind == "term":
            return Term(value)
        if value == "(":
            if self.peek() == ("paren", ")"):
                raise QueryError(f"empty parentheses in {self.text!r}: put words inside them")
            inner = self.parse_or()
            if self.peek() != ("paren", ")"):
                raise QueryError(f"unbalanced '(' in {self.text!r}: add the closing ')'")
            self.take()
            return inner
        if value == ")":
            raise QueryError(f"unbalanced ')' in {self.text!r}: remove it or add the matching '('")
        if value == "NOT" and self.position >= 2 and self.tokens[self.position - 2] == ("op", "AND"):
            raise QueryError(
                f"AND NOT in {self.text!r}: NOT alone already means 'and not': drop the AND "
                "(e.g. 党建 NOT 党风)"
            )
        if value == "NOT":
            raise QueryError(
                f"NOT needs a word before it in {self.text!r}: write e.g. 党建 NOT 党风 "
                '(to search for the word NOT itself, quote it: "NOT")'
            )
        raise QueryError(
            f"{value} needs a word on both sides in {self.text!r} "
            f'(to search for the word {value} itself, quote it: "{value}")'
        )


@dataclass(frozen=True)
class _Split:
    """A query (or a part of one) as ``((pairs AND beside) OR either) NOT excluded_pairs NOT
    excluded_characters``, the same articles by its meaning: ``pairs`` and ``excluded_pairs`` of
    paired terms only, for the pair index, the others for the character index; None is a part
    that matches nothing (``beside`` None: no condition)."""

    pairs: Term | Node | None = None
    beside: Term | Node | None = None
    either: Term | Node | None = None
    excluded_pairs: Term | Node | None = None
    excluded_characters: Term | Node | None = None

    @property
    def excludes(self) -> bool:
        return self.excluded_pairs is not None or self.excluded_characters is not None


def _split(node: Term | Node) -> _Split:
    """``node`` as a ``_Split`` that gives the pair index as much of it as these parts can hold;
    what they cannot is read by characters (``either`` or ``beside`` holding whole parts)."""
    if _paired(node):
        return _Split(pairs=node)
    if isinstance(node, Term) or not any(Term(t).paired for t in _all_terms(node)):
        return _Split(either=node)
    if node.op == "NOT":
        left, right = node.children
        kept, dropped = _split(left), _split(right)
        if dropped.beside is not None or dropped.excludes:
            dropped = _Split(either=right)  # (a AND b) or (a NOT b) is left out by characters
        return replace(
            kept,
            excluded_pairs=_joined_nodes("OR", [kept.excluded_pairs, dropped.pairs]),
            excluded_characters=_joined_nodes("OR", [kept.excluded_characters, dropped.either]),
        )
    parts = [(child, _split(child)) for child in node.children]
    return _split_and(node, parts) if node.op == "AND" else _split_or(node, parts)


def _split_and(node: Node, parts: list[tuple[Term | Node, _Split]]) -> _Split:
    # (a - x) AND (b - y) is (a AND b) - x - y: the children led by pairs join their pairs, and
    # every other child is a condition beside them, read by characters as a whole.
    led = [split for _, split in parts if split.pairs is not None and split.either is None]
    others = [child for child, split in parts if split.pairs is None or split.either is not None]
    if not led:
        if any(split.pairs is not None for _, split in parts):
            return _Split(either=node)
        return _Split(
            either=_joined_nodes("AND", [split.either for _, split in parts]),
            excluded_pairs=_joined_nodes("OR", [split.excluded_pairs for _, split in parts]),
            excluded_characters=_joined_nodes("OR", [split.excluded_characters for _, split in parts]),
        )
    return _Split(
        pairs=_joined_nodes("AND", [split.pairs for split in led]),
        beside=_joined_nodes("AND", [split.beside for split in led] + others),
        excluded_pairs=_joined_nodes("OR", [split.excluded_pairs for split in led]),
        excluded_characters=_joined_nodes("OR", [split.excluded_characters for split in led]),
    )


def _split_or(node: Node, parts: list[tuple[Term | Node, _Split]]) -> _Split:
    # (a - x) OR b is no union of these parts, nor (a AND b) OR c with another pair part beside
    # it: such a child is read by characters as a whole, among the either part.
    paired = [split for _, split in parts if split.pairs is not None and not split.excludes]
    whole = []
    kept = []
    for child, split in parts:
        if split.excludes or (split.pairs is not None and split.beside is not None and len(paired) > 1):
            whole.append(child)
        else:
            kept.append(split)
    if all(split.pairs is None for split in kept):
        return _Split(either=node)
    beside = [split.beside for split in kept if split.beside is not None]
    return _Split(
        pairs=_joined_nodes("OR", [split.pairs for split in kept]),
        beside=beside[0] if beside else None,
        either=_joined_nodes("OR", [split.either for split in kept] + whole),
    )


def _joined_nodes(op: str, nodes: list[Term | Node | None]) -> Term | Node | None:
    present = [node for node in nodes if node is not None]
    if len(present) <= 1:
        return present[0] if present else None
    return Node(op, tuple(present))


def _set_pair_expressions(query: Query, split: _Split, field: str) -> None:
    """Fill the expressions of ``query`` other than ``fts_characters`` from ``split`` (see ``Query``):
    positive parts as supersets of their matches, excluded ones as subsets (exact when the
    terms are). A split that gives the pair index nothing leaves them None."""
    if split.pairs is None and split.excluded_pairs is None:
        return

    def expression(node: Term | Node | None, pairs: bool, excluded: bool = False) -> str | None:
        if node is None:
            return None
        spelled = _subset(node, field, pairs) if excluded else _superset(node, field, pairs)
        return None if spelled == _NONE else spelled

    query.fts = expression(split.pairs, True)
    query.fts_beside = expression(split.beside, False)
    query.fts_either = expression(split.either, False)
    query.fts_excluded_pairs = expression(split.excluded_pairs, True, excluded=True)
    query.fts_excluded_characters = expression(split.excluded_characters, False, excluded=True)


def _paired(node: Term | Node) -> bool:
    return all(Term(t).paired for t in _all_terms(node))


def _superset(node: Term | Node, field: str, pairs: bool) -> str:
    """An FTS5 expression matching at least every article the query matches."""
    if isinstance(node, Term):
        return node.fts(field, pairs)
    if node.op == "NOT":
        left, right = node.children
        excluded = _subset(right, field, pairs)
        kept = _superset(left, field, pairs)
        return kept if excluded == _NONE else f"({kept} NOT {excluded})"
    parts = [_superset(child, field, pairs) for child in node.children]
    return "(" + f" {node.op} ".join(parts) + ")"


def _subset(node: Term | Node, field: str, pairs: bool) -> str:
    """An FTS5 expression matching only articles the query matches (or _NONE)."""
    if isinstance(node, Term):
        return node.fts(field, pairs) if node.exact else _NONE
    if node.op == "NOT":
        left, right = node.children
        kept = _subset(left, field, pairs)
        return _NONE if kept == _NONE else f"({kept} NOT {_superset(right, field, pairs)})"
    parts = [_subset(child, field, pairs) for child in node.children]
    if node.op == "AND":
        return _NONE if _NONE in parts else "(" + " AND ".join(parts) + ")"
    parts = [p for p in parts if p != _NONE]
    return _NONE if not parts else "(" + " OR ".join(parts) + ")"


def _evaluate(node: Term | Node, texts: list[str]) -> bool:
    if isinstance(node, Term):
        if node.pattern is not None:
            return any(node.pattern.search(text) for text in texts)
        needle = fold(node.text)
        return any(needle in text for text in texts)
    if node.op == "NOT":
        return _evaluate(node.children[0], texts) and not _evaluate(node.children[1], texts)
    results = (_evaluate(child, texts) for child in node.children)
    return all(results) if node.op == "AND" else any(results)


def _all_terms(node: Term | Node) -> list[str]:
    if isinstance(node, Term):
        return [node.text]
    return [term for child in node.children for term in _all_terms(child)]


def _positive_terms(node: Term | Node) -> list[str]:
    """Terms whose occurrences a snippet should mark (not the ones under NOT)."""
    if isinstance(node, Term):
        return [node.text]
    if node.op == "NOT":
        return _positive_terms(node.children[0])
    return [term for child in node.children for term in _positive_terms(child)]
