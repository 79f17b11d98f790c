"""Appointment notices kept beside their articles: parse a stored article's notices and save them.

Used by the crawl pipeline and ``orgnews reparse`` for each article they store, and by
``orgnews backfill-appointments`` for the articles already in the archive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.extract import Article
from crawler.extract.appointments import AppointmentNotice, parse_appointment_notices

BACKFILL_BATCH = 200  # articles per transaction
logger = logging.getLogger(__name__)


def read_notices(article: Article) -> list[AppointmentNotice] | None:
    """The article's notices, or None (logged) when the parser fails on it: a fault of the parser
    must not cost the article itself, which is saved in the same transaction."""
    try:
        return parse_appointment_notices(article)
    except Exception:
        logger.exception(
            "the appointment-notice parser failed on %s; its notices are not stored", article.url
        )
        return None


def record_notices(
    archive: Any, article_id: int, article: Article, status: str, refresh: bool = False
) -> int | None:
    """Store the notices of an article just saved with ``status``; returns the persons stored, or
    None when nothing was written (an unchanged article, or a new one that is no notice).
    ``refresh`` reads an unchanged article again too (after an upgrade of the parser)."""
    if status == "unchanged" and not refresh:
        return None
    notices = read_notices(article)
    if notices is None:
        return None
    # An edited article may have stopped being a notice: its old records go.
    if notices or status != "new":
        return archive.save_appointment_notices(article_id, notices)
    return None


@dataclass
class BackfillReport:
    articles: int = 0  # articles read as notices
    notices: int = 0
    persons: int = 0
    mismatched: int = 0  # notices whose persons read differ from the persons announced
    attachment_only: int = 0
    failed: int = 0  # articles the parser failed on (logged)


def backfill(
    archive: Any, site: str | None = None, progress: Callable[[int], None] | None = None
) -> BackfillReport:
    """Parse the notices of every stored article (of ``site``) and store them, replacing earlier ones."""
    report = BackfillReport()
    candidates = list(archive.appointment_candidates(site))
    for start in range(0, len(candidates), BACKFILL_BATCH):
        with archive.transaction():
            for data in candidates[start : start + BACKFILL_BATCH]:
                notices = read_notices(Article.from_dict(data))
                if notices is None:
                    report.failed += 1
                    continue
                archive.save_appointment_notices(data["id"], notices)
                if not notices:
                    continue
                report.articles += 1
                report.notices += len(notices)
                report.persons += sum(n.parsed for n in notices)
                report.mismatched += sum(n.announced is not None and n.announced != n.parsed for n in notices)
                report.attachment_only += sum(n.attachment_only for n in notices)
        if progress is not None:
            progress(min(start + BACKFILL_BATCH, len(candidates)))
    return report
