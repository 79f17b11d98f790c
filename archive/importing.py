"""Reading articles from JSON lines (``orgnews import``): every line is an article or a named problem.

A line that is not JSON, not an object, whose fields have the wrong types, whose url is not an
http(s) address or that has neither a title nor a body is described (file, line number, field,
what is wrong) and skipped; it never stops the load of the others.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from crawler.extract.article import Article, BadRecord


def read_articles(handles: Iterable[BinaryIO], problems: list[str]) -> Iterator[Article]:
    """Articles from JSON lines, one object per line, read from binary ``handles``.

    A UTF-8 byte order mark before the first line is ignored. Each line that is not an article
    gets one sentence in ``problems`` (``name:line: what is wrong``) and is skipped.
    """
    for handle in handles:
        name = getattr(handle, "name", "-")
        name = "-" if name in ("<stdin>", 0) else name
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                yield Article.from_record(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                problems.append(f"{name}:{number}: not UTF-8 text (byte {exc.start + 1} of the line)")
            except json.JSONDecodeError as exc:
                problems.append(f"{name}:{number}: not JSON ({exc.msg}, column {exc.colno})")
            except RecursionError:
                problems.append(f"{name}:{number}: not an article (JSON nested too deeply)")
            except BadRecord as exc:
                problems.append(f"{name}:{number}: not an article ({exc})")
