"""Reading articles from JSON lines (``orgnews import``): every line is an article or a named problem.

A line that is not JSON, not an object, whose fields have the wrong types, whose url is not an
http(s) address or that has neither a title nor a body is described (file, line number, field,
what is wrong) and skipped; it never stops the load of the others.
"""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from crawler.extract.article import Article, BadRecord


def read_articles(
    handles: Iterable[BinaryIO], problems: list[str], stops: list[str] | None = None
) -> Iterator[Article]:
    """Articles from JSON lines, one object per line, read from binary ``handles``.

    A UTF-8 byte order mark before the first line is ignored, and a gzip file (a release's
    ``.jsonl.gz``) is read through gzip. Each line that is not an article gets one sentence in
    ``problems`` (``name:line: what is wrong``) and is skipped; a gzip file cut short, one for where
    its reading stopped, and its ``name:line`` in ``stops`` (when given): not a line that was not an
    article, but the end of what could be read.
    """
    for handle in handles:
        name = getattr(handle, "name", "-")
        name = "-" if name in ("<stdin>", 0) else name
        number = 0
        try:
            for number, raw in enumerate(_uncompressed(handle), start=1):
                if raw.strip() and (article := _article(raw, number == 1, problems, f"{name}:{number}")):
                    yield article
        except (OSError, EOFError) as exc:  # a gzip file damaged or cut short
            problems.append(
                f"{name}:{number + 1}: cannot be read from here on, its lines are not stored ({exc})"
            )
            if stops is not None:
                stops.append(f"{name}:{number + 1}")


def _uncompressed(handle: BinaryIO) -> BinaryIO:
    """``handle``, read through gzip when it starts as gzip does."""
    peek = getattr(handle, "peek", None)
    if peek is not None and peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    return handle


def _article(raw: bytes, first: bool, problems: list[str], where: str) -> Article | None:
    if first and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return Article.from_record(json.loads(raw.decode("utf-8")))
    except UnicodeDecodeError as exc:
        problems.append(f"{where}: not UTF-8 text (byte {exc.start + 1} of the line)")
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: not JSON ({exc.msg}, column {exc.colno})")
    except RecursionError:
        problems.append(f"{where}: not an article (JSON nested too deeply)")
    except BadRecord as exc:
        problems.append(f"{where}: not an article ({exc})")
    return None
