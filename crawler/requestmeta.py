"""The request-meta keys orgnews components pass each other, in one place.

Scrapy carries a request's ``meta`` dict to its response, so the spider, the middlewares and
the pipeline talk through it. Every key they share is named here; a component imports the
names it reads or writes and never spells the string itself.
"""

from __future__ import annotations

# What the request fetches: "list", "detail" or "page" (a further page of a multi-page article).
KIND = "orgnews_kind"
# The URL the archive keys the article by (differs from the request URL for JSON-API details).
ARTICLE_URL = "orgnews_article_url"
# How many list pages deep this request is from its start list (1 for the start list).
LIST_DEPTH = "orgnews_list_depth"
# The profile's RequestSpec the request was made from, for reading the list it fetches.
SPEC = "orgnews_spec"
# Set from a list whose items are lists (an e-paper's issues): the request is for one of them,
# not a further page, so it keeps its list's depth and is asked for even when its list brought
# nothing new.
ITEM_LIST = "orgnews_item_list"
# Set from the list page: the day the list printed beside the detail link (YYYY-MM-DD), which
# ``--since`` reads when the URL carries no date.
LISTED_ON = "orgnews_listed_on"

# Set by the incremental middleware: a conditional re-check of an archived article.
REFRESH = "orgnews_refresh"
# Set by the incremental middleware: a URL settled by robots.txt that robots.txt judges again.
ROBOTS_SETTLED = "orgnews_robots_settled"

# Set by raw capture: where the response sits in the WARC files, and when it was fetched.
WARC = "orgnews_warc"
FETCHED_AT = "orgnews_fetched_at"
# Set by the challenge middleware: why the response is a bot challenge.
BLOCKED = "orgnews_blocked"

# A multi-page article on its way: its pages so far (a crawler.details.PageAssembly) and the
# fetches made for it.
ASSEMBLY = "orgnews_assembly"
PAGE_FETCHES = "orgnews_fetches"
