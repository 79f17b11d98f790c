"""Fixtures and helpers the tests of this folder share."""

from __future__ import annotations

BODY = (
    "<p>习近平总书记强调，组织部门要坚持公道正派，努力打造模范部门和过硬队伍，推动各项工作落地见效。</p>" * 3
)


def page(inner: str, title: str = "标题", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{inner}</body></html>"
