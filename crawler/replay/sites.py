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
from crawler.replay.chrome import Linked, people_chrome, trs_chrome
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


ZZB_COLUMNS = {
    "gzdt": "工作动态",
    "ldhd": "领导活动",
    "cj": "中组部",
    "zcjd": "政策解读",
    "zzw": "中组部",
    "dntjgb": "党内统计公报",
}


def zxfb_page(items: list[Story]) -> str:
    """最新发布: an inline `var item=[...]` array whose `brief` is the publish time."""
    rows = []
    for i, s in enumerate(items):
        # The site mixes quoting styles and sometimes escapes slashes; the reader must take all of them.
        quote = "'" if i % 2 else '"'
        link = js_string(s.url, quote)
        link = link.replace("/", "\\/") if i % 4 == 3 else link
        rows.append(
            f"{{title:{js_string(s.title, quote)},brief:{js_string(f'{s.when:%Y-%m-%d %H:%M:%S}', quote)},"
            f"link_add:{link},imgUrl:''}}"
        )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>最新发布_共产党员网</title></head><body>\n'
        '<div class="header"><a href="https://www.12371.cn/">首页</a> <a href="https://news.12371.cn/dzybmbdj/zzb/">中组部</a></div>\n'
        '<div class="list_box"><ul id="showData"></ul><div id="page"></div></div>\n'
        '<script type="text/javascript">\nvar item=[' + ",\n".join(rows) + "];\n"
        "var html='';for(var i=0;i<item.length;i++){html+='<li><a href=\"'+item[i].link_add+'\">'+item[i].title+'</a></li>';}\n"
        "document.getElementById('showData').innerHTML=html;\n</script>\n</body></html>\n"
    )


def zzb_page(column: str, items: list[Story], aside: Story) -> str:
    """A 中组部 sub-column: items in .dyw_220810_zzb, a sidebar of other links, a script pager."""
    rows = "\n".join(
        f'<li><a href="{t.esc(s.url.replace("https:", ""))}" target="_blank">{t.esc(s.title)}</a>'
        f'<span class="times">{s.when:%Y-%m-%d}</span></li>'
        for s in items
    )
    nav = " ".join(f'<a href="../{path}/">{name}</a>' for path, name in ZZB_COLUMNS.items())
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{column}_中组部_共产党员网</title></head>'
        f'<body>\n<div class="dyw_220810_nav">{nav}</div>\n'
        f'<div class="dyw_220810_zzb"><h2>{column}</h2><ul>\n{rows}\n</ul></div>\n'
        f'<div class="dyw_220810_right"><h3>热点推荐</h3><ul><li><a href="{t.esc(aside.url)}">'
        f"{t.esc(aside.title)}</a></li></ul></div>\n"
        '<div class="dyw_220810_page"><a href="javascript:void(0)" onclick="loadMore()">加载更多</a></div>\n'
        "</body></html>\n"
    )


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
    out.page("https://www.12371.cn/zxfb/", zxfb_page(stories[:8]))
    out.page("https://www.12371.cn/zxfb/", zxfb_page([extra, *stories[:8]]), snapshot=2)
    # A link outside the column's item list (never saved): only the list's items are followed.
    aside = make_stories(102, 1, column="热点", sources=["共产党员网"])[0]
    aside.url = f"https://www.12371.cn/{aside.when:%Y/%m/%d}/ARTI{epoch_ms(aside.when)}901.shtml"
    columns = {"gzdt": [8, 9, 0], "ldhd": [10], "cj": [11], "zcjd": [9, 1], "zzw": [10], "dntjgb": [8]}
    for path, picks in columns.items():
        out.page(
            f"https://news.12371.cn/dzybmbdj/zzb/{path}/",
            zzb_page(ZZB_COLUMNS[path], [stories[i] for i in picks], aside),
        )
    front = " ".join(f'<a href="{path}/">{name}</a>' for path, name in ZZB_COLUMNS.items())
    out.page(
        "https://news.12371.cn/dzybmbdj/zzb/",
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>中组部_共产党员网</title></head>'
        f'<body><div class="dyw_220810_nav">{front}</div></body></html>\n',
    )
    out.page(
        "https://www.12371.cn/special/rsrm/",
        html_list("人事任免_共产党员网", stories[12:], "", href=lambda s: s.url.replace("https:", "")),
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


# The window every replay notice states: 公示时间为5个工作日.
NOTICE_WORKDAYS = 5


def notice(seed: int, place: str, when_offset: int, people: list[tuple[str, ...]]) -> Story:
    """A provincial 任前公示 naming ``people`` (see ``corpus.NOTICES``), ``when_offset`` days back."""
    body = [
        f"为进一步扩大干部工作民主，加强对干部选拔任用工作的监督，根据《党政领导干部选拔任用工作条例》有关规定，"
        f"经{place}省委同意，现将{len(people)}名同志拟任职情况予以公示。"
    ]
    for name, sex, born, now, post in people:
        body.append(f"{name}，{sex}，汉族，{born}生，大学学历，中共党员，现任{now}，{post}。")
    body.append(
        f"公示时间为{NOTICE_WORKDAYS}个工作日。公示期间，对公示对象有情况反映的，可通过来电、来信、来访等方式向省委组织部反映。"
    )
    body.append("受理电话：12380（举报专用）。反映问题要实事求是，提倡署真实姓名。")
    story = make_stories(seed, 1, column="任前公示", sources=[f"{place}日报"])[0]
    story.title = f"中共{place}省委组织部干部任前公示"
    story.paragraphs = body
    story.author = None
    story.when -= timedelta(days=when_offset)
    return story


def notice_truth(place: str, people: list[tuple[str, ...]], story: Story) -> dict[str, object]:
    """What the notice ``story`` announces, as the parser should read it: issuer, window (working
    days counted from the publication day, Monday to Friday), phone, and each person."""
    day = story.when.date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    window = [day]
    while len(window) < NOTICE_WORKDAYS:
        day += timedelta(days=1)
        if day.weekday() < 5:
            window.append(day)
    persons = []
    for name, sex, born, now, post in people:
        year, _, month = born.removesuffix("月").partition("年")
        persons.append(
            {
                "name": name,
                "sex": sex,
                "ethnicity": "汉族",
                "birth": f"{int(year):04d}-{int(month):02d}",
                "education": "大学",
                "party": "中共党员",
                "current_post": now,
                "step": "拟任",
                "proposed_post": post.removeprefix("拟任"),
            }
        )
    return {
        "issuer": f"中共{place}省委组织部",
        "window_start": window[0].isoformat(),
        "window_end": window[-1].isoformat(),
        "phone": "12380",
        "announced": len(people),
        "persons": persons,
    }


def linked(stories: list[Story], story: Story) -> list[Linked]:
    """The other notices of ``stories``, as the chrome of ``story``'s page links them."""
    return [Linked(other.url, other.title, other.when) for other in stories if other is not story]


# The provinces whose own notices people.com.cn's 任前公示 column carries, newest first.
NOTICE_PLACES = ["山东", "福建", "陕西"]


def people_repost(original: Story) -> Story:
    """``original`` as people.com.cn's 任前公示 column reposts it two days later: the same notice."""
    return Story(
        **{
            **original.__dict__,
            "key": f"{original.key}-people",
            "when": original.when + timedelta(days=2),
            "source": JIANGSU_NAME,
            "column": "任前公示",
            "related": [],
        }
    )


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
    # 江苏's newer notice as people.com.cn reposts it, then the other provinces' own notices.
    notices = [people_repost(jiangsu_notices()[0])]
    notices += [
        notice(40 + k, place, k * 3, corpus.NOTICES[place][0]) for k, place in enumerate(NOTICE_PLACES, 1)
    ]
    announced = [("江苏", corpus.NOTICES["江苏"][0])] + [
        (place, corpus.NOTICES[place][0]) for place in NOTICE_PLACES
    ]
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
    for story in [*news, *cpc[:2]]:
        out.page(story.url, t.page_people(story))
    for story in cpc[2:]:
        out.page(story.url, t.page_people_old(story).encode("gbk"))
    for story in [*news, *cpc]:
        out.expect("people", story)
    # The notices as the 人事 channel serves them: the notice amid the channel's chrome.
    for story, (place, people) in zip(notices, announced, strict=True):
        chrome = people_chrome(story.when, story.column, linked(notices, story))
        out.page(story.url, t.page_people(story, chrome))
        out.expect("people", story, notice=notice_truth(place, people, story))
    robots(out, "cpc.people.com.cn", "dangjian.people.com.cn", "renshi.people.com.cn")


DANGJIAN_LIST = (
    "http://www.dangjian.cn/mi4-rest-api/pageArticles.js?wbId=91&subjectId=11915&page={n}&limit=25"
)


def site_dangjian(out: Output) -> None:
    stories = make_stories(
        4, 12, column="党建要闻", sources=["党建网", "中国组织人事报", "光明日报", "经济日报"]
    )
    for i, story in enumerate(stories):
        # One article is filed under another column; its record says so in external_link.
        column = "shouye/dangjianyaowen" if i == 7 else "djyw"
        story.url = (
            f"http://www.dangjian.cn/{column}/{story.when:%Y/%m/%d}/"
            f"detail_{story.when:%Y%m%d}{4567000 + i:07d}.html"
        )
    relate(stories)
    records = []
    for i, s in enumerate(stories):
        # The record's own url of the externally filed article is a stub nobody saved.
        stub = s.url.replace("shouye/dangjianyaowen", "djyw").replace(f"{4567000 + i:07d}", "4569999")
        records.append(
            {
                "id": 4567000 + i,
                "title": s.title,
                "url": stub if i == 7 else s.url,
                "external_link": s.url if i == 7 else "",
                "publishTime": f"{s.when:%Y-%m-%d %H:%M:%S}",
                "source": s.source,
            }
        )
    # limit=25 holds all twelve: the answer declares one page, and nothing asks for a second.
    script = (
        f"var _totalCnt={len(records)};var _totalPage=1;var _pageNo=1;var _pageSize=25;"
        f"var MI4_PAGE_ARTICLE={json.dumps(records, ensure_ascii=False)};"
    )
    out.page(DANGJIAN_LIST.format(n=1), script)
    for story in stories:
        out.page(story.url, t.page_dangjian(story))
        out.expect("dangjian", story)
    robots(out, "www.dangjian.cn")


def uuid_of(key: str) -> str:
    return hashlib.md5(key.encode()).hexdigest()


ZUZHIRENSHI_COLUMNS = {"29627": "干部", "29628": "党建", "29629": "人才"}


def post_json(out: Output, url: str, asked: dict[str, str], answer: object) -> None:
    """The JSON ``answer`` to a POST of the JSON body ``asked``, compact as a browser sends it."""
    body = json.dumps(asked, separators=(",", ":")).encode()
    out.page(url, json.dumps(answer, ensure_ascii=False), method="POST", body=body)


# The e-paper's issues by month, each with the articles on each of its pages (story indexes;
# None is the column article that is also printed).
ZUZHIRENSHI_ISSUES = {
    (2026, 11): [("2026-11-18", [[0, 1], [2, None]]), ("2026-11-11", [[3]])],
    (2026, 10): [("2026-10-28", [[4]])],
}


def zuzhirenshi_epaper(out: Output, api: str, printed: Story) -> list[Story]:
    """The e-paper walked by month: a month's issues, an issue's pages and the articles on them.

    Its articles are in no column list, so only the e-paper walk reaches them.
    """
    stories = make_stories(15, 5, column="电子报", sources=["中国组织人事报"])
    for (year, month), issues in ZUZHIRENSHI_ISSUES.items():
        listed = []
        for number, (day, pages) in enumerate(issues):
            ident = uuid_of(f"issue-{day}")
            listed.append({"id": ident, "periodDate": day, "periodNum": f"第{4000 - number}期"})
            show = []
            for page_no, on_page in enumerate(pages, 1):
                for index in filter(lambda i: i is not None, on_page):
                    stories[index].when = stories[index].when.replace(
                        year=year, month=month, day=int(day[-2:])
                    )
                ids = [uuid_of(printed.key if i is None else stories[i].key) for i in on_page]
                areas = [{"newsId": n, "coordinate": f"{40 * k},{60 * k},300,120"} for k, n in enumerate(ids)]
                show.append({"pageNo": f"{page_no:02d}", "pageName": "要闻", "areaCoordinateList": areas})
            answer = {"code": 200, "msg": "success", "data": {"id": ident, "dianzibaoShowList": show}}
            post_json(out, f"{api}dianZiBaoHomePage", {"id": ident}, answer)
        asked = {"years": f"{year:04d}", "months": f"{month:02d}"}
        post_json(out, f"{api}selectPastDianZiBao", asked, {"code": 200, "msg": "success", "data": listed})
    return stories


def site_zuzhirenshi(out: Output) -> None:
    stories = make_stories(5, 12, column="要闻", sources=["中国组织人事报"])
    api = "https://www.zuzhirenshi.com/api/welcome/"
    for (column, name), items in zip(ZUZHIRENSHI_COLUMNS.items(), chunks(stories, 4), strict=True):
        rows = []
        for s in items:
            s.column = name
            rows.append(
                {
                    "id": uuid_of(s.key),
                    "showTitle": s.title,
                    "createTime": f"{s.when:%Y-%m-%d %H:%M:%S}",
                    "columnName": name,
                }
            )
        data = {"code": 200, "msg": "success", "data": {"columnName": name, "listMap": rows}}
        post_json(out, f"{api}selectColumn", {"id": column}, data)
    for story in [*stories, *zuzhirenshi_epaper(out, api, stories[0])]:
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
        # Newer articles live under their column and month, older ones under /xinwen/ and the day.
        if i < 10:
            story.url = f"https://www.gov.cn/yaowen/liebiao/{story.when:%Y%m}/content_{7012300 + i}.htm"
        else:
            story.url = f"https://www.gov.cn/xinwen/{story.when:%Y-%m/%d}/content_{7012300 + i}.htm"
    relate(stories)
    withdrawn, missing = stories[6], stories[9]
    # The list the 要闻 page draws from: a top-level array, newest first, relative URLs, no paging.
    items = [
        {
            "DOCRELPUBTIME": f"{s.when:%Y-%m-%d %H:%M:%S}",
            "TITLE": s.title,
            "URL": s.url.removeprefix("https://www.gov.cn"),
        }
        for s in stories
    ]
    out.page("https://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json", json.dumps(items, ensure_ascii=False))
    for i, story in enumerate(stories):
        if story is not missing:
            out.page(story.url, t.page_gov(story, metas=i % 3 != 1))
        state = "missing" if story is missing else "disallowed" if story is withdrawn else "article"
        out.expect("gov", story, fetchable=state)
    robots(out, "www.gov.cn", extra=f"Disallow: {withdrawn.url.removeprefix('https://www.gov.cn')}\n")


JIANGSU = "https://www.zgjssw.gov.cn/"
JIANGSU_NAME = "中共江苏省委新闻网"


def trs_list(title: str, items: list[Story], base: str, pager: str, aside: Story | None = None) -> str:
    """A TRS column page: items in div.newslist with relative links, maybe a sidebar, and its pager."""
    rows = "\n".join(
        f'<li><a href="./{t.esc(s.url.removeprefix(base))}" target="_blank">{t.esc(s.title)}</a>'
        f"<span>{s.when:%Y-%m-%d}</span></li>"
        for s in items
    )
    side = (
        f'<div class="right"><h3>推荐阅读</h3><ul><li><a href="{t.esc(aside.url)}">{t.esc(aside.title)}</a>'
        "</li></ul></div>\n"
        if aside
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{t.esc(title)}</title></head><body>\n'
        f'<div class="nav"><a href="{JIANGSU}">首页</a> <a href="{JIANGSU}yaowen/">要闻</a> '
        f'<a href="{JIANGSU}fabuting/renmian/">任免</a></div>\n'
        f'<div class="newslist"><ul>\n{rows}\n</ul></div>\n{side}<div class="page">{pager}</div>\n</body></html>\n'
    )


def jiangsu_notices() -> list[Story]:
    """江苏's notices under 任免, newest first: the same on every call, for the repost elsewhere."""
    notices = [notice(60 + k, "江苏", 2 + k * 4, people) for k, people in enumerate(corpus.NOTICES["江苏"])]
    for i, story in enumerate(notices):
        story.column = "任免"
        story.url = f"{JIANGSU}fabuting/renmian/{story.when:%Y%m}/t{story.when:%Y%m%d}_{8124400 + i}.shtml"
    return notices


def site_jiangsu(out: Output) -> None:
    stories = make_stories(7, 12, column="要闻", sources=["新华日报", JIANGSU_NAME, "中国组织人事报"])
    for i, story in enumerate(stories):
        story.url = f"{JIANGSU}yaowen/{story.when:%Y%m}/t{story.when:%Y%m%d}_{8123400 + i}.shtml"
    relate(stories)
    notices = jiangsu_notices()
    challenged = stories[5]
    # 瑞数 also answers with a 200 and a ~1 KB page holding only its $_ts script.
    soft_challenged = stories[9]
    # A sidebar link outside the list (never saved): only div.newslist is read.
    aside = make_stories(70, 1, column="要闻", sources=[JIANGSU_NAME])[0]
    aside.url = f"{JIANGSU}yaowen/{aside.when:%Y%m}/t{aside.when:%Y%m%d}_8129999.shtml"
    names = ["index.shtml", "index_1.shtml", "index_2.shtml"]
    for n, items in enumerate(chunks(stories, 5)):
        # This list writes its pager with createPageHTML(count, current, ...)...
        script = (
            f'<script type="text/javascript">createPageHTML({len(names)}, {n}, "index", "shtml");</script>'
        )
        page = trs_list(f"要闻_{JIANGSU_NAME}", items, f"{JIANGSU}yaowen/", script, aside)
        out.page(f"{JIANGSU}yaowen/{names[n]}", page)
    # ...the 任免 list prints plain pager links.
    for n, items in enumerate(chunks(notices, 1)):
        page = trs_list(
            f"任免_{JIANGSU_NAME}", items, f"{JIANGSU}fabuting/renmian/", numbered_pager(names[:2], n)
        )
        out.page(f"{JIANGSU}fabuting/renmian/" + ("" if n == 0 else names[n]), page)
    for story in stories:
        if story is challenged:
            out.page(story.url, t.CHALLENGE_PAGE, status=412)
        elif story is soft_challenged:
            out.page(story.url, t.CHALLENGE_PAGE)
        else:
            out.page(story.url, t.page_trs(story, JIANGSU_NAME, JIANGSU))
        blocked = story is challenged or story is soft_challenged
        out.expect("jiangsu", story, fetchable="blocked" if blocked else "article")
    # The notices as 任免 serves them: the notice amid the site's chrome.
    for story, people in zip(notices, corpus.NOTICES["江苏"], strict=True):
        chrome = trs_chrome(story.when, JIANGSU_NAME, JIANGSU, linked(notices, story))
        out.page(story.url, t.page_trs(story, JIANGSU_NAME, JIANGSU, chrome))
        out.expect("jiangsu", story, notice=notice_truth("江苏", people, story))
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


def beijing_list(items: list[Story], next_page: str | None, aside: Story) -> bytes:
    """The 通知通告 list: items in .splb_b .newsList, the next page behind a titled link, in GBK."""
    rows = "\n".join(
        f'<li><a href="/article/{s.url.rsplit("/", 1)[1]}" target="_blank">{t.esc(s.title)}</a>'
        f"<span>{s.when:%Y-%m-%d}</span></li>"
        for s in items
    )
    pager = f'<a href="{next_page}" title="下一页">下一页</a>' if next_page else "<span>下一页</span>"
    page = (
        '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>通知通告-北京组工网</title></head><body>\n"
        '<div class="nav"><a href="/">首页</a></div>\n'
        f'<div class="splb_b"><ul class="newsList">\n{rows}\n</ul></div>\n'
        f'<div class="splb_r"><h3>热点</h3><a href="{t.esc(aside.url)}">{t.esc(aside.title)}</a></div>\n'
        f'<div class="page"><a href="index.html" title="首页">首页</a> {pager}</div>\n</body></html>\n'
    )
    return page.encode("gbk")


def site_beijing(out: Output) -> None:
    stories = make_stories(9, 11, column="组工动态", sources=["北京组工网", "北京日报"], fixed_place="北京")
    for i, story in enumerate(stories):
        story.url = f"https://www.bjdj.gov.cn/article/{86000 + i * 7}.html"
        # 喆 is in GBK but not in GB2312, which the pages declare: the reader must decode as GBK.
        story.author = f"记者 王喆{'、张鹏' if i % 2 else ''}"
    relate(stories)
    aside = make_stories(90, 1, column="组工动态", sources=["北京组工网"], fixed_place="北京")[0]
    aside.url = "https://www.bjdj.gov.cn/article/85999.html"
    names = ["index.html", "index_1.html"]
    for n, items in enumerate(chunks(stories, 6)):
        following = names[n + 1] if n + 1 < len(names) else None
        out.page(f"https://www.bjdj.gov.cn/news/tztg/{names[n]}", beijing_list(items, following, aside))
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
