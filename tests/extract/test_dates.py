"""Dates: printed, in metadata, in the URL, in a 12371 ARTI id."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.dates import date_from_url, find_date, find_issue_month, parse_meta_date
from tests.extract.conftest import BODY, page


@pytest.mark.parametrize(
    "text,expected",
    [
        ("时间:2021-02-03 08:15", "2021-02-03T08:15:00+08:00"),
        ("发布时间：2022-04-17 14:46:00", "2022-04-17T14:46:00+08:00"),
        ("2021年10月01日16:30", "2021-10-01T16:30:00+08:00"),
        ("时间:2020年10月30日 08:29 编辑:张婷", "2020-10-30T08:29:00+08:00"),
        ("[2021-7-8]", "2021-07-08"),
        ("2017/06/08", "2017-06-08"),
        ("２０１９年０６月１５日０８：１８", "2019-06-15T08:18:00+08:00"),
        ("2019年06月15日08:18  来源：人民网", "2019-06-15T08:18:00+08:00"),
        ("2021-02-30", None),
        ("共12380条", None),
        ("2006/04/17 21:35", "2006-04-17T21:35:00+08:00"),
        ("8/21/2005 6:12:40 PM", "2005-08-21T18:12:40+08:00"),
        ("发表时间：12/03/2006 12:05 AM", "2006-12-03T00:05:00+08:00"),
        ("21/8/2005", "2005-08-21"),
        ("2006-11-03 阅读8812次", "2006-11-03"),
        ("2006-11-03 下午 3:20", "2006-11-03T15:20:00+08:00"),
        ("2006-11-03 25:70", "2006-11-03"),
    ],
)
def test_printed_dates_become_beijing_iso(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("《某某》1999年7月号", "1999-07"), ("2003年12月上半月刊", "2003-12"), ("1999年7月", None)],
)
def test_a_magazine_issue_gives_its_month(text: str, expected: str | None) -> None:
    assert find_issue_month(text) == expected


def test_meta_dates_with_zones_are_converted_to_beijing() -> None:
    assert parse_meta_date("2021-02-03T00:15:00Z") == "2021-02-03T08:15:00+08:00"
    assert parse_meta_date("2021-02-03 08:15") == "2021-02-03T08:15:00+08:00"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://www.zgjssw.gov.cn/a/201909/t20190918_6345678.shtml", "2019-09-18"),
        ("http://dangjian.people.com.cn/n1/2019/0615/c117092-31138470.html", "2019-06-15"),
        ("http://www.zjzzgz.gov.cn/art/2016/11/22/art_1_2.html", "2016-11-22"),
        ("http://www.dangjian.cn/shouye/2021/02/04/detail_202102047654321.html", "2021-02-04"),
        ("http://www.example.cn/about.html", None),
    ],
)
def test_dates_from_urls(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_12371_arti_id_gives_the_publish_time_in_beijing() -> None:
    # 1612399624843 ms = 2021-02-04 08:47:04 Beijing.
    url = "https://www.12371.cn/2021/02/04/ARTI1612399624843196.shtml"
    assert date_from_url(url) == "2021-02-04T08:47:04+08:00"


def test_date_only_in_the_url_is_used_with_a_warning() -> None:
    html = page("<h1>标题文字在这里</h1><div id=zoom>" + BODY + "</div>", title="标题文字在这里")
    article = extract_article(html.encode(), "http://www.example.gov.cn/art/2016/11/22/art_1_2.html")
    assert article.published_at == "2016-11-22"
    assert "date from URL" in article.warnings


def test_a_printed_date_far_from_the_arti_id_is_kept_with_a_warning() -> None:
    html = page(
        "<h1>标题文字在这里</h1><div>来源：共产党员网 2021年05月01日 10:00</div><div class=word>"
        + BODY
        + "</div>",
        title="标题文字在这里_共产党员网",
    )
    url = "https://www.12371.cn/2021/02/04/ARTI1612399624843196.shtml"
    article = extract_article(html.encode(), url)
    assert article.published_at == "2021-05-01T10:00:00+08:00"
    assert "published_at differs from the ARTI id" in article.warnings


def test_a_weekday_between_day_and_time_is_skipped() -> None:
    assert find_date("2021年2月3日 星期三 08:15") == "2021-02-03T08:15:00+08:00"
