"""The researcher's pages of ``orgnews serve``, a Datasette plugin package with its templates and styles.

Pages (``DB`` is the archive's database name, ``archive`` under ``orgnews serve``):

- ``/DB/-/search``: one search box with a timeline of the matches per month, facets and a
  list of hits; ``.json`` and ``.csv`` give the same results, ``/DB/-/timeline.csv`` the
  timeline's numbers;
- ``/DB/articles/ID``: the article to read and cite (Datasette's row page, drawn by this
  package's ``row.html``), with its story's other copies and its earlier versions;
- ``/DB/-/capture/FETCH_ID``: the page as captured, from its WARC record, scripts removed;
- ``/DB/-/health``: per site, the recent crawl runs and field coverage, alerts first;
- ``/DB/-/people``: the people linked across appointment notices, newest step first, a name
  filter (``?name=``) and pages (``.json`` the same data);
- ``/DB/-/person/ID``: a person's career, the steps of ``orgnews person ID`` (``.json`` its data).

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
def render_cell(row, value, column, table, database, datasette):
    # A person opens their career page: person_id in the people query and the persons' table (where
    # Datasette would link it to the people row), and in the people table the names and row ids.
    person_id, label = value, None
    if isinstance(value, dict):  # a foreign key Datasette expanded to its label
        person_id, label = value.get("value"), value.get("label")
    if table == "appointment_people" and column == "name":
        person_id, label = row["id"], value  # the table's own id column links to its rows
    elif not (column == "person_id" or (table == "appointment_people" and column == "id")):
        return None
    if not isinstance(person_id, int) or not views.is_archive(datasette, database):
        return None
    href = escape(views.person_href(datasette, database, person_id))
    if label is None:
        return Markup(f'<a href="{href}">{person_id}</a>')
    shown = escape(label) + (Markup(f"&nbsp;<em>{person_id}</em>") if column == "person_id" else "")
    return Markup(f'<a href="{href}">{shown}</a>')
