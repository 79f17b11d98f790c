"""Run statistics: per-field coverage and the alerts raised when a site's layout seems to have changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import median
from typing import Any

# Crawl stat: "URL problem" for each start list that gave no detail link in the run.
STAT_LIST_PROBLEMS = "orgnews/list_problems"

COVERAGE_FIELDS: tuple[str, ...] = ("title", "published_at", "source", "author", "editor", "body")

# An alert needs enough articles to mean something, a field the site used to fill,
# and a drop to less than half of what recent runs achieved.
MIN_ARTICLES_FOR_ALERT = 5
MIN_BASELINE = 0.3
DROP_RATIO = 0.5


class CoverageCounter:
    """Counts, per field, how many extracted articles had it filled."""

    def __init__(self) -> None:
        self.articles = 0
        self.filled = dict.fromkeys(COVERAGE_FIELDS, 0)

    def add(self, article: Any) -> None:
        self.articles += 1
        for name in COVERAGE_FIELDS:
            value = getattr(article, name, None)
            if isinstance(value, str) and value.strip():
                self.filled[name] += 1

    def shares(self) -> dict[str, float]:
        if not self.articles:
            return {}
        return {name: round(count / self.articles, 4) for name, count in self.filled.items()}


def coverage_alerts(
    site: str, current: Mapping[str, float], articles: int, recent: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Sentences naming each field whose share fell well below the site's recent runs."""
    if articles < MIN_ARTICLES_FOR_ALERT:
        return []
    history: dict[str, list[float]] = {name: [] for name in COVERAGE_FIELDS}
    for run in recent:
        coverage = run.get("field_coverage") or {}
        for name in COVERAGE_FIELDS:
            if isinstance(coverage.get(name), int | float):
                history[name].append(float(coverage[name]))
    alerts = []
    for name in COVERAGE_FIELDS:
        if not history[name] or name not in current:
            continue
        baseline = median(history[name])
        if baseline >= MIN_BASELINE and current[name] < baseline * DROP_RATIO:
            alerts.append(
                f"{site}: {name} found in {current[name]:.0%} of {articles} articles, "
                f"against {baseline:.0%} in the last {len(history[name])} runs; "
                "the site may have changed its layout (check its profile selectors)"
            )
    return alerts


def unverified_alerts(site: str, notes: Iterable[str]) -> list[str]:
    """The profile values taken on trust, as the sentences a run records (one per list)."""
    return [f"{site}: not confirmed against the live site: {note}" for note in notes]


def list_alerts(site: str, problems: Iterable[str]) -> list[str]:
    """Start lists that gave no detail link, as the sentences a run records."""
    return [
        f"{site}: the list {problem}; see `orgnews sites --check {site}` and the site's profile"
        for problem in problems
    ]
