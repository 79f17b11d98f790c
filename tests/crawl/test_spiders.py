"""The news spider: politeness per live profile, none against the replay."""

from __future__ import annotations


def test_politeness_for_every_live_profile_and_none_for_the_replay() -> None:
    from scrapy.settings import Settings

    from crawler.profiles import load_profiles
    from crawler.spiders.news import apply_politeness, user_agent

    for profile in load_profiles().values():
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        settings.set("ORGNEWS_REPLAY_URL", "", priority="cmdline")
        apply_politeness(settings, profile)
        shortest_gap = settings.getfloat("DOWNLOAD_DELAY") * (1 - settings.getfloat("DOWNLOAD_DELAY_JITTER"))
        assert shortest_gap >= 1.0, profile.name
        assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2, profile.name
        assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    replay = Settings()
    replay.setmodule("crawler.settings", priority="project")
    replay.set("ORGNEWS_REPLAY_URL", "http://127.0.0.1:8800", priority="cmdline")
    apply_politeness(replay, profile)
    assert replay.getfloat("DOWNLOAD_DELAY") == 0 and not replay.getbool("AUTOTHROTTLE_ENABLED")
    assert replay.getbool("ROBOTSTXT_OBEY")
    assert "contact: archive@example.org" in user_agent("archive@example.org")
