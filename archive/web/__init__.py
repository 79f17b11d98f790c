"""The researcher's pages of ``orgnews serve``, a Datasette plugin package with its templates and styles.

Pages (``DB`` is the archive's database name, ``archive`` under ``orgnews serve``):

- ``/DB/-/search``: one search box with a timeline of the matches per month, facets and a
  list of hits; ``.json`` and ``.csv`` give the same results, ``/DB/-/timeline.csv`` the
  timeline's numbers;
- ``/DB/articles/ID``: the article to read and cite (Datasette's row page, drawn by this
  package's ``row.html``), with its story's other copies and its earlier versions;
- ``/DB/-/capture/FETCH_ID``: the page as captured, from its WARC record, scripts removed;
- ``/DB/-/health``: per site, the recent crawl runs and field coverage, alerts first.

The pages belong to a database whose ``articles`` table has ``plugins: {orgnews:
{exact_search: true}}`` in its metadata (``archive.browse`` sets it). Another page joins by
adding its view to ``ROUTES`` in ``archive.web.views`` and its link to ``NAVIGATION``.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

from archive.web import views


@hookimpl
def register_routes():
    return views.ROUTES


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name == "row" and table == "articles" and views.is_archive(datasette, database):
        return views.article_context(datasette, database, request)
    return {}


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("orgnews", "orgnews.css")]


@hookimpl
def menu_links(datasette, request):
    database = views.archive_name(datasette)
    if database is None:
        return []
    return [{"href": href, "label": label} for label, href in views.navigation(datasette, database)]


@hookimpl
def render_cell(value, column, database, datasette):
    # A person's id, in the people query and the persons' table, opens that person's steps.
    if column == "person_id" and isinstance(value, int) and views.is_archive(datasette, database):
        href = f"{datasette.urls.database(database)}/person_steps?person_id={value}"
        return Markup(f'<a href="{escape(href)}">{value}</a>')
    return None
