"""Pages that are not articles: challenges."""

from __future__ import annotations

import pytest

from crawler.extract import NotAnArticle, extract_article


def test_jsl_challenge_with_the_cookie_name_in_pieces_is_blocked():
    page = (
        b"<html><body><script>document.cookie=('_')+('_')+('jsl_clear')+('ance=1764182400.4|0|')"
        b"+(';Max-age=3600; path = /');location.href=location.pathname+location.search</script>"
        b"</body></html>"
    )
    with pytest.raises(NotAnArticle) as caught:
        extract_article(page, "https://www.bjdj.gov.cn/article/1.html")
    assert caught.value.reason == "challenge" and caught.value.blocked
