"""Exact Chinese search: an oracle test against instr(), the query language, filters, order, reposts."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter

import pytest

from archive import Archive, QueryError, search
from archive import searching as searching_module
from archive.indexing import positional_match_sql
from archive.query import Query, parse_query
from archive.schema import FACET_INDEX
from archive.searching import count_matches, summarize
from archive.synthetic import CorpusGenerator
from crawler.extract import Article

EDGE_ARTICLES = [
    Article(
        url="https://e.example.cn/1.html",
        site="edge",
        title="5G芯片产业党建",
        body="推进5G芯片研发，党建引领。",
        published_at="2023-01-05",
    ),
    Article(
        url="https://e.example.cn/2.html",
        site="edge",
        title="学习二十大精神",
        body="深入学习贯彻党的二十大精神。",
        published_at="2022-11-01",
    ),
    Article(
        url="https://e.example.cn/3.html",
        site="edge",
        title="Internet+党建",
        body="互联网INTERNET平台，组，织。",
        published_at="2021-06-01",
    ),
    Article(
        url="https://e.example.cn/4.html",
        site="edge",
        title="组织",
        body="组\n织 与 组、织 ｜ 5g",
        published_at="2020-02-02",
    ),
    Article(url="https://e.example.cn/5.html", site="edge", title="无日期", body="十二大 二十 大"),
]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("oracle") / "archive.db"
    with Archive.open(path) as arc, arc.transaction():
        for article in CorpusGenerator(seed=11).articles(400, body_chars=400):
            arc.save_article(article)
        for article in EDGE_ARTICLES:
            arc.save_article(article)
    return path


def oracle(conn: sqlite3.Connection, needle: str, fields=("title", "body")) -> set[int]:
    # SQLite's lower() folds ASCII only, the same folding as the index.
    clause = " OR ".join(f"instr(lower(coalesce({f}, '')), lower(?)) > 0" for f in fields)
    return {r[0] for r in conn.execute(f"SELECT id FROM articles WHERE {clause}", [needle] * len(fields))}


def ids(db, query, **options) -> set[int]:
    return {hit.id for hit in search(db, query, limit=0, **options)}


def sample_queries(conn: sqlite3.Connection, count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = [t for (t,) in conn.execute("SELECT title || '|' || body FROM articles")]
    alphabet = sorted({ch for t in texts for ch in t if not ch.isspace()})
    queries: set[str] = set()
    while len(queries) < count:
        length = rnd.randint(1, 4)
        if rnd.random() < 0.75:
            text = rnd.choice(texts)
            start = rnd.randrange(max(1, len(text) - length))
            candidate = text[start : start + length]
        else:
            candidate = "".join(rnd.choice(alphabet) for _ in range(length))
        if candidate and not any(ch.isspace() or ch in '"()|' for ch in candidate):
            queries.add(candidate)
    return sorted(queries)


def mixed_queries(conn: sqlite3.Connection, count: int, seed: int) -> list[tuple[str, set[int]]]:
    """Random queries each joining terms of one character and longer ones by AND, OR, NOT and
    parentheses, with their matches by ``oracle`` and set algebra (the parser not involved)."""
    rnd = random.Random(seed)
    words = sample_queries(conn, 120, seed)
    short = [w for w in words if len(w) == 1]
    longer = [w for w in words if len(w) > 1]
    found: dict[str, set[int]] = {}

    def matches(word: str) -> set[int]:
        if word not in found:
            found[word] = oracle(conn, word)
        return found[word]

    def tree(depth: int) -> tuple[str, set[int], str]:
        if depth == 0 or rnd.random() < 0.25:
            word = rnd.choice(short if rnd.random() < 0.45 else longer)
            spelled = f'"{word}"' if word in ("AND", "OR", "NOT") else word
            return spelled, matches(word), "1" if len(word) == 1 else "2"
        (left, a, left_kinds), (right, b, right_kinds) = tree(depth - 1), tree(depth - 1)
        op = rnd.choice(["OR", "NOT", "AND", ""])
        expected = {"OR": a | b, "NOT": a - b, "AND": a & b, "": a & b}[op]
        return f"({left}) {op} ({right})".replace("  ", " "), expected, left_kinds + right_kinds

    queries: dict[str, set[int]] = {}
    while len(queries) < count:
        text, expected, kinds = tree(rnd.randint(1, 3))
        if "1" in kinds and "2" in kinds:
            queries[text] = expected
    return sorted(queries.items())


def index_ids(conn: sqlite3.Connection, query: Query) -> list[int]:
    """The ids of the articles the index statement for any query finds (``index_match_sql``,
    each part tested for NULL in SQL), in its order; the same set scored, or AssertionError."""
    expressions = query.index_expressions
    found = []
    for scored in (False, True):
        sql, parts = positional_match_sql("rowid AS id", scored=scored)
        found.append(
            [row[0] for row in conn.execute(f"SELECT id FROM ({sql})", [expressions[p] for p in parts])]
        )
    assert sorted(found[1]) == found[0]
    return found[0]


def test_oracle_random_queries_equal_instr(corpus_db):
    conn = sqlite3.connect(corpus_db)
    queries = sample_queries(conn, 300, seed=5)
    assert any(len(q) == 1 for q in queries) and any(len(q) == 4 for q in queries)
    nonempty = 0
    for query in queries:
        expected = oracle(conn, query)
        nonempty += bool(expected)
        assert ids(corpus_db, query) == expected, query
    assert nonempty > 200  # most queries come from the corpus, so the comparison has substance


@pytest.mark.parametrize(
    "query",
    [
        "5G芯片",
        "5g芯片",
        "二十大",
        "党",
        "党建",
        "组织",
        "组，织",
        "ternet",
        "INTERNET+党",
        "十二大",
        "二十 大",
    ],
)
def test_edge_cases_equal_instr(corpus_db, query):
    conn = sqlite3.connect(corpus_db)
    expected = oracle(conn, query) if " " not in query else oracle(conn, "二十") & oracle(conn, "大")
    assert ids(corpus_db, query) == expected


def test_substring_inside_latin_word_and_across_punctuation(corpus_db):
    conn = sqlite3.connect(corpus_db)
    internet = conn.execute("SELECT id FROM articles WHERE url = 'https://e.example.cn/3.html'").fetchone()[0]
    newline = conn.execute("SELECT id FROM articles WHERE url = 'https://e.example.cn/4.html'").fetchone()[0]
    assert internet in ids(corpus_db, "nterne")  # Latin is matched as a substring too
    assert internet in ids(corpus_db, "组，织")
    assert newline in ids(corpus_db, "组织")  # via the title
    assert newline not in ids(corpus_db, "组织", field="body")  # 组\n织 is not 组织
    assert newline in ids(corpus_db, '"组 织"')  # a space in a phrase matches one whitespace character


def test_boolean_operators_equal_set_algebra(corpus_db):
    conn = sqlite3.connect(corpus_db)
    rnd = random.Random(9)
    words = sample_queries(conn, 60, seed=13)
    for _ in range(40):
        a, b, c = rnd.sample(words, 3)
        A, B, C = oracle(conn, a), oracle(conn, b), oracle(conn, c)
        assert ids(corpus_db, f"{a} {b}") == A & B
        assert ids(corpus_db, f"{a} AND {b}") == A & B
        assert ids(corpus_db, f"{a} OR {b}") == A | B
        assert ids(corpus_db, f"{a} NOT {b}") == A - B
        assert ids(corpus_db, f"({a} OR {b}) NOT {c}") == (A | B) - C
        assert ids(corpus_db, f"{a} OR {b} {c}") == A | (B & C)


def test_mixed_one_character_and_longer_terms_equal_set_algebra(corpus_db):
    # The longer terms are read from the pairs and the single characters from the characters,
    # their ids combined in SQL: every way of combining them must give what a scan gives.
    conn = sqlite3.connect(corpus_db)
    queries = mixed_queries(conn, 150, seed=17)
    parts = Counter()
    for query, expected in queries:
        parsed = parse_query(query)
        parts.update(name for name, value in parsed.index_expressions.items() if value is not None)
        assert ids(corpus_db, query) == expected, query
        assert ids(corpus_db, query, order="date") == expected, query
        with Archive.open(corpus_db) as arc:
            assert count_matches(arc, query) == len(expected), query
        # The statement for any query (as the served search runs it) finds the same ids in order
        # (candidates among them for a query with punctuation, which the stored text decides).
        found = index_ids(conn, parsed)
        assert found == sorted(expected) if parsed.exact else set(found) >= expected, query
    # The queries tried every part of the split, and most of them found something to compare.
    assert min(parts[name] for name in ("pairs", "beside", "either", "excluded_pairs")) >= 10, parts
    assert parts["excluded_characters"] >= 10 and parts["characters"] == len(queries), parts
    assert sum(bool(expected) for _, expected in queries) > len(queries) / 2


def test_operator_words_can_be_searched_when_quoted(corpus_db):
    assert ids(corpus_db, '"and"') == oracle(sqlite3.connect(corpus_db), "and")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("NOT 党建", "NOT needs a word before it"),
        ("党建 OR", "ends where a word was expected"),
        ("(党建", "unbalanced '('"),
        ("党建)", "unbalanced ')'"),
        ('"党建', "unbalanced double quote"),
        ("()", "empty parentheses"),
        ('""', "empty phrase"),
        ("AND", "needs a word on both sides"),
    ],
)
def test_bad_queries_raise_query_error(corpus_db, query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        search(corpus_db, query)


def test_fts_syntax_in_user_text_is_only_text(corpus_db):
    conn = sqlite3.connect(corpus_db)
    for query in [
        "党*",
        "title:党",
        "NEAR党",
        "党+建",
        "-党",
        "^党",
        "{title}",
        "a:b",
        "'; DROP TABLE articles; --",
    ]:
        assert ids(corpus_db, query) == oracle(conn, query)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 405


def test_filters_equal_sql(corpus_db):
    conn = sqlite3.connect(corpus_db)
    expected = oracle(conn, "的", fields=("title",)) & {
        r[0]
        for r in conn.execute(
            "SELECT id FROM articles WHERE site IN ('12371', 'people') "
            "AND substr(published_at, 1, 10) BETWEEN '2019-01-01' AND '2021-12-31'"
        )
    }
    got = ids(corpus_db, "的", field="title", site=["12371", "people"], since="2019", until="2021")
    assert got == expected and expected
    source = ids(corpus_db, "党", source="中国组织人事报")
    assert source == oracle(conn, "党") & {
        r[0] for r in conn.execute("SELECT id FROM articles WHERE source = '中国组织人事报'")
    }
    author = ids(corpus_db, "党", author="张明", column="要闻", until="2018-06")
    assert author == oracle(conn, "党") & {
        r[0]
        for r in conn.execute(
            "SELECT id FROM articles WHERE author = '张明' AND [column] = '要闻' AND substr(published_at, 1, 10) <= '2018-06-31'"
        )
    }
    with pytest.raises(QueryError, match="is not a date"):
        search(corpus_db, "党", since="2019/01/01")


@pytest.mark.parametrize("walk", [False, True])
def test_date_order_is_newest_first_by_either_plan(corpus_db, monkeypatch, walk):
    conn = sqlite3.connect(corpus_db)
    if walk:
        monkeypatch.setattr(searching_module, "SAMPLE_MATCHES", 5)
    for query in ("党", "组织", "5G芯片", "学习 NOT 教育", "组织 OR 党", "工作 NOT 党"):
        hits = search(corpus_db, query, order="date", limit=0)
        matching = ",".join(map(str, ids(corpus_db, query)))
        expected = sorted(
            conn.execute(f"SELECT id, published_at FROM articles WHERE id IN ({matching})").fetchall(),
            key=lambda r: (r[1] or "", r[0]),
            reverse=True,
        )
        assert [h.id for h in hits] == [r[0] for r in expected]
        assert all(h.rank is None for h in hits)
        first_page = search(corpus_db, query, order="date", limit=7)
        assert [h.id for h in first_page] == [r[0] for r in expected[:7]]


def test_rank_puts_title_hits_first_and_limits(tmp_path):
    path = tmp_path / "archive.db"
    with Archive.open(path) as arc:
        body_only = arc.save_article(
            Article(url="https://x.cn/1", title="会议召开", body="会上讨论了党建工作。" * 3)
        )
        in_title = arc.save_article(
            Article(url="https://x.cn/2", title="党建工作会议", body="会上讨论了工作。" * 3)
        )
        arc.save_article(Article(url="https://x.cn/3", title="无关", body="完全无关的内容。"))
    hits = search(path, "党建")
    assert [h.id for h in hits] == [in_title.article_id, body_only.article_id]
    assert hits[0].rank > hits[1].rank > 0
    assert "<mark>党建</mark>" in hits[1].snippet
    assert len(search(path, "党建", limit=1)) == 1


def test_collapse_reposts_gives_one_row_per_story(tmp_path):
    path = tmp_path / "archive.db"
    corpus = CorpusGenerator(seed=21)
    original = corpus.article(1, body_chars=1200)
    with Archive.open(path) as arc:
        first = arc.save_article(original)
        for number, site in enumerate(("people", "gzdj"), start=2):
            copy = Article(
                url=f"https://{site}.example.cn/{number}.html",
                site=site,
                title=original.title,
                body=original.body + "（转自中国组织人事报）",
                published_at=original.published_at,
            )
            assert arc.save_article(copy).story_id == first.story_id
        other = arc.save_article(corpus.article(5, body_chars=1200))
    needle = original.body[100:104]
    all_hits = search(path, needle, limit=0)
    assert len([h for h in all_hits if h.story_id == first.story_id]) == 3
    collapsed = search(path, needle, limit=0, collapse_reposts=True)
    stories = [h.story_id for h in collapsed]
    assert len(stories) == len(set(stories)) and first.story_id in stories
    assert {h.story_id for h in all_hits} == set(stories)
    assert other.story_id != first.story_id


def test_missing_archive_is_a_clear_error(tmp_path):
    from archive import ArchiveError

    with pytest.raises(ArchiveError, match="no archive at"):
        search(tmp_path / "nothing" / "archive.db", "党建")
    assert not (tmp_path / "nothing").exists()


def test_count_equals_search_size(corpus_db):
    with Archive.open(corpus_db) as arc:
        for query in ("党", "组，织", "党建 NOT 组织"):
            assert count_matches(arc, query) == len(ids(corpus_db, query))
        assert count_matches(arc, "党", site="edge") == len(ids(corpus_db, "党", site="edge"))


def test_search_counts_read_the_narrow_facet_index_not_the_articles(arc):
    # Counting the matches of a common word by site, source, column, year and month reads the
    # narrow index in its order: no article row (its text) read, nothing sorted.
    arc.save_articles(list(CorpusGenerator(seed=3).articles(40, body_chars=200)))
    statements: list[str] = []
    arc.conn.set_trace_callback(statements.append)
    summary = summarize(arc.conn, "党", site=["12371", "people"], since="2000")
    arc.conn.set_trace_callback(None)
    assert summary.count == count_matches(arc, "党", site=["12371", "people"], since="2000") > 0
    plans = [
        " | ".join(row[3] for row in arc.conn.execute("EXPLAIN QUERY PLAN " + sql))
        for sql in statements
        if "count(*)" in sql
    ]
    assert len(plans) == 1, statements
    assert f"COVERING INDEX {FACET_INDEX}" in plans[0] and "TEMP B-TREE" not in plans[0], plans
