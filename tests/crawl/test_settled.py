"""URLs settled as never-articles, kept across runs."""

from __future__ import annotations


def test_settled_urls_survive_a_cut_last_line(tmp_path) -> None:
    from crawler.settled import SettledUrls, settled_reason

    path = tmp_path / "jobs" / "gov" / "settled.tsv"
    settled = SettledUrls(path).load()
    settled.add("https://www.gov.cn/xinwen/2026-11/01/content_1.htm", "HTTP 404")
    settled.add("https://www.gov.cn/xinwen/2026-11/01/content_1.htm", "HTTP 404")
    settled.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("https://www.gov.cn/xinwen/2026-11/02/content_2.htm\tHT")
    again = SettledUrls(path).load()
    assert set(again.reasons) == {"https://www.gov.cn/xinwen/2026-11/01/content_1.htm"}
    assert settled_reason("error", 404, None, "HTTP 404") == "HTTP 404"
    assert settled_reason("error", 503, None, "HTTP 503") is None
    assert settled_reason("not-article", 200, "list-page", "list-page: 40 links") == "list-page: 40 links"
    assert settled_reason("not-article", 200, "no-body", "no-body: nothing found") is None
