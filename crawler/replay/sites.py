"""One builder per replayed site: its articles, its lists in the site's own format, its robots.txt.

The URLs are the real ones the profiles in ``crawler/sites`` crawl; only the articles are ours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from crawler.replay import corpus
from crawler.replay import templates as t
from crawler.replay.pages import (
    NEWEST,
    ROBOTS,
    Output,
    epoch_ms,
    html_list,
    make_stories,
    numbered_pager,
    relate,
)
from crawler.replay.templates import Story


def robots(out: Output, *hosts: str, extra: str = "") -> None:
    for host in hosts:
        out.page(f"https://{host}/robots.txt", ROBOTS + extra)


def chunks(items: list[Story], size: int) -> list[list[Story]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def js_string(text: str, quote: str = '"') -> str:
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    return f"'{escaped}'" if quote == "'" else f'"{escaped}"'


def site_12371(out: Output) -> None:
    stories = make_stories(
        1, 14, column="最新发布", sources=["共产党员网", "中国组织人事报", "人民日报", "新华社"]
    )
    for i, story in enumerate(stories):
        host = "news.12371.cn" if i >= 12 else "www.12371.cn"
        story.url = f"https://{host}/{story.when:%Y/%m/%d}/ARTI{epoch_ms(story.when)}{i:03d}.shtml"
        if i >= 8:
            story.column = "中组部"
    extra = make_stories(
        101, 1, column="最新发布", sources=["共产党员网"], newest=NEWEST + timedelta(days=1)
    )[0]
    extra.url = f"https://www.12371.cn/{extra.when:%Y/%m/%d}/ARTI{epoch_ms(extra.when)}900.shtml"
    relate(stories)

    def zxfb(items: list[Story]) -> str:
        rows = []
        for i, s in enumerate(items):
            # The site mixes quoting styles and sometimes escapes slashes; the reader must take all of them.
            quote = "'" if i % 2 else '"'
            link = js_string(s.url, quote)
            link = link.replace("/", "\\/") if i % 4 == 3 else link
            rows.append(
                f"{{title:{js_string(s.title, quote)},brief:{js_string(s.brief, quote)},"
                f"link_add:{link},time:'{s.when:%Y-%m-%d}'}}"
            )
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>最新发布_共产党员网</title></head><body>\n'
            '<div class="header"><a href="https://www.12371.cn/">首页</a> <a href="https://news.12371.cn/dzybmbdj/zzb/">中组部</a></div>\n'
            '<div class="list_box"><ul id="showData"></ul><div id="page"></div></div>\n'
            '<script type="text/javascript">\nvar item=[' + ",\n".join(rows) + "];\n"
            "var html='';for(var i=0;i<item.length;i++){html+='<li><a href=\"'+item[i].link_add+'\">'+item[i].title+'</a></li>';}\n"
            "document.getElementById('showData').innerHTML=html;\n</script>\n</body></html>\n"
        )

    out.page("https://www.12371.cn/zxfb/", zxfb(stories[:8]))
    out.page("https://www.12371.cn/zxfb/", zxfb([extra, *stories[:8]]), snapshot=2)
    names = ["index.shtml", "index_1.shtml"]
    pages = [[*stories[8:12], stories[0], stories[1]], stories[12:]]
    for n, items in enumerate(pages):
        url = "https://news.12371.cn/dzybmbdj/zzb/" + ("" if n == 0 else names[n])
        # Protocol-relative links, as the column pages print them.
        out.page(
            url,
            html_list(
                "中组部_共产党员网",
                items,
                numbered_pager(names, n),
                href=lambda s: s.url.replace("https:", ""),
            ),
        )
    for story in [*stories, extra]:
        snapshot = 2 if story is extra else 1
        out.page(story.url, t.page_12371(story), snapshot=snapshot)
        out.expect("12371", story, snapshot=snapshot)
    edited = stories[2]
    edited.paragraphs = [
        *edited.paragraphs[:-1],
        "（本文于发布后更新：补充了有关工作进展的最新情况。）",
        edited.paragraphs[-1],
    ]
    out.page(edited.url, t.page_12371(edited), snapshot=2)
    robots(out, "www.12371.cn", "news.12371.cn")


def notice(seed: int, place: str, when_offset: int) -> Story:
    people = [corpus.NOTICE_PEOPLE[(seed + k) % len(corpus.NOTICE_PEOPLE)] for k in range(2 + seed % 2)]
    body = [
        f"为进一步扩大干部工作民主，加强对干部选拔任用工作的监督，根据《党政领导干部选拔任用工作条例》有关规定，"
        f"经{place}省委同意，现将{len(people)}名同志拟任职情况予以公示。"
    ]
    for name, sex, born, now, post in people:
        body.append(f"{name}，{sex}，汉族，{born}生，大学学历，中共党员，现任{now}，{post}。")
    body.append(
        "公示时间为5个工作日。公示期间，对公示对象有情况反映的，可通过来电、来信、来访等方式向省委组织部反映。"
    )
    body.append("受理电话：12380（举报专用）。反映问题要实事求是，提倡署真实姓名。")
    story = make_stories(seed, 1, column="任前公示", sources=[f"{place}日报"])[0]
    story.title = f"中共{place}省委组织部干部任前公示"
    story.paragraphs = body
    story.author = None
    story.when -= timedelta(days=when_offset)
    return story


def site_people(out: Output) -> None:
    news = make_stories(
        2, 10, column="党建", sources=["人民网－中国共产党新闻网", "人民日报", "中国组织人事报"]
    )
    for i, story in enumerate(news):
        story.url = f"http://dangjian.people.com.cn/n1/{story.when:%Y/%m%d}/c117092-{40600000 + i}.html"
    cpc = make_stories(3, 4, column="高层动态", sources=["人民网－中国共产党新闻网"])
    for i, story in enumerate(cpc):
        if i >= 2:
            story.when = story.when.replace(year=2019)
        story.url = f"http://cpc.people.com.cn/n1/{story.when:%Y/%m%d}/c64094-{31138000 + i}.html"
    notices = [notice(40 + k, corpus.PLACES[k * 3], k * 3) for k in range(4)]
    for i, story in enumerate(notices):
        story.url = f"http://renshi.people.com.cn/n1/{story.when:%Y/%m%d}/c139617-{32500000 + i}.html"
    relate(news)

    names = ["index.html", "index2.html", "index3.html"]
    for n, items in enumerate(chunks(news, 4)):
        out.page(
            f"http://dangjian.people.com.cn/GB/394443/{names[n]}",
            html_list(
                "党建要闻--党建-人民网",
                items,
                numbered_pager(names, n),
                href=lambda s: s.url.replace("http://dangjian.people.com.cn", ""),
            ),
        )
    out.page(
        "http://cpc.people.com.cn/GB/64093/64094/index.html", html_list("高层动态--中国共产党新闻网", cpc, "")
    )
    for n, items in enumerate(chunks(notices, 3)):
        url = "http://renshi.people.com.cn/GB/139627/140763/" + ("" if n == 0 else names[n])
        out.page(url, html_list("任前公示--人事频道", items, numbered_pager(names[:2], n)))

    multi = news[3]
    second = Story(**{**multi.__dict__, "paragraphs": multi.paragraphs[3:]})
    multi.paragraphs = multi.paragraphs[:3]
    stem = multi.url.removesuffix(".html")
    pager = (
        f'<div class="zdfy clearfix"><a href="{stem}.html">【1】</a><a href="{stem}-2.html">【2】</a>'
        f'<a href="{stem}-2.html">下一页</a></div>'
    )
    multi.pager = second.pager = pager
    out.page(f"{stem}-2.html", t.page_people(second))
    for story in [*news, *cpc[:2], *notices]:
        out.page(story.url, t.page_people(story))
    for story in cpc[2:]:
        out.page(story.url, t.page_people_old(story).encode("gbk"))
    for story in [*news, *cpc, *notices]:
        out.expect("people", story)
    robots(out, "cpc.people.com.cn", "dangjian.people.com.cn", "renshi.people.com.cn")


def site_dangjian(out: Output) -> None:
    stories = make_stories(
        4, 12, column="党建要闻", sources=["党建网", "中国组织人事报", "光明日报", "经济日报"]
    )
    for i, story in enumerate(stories):
        story.url = (
            f"http://www.dangjian.cn/djyw/{story.when:%Y/%m/%d}/"
            f"detail_{story.when:%Y%m%d}{4567000 + i:07d}.html"
        )
    relate(stories)
    pages = [*chunks(stories, 6), []]
    for n, items in enumerate(pages, start=1):
        records = [
            {
                "id": 4567000 + stories.index(s),
                "title": s.title,
                "url": s.url,
                "publishTime": f"{s.when:%Y-%m-%d %H:%M:%S}",
                "source": s.source,
            }
            for s in items
        ]
        script = "var MI4_PAGE_ARTICLE=" + json.dumps(records, ensure_ascii=False) + ";"
        out.page(
            f"http://www.dangjian.cn/mi4-rest-api/pageArticles.js?channelCode=djyw&pageSize=6&page={n}",
            script,
        )
    for story in stories:
        out.page(story.url, t.page_dangjian(story))
        out.expect("dangjian", story)
    robots(out, "www.dangjian.cn")


def uuid_of(key: str) -> str:
    return hashlib.md5(key.encode()).hexdigest()


def site_zuzhirenshi(out: Output) -> None:
    stories = make_stories(5, 12, column="要闻", sources=["中国组织人事报"])
    api = "https://www.zuzhirenshi.com/api/welcome/"
    for n, items in enumerate([*chunks(stories, 6), []], start=1):
        rows = [
            {
                "id": uuid_of(s.key),
                "showTitle": s.title,
                "createTime": f"{s.when:%Y-%m-%d %H:%M:%S}",
                "columnName": s.column,
            }
            for s in items
        ]
        data = {"code": 200, "msg": "success", "data": {"total": len(stories), "pageNum": n, "list": rows}}
        out.page(
            f"{api}selectNewsList?columnId=3&pageSize=6&pageNum={n}", json.dumps(data, ensure_ascii=False)
        )
    for story in stories:
        ident = uuid_of(story.key)
        content = "".join(f'<p style="text-indent:2em;">{t.esc(p)}</p>' for p in story.paragraphs)
        record = {
            "id": ident,
            "showTitle": story.title,
            "newContent": content,
            "author": story.author or f"记者 {corpus.REPORTERS[len(story.title) % len(corpus.REPORTERS)]}",
            "createTime": f"{story.when:%Y-%m-%d %H:%M:%S}",
            "columnName": story.column,
            "pageNo": "01",
        }
        out.page(
            f"{api}selectNews?id={ident}",
            json.dumps({"code": 200, "msg": "success", "data": record}, ensure_ascii=False),
        )
        story.url, story.author = f"https://www.zuzhirenshi.com/detailpage/{ident}", record["author"]
        out.expect("zuzhirenshi", story)
    robots(out, "www.zuzhirenshi.com")


def site_gov(out: Output) -> None:
    stories = make_stories(6, 14, column="要闻", sources=["新华社", "人民日报", "中国政府网"])
    for i, story in enumerate(stories):
        story.url = f"https://www.gov.cn/xinwen/{story.when:%Y-%m/%d}/content_{7012300 + i}.htm"
    relate(stories)
    withdrawn, missing = stories[6], stories[9]
    names = ["home.htm", "home_1.htm", "home_2.htm"]
    for n, items in enumerate(chunks(stories, 5)):
        out.page(
            f"https://www.gov.cn/yaowen/liebiao/{names[n]}",
            html_list("要闻_中国政府网", items, numbered_pager(names, n)),
        )
    for story in stories:
        if story is not missing:
            out.page(story.url, t.page_gov(story))
        state = "missing" if story is missing else "disallowed" if story is withdrawn else "article"
        out.expect("gov", story, fetchable=state)
    robots(out, "www.gov.cn", extra=f"Disallow: {withdrawn.url.removeprefix('https://www.gov.cn')}\n")


def site_jiangsu(out: Output) -> None:
    stories = make_stories(7, 14, column="要闻", sources=["新华日报", "江苏先锋网", "中国组织人事报"])
    for i, story in enumerate(stories):
        story.url = (
            f"https://www.zgjssw.gov.cn/yaowen/{story.when:%Y%m}/t{story.when:%Y%m%d}_{8123400 + i}.shtml"
        )
    relate(stories)
    challenged = stories[5]
    # 瑞数 also answers with a 200 and a ~1 KB page holding only its $_ts script.
    soft_challenged = stories[9]
    names = ["index.html", "index_1.html", "index_2.html"]
    for n, items in enumerate(chunks(stories, 5)):
        # TRS lists link relatively and write their pager with createPageHTML(count, current, ...).
        page = html_list(
            "要闻_江苏先锋网",
            items,
            "",
            href=lambda s: "./" + s.url.removeprefix("https://www.zgjssw.gov.cn/yaowen/"),
        )
        script = (
            f'<script type="text/javascript">createPageHTML({len(names)}, {n}, "index", "html");</script>'
        )
        out.page(
            f"https://www.zgjssw.gov.cn/yaowen/{names[n]}", page.replace("</body>", script + "\n</body>")
        )
    for story in stories:
        if story is challenged:
            out.page(story.url, t.CHALLENGE_PAGE, status=412)
        elif story is soft_challenged:
            out.page(story.url, t.CHALLENGE_PAGE)
        else:
            out.page(story.url, t.page_trs(story, "江苏先锋网", "https://www.zgjssw.gov.cn/"))
        blocked = story is challenged or story is soft_challenged
        out.expect("jiangsu", story, fetchable="blocked" if blocked else "article")
    robots(out, "www.zgjssw.gov.cn")


HANWEB_FORM = {
    "col": "1",
    "appid": "1",
    "webid": "2931",
    "path": "/",
    "columnid": "1229474",
    "sourceContentType": "1",
    "unitid": "5723101",
    "webname": "浙江组工网",
    "permissiontype": "0",
}


def site_zhejiang(out: Output) -> None:
    stories = make_stories(8, 12, column="工作动态", sources=["浙江组工网", "浙江日报"], fixed_place=None)
    for i, story in enumerate(stories):
        when = story.when
        story.url = f"https://www.zjzzgz.gov.cn/art/{when.year}/{when.month}/{when.day}/art_1229474_{58912300 + i}.html"
    relate(stories)
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{s.url.removeprefix("https://www.zjzzgz.gov.cn")}" target="_blank" '
        f'title="{t.esc(s.title)}">{t.esc(s.title)}</a><span>{s.when:%Y-%m-%d}</span></li>]]></record>'
        for s in stories
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n'
        f"<recordset>\n{records}\n</recordset>\n<totalrecord>{len(stories)}</totalrecord>"
        f"<totalpage>1</totalpage>\n</datastore>\n"
    )
    body = urlencode(HANWEB_FORM).encode("ascii")
    out.page(
        "https://www.zjzzgz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
        xml,
        method="POST",
        body=body,
    )
    column = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>工作动态_浙江组工网</title></head><body>\n'
        '<div id="1229474"><script type="text/javascript">/* records arrive from dataproxy.jsp */</script></div>\n'
        "</body></html>\n"
    )
    out.page("https://www.zjzzgz.gov.cn/col/col1229474/index.html", column)
    for story in stories:
        out.page(story.url, t.page_hanweb(story, "浙江组工网", "https://www.zjzzgz.gov.cn/"))
        out.expect("zhejiang", story)
    robots(out, "www.zjzzgz.gov.cn")


def site_beijing(out: Output) -> None:
    stories = make_stories(9, 11, column="组工动态", sources=["北京组工网", "北京日报"], fixed_place="北京")
    for i, story in enumerate(stories):
        story.url = f"https://www.bjdj.gov.cn/article/{86000 + i * 7}.html"
        # 喆 is in GBK but not in GB2312, which the pages declare: the reader must decode as GBK.
        story.author = f"记者 王喆{'、张鹏' if i % 2 else ''}"
    relate(stories)
    names = ["index.html", "index_2.html"]
    for n, items in enumerate(chunks(stories, 6)):
        page = html_list("组工动态-北京组工网", items, numbered_pager(names, n))
        page = page.replace(
            '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        )
        out.page("https://www.bjdj.gov.cn/zgdt/" + ("" if n == 0 else names[n]), page.encode("gbk"))
    challenged = stories[3]
    for story in stories:
        if story is challenged:
            out.page(story.url, t.JSL_CHALLENGE_PAGE, status=521)
        else:
            out.page(story.url, t.page_bjdj(story).encode("gbk"))
        out.expect("beijing", story, fetchable="blocked" if story is challenged else "article")
    robots(out, "www.bjdj.gov.cn")


SITE_BUILDERS: list[Callable[[Output], None]] = [
    site_12371,
    site_people,
    site_dangjian,
    site_zuzhirenshi,
    site_gov,
    site_jiangsu,
    site_zhejiang,
    site_beijing,
]
