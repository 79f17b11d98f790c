"""The crawl summary printed by orgnews crawl."""

from __future__ import annotations


def test_summary_shows_each_alert_as_a_warning() -> None:
    import io

    from rich.console import Console

    from crawler.commands.report import print_summary

    out = io.StringIO()
    alert = "12371: editor found in 0% of 20 articles, against 95% in the last 5 runs"
    run = {
        "id": 7,
        "site": "12371",
        "started_at": "2026-11-26T02:15:00+00:00",
        "status": "completed",
        "pages_fetched": 31,
        "articles_new": 20,
        "field_coverage": {"title": 1.0, "editor": 0.0},
        "alerts": [alert],
    }
    print_summary(Console(file=out, width=200, force_terminal=False), [run])
    text = out.getvalue()
    assert f"WARNING: {alert}" in text
    assert "100%" in text and "0%" in text
