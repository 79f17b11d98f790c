"""``orgnews serve`` as a real Datasette server: metadata, facets, hidden tables, Chinese search."""

from __future__ import annotations

import html
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from archive import Archive, search
from archive.errors import QueryError
from archive.query import parse_query
from archive.synthetic import CorpusGenerator
from crawler.extract import Article
from tests.conftest import CHROMIUM, chromium, png_rows, serving

pytestmark = pytest.mark.slow

# Articles whose text differs from a query only in punctuation or whitespace: the index alone
# cannot tell them apart, so they show whether the exact check is applied.
NEAR_MISSES = [
    ("https://e.example.cn/5g.html", "推进5G芯片党建", "组，织生活会。"),
    ("https://e.example.cn/stop.html", "组织生活会召开", "党支部组。织委员发言。"),
    ("https://e.example.cn/space.html", "学习 教育", "组 织生活会，推进5G 芯片。"),
    ("https://e.example.cn/newline.html", "学习、教育", "组\n织推进工作。"),
    ("https://e.example.cn/tab.html", "专题学习\t教育", "推进工作"),
]
SYNTHETIC_ARTICLES = 150


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve") / "data"
    synthetic = list(CorpusGenerator(seed=4).articles(SYNTHETIC_ARTICLES, body_chars=300))
    near_misses = [
        Article(url=url, site="edge", title=title, body=body, published_at=f"2024-03-0{day}")
        for day, (url, title, body) in enumerate(NEAR_MISSES, start=1)
    ]
    with Archive.open(data_dir / "archive.db") as arc:
        with arc.transaction():
            for article in synthetic[:100]:
                arc.save_article(article)
        # The rest as a bulk load that leaves their pairs for later: every search below must
        # be exact over articles indexed both ways.
        arc.save_articles(synthetic[100:] + near_misses, defer_pairs=True)
        assert arc.pairs_through() == 100 and arc.pair_backlog() == len(synthetic) - 100 + len(near_misses)
    with serving(data_dir, data_dir.parent / "serve.log") as base:
        yield base, data_dir


def get_json(base: str, path: str, **params) -> dict:
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    return json.loads(urllib.request.urlopen(url, timeout=30).read())


def get_json_error(base: str, path: str, **params) -> tuple[int, dict]:
    """The status and JSON body of a request that must fail."""
    with pytest.raises(urllib.error.HTTPError) as failed:
        get_json(base, path, **params)
    return failed.value.code, json.loads(failed.value.read())


def get_page(base: str, path: str, **params) -> str:
    return (
        urllib.request.urlopen(base + path + "?" + urllib.parse.urlencode(params), timeout=30).read().decode()
    )


def table_search(base: str, column: str = "id", **params) -> dict:
    return get_json(base, "/archive/articles.json", _size="max", _shape="objects", _col=column, **params)


QUERIES = [
    "党",
    "党建",
    "5G芯片",
    "组织生活",
    "党建 NOT 学习",
    "干部 OR 人才",
    "组，织",
    '"组 织"',
    '"学习 教育"',
    "学习、教育",
    '推进 NOT "组 织"',
    '"5G 芯片" OR 组，织',
    "(组。织 OR 5g芯片) AND 党",
    # One-character terms beside longer ones: by pairs and characters up to pairs_through.
    "组织生活 NOT 党",
    "干部 OR 党",
    "(组织生活 OR 党) NOT 人才",
    "推进 OR 组，织 NOT 党",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_box_and_saved_queries_equal_orgnews_search(server, query):
    base, data_dir = server
    db = data_dir / "archive.db"
    expected = {hit.id for hit in search(db, query, limit=0)}
    table = table_search(base, _search=query)
    assert {row["id"] for row in table["rows"]} == expected
    assert table["filtered_table_rows_count"] == len(expected)
    saved = get_json(base, "/archive/search.json", q=query, _shape="objects")
    assert [row["id"] for row in saved["rows"]] == [hit.id for hit in search(db, query, limit=200)]
    by_date = get_json(base, "/archive/search_by_date.json", q=query, _shape="objects")
    assert [row["id"] for row in by_date["rows"]] == [
        h.id for h in search(db, query, order="date", limit=200)
    ]


@pytest.mark.parametrize(("argument", "field"), [("_search_title", "title"), ("_search_body", "body")])
@pytest.mark.parametrize("query", ["学习", '"学习 教育"', "组，织", "组织 OR 推进"])
def test_search_box_by_field_equals_orgnews_search_in_that_field(server, argument, field, query):
    base, data_dir = server
    expected = {hit.id for hit in search(data_dir / "archive.db", query, field=field, limit=0)}
    assert {row["id"] for row in table_search(base, **{argument: query})["rows"]} == expected


def test_punctuation_and_spaces_are_exact_in_the_search_box_and_saved_query(server):
    base, _ = server
    titles = {row["title"] for row in table_search(base, _search="组，织", column="title")["rows"]}
    assert titles == {"推进5G芯片党建"}
    titles = {row["title"] for row in table_search(base, _search='"学习 教育"', column="title")["rows"]}
    assert titles == {"学习 教育", "专题学习\t教育"}
    saved = get_json(base, "/archive/search.json", q="组，织", _shape="objects")
    assert [row["title"] for row in saved["rows"]] == ["推进5G芯片党建"]
    assert "<mark>组，织</mark>" in saved["rows"][0]["snippet"]


def test_search_box_stays_on_the_page_with_the_query_in_it(server):
    base, _ = server
    page = get_page(base, "/archive/articles", _search='"学习 教育"')
    assert '<input id="_search" type="search" name="_search" value="&#34;学习 教育&#34;">' in page
    assert "2 rows" in page and "search matches &#34;&#34;学习 教育&#34;&#34;" in page
    assert 'id="_search"' in get_page(base, "/archive/articles")
    # The form always sends the box: left empty, it lists every article.
    everything = table_search(base, _search="  ")
    assert everything["filtered_table_rows_count"] == SYNTHETIC_ARTICLES + len(NEAR_MISSES)


def test_raw_search_mode_is_refused_with_a_reason_and_the_search_stays_exact(server):
    base, data_dir = server
    table = table_search(base, _search="组，织", _searchmode="raw")
    assert "_searchmode=raw is not available" in table["human_description_en"]
    assert (
        {row["id"] for row in table["rows"]}
        == {hit.id for hit in search(data_dir / "archive.db", "组，织", limit=0)}
        != set()
    )


BAD_QUERIES = ["NOT (", '"组织', "(党建", "党建)", '""', "NOT 党建", "党建 AND", "()"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_explains_itself_on_the_table_page_and_in_saved_queries(server, query):
    base, _ = server
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    message = str(raised.value)
    # A JSON client gets the reason as the answer: HTTP 400 with an error field.
    status, answer = get_json_error(base, "/archive/articles.json", _search=query)
    assert status == 400 and answer["ok"] is False and message in answer["error"]
    page = get_page(base, "/archive/articles", _search=query)
    assert message in html.unescape(page)
    for saved_query in ("search", "search_by_date"):
        status, answer = get_json_error(base, f"/archive/{saved_query}.json", q=query, _shape="objects")
        assert status == 400 and answer["error"] == "Cannot search: " + message and answer["rows"] == []
        status, answer = get_json_error(base, f"/archive/{saved_query}", q=query, _format="json")
        assert status == 400 and answer["error"] == "Cannot search: " + message
        page = get_page(base, f"/archive/{saved_query}", q=query)
        assert message in html.unescape(page)


def test_blank_saved_query_shows_an_empty_form_and_unknown_search_column_is_explained(server):
    base, _ = server
    assert get_json(base, "/archive/search.json", q="", _shape="objects")["rows"] == []
    reason = "_search_url cannot be used: search with _search (title and body), _search_title or _search_body"
    assert reason in html.unescape(get_page(base, "/archive/articles", _search_url="党建"))
    # A JSON client has no page to read it on: the same sentence is its one error.
    status, answer = get_json_error(base, "/archive/articles.json", _search_url="党建", _shape="objects")
    assert status == 400 and answer["ok"] is False and answer["error"] == reason


@pytest.mark.parametrize("query", ["党", "党建", "5G芯片", "组织生活", "干部 OR 人才"])
def test_escape_fts_in_hand_written_sql_finds_every_article(server, query):
    # SQL written for Datasette's own search uses escape_fts: it must find the articles whose
    # pairs are not indexed yet too.
    base, data_dir = server
    sql = (
        "select id from articles where id in "
        "(select rowid from articles_fts where articles_fts match escape_fts(:q))"
    )
    rows = get_json(base, "/archive.json", sql=sql, q=query, _shape="array")
    expected = {hit.id for hit in search(data_dir / "archive.db", query, limit=0)}
    assert {row["id"] for row in rows} == expected != set()
    assert any(row["id"] > 100 for row in rows)


def test_metadata_facets_and_hidden_tables(server):
    base, _ = server
    database = get_json(base, "/archive.json")
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles_fts", "article_signatures", "article_lsh", "index_progress"} <= hidden
    assert "articles" not in hidden
    articles = get_json(base, "/archive/articles.json", _size="1")
    assert set(articles["facet_results"]) == {"site", "source", "column", "year"}
    page = urllib.request.urlopen(base + "/archive/articles", timeout=30).read().decode()
    hiding = urllib.parse.unquote(page.split('href="data:text/css,', 1)[1].split('"', 1)[0])
    assert ".col-content_hash{display:none}" in hiding and 'class="col-title' in page
    metadata = get_json(base, "/-/metadata.json")
    columns = metadata["databases"]["archive"]["tables"]["articles"]["columns"]
    assert "story_id" in columns and "published_at" in columns


def test_served_read_only_while_a_crawl_writes(server):
    base, data_dir = server
    with Archive.open(data_dir / "archive.db") as arc:
        arc.save_article(
            Article(
                url="https://e.example.cn/new.html",
                site="edge",
                title="新到的稿件独有词镡",
                body="正文",
                published_at="2024-04-04",
            )
        )
    rows = get_json(base, "/archive/articles.json", _search="独有词镡", _shape="objects")["rows"]
    assert [row["url"] for row in rows] == ["https://e.example.cn/new.html"]
    try:
        urllib.request.urlopen(
            base + "/archive.json?" + urllib.parse.urlencode({"sql": "delete from articles"})
        )
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    with Archive.open(data_dir / "archive.db") as arc:
        assert (
            arc.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            == SYNTHETIC_ARTICLES + len(NEAR_MISSES) + 1
        )


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed")
def test_search_page_shows_results_in_a_browser(server, tmp_path):
    base, _ = server
    url = base + "/archive/articles?" + urllib.parse.urlencode({"_search": "5G芯片"})
    result = chromium(tmp_path / "chromium", "--dump-dom", url)
    dom = result.stdout.decode("utf-8", "replace")
    assert "推进5G芯片党建" in dom, result.stderr.decode("utf-8", "replace")[-2000:]
    # The page says what it searched for, and the near miss "5G 芯片" (spaced) is not a hit.
    assert 'search matches "5G芯片"' in dom
    assert "学习 教育" not in dom


def raw_request(base: str, method: str, path: str) -> int:
    """The status of a request sent as written (no normalising of ``..``), with http.client."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=b"{}" if method == "POST" else None)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


BAD_REQUESTS = [
    # A facet naming no column: first, so that anything Python writes after its answer (warnings of
    # the facet work Datasette drops) is in the log before the last line.
    ("GET", "/archive/articles?_facet=no_such_column", 400),
    ("GET", "/a/b/c/d/e", 404),
    ("GET", "/../../etc/passwd", 404),
    ("GET", "/archive/no_such_table", 404),
    ("GET", "/archive/articles/999999999", 404),
    ("GET", "/archive/no_such_table/1", 404),
    ("GET", "/archive/-/no_such_page", 404),
    ("GET", "/archive/no_such_table/1.json", 404),
    ("GET", "/archive/-/capture/" + "9" * 23, 404),  # past SQLite's integers: no such fetch
    ("POST", "/archive/sites/-/insert", 405),
    ("POST", "/archive/articles", 405),
    ("DELETE", "/archive/articles", 405),
    ("GET", "/archive/articles.json?_search=" + urllib.parse.quote("(" * 300 + "党" + ")" * 300), 400),
    ("GET", "/archive/articles.json?_search=" + urllib.parse.quote("党" + " NOT 党" * 3000), 400),
    ("GET", "/archive/search.json?q=" + urllib.parse.quote("(党 OR 建 NOT 干 " * 25 + ")" * 25), 400),
    # Hand-written SQL and filters naming what the archive lacks: Datasette's own stderr line for a
    # failed statement (connection, SQL, parameters) is not written besides ours.
    ("GET", "/archive?sql=" + urllib.parse.quote("select * from no_such_table"), 400),
    ("GET", "/archive.json?sql=" + urllib.parse.quote("select * from no_such_table"), 400),
    ("GET", "/archive.csv?sql=" + urllib.parse.quote("select * from no_such_table"), 400),
    ("GET", "/archive/articles.json?_where=" + urllib.parse.quote("no_such.x = 1"), 400),
    # A sort the table cannot give is the request's mistake, not the server's.
    ("GET", "/archive/articles?_sort=no_such_column", 400),
    ("GET", "/archive/articles.json?_sort=id&_sort_desc=id", 400),
]


def test_requests_it_cannot_serve_get_their_status_and_one_log_line(server):
    base, data_dir = server
    log_path = data_dir.parent / "serve.log"
    before = log_path.read_bytes()
    for method, path, status in BAD_REQUESTS:
        assert raw_request(base, method, path) == status, (method, path)
    # Deep or long queries are explained on the HTML pages too, not answered with a server error.
    page = get_page(base, "/archive/articles", _search="(" * 300 + "党" + ")" * 300)
    assert "at most 200 are read" in html.unescape(page)
    deadline = time.monotonic() + 10  # the server may write a line just after answering
    while (written := log_path.read_bytes()[len(before) :].decode()).count(" -> ") < len(BAD_REQUESTS):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "Traceback" not in written and "locals" not in written
    lines = [line for line in written.splitlines() if " -> " in line]
    assert len(lines) == len(BAD_REQUESTS) and lines == written.splitlines(), written
    for (method, path, status), line in zip(BAD_REQUESTS, lines, strict=True):
        assert line.startswith(f"{method} {path.split('?')[0]} -> {status}"), line
        if "sql=" in path:  # hand-written SQL: the line says what SQLite said
            assert line.endswith("no such table: no_such_table"), line


@pytest.mark.parametrize("query", ["党建", "组，织", "干部 OR 人才"])
def test_facets_of_a_search_count_exactly_its_matches(server, query):
    from collections import Counter

    base, data_dir = server
    table = get_json(base, "/archive/articles.json", _search=query, _facet="site", _size="0")
    facet = {row["value"]: row["count"] for row in table["facet_results"]["site"]["results"]}
    expected = Counter(hit.site for hit in search(data_dir / "archive.db", query, limit=0))
    assert facet == dict(expected) and table["filtered_table_rows_count"] == sum(expected.values())


@pytest.mark.parametrize("page", ["999", "99999999999999999999"])
def test_a_page_past_the_last_says_so_and_links_to_the_last(server, page):
    base, data_dir = server
    count = len(search(data_dir / "archive.db", "党", limit=0))
    last = -(-count // 20)
    answer = html.unescape(get_page(base, "/archive/-/search", q="党", page=page))
    assert "is past the last page" in answer and f"go to page {last}" in answer
    assert "page=" + str(last) in answer and "next →" not in answer
    # A client paging through the JSON gets an empty page at the end, not an error.
    data = get_json(base, "/archive/-/search.json", q="党", page=page)
    assert data["error"] is None and data["count"] == count and data["hits"] == []


def test_the_words_searched_are_marked_in_the_titles_too(server):
    import lxml.html

    base, data_dir = server
    (hit,) = [h for h in search(data_dir / "archive.db", "5G芯片", limit=0) if h.title == "推进5G芯片党建"]
    page = lxml.html.fromstring(get_page(base, "/archive/-/search", q="5G芯片"))
    titles = {
        link.get("href").split("?")[0]: [m.text for m in link.cssselect("mark")]
        for link in page.cssselect("li.hit h3 a")
    }
    assert titles[f"/archive/articles/{hit.id}"] == ["5G芯片"]
    article = lxml.html.fromstring(get_page(base, f"/archive/articles/{hit.id}", q="5G芯片"))
    (heading,) = article.cssselect("h1.article-title")
    assert heading.text_content() == "推进5G芯片党建" and [m.text for m in heading.cssselect("mark")] == [
        "5G芯片"
    ]


@pytest.mark.parametrize(("argument", "label"), [("since", "from"), ("until", "to")])
def test_a_date_that_cannot_be_read_is_named_by_the_page_label(server, argument, label):
    import lxml.html

    base, _ = server
    expected = f"{label} '2024/03' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"
    try:
        get_page(base, "/archive/-/search", q="党", **{argument: "2024/03"})
    except urllib.error.HTTPError as answer:
        status, body = answer.code, answer.read().decode()
    assert status == 400
    error = lxml.html.fromstring(body).cssselect(".orgnews-error")[0].text_content()
    assert expected in error and "--" not in error, error
    try:
        get_json(base, "/archive/-/search.json", q="党", **{argument: "2024/03"})
    except urllib.error.HTTPError as answer:
        status, data = answer.code, json.loads(answer.read())
    assert status == 400 and data["error"].startswith(expected) and data["hits"] == []


def test_a_site_the_archive_lacks_is_named_not_searched_for_nothing(server):
    import lxml.html

    base, _ = server
    try:
        get_page(base, "/archive/-/search", q="党", site="no_such_site")
    except urllib.error.HTTPError as answer:
        status, body = answer.code, answer.read().decode()
    assert status == 400
    error = lxml.html.fromstring(body).cssselect(".orgnews-error")[0].text_content()
    assert "unknown site 'no_such_site': this archive holds " in error, error
    status, data = get_json_error(base, "/archive/-/search.json", q="党", site="no_such_site")
    assert status == 400 and data["error"].startswith("unknown site 'no_such_site'") and data["hits"] == []


def test_descriptions_on_the_pages_are_text_not_markdown(server):
    import lxml.html

    base, _ = server
    for path in ("/", "/archive", "/archive/articles", "/archive/search", "/archive/search_by_date"):
        page = lxml.html.fromstring(get_page(base, path))
        for script in page.xpath("//script"):
            script.drop_tree()
        shown = page.text_content() + " ".join(page.xpath("//@title"))
        # Datasette shows a description as it is written: Markdown's backquotes would show too.
        assert "`" not in shown, path


def leftmost_mark(channels: int, rows: list[bytes]) -> int:
    """The x of the leftmost pixel in the colour of a marked word (#ffe58a)."""
    found = []
    for row in rows:
        for x in range(len(row) // channels):
            red, green, blue = row[x * channels : x * channels + 3]
            if abs(red - 0xFF) < 4 and abs(green - 0xE5) < 4 and abs(blue - 0x8A) < 4:
                found.append(x)
                break
    assert found, "no marked word on the screenshot"
    return min(found)


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed")
def test_on_a_narrow_window_the_hits_take_the_width_and_come_before_the_facets(server, tmp_path):
    base, _ = server
    url = base + "/archive/-/search?" + urllib.parse.urlencode({"q": "党"})
    left = {}
    for width in (420, 1280):
        shot = tmp_path / f"search-{width}.png"
        chromium(tmp_path / "chromium", f"--window-size={width},1400", f"--screenshot={shot}", url)
        left[width] = leftmost_mark(*png_rows(shot))
    # On a phone the hits start at the page's margin (not beside a 220 px column of facets that
    # left them a sliver); on a desktop the facets stay on their left.
    assert left[420] < 60 and left[1280] > 250, left


def test_the_chosen_dates_are_named_as_the_fields_that_set_them(server):
    import lxml.html

    base, _ = server
    page = lxml.html.fromstring(get_page(base, "/archive/-/search", q="党", since="2024", until="2024-03"))
    chips = [chip.text_content().strip().rstrip("×").strip() for chip in page.cssselect(".facets .chip")]
    assert chips == ["from 2024", "to 2024-03"], chips
    labels = [label.text_content().strip() for label in page.cssselect(".orgnews-searchbox .options label")]
    assert any(label.startswith("from") for label in labels) and any(
        label.startswith("to") for label in labels
    )


def test_a_from_after_the_to_is_named_by_the_page_labels(server):
    import lxml.html

    base, _ = server
    try:
        get_page(base, "/archive/-/search", q="党", since="2025-03", until="2024")
    except urllib.error.HTTPError as answer:
        status, body = answer.code, answer.read().decode()
    assert status == 400
    error = lxml.html.fromstring(body).cssselect(".orgnews-error")[0].text_content()
    assert "from 2025-03 is after to 2024" in error and "--" not in error, error
