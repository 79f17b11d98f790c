"""What the replay site builders share: the output of both snapshots, articles from the corpus, lists."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.replay import corpus, saved_path
from crawler.replay import templates as t
from crawler.replay.templates import Story

BEIJING = timezone(timedelta(hours=8))
NEWEST = datetime(2026, 11, 20, 9, 30, tzinfo=BEIJING)
ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /search/\n"

LEADS = [
    "近日，{place}召开{keyword}工作推进会，总结交流经验做法，研究部署下一阶段重点任务。",
    "今年以来，{place}坚持问题导向和目标导向，把{keyword}作为一项基础性、经常性工作来抓，取得明显成效。",
    "为深入贯彻落实全国组织工作会议精神，{place}聚焦{keyword}，出台一系列务实管用的举措。",
    "记者日前从{place}委组织部获悉，当地围绕{keyword}持续发力，推动相关工作提质增效。",
    "{place}把{keyword}摆在突出位置，坚持系统谋划、整体推进，努力形成上下联动、齐抓共管的工作格局。",
]


class Output:
    """The files of both snapshots, keyed by their saved path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.overlay: dict[str, bytes] = {}
        self.statuses: dict[str, int] = {}
        self.articles: dict[str, dict[str, object]] = {}

    def expect(
        self,
        site: str,
        story: Story,
        *,
        fetchable: str = "article",
        snapshot: int = 1,
        notice: dict[str, object] | None = None,
    ) -> None:
        """Record what a crawl should archive for ``story`` (``fetchable``: article, blocked, missing,
        disallowed; ``notice``: what an appointment notice announces), for the tests and for
        anyone checking a crawl of the replay by hand."""
        entry: dict[str, object] = {
            "site": site,
            "expect": fetchable,
            "snapshot": snapshot,
            "title": story.title,
            "published_at": story.when.isoformat(timespec="seconds"),
            "source": story.source,
            "author": story.author,
            "editor": story.editor,
            "column": story.column,
        }
        if notice is not None:
            entry["notice"] = notice
        self.articles[story.url] = entry

    def page(
        self,
        url: str,
        content: str | bytes,
        *,
        method: str = "GET",
        body: bytes | None = None,
        snapshot: int = 1,
        status: int = 200,
    ) -> None:
        key = str(saved_path(url, method, body))
        data = content.encode("utf-8") if isinstance(content, str) else content
        (self.overlay if snapshot == 2 else self.files)[key] = data
        if status != 200:
            self.statuses[key] = status

    def write(self, site_dir: Path, overlay_dir: Path) -> None:
        for directory, files in ((site_dir, self.files), (overlay_dir, self.overlay)):
            if directory.exists():
                shutil.rmtree(directory)
            for key, data in files.items():
                path = directory / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        for name, data in (("_status.json", self.statuses), ("_articles.json", self.articles)):
            text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            (site_dir / name).write_text(text, "utf-8")


def make_stories(
    seed: int,
    count: int,
    *,
    column: str,
    sources: list[str],
    newest: datetime = NEWEST,
    place_prefix: str = "",
    fixed_place: str | None = None,
) -> list[Story]:
    """``count`` articles, newest first, with titles and bodies varied by ``seed``."""
    rng = random.Random(seed)
    stories = []
    when = newest
    for i in range(count):
        place = fixed_place or corpus.PLACES[(seed * 7 + i * 5) % len(corpus.PLACES)]
        headline, keyword = corpus.TOPICS[(seed * 3 + i) % len(corpus.TOPICS)]
        lead = rng.choice(LEADS).format(place=place_prefix + place, keyword=keyword)
        body = [lead, *rng.sample(corpus.PARAGRAPHS, rng.randint(3, 5)), rng.choice(corpus.CLOSINGS)]
        reporter = rng.choice(corpus.REPORTERS)
        stories.append(
            Story(
                key=f"{seed}-{i}",
                title=f"{place}：{headline}",
                when=when,
                source=rng.choice(sources),
                column=column,
                paragraphs=body,
                author=f"本报记者 {reporter}" if rng.random() < 0.5 else None,
                editor=rng.choice(corpus.EDITORS),
            )
        )
        when -= timedelta(hours=rng.randint(9, 40), minutes=rng.randint(0, 59))
    return stories


def relate(stories: list[Story]) -> None:
    for i, story in enumerate(stories):
        others = [stories[(i + k) % len(stories)] for k in (1, 2)]
        story.related = [(o.url, o.title) for o in others if o is not story]


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def html_list(
    title: str, items: list[Story], pager: str, href: Callable[[Story], str] = lambda s: s.url
) -> str:
    rows = "\n".join(
        f'<li><a href="{t.esc(href(s))}" target="_blank">{t.esc(s.title)}</a>'
        f"<span>{s.when:%Y-%m-%d}</span></li>"
        for s in items
    )
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{t.esc(title)}</title></head><body>\n'
        f'<div class="nav"><a href="/">首页</a></div>\n<h2>{t.esc(title)}</h2>\n'
        f'<ul class="list">\n{rows}\n</ul>\n<div class="page">{pager}</div>\n</body></html>\n'
    )


def numbered_pager(names: list[str], current: int) -> str:
    links = [
        f'<a href="{name}" class="{"on" if i == current else ""}">{i + 1}</a>' for i, name in enumerate(names)
    ]
    if current + 1 < len(names):
        links.append(f'<a href="{names[current + 1]}">下一页</a>')
    return " ".join(links)
