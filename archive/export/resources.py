"""The tables of a dataset release: what each holds, its fields, keys and how it is read.

A release resource is one ``Resource`` in ``RESOURCES``; the writers, ``datapackage.json``
and the dataset card are all derived from it, so a new table is a few lines here: its
fields, keys and a reader in ``reading`` that yields batches of rows in a stable order from
the archive joined with ``temp.release_articles`` (the ids of the articles in this release),
so that its rows follow the export's --site, --since, --until and --query like everything
else (``APPOINTMENTS`` below is one such table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.export import reading

if TYPE_CHECKING:
    import sqlite3

# Field kinds: how a value is written in each format, and its Table Schema type.
#   integer, string, boolean: as named
#   text: a long string, read from the archive as its UTF-8 bytes (the writers of Parquet take them as they are)
#   beijing_time: ISO 8601 with +08:00 (a Parquet timestamp in that zone)
#   utc_time: ISO 8601 with +00:00 (a Parquet timestamp in UTC)
#   strings: a list of strings; links: a list of {"url", "text"} objects
#   shares: an object of field name -> share between 0 and 1 (in Parquet, a list of {"field", "share"})
TABLE_SCHEMA_TYPES = {
    "integer": "integer",
    "string": "string",
    "text": "string",
    "boolean": "boolean",
    "beijing_time": "datetime",
    "utc_time": "datetime",
    "strings": "array",
    "links": "array",
    "shares": "object",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    description: str

    def __post_init__(self) -> None:
        if self.kind not in TABLE_SCHEMA_TYPES:
            raise ValueError(f"field {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class ForeignKey:
    """``field`` (or several, together) refers to ``reference`` of the table ``resource``."""

    field: str | tuple[str, ...]
    resource: str
    reference: str | tuple[str, ...]

    @property
    def fields(self) -> list[str]:
        return [self.field] if isinstance(self.field, str) else list(self.field)

    @property
    def references(self) -> list[str]:
        return [self.reference] if isinstance(self.reference, str) else list(self.reference)


Batches = Iterator[reading.Batch]


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    # Batches of rows in a stable order, each of one part (the file: ``articles-2021``), columns
    # following ``fields``; a part's batches come one after the other.
    read: Callable[[sqlite3.Connection], Batches]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # True: data/<name>/<part>.<ext>; False: data/<part>.<ext>.
    folder: bool = True

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def folder_path(self) -> str:
        return f"data/{self.name}" if self.folder else "data"


_TEXT_FIELDS = (
    Field("column", "string", "The site's column (栏目) the article was listed in."),
    Field("title", "string", "Headline."),
    Field("subtitle", "string", "Subheading or kicker, when the page prints one."),
    Field("source", "string", "来源: the original publisher named by the page (not the hosting site)."),
    Field(
        "published_at",
        "beijing_time",
        "Publication time in Beijing time (+08:00); midnight when the page gives only a day, "
        "the first of the month at midnight when it gives only a month (see published_precision).",
    ),
    Field(
        "published_time_known",
        "boolean",
        "False when the page gives only the day or the month of publication.",
    ),
    Field(
        "published_precision",
        "string",
        "What the page printed of published_at: time (a time of day), day, or month (e.g. a magazine "
        "issue, 1999年7月号); empty when undated.",
    ),
    Field("author", "string", "Author byline as printed (作者, 本报记者 ...)."),
    Field("editor", "string", "Editor byline as printed (编辑, 责任编辑; a CMS account name is kept as is)."),
    Field("body", "text", "Clean body text, paragraphs separated by newlines."),
    Field("images", "strings", "Absolute URLs of the images in the body."),
    Field("attachments", "links", "Attached files: objects with the absolute url and the link text."),
)
_SEEN_FIELDS = (
    Field("content_hash", "string", "SHA-256 of the text fields: equal hashes mean the same text."),
    Field("first_seen", "utc_time", "When the crawler first stored this text (UTC)."),
    Field("last_seen", "utc_time", "When the crawler last saw this text unchanged (UTC)."),
)

ARTICLES = Resource(
    name="articles",
    title="Articles",
    description="Every archived news-detail article, one row each, split by year of publication.",
    fields=(
        Field("id", "integer", "Stable article id in the archive (kept from one release to the next)."),
        Field("url", "string", "The URL the article was fetched from."),
        Field("canonical_url", "string", "The page's own canonical URL, when it names one."),
        Field("site", "string", "The hosting site's profile name (see sites)."),
        *_TEXT_FIELDS,
        Field("year", "integer", "Year of publication; empty when undated."),
        Field("next_pages", "strings", "URLs of the further pages stitched into this record."),
        Field("warnings", "strings", "What the extractor noticed (e.g. a date taken from the URL)."),
        Field("story_id", "integer", "The story this article belongs to (see stories): reposts share it."),
        *_SEEN_FIELDS,
    ),
    primary_key=("id",),
    foreign_keys=(ForeignKey("site", "sites", "name"), ForeignKey("story_id", "stories", "story_id")),
    read=reading.article_rows,
)

VERSIONS = Resource(
    name="versions",
    title="Earlier versions",
    description="Earlier texts of articles edited after they were first archived.",
    fields=(
        Field("article_id", "integer", "The article (see articles)."),
        Field(
            "version",
            "integer",
            "1 for the first text archived, 2 for the next...; the current text is in articles.",
        ),
        *_TEXT_FIELDS,
        *_SEEN_FIELDS,
        Field("replaced_at", "utc_time", "When a newer text replaced this one (UTC)."),
    ),
    primary_key=("article_id", "version"),
    foreign_keys=(ForeignKey("article_id", "articles", "id"),),
    read=reading.version_rows,
)

STORIES = Resource(
    name="stories",
    title="Stories",
    description="One row per story: a piece and its reposts on other sites, grouped by text similarity.",
    fields=(
        Field("story_id", "integer", "Story id (the id of the story's first archived article)."),
        Field("articles", "integer", "How many articles of this release belong to the story."),
        Field("sites", "strings", "The sites that carry it, sorted."),
        Field("first_published", "beijing_time", "Earliest publication time among its articles."),
        Field("last_published", "beijing_time", "Latest publication time among its articles."),
        Field("earliest_article_id", "integer", "The article published first (ties: the lowest id)."),
    ),
    primary_key=("story_id",),
    foreign_keys=(ForeignKey("earliest_article_id", "articles", "id"),),
    read=reading.story_rows,
)

SITES = Resource(
    name="sites",
    title="Sites",
    description="The crawled sites: profile name, title, hosts and what this release holds of each.",
    fields=(
        Field("name", "string", "Profile name, as in articles.site."),
        Field("title", "string", "The site's name."),
        Field("hosts", "strings", "Host names crawled for it."),
        Field("articles", "integer", "Articles of this site in the release."),
        Field("first_published", "beijing_time", "Earliest publication time among them."),
        Field("last_published", "beijing_time", "Latest publication time among them."),
    ),
    primary_key=("name",),
    read=reading.site_rows,
    folder=False,
)

RUNS = Resource(
    name="runs",
    title="Crawl runs",
    description="Every recorded crawl of the release's sites: when, outcome, counts, field coverage, alerts.",
    fields=(
        Field("id", "integer", "Run id."),
        Field("site", "string", "The site crawled (see sites)."),
        Field("started_at", "utc_time", "Start (UTC)."),
        Field(
            "finished_at",
            "utc_time",
            "End (UTC); empty while running; for a killed run, when the next run found it.",
        ),
        Field(
            "status",
            "string",
            "completed; partial (some fetches failed or were blocked); interrupted (stopped); "
            "killed (ended without closing the run); or running.",
        ),
        Field(
            "replay", "boolean", "True when the run crawled the bundled offline replay, not the live site."
        ),
        Field("pages_fetched", "integer", "Pages fetched."),
        Field("articles_new", "integer", "New articles stored."),
        Field("articles_updated", "integer", "Articles whose text had changed (a new version)."),
        Field("articles_unchanged", "integer", "Articles fetched again and found unchanged."),
        Field("articles_failed", "integer", "Detail pages that did not yield an article."),
        Field("fetches_blocked", "integer", "Responses that were bot challenges."),
        Field(
            "field_coverage",
            "shares",
            "Share of the run's articles in which each field was found: an object of field name to share "
            '(in Parquet, a list of {"field", "share"} sorted by field).',
        ),
        Field("alerts", "strings", "Warnings raised by the run (e.g. a field's coverage dropped)."),
    ),
    primary_key=("id",),
    foreign_keys=(ForeignKey("site", "sites", "name"),),
    read=reading.run_rows,
    folder=False,
)

NOTICES = Resource(
    name="notices",
    title="Cadre appointment notices, one row each",
    description=(
        "One row per cadre appointment notice (任前公示) found in an article: who issues it, the comment "
        "window, where to complain, and how many persons it announces against how many were parsed "
        "(the persons are in appointments)."
    ),
    fields=(
        Field("article_id", "integer", "The article that printed the notice (see articles)."),
        Field("notice", "integer", "1 for the first notice of the article, 2 for the next..."),
        Field("title", "string", "The notice's title."),
        Field(
            "issuer",
            "string",
            "The body that issues the notice (e.g. a party committee's organization department).",
        ),
        Field("window_start", "string", "First day of the public comment window (YYYY-MM-DD)."),
        Field("window_end", "string", "Last day of the window (YYYY-MM-DD)."),
        Field(
            "window_computed",
            "boolean",
            "True when window_end was counted from 5个工作日 (weekends skipped).",
        ),
        Field("window_text", "string", "The sentence the window was read from."),
        Field("phone", "string", "Complaint telephone numbers (受理电话), joined with ；."),
        Field("address", "string", "Complaint postal address, as printed."),
        Field("postcode", "string", "Postcode (邮编) of that address."),
        Field(
            "announced",
            "integer",
            "How many persons the text says it announces (现将3名同志…); empty when it does not say.",
        ),
        Field(
            "parsed",
            "integer",
            "How many persons were parsed (rows in appointments); below announced when some were missed.",
        ),
        Field(
            "attachment_only",
            "boolean",
            "True when the names are only in attached files, which are not parsed.",
        ),
        Field("attachments", "links", "Attached files: objects with the absolute url and the link text."),
        Field("warnings", "strings", "What the parser was not sure of in the notice."),
    ),
    primary_key=("article_id", "notice"),
    foreign_keys=(ForeignKey("article_id", "articles", "id"),),
    read=reading.notice_rows,
)

APPOINTMENTS = Resource(
    name="appointments",
    title="Cadre appointment notices",
    description=(
        "One row per person named in a cadre appointment notice (任前公示), the notice's fields "
        "repeated on each row; empty where the notice does not say or the parser was not sure."
    ),
    fields=(
        Field("article_id", "integer", "The article that printed the notice (see articles)."),
        Field("notice", "integer", "1 for the first notice of the article, 2 for the next..."),
        Field(
            "issuer",
            "string",
            "The body that issues the notice (e.g. a party committee's organization department).",
        ),
        Field("window_start", "string", "First day of the public comment window (YYYY-MM-DD)."),
        Field(
            "window_end",
            "string",
            "Last day of the window (YYYY-MM-DD), counted from 5个工作日 when not printed.",
        ),
        Field("phone", "string", "Complaint telephone numbers (受理电话), joined with ；."),
        Field("address", "string", "Complaint postal address, as printed."),
        Field("order", "integer", "1 for the first person of the notice, 2 for the next..."),
        Field("name", "string", "The person's name as printed."),
        Field("sex", "string", "男 or 女."),
        Field("ethnicity", "string", "Ethnicity (民族), e.g. 汉族."),
        Field("birth", "string", "Month of birth (YYYY-MM)."),
        Field(
            "age", "integer", "Age in years, when the notice gives one (45岁) instead of or beside the birth."
        ),
        Field("native_place", "string", "Native place (籍贯) as printed."),
        Field("education", "string", "Education (学历), e.g. 大学, 研究生."),
        Field("degree", "string", "Degree (学位), when printed."),
        Field("party", "string", "Party membership, e.g. 中共党员, 无党派人士."),
        Field("party_joined", "string", "Month the person joined the party (入党时间, YYYY-MM)."),
        Field("work_started", "string", "Month the person started work (参加工作时间, YYYY-MM)."),
        Field("current_post", "string", "Current post (现任)."),
        Field("proposed_posts", "strings", "The proposed posts, in the notice's order."),
        Field("step", "string", "Kind of the first proposed step as worded (拟任, 拟提名 ...)."),
        Field("probation", "boolean", "True when the notice puts the person on probation (试用期)."),
        Field(
            "person_id",
            "integer",
            "The same person across notices (same name, sex and birth month); empty when not linked.",
        ),
        Field("link_note", "string", "Why the person is not linked to a person_id, when not."),
        Field("warnings", "strings", "What the parser was not sure of for this person."),
    ),
    primary_key=("article_id", "notice", "order"),
    foreign_keys=(
        ForeignKey("article_id", "articles", "id"),
        ForeignKey(("article_id", "notice"), "notices", ("article_id", "notice")),
    ),
    read=reading.appointment_rows,
)

RESOURCES: tuple[Resource, ...] = (ARTICLES, VERSIONS, STORIES, SITES, RUNS, NOTICES, APPOINTMENTS)
