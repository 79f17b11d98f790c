"""Field coverage of a run and the alerts when a field vanishes."""

from __future__ import annotations

from crawler.extract import Article
from crawler.runstats import CoverageCounter, coverage_alerts


def _articles(count: int, **fields: str | None) -> CoverageCounter:
    counter = CoverageCounter()
    for n in range(count):
        counter.add(
            Article(
                url=f"https://www.12371.cn/a/{n}",
                title="标题",
                body="正文",
                source="来源",
                published_at="2021-02-03",
                **fields,
            )
        )
    return counter


def test_coverage_counts_filled_fields_only() -> None:
    counter = _articles(4, editor="耿硕2", author="  ")
    shares = counter.shares()
    assert shares["title"] == 1.0 and shares["editor"] == 1.0
    assert shares["author"] == 0.0


def test_a_field_that_vanishes_raises_an_alert_naming_it() -> None:
    recent = [{"field_coverage": {"title": 1.0, "editor": 0.95, "author": 0.4}} for _ in range(5)]
    counter = _articles(20, editor=None, author="张学伟")
    alerts = coverage_alerts("12371", counter.shares(), counter.articles, recent)
    assert len(alerts) == 1
    assert "editor" in alerts[0] and "0%" in alerts[0] and "95%" in alerts[0]


def test_no_alert_without_history_or_with_too_few_articles() -> None:
    counter = _articles(20, editor=None)
    assert coverage_alerts("12371", counter.shares(), counter.articles, []) == []
    small = _articles(2, editor=None)
    recent = [{"field_coverage": {"editor": 1.0}}] * 5
    assert coverage_alerts("12371", small.shares(), small.articles, recent) == []


def test_fields_a_site_never_had_do_not_alert() -> None:
    recent = [{"field_coverage": {"author": 0.05}}] * 5
    counter = _articles(20, author=None)
    assert coverage_alerts("gov", counter.shares(), counter.articles, recent) == []
