"""The extraction pipeline: bytes and a URL in, one ``Article`` out.

Stages, in order: decode -> reject non-articles -> parse once -> metadata ->
title -> main content -> by-lines near the title -> in-body signatures ->
dates (printed, metadata, URL, ARTI id) -> URLs (images, attachments, pages).
Each stage lives in its own module; the patterns they use are in patterns.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crawler.extract.article import Article
from crawler.extract.body import clean_body, is_chrome
from crawler.extract.byline import (
    Byline,
    clean_source,
    forget_parsed_lines,
    join_names,
    looks_like_person,
    parse_byline,
)
from crawler.extract.content import block_members, chrome_subtrees, find_container
from crawler.extract.dates import (
    arti_date,
    date_from_url,
    day_of,
    days_apart,
    find_date,
    find_issue_month,
    has_time,
)
from crawler.extract.decode import decode_html
from crawler.extract.errors import NotAnArticle
from crawler.extract.gate import reject_challenge, reject_error_page, reject_feed, reject_list
from crawler.extract.meta import PageMeta, read_meta
from crawler.extract.pages import absolute, attachments_in, images_in, next_pages, split_url
from crawler.extract.patterns import (
    BREADCRUMB_ATTR_RE,
    BREADCRUMB_GENERIC,
    BREADCRUMB_LINE_RE,
    BREADCRUMB_SELECTORS,
    BREADCRUMB_SPLIT_RE,
    DATE_RE,
    MIN_BODY_CHARS,
    SUBTITLE_ATTR_RE,
)
from crawler.extract.title import find_title
from crawler.extract.tree import (
    AttrIndex,
    Line,
    block_lines,
    collect_json_ld,
    collect_meta,
    parse_html,
    strip_furniture,
    text_of,
)
from crawler.extract.zones import (
    HEADER_ZONE,
    TAIL_ZONE,
    before_title,
    date_below_text,
    drop_trailing_links,
    first_prose,
    footer_editor,
    header_zone,
    peel_header,
    tail_zone,
)

_SHORT_BODY = 80
_KICKER_MIN = 8


def extract_article(
    body: bytes, url: str, headers: Mapping[str, Any] | None = None, profile: Any = None
) -> Article:
    """Extract one news-detail page.

    Raises ``NotAnArticle`` (and nothing else) for empty, binary, non-HTML,
    bot-challenge and list pages.
    """
    forget_parsed_lines()  # timings and memory stay per page
    text, _codec = decode_html(body, headers)
    reject_challenge(text)
    reject_feed(text)
    root = parse_html(text)
    selectors: dict[str, list[str]] = dict(getattr(profile, "selectors", None) or {})
    metas = collect_meta(root)
    canonical_link = next(
        (ln.get("href") for ln in root.iter("link") if (ln.get("rel") or "").lower() == "canonical"), None
    )
    meta = read_meta(metas, collect_json_ld(root), canonical_link)
    title_el = root.find(".//title")
    page_title = text_of(title_el) if title_el is not None else ""
    strip_furniture(root)
    page = root.find("body")
    lines = block_lines(page if page is not None else root)
    if not lines:
        raise NotAnArticle("no-text", "the page has no visible text (empty or script-only HTML)")
    index = AttrIndex(root)
    return _Extraction(url, root, lines, index, meta, page_title, selectors, text).run()


def extract_record(content: str, url: str, title: str) -> Article:
    """The article of a structured record (a news API's JSON): its title as given, its body the
    record's HTML ``content``, read by the same stages as a page's body (chrome, by-lines and
    sign-offs, images, attachments, dates printed in it).

    Raises ``NotAnArticle`` when the content holds no article text.
    """
    forget_parsed_lines()
    root = parse_html(f"<div>{content}</div>")
    container = root.find("body/div")
    strip_furniture(root)
    lines = block_lines(root)
    if not lines or container is None:
        raise NotAnArticle("no-text", f"the record for {url} has no visible text")
    extraction = _Extraction(url, root, lines, AttrIndex(root), read_meta({}, [], None), title, {}, "")
    extraction.given = {"title": title, "body": container}
    return extraction.run()


class _Extraction:
    """State shared by the stages of one page; ``run`` calls them in order."""

    def __init__(
        self,
        url: str,
        root: Any,
        lines: list[Line],
        index: AttrIndex,
        meta: PageMeta,
        page_title: str,
        selectors: dict[str, list[str]],
        raw_text: str,
    ) -> None:
        self.url = url
        self.root = root
        self.lines = lines
        self.index = index
        self.meta = meta
        self.page_title = page_title
        self.selectors = selectors
        self.raw_text = raw_text
        self.warnings: list[str] = []
        # What the caller knows already (a record's title, its body element): taken as given.
        self.given: dict[str, Any] = {}

    # -- helpers -----------------------------------------------------------

    def profile_elements(self, key: str) -> list[Any]:
        """Elements the site profile's selectors for ``key`` match, in selector order.

        A selector that does not compile is reported in ``warnings`` and the
        generic rules take over, so one typo in a profile does not stop a crawl.
        """
        if key == "body" and "body" in self.given:
            return [self.given["body"]]
        found: list[Any] = []
        for selector in self.selectors.get(key, ()):
            try:
                found.extend(self.index.select(selector))
            except ValueError as exc:
                self.warnings.append(f"profile selector skipped: {exc}")
        return found

    def profile_text(self, key: str) -> str | None:
        for el in self.profile_elements(key):
            value = text_of(el)
            if value:
                return value
        return None

    def profile_field(self, key: str) -> str | None:
        """A by-line field from the profile's element, with its printed label read off."""
        text = self.profile_text(key)
        if not text:
            return None
        parsed = parse_byline(text)
        if parsed.labeled and getattr(parsed, key):
            return getattr(parsed, key)
        return clean_source(text) if key == "source" else join_names(text)

    # -- pipeline ----------------------------------------------------------

    def run(self) -> Article:
        container, _how = find_container(self.lines, self.index, self.profile_elements("body"))
        if container is None:
            raise NotAnArticle("no-body", "no block of article text was found on the page")
        members = block_members(container)
        skip = chrome_subtrees(container)
        body_lines = [ln for ln in self.lines if ln.owner in members and ln.owner not in skip]
        title, title_idx = self.title(first_prose(body_lines))
        if title_idx is not None and any(ln.index > title_idx for ln in body_lines):
            body_lines = [ln for ln in body_lines if ln.index > title_idx]
        body_lines = peel_header(body_lines)
        reject_list(body_lines)
        body_lines = drop_trailing_links(body_lines)
        paragraphs, signature = clean_body(body_lines, title, self.page_title)
        body = "\n".join(paragraphs)
        reject_error_page(self.page_title, title, body)
        first = body_lines[0].index if body_lines else len(self.lines)
        last = body_lines[-1].index if body_lines else len(self.lines)
        images = images_in(container, self.url, skip | self._chrome_line_owners(body_lines))
        tail_elements = [ln.owner for ln in self.lines[last + 1 : last + 1 + TAIL_ZONE]]
        attachments = attachments_in([container, *tail_elements], self.url)
        if len(body) < MIN_BODY_CHARS:
            reject_list(self.lines)
            # A photo story or a notice that is only its attachment is still an article.
            if title_idx is None or not (images or attachments):
                raise NotAnArticle(
                    "no-body",
                    "the page has a title but no article text; it may be a "
                    "list, an index or a page rendered by JavaScript",
                )
        header = header_zone(self.lines, title_idx, first)
        tail = tail_zone(self.lines, last)

        source, author, editor = self.people(
            header, before_title(self.lines, title_idx), tail, signature, last
        )
        published = self.published(title_idx, header, tail, signature, last)

        if not published:
            self.warnings.append("no published_at")
        if not title:
            self.warnings.append("no title")
        if len(body) < _SHORT_BODY:
            self.warnings.append("body short")
        return Article(
            url=self.url,
            canonical_url=self.canonical(),
            site=split_url(self.url).hostname or None,
            column=self.column(title_idx),
            title=title,
            subtitle=self.subtitle(title_idx, first),
            source=source,
            published_at=published,
            author=author,
            editor=editor,
            body=body,
            images=images,
            attachments=attachments,
            next_pages=next_pages(self.url, self.index, self.raw_text),
            warnings=self.warnings,
        )

    def _chrome_line_owners(self, body_lines: Sequence[Line]) -> set[Any]:
        """Images inside 扫一扫 / share lines are widgets."""
        owners: set[Any] = set()
        for line in body_lines:
            if is_chrome(line.text):
                owners.update(line.owner.iter("img"))
        return owners

    def title(self, body_start: int) -> tuple[str | None, int | None]:
        chosen = self.given.get("title") or self.profile_text("title")
        if chosen:
            match = next((ln.index for ln in self.lines if ln.text == chosen), None)
            return chosen, match
        return find_title(self.lines, self.page_title, self.meta.title, body_start, self.meta.site_name)

    def people(
        self, header: Byline, above: Byline, tail: Byline, signature: Byline, last: int
    ) -> tuple[str | None, str | None, str | None]:
        """Source, author and editor, each from the strongest place that gives one."""
        source = (
            self.profile_field("source")
            or header.source
            or above.source
            or tail.source
            or signature.source
            or clean_source(self.meta.source)
        )
        editor = (
            self.profile_field("editor")
            or header.editor
            or tail.editor
            or signature.editor
            or footer_editor(self.lines, last)
        )
        author = self.profile_field("author")
        for zone in (header, signature, tail):
            if not author and zone.author:
                author = zone.author
                if zone.author_note:
                    self.warnings.append(zone.author_note)  # a weaker rule found it
        author = author or self._printed_meta_author(editor) or self._person_author(editor)
        person = signature.source_person or tail.source_person
        if not author and person:
            author = person
            self.warnings.append("author: from a person named after 来源 below the text")
        return source, author, editor

    def _printed_meta_author(self, editor: str | None) -> str | None:
        """meta author only when it names people who are also printed on the page:
        CMS templates fill it with account ids, the site name or the editor."""
        names = join_names(self.meta.author, allow_org=False)
        if not names or not all(looks_like_person(n) for n in names.split("、")):
            return None
        printed = "\n".join(ln.text for ln in self.lines if len(ln.text) < 60)
        if editor and any(n in editor for n in names.split("、")):
            return None
        if all(n in printed for n in names.split("、")) and names not in self.page_title:
            return names
        return None

    def _person_author(self, editor: str | None) -> str | None:
        names = join_names(self.meta.person_author, allow_org=False)
        if not names or names == editor or not all(looks_like_person(n) for n in names.split("、")):
            return None
        return names

    def published(
        self, title_idx: int | None, header: Byline, tail: Byline, signature: Byline, last: int
    ) -> str | None:
        printed = self.profile_text("published_at")
        chosen = find_date(printed) if printed else None
        chosen = chosen or header.published_at or signature.published_at or tail.published_at
        if not chosen and title_idx is not None:
            for line in self.lines[max(0, title_idx - 4) : title_idx]:
                chosen = chosen or find_date(line.text)
        meta_date = self.meta.published_at
        if chosen and meta_date and day_of(chosen) == day_of(meta_date) and not has_time(chosen):
            # A midnight time in metadata is a day stored as a timestamp, not a printed time.
            chosen = meta_date if has_time(meta_date) and "T00:00:00" not in meta_date else chosen
        chosen = chosen or meta_date
        if not chosen:
            # A date line right under the text (e-paper, signed-notice and blog layouts).
            chosen = date_below_text(self.lines, last)
        if not chosen and signature.closing_date:
            chosen = signature.closing_date
        if not chosen:
            chosen = self._issue_month(title_idx)
        if not chosen:
            chosen = date_from_url(self.url)
            if chosen:
                self.warnings.append("date from URL")
        encoded = arti_date(self.url)
        if chosen and encoded and len(chosen) >= 10 and days_apart(chosen, encoded) > 1:
            self.warnings.append("published_at differs from the ARTI id")
        return chosen

    def _issue_month(self, title_idx: int | None) -> str | None:
        """A magazine issue printed near the title (1999年7月号): the month, said in warnings."""
        near = self.lines[max(0, (title_idx or 0) - 4) : (title_idx or 0) + HEADER_ZONE]
        for line in near:
            month = find_issue_month(line.text) if len(line.text) <= 80 else None
            if month:
                self.warnings.append("published_at: month of the issue only")
                return month
        return None

    def canonical(self) -> str | None:
        candidate = absolute(self.url, self.meta.canonical)
        if not candidate:
            return None
        # A canonical pointing at the site root or another host is a template default.
        parts, own = split_url(candidate), split_url(self.url)
        if parts.path in ("", "/") or (
            parts.hostname
            and own.hostname
            and parts.hostname != own.hostname
            and not parts.hostname.endswith(_registered(own.hostname))
        ):
            return None
        return candidate

    def column(self, title_idx: int | None) -> str | None:
        crumbs: list[str] = []
        for el in self.profile_elements("column")[:1]:
            crumbs = [text_of(el)]
        if not crumbs:
            crumbs = self._breadcrumb(title_idx)
        for part in reversed(crumbs):
            part = part.strip(" >»:：")
            if part and part not in BREADCRUMB_GENERIC and len(part) <= 20:
                return part
        return self.meta.column

    def _breadcrumb(self, title_idx: int | None) -> list[str]:
        for line in self.lines:
            match = BREADCRUMB_LINE_RE.search(line.text)
            if match and len(line.text) < 120:
                trail = match.group(1)
                # Some templates separate the steps with spacer elements only: 首页  工作动态.
                return (
                    BREADCRUMB_SPLIT_RE.split(trail) if BREADCRUMB_SPLIT_RE.search(trail) else trail.split()
                )
        candidates = [el for selector in BREADCRUMB_SELECTORS for el in self.index.select(selector)]
        candidates += [
            el for key, els in self.index.by_key.items() if BREADCRUMB_ATTR_RE.search(key) for el in els
        ]
        for el in candidates:
            text = text_of(el)
            if BREADCRUMB_SPLIT_RE.search(text) and len(text) < 120:
                return BREADCRUMB_SPLIT_RE.split(text)
        # An unmarked trail of links just above the headline: 首页 > 新闻 > 国内.
        if title_idx is not None:
            for line in reversed(self.lines[max(0, title_idx - 6) : title_idx]):
                parts = BREADCRUMB_SPLIT_RE.split(line.text)
                rooted = len(parts) >= 2 and parts[0].strip() in BREADCRUMB_GENERIC
                if (len(parts) >= 3 or rooted) and line.link_ratio > 0.5 and len(line.text) < 120:
                    return parts
        return []

    def subtitle(self, title_idx: int | None, first: int) -> str | None:
        profiled = self.profile_text("subtitle")
        if profiled:
            return profiled
        if title_idx is None:
            return None
        for idx in (title_idx + 1, title_idx - 1):
            if not 0 <= idx < len(self.lines) or idx >= first:
                continue
            line = self.lines[idx]
            attrs = f"{line.owner.get('class') or ''} {line.owner.get('id') or ''}"
            marked = bool(SUBTITLE_ATTR_RE.search(attrs))
            # Below the headline a smaller heading or a —— line is a 副题; above it only a
            # marked element is a 引题 (an unmarked heading there is the column name).
            below = idx > title_idx and (
                line.owner.tag in ("h2", "h3", "h4") or line.text.startswith(("——", "—"))
            )
            if (
                (marked or below or self._kicker(line, title_idx))
                and 4 <= len(line.text) <= 80
                and not DATE_RE.search(line.text)
                and not is_chrome(line.text)
                and line.text != self.lines[title_idx].text
                and not parse_byline(line.text).labeled
            ):
                return line.text
        return None

    def _kicker(self, line: Line, title_idx: int) -> bool:
        """An unmarked heading right above the headline, in the same block, is a 引题 when it
        reads as a phrase; a column name there is short."""
        title_owner = self.lines[title_idx].owner
        return (
            line.index < title_idx
            and line.owner.tag in ("h2", "h3", "h4", "h5")
            and line.owner.getparent() is title_owner.getparent()
            and line.link_ratio == 0
            and len(line.text) >= _KICKER_MIN
            and line.text != self.meta.column
        )


def _registered(host: str) -> str:
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and parts[-2] in ("com", "gov", "org", "edu", "net") else 2
    return ".".join(parts[-keep:])
