"""The user's search language, parsed here and never handed to FTS5 as typed.

Syntax: terms separated by spaces must all occur (implicit AND); ``AND``, ``OR``
and ``NOT`` (upper case) combine them, ``NOT`` binding tightest, then ``AND``,
then ``OR``; parentheses group; ``"double quotes"`` make one term of text that
contains spaces or the words AND / OR / NOT (a space inside quotes stands for one
whitespace character). Every term matches as an exact substring of the title or
the body (ASCII letters ignore case).

A term is compiled into an FTS5 expression over the index's sets of characters and pairs
(see ``archive.charsplit``): its one character, its one pair, or all of its pairs. The index
decides alone (``Query.exact``) when every term is one character or one pair, searched in
title and body together; a longer term, a term with punctuation or spaces, or a search of the
title or the body alone only narrows the candidates, and ``Query.matches`` then decides on the
stored text. The index expression is built so that it never drops a true match: a superset in
positive position, a subset (or nothing) under ``NOT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.charsplit import PLACEHOLDER, fold, is_exact, pair_tokens, phrase_tokens
from archive.errors import QueryError

OPERATORS = ("AND", "OR", "NOT")
FIELDS = ("all", "title", "body")
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

    def exact(self, field: str = "all") -> bool:
        """Whether the index alone decides this term (one character or one pair, in title and body)."""
        return field == "all" and is_exact(self.text) and len(phrase_tokens(self.text)) <= 2

    def fts(self) -> str:
        # One character: its token. Two or more: every pair (punctuation pairs only when there
        # is nothing else to look up), each present somewhere in the article.
        characters = phrase_tokens(self.text)
        if len(characters) == 1:
            return f'"{characters[0]}"'
        pairs = list(dict.fromkeys(pair_tokens(self.text)))
        if len(pairs) > 1 and PLACEHOLDER * 2 in pairs:
            pairs.remove(PLACEHOLDER * 2)
        return "(" + " AND ".join(f'"{pair}"' for pair in pairs) + ")" if len(pairs) > 1 else f'"{pairs[0]}"'


@dataclass(frozen=True)
class Node:
    op: str  # AND, OR, NOT (NOT is binary: left NOT right)
    children: tuple


@dataclass
class Query:
    """A parsed query: its FTS5 expression, its terms, and an exact check on stored text.

    ``fts`` matches at least every article the query matches (exactly those when ``exact``).
    """

    text: str
    tree: Term | Node
    fts: str = ""
    exact: bool = True
    terms: list[str] = field(default_factory=list)

    def matches(self, *texts: str | None) -> bool:
        """Whether the query holds for an article whose searched fields are ``texts``."""
        return _evaluate(self.tree, self.comparable(*texts))

    def comparable(self, *texts: str | None) -> list[str]:
        """The non-empty ``texts`` as the terms are compared with them (see ``folded``)."""
        return [self.folded(t) for t in texts if t]

    def folded(self, text: str) -> str:
        """``text`` case-folded when a term has Latin letters (folding copies the whole text,
        which a query without them does not need)."""
        return fold(text) if _has_latin(self.text) else text

    def sql_check(self, field: str = "all") -> tuple[str, list[str]] | None:
        """An SQL condition over ``a`` (the articles table) that holds exactly when the article
        matches, by ``instr`` on its stored text, with its parameters; None when a term has spaces
        (they match any whitespace: see ``matches``)."""
        params: list[str] = []
        try:
            return _sql_check(self.tree, field, params), params
        except _NeedsPattern:
            return None

    def occurrences(self, term: str, text: str | None) -> int:
        """How many times ``term`` (one of ``terms``) occurs in ``text``, as ``comparable`` gives it."""
        if not text:
            return 0
        pattern = Term(term).pattern
        return len(pattern.findall(text)) if pattern is not None else text.count(fold(term))


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
    query = Query(
        text=text,
        tree=tree,
        fts=_superset(tree, field),
        terms=terms,
    )
    query.exact = all(Term(t).exact(field) for t in _all_terms(tree))
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


def _superset(node: Term | Node, field: str) -> str:
    """An FTS5 expression matching at least every article the query matches."""
    if isinstance(node, Term):
        return node.fts()
    if node.op == "NOT":
        left, right = node.children
        excluded = _subset(right, field)
        kept = _superset(left, field)
        return kept if excluded == _NONE else f"({kept} NOT {excluded})"
    parts = [_superset(child, field) for child in node.children]
    return "(" + f" {node.op} ".join(parts) + ")"


def _subset(node: Term | Node, field: str) -> str:
    """An FTS5 expression matching only articles the query matches (or _NONE)."""
    if isinstance(node, Term):
        return node.fts() if node.exact(field) else _NONE
    if node.op == "NOT":
        left, right = node.children
        kept = _subset(left, field)
        return _NONE if kept == _NONE else f"({kept} NOT {_superset(right, field)})"
    parts = [_subset(child, field) for child in node.children]
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


class _NeedsPattern(Exception):
    """A term with spaces, which SQL's instr cannot match as ``Term.pattern`` does."""


def _sql_check(node: Term | Node, field: str, params: list[str]) -> str:
    if isinstance(node, Term):
        if node.pattern is not None:
            raise _NeedsPattern
        needle = fold(node.text)
        columns = {"all": ("a.title", "a.body"), "title": ("a.title",), "body": ("a.body",)}[field]
        # SQLite's lower() folds ASCII letters only: the folding of the index and of fold().
        texts = [f"lower({column})" if _has_latin(needle) else column for column in columns]
        params.extend([needle] * len(texts))
        # coalesce: a missing title makes instr NULL, which NOT would keep NULL (not true).
        return "coalesce(" + " OR ".join(f"instr({text}, ?) > 0" for text in texts) + ", 0)"
    if node.op == "NOT":
        left, right = node.children
        return f"({_sql_check(left, field, params)} AND NOT {_sql_check(right, field, params)})"
    return "(" + f" {node.op} ".join(_sql_check(child, field, params) for child in node.children) + ")"


def _has_latin(text: str) -> bool:
    return any("a" <= ch <= "z" or "A" <= ch <= "Z" for ch in text)


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
