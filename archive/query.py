"""The user's search language, parsed here and never handed to FTS5 as typed.

Syntax: terms separated by spaces must all occur (implicit AND); ``AND``, ``OR``
and ``NOT`` (upper case) combine them, ``NOT`` binding tightest, then ``AND``,
then ``OR``; parentheses group; ``"double quotes"`` make one term of text that
contains spaces or the words AND / OR / NOT (a space inside quotes stands for one
whitespace character). Every term matches as an exact substring of the title or
the body (ASCII letters ignore case).

A query whose every term is two or more characters, letters or digits is compiled
into FTS5 phrases of their character pairs, for the pair index (see
``archive.charsplit``); a second expression spells every term in single characters,
for the character index: the articles whose pairs are not indexed yet, and every
article for a query with a term of one character or with punctuation. Both are
restricted to the index columns of the searched field.
Terms with punctuation or spaces only narrow the candidates at the index level;
``Query.matches`` then decides on the stored text. The index expression is built so that it never drops a true match: a superset
in positive position, a subset (or nothing) under ``NOT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

    ``fts`` is for the pair index, the articles whose pairs are in it (ids up to
    ``pairs_through``), and None when a term is not ``Term.paired``; ``fts_characters`` the same
    query over single characters, for the character index. A query of terms joined by AND of which
    some are paired and some not (``党 组织生活``) has both: ``fts`` joins the paired ones, and
    ``fts_beside`` the others, over characters, which the articles ``fts`` finds must also match.
    """

    text: str
    tree: Term | Node
    fts: str | None = None
    fts_characters: str = ""
    fts_beside: str | None = None
    exact: bool = True
    terms: list[str] = field(default_factory=list)

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
    fts, beside = _pair_expressions(tree, field)
    query = Query(
        text=text,
        tree=tree,
        fts=fts,
        fts_characters=_superset(tree, field, False),
        fts_beside=beside,
        terms=terms,
    )
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
        if value == "NOT":
            raise QueryError(
                f"NOT needs a word before it in {self.text!r}: write e.g. 党建 NOT 党风 "
                '(to search for the word NOT itself, quote it: "NOT")'
            )
        raise QueryError(
            f"{value} needs a word on both sides in {self.text!r} "
            f'(to search for the word {value} itself, quote it: "{value}")'
        )


def _pair_expressions(tree: Term | Node, field: str) -> tuple[str | None, str | None]:
    """The query's expression for the pair index and the one beside it for the character index
    (see ``Query``): (all of it, None) when every term is paired; (the paired parts, the others)
    for an AND of both kinds; (None, None) otherwise, and the character index decides alone."""
    if _paired(tree):
        return _superset(tree, field, True), None
    if not (isinstance(tree, Node) and tree.op == "AND"):
        return None, None
    paired, others = [], []
    for child in tree.children:
        (paired if _paired(child) else others).append(child)
    if not paired:
        return None, None
    # Each part is a superset of its own matches (exact when its terms are), so their AND is too.
    return _joined(paired, field, True), _joined(others, field, False)


def _paired(node: Term | Node) -> bool:
    return all(Term(t).paired for t in _all_terms(node))


def _joined(children: list[Term | Node], field: str, pairs: bool) -> str:
    parts = [_superset(child, field, pairs) for child in children]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


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
