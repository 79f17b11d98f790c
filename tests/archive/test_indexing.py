"""The pair index behind the character index: bulk loads that defer pairs, catching up, edits.

Articles up to ``pairs_through`` are in the index as characters and pairs, later ones as
characters only; every search must stay exact whatever the split, and catching up must
survive being interrupted.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from archive import Archive, ArchiveError, search
from archive.indexing import FTS_AUTOMERGE, FTS_CRISISMERGE
from archive.query import parse_query
from archive.searching import count_matches, matching_ids, run_search
from archive.store import upgrade
from archive.synthetic import CorpusGenerator
from crawler.extract import Article
from tests.archive.test_schema import archive_at_schema
from tests.archive.test_searching import mixed_queries, oracle, sample_queries
from tests.conftest import ROOT

BOOLEAN_QUERIES = [
    "党建 NOT 干部",
    "干部 OR 人才",
    "(组织 OR 5G芯片) AND 党",
    "党 干部 NOT 人才",
    "组织 NOT 党",
    "干部 OR 党",
    "(组织 OR 党) NOT 人才",
    "党 NOT (组织 OR 人)",
    "干部 OR (党 组织)",
    "全面从严治党",
    "组，织",
    "党",
]


class Interrupted(Exception):
    pass


def corpus(count: int = 240, seed: int = 21) -> list[Article]:
    return list(CorpusGenerator(seed=seed).articles(count, body_chars=300))


def fts_count(arc: Archive, expression: str, table: str = "articles_fts") -> int:
    sql = f"SELECT count(*) FROM {table} WHERE {table} MATCH ?"
    return arc.conn.execute(sql, [expression]).fetchone()[0]


def pair_count(arc: Archive, pairs: str) -> int:
    """Articles whose pair index holds the phrase of ``pairs`` (space-separated pair tokens)."""
    return fts_count(arc, f'"{pairs}"', "articles_pairs")


def assert_exact(path, queries) -> None:
    """Search, date order and count of each query equal a scan: ``queries`` of single terms, or
    (query, its matches) pairs."""
    conn = sqlite3.connect(path)
    for query in queries:
        query, expected = query if isinstance(query, tuple) else (query, oracle(conn, query))
        found = {hit.id for hit in search(path, query, limit=0)}
        assert found == expected, query
        by_date = {hit.id for hit in search(path, query, limit=0, order="date")}
        assert by_date == expected, query
        with Archive.open(path) as arc:
            assert count_matches(arc, query) == len(expected), query


def boolean_oracle(conn: sqlite3.Connection, query: str) -> set[int]:
    everything = {r[0] for r in conn.execute("SELECT id FROM articles")}
    cases = {
        "党建 NOT 干部": lambda: oracle(conn, "党建") - oracle(conn, "干部"),
        "干部 OR 人才": lambda: oracle(conn, "干部") | oracle(conn, "人才"),
        "(组织 OR 5G芯片) AND 党": lambda: (
            (oracle(conn, "组织") | oracle(conn, "5g芯片")) & oracle(conn, "党")
        ),
        "党 干部 NOT 人才": lambda: oracle(conn, "党") & (oracle(conn, "干部") - oracle(conn, "人才")),
        "组织 NOT 党": lambda: oracle(conn, "组织") - oracle(conn, "党"),
        "干部 OR 党": lambda: oracle(conn, "干部") | oracle(conn, "党"),
        "(组织 OR 党) NOT 人才": lambda: (oracle(conn, "组织") | oracle(conn, "党")) - oracle(conn, "人才"),
        "党 NOT (组织 OR 人)": lambda: oracle(conn, "党") - oracle(conn, "组织") - oracle(conn, "人"),
        "干部 OR (党 组织)": lambda: oracle(conn, "干部") | (oracle(conn, "党") & oracle(conn, "组织")),
        "全面从严治党": lambda: oracle(conn, "全面从严治党"),
        "组，织": lambda: oracle(conn, "组，织"),
        "党": lambda: oracle(conn, "党"),
    }
    return cases[query]() & everything


def test_search_is_exact_before_during_and_after_catching_up(tmp_path):
    path = tmp_path / "archive.db"
    articles = corpus()
    with Archive.open(path) as arc:
        # Sixty articles saved one by one get their pairs at once; the bulk load after them does not.
        for article in articles[:60]:
            arc.save_article(article)
        assert arc.pairs_through() == 60 and arc.pair_backlog() == 0
        arc.save_articles(articles[60:], defer_pairs=True, batch=50)
        assert arc.pairs_through() == 60
        assert arc.pair_backlog() == len(articles) - 60
    queries = sample_queries(sqlite3.connect(path), 80, seed=3)
    conn = sqlite3.connect(path)
    mixed = mixed_queries(conn, 60, seed=5)

    def check() -> None:
        assert_exact(path, queries)
        for query in BOOLEAN_QUERIES:
            assert {h.id for h in search(path, query, limit=0)} == boolean_oracle(conn, query), query
        # Mixed queries read the pairs up to pairs_through and the characters after it, in id
        # order (which tells date order how common a query is).
        assert_exact(path, mixed)
        for query, expected in mixed:
            if parse_query(query).exact:
                assert matching_ids(conn, query) == sorted(expected), query

    check()
    with Archive.open(path) as arc:

        def stop_after_first_batch(done: int, total: int) -> None:
            raise Interrupted

        with pytest.raises(Interrupted):
            arc.index_pairs(batch=70, progress=stop_after_first_batch)
        # The first batch was committed with its watermark; nothing else changed.
        assert arc.pairs_through() == 130
        assert arc.pair_backlog() == len(articles) - 130
    check()
    with Archive.open(path) as arc:
        seen: list[tuple[int, int]] = []
        assert arc.index_pairs(batch=70, progress=lambda done, total: seen.append((done, total))) == 110
        assert seen == [(70, 110), (110, 110)]
        assert arc.pair_backlog() == 0 and arc.pairs_through() == len(articles)
        assert arc.index_pairs() == 0
        # The articles indexed late hold exactly the pairs the early ones do.
        assert pair_count(arc, "党建") == len(oracle(conn, "党建")) > 0
    check()


def test_ranked_results_are_the_same_set_whatever_the_split(tmp_path):
    articles = corpus(120, seed=8)
    with Archive.open(tmp_path / "paired.db") as paired, Archive.open(tmp_path / "later.db") as later:
        paired.save_articles(articles)
        later.save_articles(articles, defer_pairs=True)
        assert paired.pair_backlog() == 0 and later.pair_backlog() == 120
        for query in ("组织", "干部", "党"):
            first = run_search(paired, query, limit=0)
            second = run_search(later, query, limit=0)
            assert {h.id for h in first} == {h.id for h in second} != set()
            # Title hits stay first in both: a title match outweighs any body match.
            for hits in (first, second):
                in_title = [query in (h.title or "") for h in hits]
                assert in_title == sorted(in_title, reverse=True)


def test_a_mixed_query_ranks_by_bm25_over_both_kinds_of_term_whatever_the_split(tmp_path):
    # Same-length bodies, so BM25 tells the articles apart by where and how many terms they hold.
    shown = {
        "organized in title": ("组织生活会", "会议如期召开。"),
        "organized in body": ("会议", "召开组织生活会，上好课。"),
        "party in title": ("党课", "会议如期召开。"),
        "party in body": ("会议", "召开好生活会，上党课。"),
        "both in body": ("会议", "召开组织生活会，上党课。"),
    }
    fillers = [(f"会议{n}", "乡村振兴驻村帮扶工作。") for n in range(20)]
    articles = [
        Article(url=f"https://r.example.cn/{n}.html", site="rank", title=title, body=body)
        for n, (title, body) in enumerate([*shown.values(), *fillers])
    ]
    ids = {name: n + 1 for n, name in enumerate(shown)}
    with Archive.open(tmp_path / "paired.db") as paired, Archive.open(tmp_path / "later.db") as later:
        paired.save_articles(articles)
        later.save_articles(articles, defer_pairs=True)
        for arc in (paired, later):
            rank = {hit.id: hit.rank for hit in run_search(arc, "组织生活 OR 党", limit=0)}
            assert set(rank) == set(ids.values())
            assert rank[ids["organized in title"]] > rank[ids["organized in body"]]
            assert rank[ids["party in title"]] > rank[ids["party in body"]]
            # An article holding both terms scores for both: above either one alone.
            both = rank[ids["both in body"]]
            assert both > rank[ids["organized in body"]] and both > rank[ids["party in body"]]
            excluded = [hit.id for hit in run_search(arc, "组织生活 NOT 党", limit=0)]
            assert excluded == [ids["organized in title"], ids["organized in body"]]
            assert [hit.id for hit in run_search(arc, "组织生活 NOT 党", limit=1)] == excluded[:1]


def test_single_saves_get_pairs_only_when_nothing_waits(tmp_path):
    articles = corpus(12, seed=2)
    with Archive.open(tmp_path / "archive.db") as arc:
        arc.save_article(articles[0])
        assert arc.pairs_through() == 1
        arc.save_articles(articles[1:6], defer_pairs=True)
        arc.save_article(articles[6])  # behind the backlog: characters only, in id order later
        assert arc.pairs_through() == 1 and arc.pair_backlog() == 6
        assert arc.index_pairs() == 6
        arc.save_article(articles[7])
        assert arc.pairs_through() == 8 and arc.pair_backlog() == 0
        # A bulk save without deferral pairs as it goes.
        arc.save_articles(articles[8:])
        assert arc.pairs_through() == 12


@pytest.mark.parametrize("deferred", [False, True])
def test_an_edit_replaces_the_index_row_in_its_own_form(tmp_path, deferred):
    path = tmp_path / "archive.db"
    first = Article(
        url="https://e.example.cn/1.html", site="edge", title="干部培训", body="乡村振兴驻村帮扶工作"
    )
    other = Article(url="https://e.example.cn/2.html", site="edge", title="组织生活", body="三会一课制度")
    with Archive.open(path) as arc:
        arc.save_articles([first, other], defer_pairs=deferred)
        edited = Article(url=first.url, site="edge", title="干部培训", body="基层党建引领发展")
        assert arc.save_article(edited).status == "updated"
        assert arc.pairs_through() == (0 if deferred else 2)
    for query, expected in (("驻村帮扶", set()), ("党建引领", {1}), ("三会一课", {2}), ("干部", {1})):
        assert {h.id for h in search(path, query, limit=0)} == expected, query
    with Archive.open(path) as arc:
        arc.index_pairs()
        # The old text left nothing behind in either form, and the new text is there in both.
        assert fts_count(arc, '{title body} : "驻 村"') == 0
        assert pair_count(arc, "驻村") == 0
        assert pair_count(arc, "党建 建引") == 1
    assert {h.id for h in search(path, "驻村帮扶", limit=0)} == set()
    assert {h.id for h in search(path, "党建引领", limit=0)} == {1}


def test_upgrade_leaves_the_pairs_of_every_article_to_index_pairs(tmp_path):
    path = tmp_path / "archive.db"
    conn = archive_at_schema(path, 7, 5)
    upgrade(conn)
    conn.close()
    with Archive.open(path) as arc:
        assert arc.pairs_through() == 0 and arc.pair_backlog() == 5
        assert fts_count(arc, '{title body} : "组 织"') == 5 and pair_count(arc, "组织") == 0
        assert {hit.id for hit in search(path, "组织工作", limit=0)} == {1, 2, 3, 4, 5}
        assert arc.index_pairs() == 5
        assert pair_count(arc, "组织 织工") == 5 and arc.pairs_through() == 5


def segments(arc: Archive, table: str = "articles_fts") -> int:
    """How many segments an index table is in (each has at least one leaf page listed in its _idx)."""
    return arc.conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]


def index_options(conn: sqlite3.Connection) -> dict[str, int]:
    """The merge options of the index, which both its tables share."""
    options = [
        dict(conn.execute(f"SELECT k, v FROM {table}_config WHERE k LIKE '%merge'"))
        for table in ("articles_fts", "articles_pairs")
    ]
    assert options[0] == options[1]
    return options[0]


def test_bulk_load_leaves_its_segments_to_merge_index(tmp_path):
    path = tmp_path / "archive.db"
    articles = corpus(120, seed=8)
    while_loading: list[int] = []
    with Archive.open(path) as arc:
        arc.save_articles(
            articles,
            batch=5,
            defer_pairs=True,
            defer_stories=True,
            progress=lambda stored: while_loading.append(index_options(arc.conn)["automerge"]),
        )
        # One segment per batch, none merged while loading; merging is back on afterwards.
        assert set(while_loading) == {0} and len(while_loading) == 24
        assert segments(arc) == 24
        assert index_options(arc.conn) == {
            "automerge": FTS_AUTOMERGE,
            "crisismerge": FTS_CRISISMERGE,
            "usermerge": 16,
        }
    queries = sample_queries(sqlite3.connect(path), 25, seed=8)
    assert_exact(path, queries)
    assert_boolean_exact(path)
    merged_so_far: list[int] = []
    with Archive.open(path) as arc:
        merged = arc.merge_index(pages=20, progress=merged_so_far.append)
        assert merged > 0 and merged_so_far[-1] == merged and len(merged_so_far) > 1
        assert segments(arc) < FTS_AUTOMERGE
        assert arc.merge_index() == 0
    assert_exact(path, queries)
    assert_boolean_exact(path)


def assert_boolean_exact(path) -> None:
    conn = sqlite3.connect(path)
    for query in BOOLEAN_QUERIES:
        assert {hit.id for hit in search(path, query, limit=0)} == boolean_oracle(conn, query), query


def test_an_interrupted_bulk_load_turns_merging_back_on(tmp_path):
    path = tmp_path / "archive.db"
    articles = [*corpus(30, seed=3), Article(url="", title="无网址", body="正文")]
    with Archive.open(path) as arc:
        with pytest.raises(ArchiveError, match="without a URL"):
            arc.save_articles(articles, batch=10, defer_pairs=True, defer_stories=True)
        assert index_options(arc.conn)["automerge"] == FTS_AUTOMERGE
        assert arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 30


def test_upgrade_sets_the_merge_options(tmp_path):
    conn = archive_at_schema(tmp_path / "archive.db", 10, 5)
    upgrade(conn)
    assert index_options(conn) == {
        "automerge": FTS_AUTOMERGE,
        "crisismerge": FTS_CRISISMERGE,
        "usermerge": 16,
    }
    conn.close()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_index_command_catches_up_and_says_how_far(tmp_path):
    data_dir = tmp_path / "data"
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_articles(corpus(80, seed=6), defer_pairs=True, defer_stories=True)
    before = run_cli("search", "干部", "--limit", "0", "--format", "json", "--data-dir", str(data_dir))
    assert before.returncode == 0, before.stderr
    folded = run_cli("search", "干部", "--collapse-reposts", "--data-dir", str(data_dir))
    assert (
        folded.returncode == 0
        and "80 articles of a bulk load are not grouped into stories yet" in folded.stderr
    )
    result = run_cli("index", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "grouped 80 articles into stories, indexed the character pairs of 80" in result.stdout
    assert "grouped 80 of 80 articles" in result.stderr and "paired 80 of 80 articles" in result.stderr
    with Archive.open(data_dir / "archive.db") as arc:
        assert arc.pair_backlog() == 0 and arc.pairs_through() == 80
        assert arc.story_backlog() == 0 and arc.stories_through() == 80
    after = run_cli("search", "干部", "--limit", "0", "--format", "json", "--data-dir", str(data_dir))
    # The same hits; only the scores differ, pairs and characters being different terms to BM25.
    assert (
        {hit["id"]: hit["snippet"] for hit in json.loads(after.stdout)}
        == {hit["id"]: hit["snippet"] for hit in json.loads(before.stdout)}
        != {}
    )
    again = run_cli("index", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "already up to date" in again.stdout
    folded = run_cli("search", "干部", "--collapse-reposts", "--data-dir", str(data_dir))
    assert folded.returncode == 0 and "not grouped" not in folded.stderr


def test_index_command_merges_the_segments_of_a_bulk_load(tmp_path):
    data_dir = tmp_path / "data"
    path = data_dir / "archive.db"
    with Archive.open(path) as arc:
        arc.save_articles(corpus(80, seed=7), batch=4)  # grouped and paired at once, 20 segments
        assert segments(arc) == segments(arc, "articles_pairs") == 20
        assert not arc.pair_backlog() and not arc.story_backlog()
    queries = sample_queries(sqlite3.connect(path), 20, seed=7)
    expected = {query: {hit.id for hit in search(path, query, limit=0)} for query in queries}
    result = run_cli("index", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "grouped 0 articles into stories, indexed the character pairs of 0 and merged" in result.stdout
    assert " index pages" in result.stderr and "grouping" not in result.stderr
    with Archive.open(path) as arc:
        assert segments(arc) < FTS_AUTOMERGE and segments(arc, "articles_pairs") < FTS_AUTOMERGE
    assert {query: {hit.id for hit in search(path, query, limit=0)} for query in queries} == expected
    assert_exact(path, queries)
    again = run_cli("index", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "already up to date" in again.stdout


def test_index_command_on_a_missing_archive_is_a_clear_error(tmp_path):
    result = run_cli("index", "--data-dir", str(tmp_path / "nothing"))
    assert result.returncode != 0
    assert "no archive at" in result.stderr and "Traceback" not in result.stderr


def test_import_loads_json_lines_and_reports_what_it_skipped(tmp_path):
    data_dir = tmp_path / "data"
    articles = corpus(40, seed=9)
    lines = [json.dumps(article.to_dict(), ensure_ascii=False) for article in articles]
    lines[5:5] = ["{not json", '{"title": "无网址"}', "", "[1, 2]"]
    source = tmp_path / "articles.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", str(source), "--data-dir", str(data_dir))
    # Three bad lines are named with their line numbers; every article is stored anyway.
    assert result.returncode == 1
    assert "40 new" in result.stdout and "stories and the search index are up to date" in result.stdout
    assert f"{source}:6: not JSON" in result.stderr and f"{source}:7: not an article" in result.stderr
    assert f"{source}:9: not an article" in result.stderr and "3 lines were not articles" in result.stderr
    # Both steps say how far they are: the load after each batch, the pairs after each of theirs.
    assert "stored 40 articles" in result.stderr
    assert "grouped 40 of 40 articles" in result.stderr and "paired 40 of 40 articles" in result.stderr
    path = data_dir / "archive.db"
    with Archive.open(path) as arc:
        assert arc.pair_backlog() == 0 and arc.pairs_through() == 40
        assert arc.story_backlog() == 0 and arc.stories_through() == 40
    assert_exact(path, sample_queries(sqlite3.connect(path), 30, seed=4))
    # Again from standard input, one article edited: one update, the rest unchanged, pairs left for later.
    edited = {**articles[0].to_dict(), "body": "全面从严治党向纵深发展"}
    stdin = "\n".join([json.dumps(edited, ensure_ascii=False), *lines[1:5], *lines[9:]])
    again = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "import", "-", "--index-later", "--data-dir", str(data_dir)],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "0 new, 1 updated, 39 unchanged" in again.stdout
    assert (
        "0 for their pairs, and the index segments it wrote are not merged yet: run orgnews index"
        in again.stderr
    )
    assert {hit.id for hit in search(path, "全面从严治党向纵深", limit=0)} == {1}
    with Archive.open(path) as arc:
        assert arc.conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 1


def test_a_query_mixing_single_characters_with_longer_terms_reads_the_pairs_for_the_longer():
    # 党 has no pair; the rest of an AND is still looked up by pairs, and 党 checked beside them.
    query = parse_query("党 组织生活 NOT 干部")
    assert query.fts == '({body title} : "组织 织生 生活" NOT {body title} : "干部")'
    assert query.fts_beside == '{body title} : "党"'
    assert parse_query("组织生活 干部").fts_beside is None
    # Joined by OR or NOT, the longer terms are read by pairs too, and 党 by characters beside them.
    expressions = {
        "党 OR 组织生活": {"pairs": "组织 织生 生活", "either": "党"},
        "组织生活 NOT 党": {"pairs": "组织 织生 生活", "excluded_characters": "党"},
        "党 NOT 组织生活": {"either": "党", "excluded_pairs": "组织 织生 生活"},
        "(组织生活 OR 党) NOT 人才": {"pairs": "组织 织生 生活", "either": "党", "excluded_pairs": "人才"},
        "组织生活 NOT (党 OR 人才)": {
            "pairs": "组织 织生 生活",
            "excluded_pairs": "人才",
            "excluded_characters": "党",
        },
        # A part these expressions cannot hold is read by characters as a whole.
        "干部 OR (党 组织生活)": {"pairs": "干部", "either": ("党", "组 织 生 活")},
        "(党 OR 组织生活) 干部": {"pairs": "干部", "beside": ("党", "组 织 生 活")},
        "组织生活 NOT (党 干部)": {"pairs": "组织 织生 生活", "excluded_characters": ("党", "干 部")},
    }
    for text, expected in expressions.items():
        parts = parse_query(text).index_expressions
        del parts["characters"]
        assert {name for name, value in parts.items() if value is not None} == set(expected), text
        for name, phrases in expected.items():
            for phrase in (phrases,) if isinstance(phrases, str) else phrases:
                assert f'"{phrase}"' in parts[name], (text, name)
    # Only the characters decide a query of single characters, or one whose OR holds a NOT.
    for alone in ("党", "党 OR 县", "(组织生活 NOT 党) OR 人"):
        parts = parse_query(alone).index_expressions
        assert [name for name, value in parts.items() if value is not None] == ["characters"], alone
