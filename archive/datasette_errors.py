"""How ``orgnews serve`` answers what it cannot serve: the right status, one log line, JSON for JSON.

Datasette 0.65's own error handler prints a rich traceback with local variables (the request,
the SQL) outside an ``except`` block, which itself fails: every unknown URL became an HTTP 500
and a screenful of log. Here an unknown URL is a 404, a refused write a 403 or 405, a query
that cannot be read a 400 whose JSON carries the reason, and each error is one log line.
These hooks are registered through ``archive.datasette_plugin``; ``QuietDatabase`` is the
archive's database in Datasette (``archive.browse``).

Datasette also writes every failed statement to stderr itself (``ERROR: conn=<sqlite3.Connection
...>, sql = ..., params = ...``), with ``sys.stderr.write``, not a logger a filter could hold back:
``QuietDatabase`` turns that off through ``Database.execute``'s own ``log_sql_errors`` and keeps the
reason for the request's one line instead, which says it also when no exception reaches the
handler below (hand-written SQL: Datasette shows its error on the page itself).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import urllib.parse
import warnings
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from datasette import Response, hookimpl
from datasette.database import Database
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

from archive.errors import QueryError
from archive.query import parse_query

_log = logging.getLogger("orgnews.serve")
# The saved queries whose SQL reports a query that cannot be read (see archive.browse).
_CHECKED_PARAMETER = re.compile(r"orgnews_query_error\(:(\w+)\)")


@dataclass
class _RequestErrors:
    """What one request has said of its errors: the reason of a failed statement, and whether its
    log line is written."""

    sql_error: str | None = None
    logged: bool = False


# The request in hand (set by asgi_wrapper for each HTTP request; None outside one).
_request: ContextVar[_RequestErrors | None] = ContextVar("orgnews_request_errors", default=None)


class QuietDatabase(Database):
    """Datasette's database, without its own stderr line for a statement that fails: the reason
    goes to the request's one log line (see asgi_wrapper)."""

    async def execute(
        self,
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: Any = None,
        page_size: Any = None,
        log_sql_errors: bool = True,
    ) -> Any:
        try:
            return await super().execute(
                sql,
                params,
                truncate=truncate,
                custom_time_limit=custom_time_limit,
                page_size=page_size,
                log_sql_errors=False,
            )
        except sqlite3.DatabaseError as exc:
            request = _request.get()
            if log_sql_errors and request is not None and request.sql_error is None:
                request.sql_error = str(exc)
            raise


# Datasette 0.65 makes a table's facet coroutines before awaiting them one by one; when one fails
# (a _facet naming no column: the request's 400 and its one line) the others are dropped unawaited,
# and Python warns of each in the log, three warnings of two lines for one mistyped address.
_UNAWAITED_FACETS = (
    r"coroutine '(\w+Facet\.(facet_results|suggest)|TableView\._data_traced\.<locals>\.execute_\w+)' "
    r"was never awaited"
)


def hold_back_facet_warnings() -> None:
    """No warning for the facet coroutines Datasette drops after a facet failed (and only those)."""
    warnings.filterwarnings("ignore", message=_UNAWAITED_FACETS, category=RuntimeWarning)


def query_error(query: str | None) -> str | None:
    """The sentence saying what to fix in a search query that cannot be read; None for a good or
    blank one (a blank query is the empty form of a saved query, not a mistake to report)."""
    if not (query or "").strip():
        return None
    try:
        parse_query(query)
    except QueryError as exc:
        return str(exc)
    return None


def wants_json(request: Any) -> bool:
    return request.path.endswith(".json") or request.args.get("_format") == "json"


# A table's sort the request asks for and the table cannot give: a mistake of the request, which
# Datasette 0.65 raises with its default status, 500, as if the server had failed.
_SORT_MISTAKES = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time")


def _status_and_message(exception: BaseException) -> tuple[int, str, str | None]:
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0] if exception.args else exception), None
    if isinstance(exception, DatasetteError):
        message = str(exception.message)
        status = 400 if exception.status == 500 and message.startswith(_SORT_MISTAKES) else exception.status
        return status, message, exception.title
    return 500, f"{type(exception).__name__}: {exception}", None


def log_error(method: str, path: str, status: int, message: str) -> None:
    """The one log line of an error: the request and the reason, no traceback, no local variables."""
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    reason = "" if first_line == str(status) else " " + first_line[:300]
    _log.warning("%s %s -> %d%s", method, path, status, reason)
    request = _request.get()
    if request is not None:
        request.logged = True


# A wrapper replaces the handlers' answers, so Datasette's own never runs: its traceback printer
# fails outside an except block, and its awaitable would run after ours otherwise.
@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    outcome = yield
    outcome.force_result([_error_response(datasette, request, exception)])


def _error_response(datasette: Any, request: Any, exception: BaseException) -> Any:
    async def respond() -> Response:
        status, message, title = _status_and_message(exception)
        if _unknown_table_address(request, title, message):
            status, message, title = 404, f"Not found ({message})", None
        log_error(request.method, request.path, status, message)
        info = {"ok": False, "error": message, "status": status, "title": title}
        if wants_json(request):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        page = await template.render_async(
            dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(), menu_links=lambda: [])
        )
        return Response.html(page, status=status)

    return respond


def _unknown_table_address(request: Any, title: str | None, message: str) -> bool:
    """Whether the error is Datasette's 400 "Invalid SQL" for an address naming a table that does
    not exist (``/archive/no_such_table/1``, ``/archive/-/nosuch``): an unknown URL, not a query.
    Hand-written SQL (``?sql=``) naming one stays a 400."""
    return title == "Invalid SQL" and message.startswith("no such table:") and "sql" not in request.args


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def refuse(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            errors = _RequestErrors()
            _request.set(errors)
            status = 0
            replaced = False

            async def send_noting_status(message):
                nonlocal status, replaced
                if replaced:
                    return
                if message.get("type") == "http.response.start":
                    status = message.get("status", 0)
                    if errors.sql_error and status < 400:
                        # Datasette's CSV of a query that failed is an empty 200: say why instead.
                        replaced, status = True, 400
                        await Response.text(f"error: {errors.sql_error}\n", status=400).asgi_send(send)
                        return
                await send(message)

            refusal = _write_refusal(scope) or await _saved_query_refusal(datasette, scope)
            if refusal is not None:
                await refusal.asgi_send(send)
                return
            await app(scope, receive, send_noting_status)
            # A statement that failed on a page that showed the error itself: its one line here.
            if errors.sql_error and not errors.logged and status >= 400:
                log_error(scope.get("method", "GET"), scope.get("path", ""), status, errors.sql_error)

        return refuse

    return wrap


def _write_refusal(scope: dict) -> Response | None:
    """A 405 for any request but a read: the archive is served read-only."""
    method = scope.get("method", "GET")
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    message = f"{method} is not allowed: this archive is served read-only"
    log_error(method, scope.get("path", ""), 405, message)
    return Response.json(
        {"ok": False, "error": message, "status": 405}, status=405, headers={"Allow": "GET, HEAD"}
    )


async def _saved_query_refusal(datasette: Any, scope: dict) -> Response | None:
    """A 400 JSON answer for a saved query asked for JSON with a query that cannot be read.

    Its HTML page shows the reason as a row above the form; a JSON client gets it as ``error``.
    """
    parts = scope.get("path", "").strip("/").split("/")
    args = dict(urllib.parse.parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace")))
    if len(parts) != 2 or not (parts[1].endswith(".json") or args.get("_format") == "json"):
        return None
    database, name = parts[0], parts[1].removesuffix(".json")
    if database not in datasette.databases:
        return None
    saved = await datasette.get_canned_query(database, name, None)
    for parameter in _CHECKED_PARAMETER.findall((saved or {}).get("sql", "")):
        problem = query_error(args.get(parameter))
        if problem:
            message = f"Cannot search: {problem}"
            log_error(scope.get("method", "GET"), scope["path"], 400, message)
            return Response.json({"ok": False, "error": message, "status": 400, "rows": []}, status=400)
    return None
