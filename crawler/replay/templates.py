"""Detail-page templates of the replayed sites, one function per CMS, as each site lays out an article.

Each function takes a ``Story`` and returns the page as text: header navigation, breadcrumb,
title, info line, share and font-size widgets, the body container the site really uses, and
the footer. Encoding to bytes (GBK for 北京组工网) is the builder's job.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Story:
    """One article of the replay site, before it is laid out in a template."""

    key: str
    title: str
    when: datetime
    source: str
    column: str
    paragraphs: list[str]
    author: str | None = None
    editor: str | None = None
    url: str = ""
    related: list[tuple[str, str]] = field(default_factory=list)
    pager: str = ""

    @property
    def brief(self) -> str:
        return self.paragraphs[0][:60] + "……"


@dataclass
class Chrome:
    """What a site's full template adds around an article, slot by slot (``crawler/replay/chrome.py``
    fills them for the notice pages): stylesheets and scripts in the head, the header's navigation,
    a share bar under the info line, blocks below the text, a side column, and a footer in place
    of the template's short one."""

    head: str = ""
    header: str = ""
    share: str = ""
    below: str = ""
    aside: str = ""
    footer: str | None = None
    scripts: str = ""


NO_CHROME = Chrome()


def _slot(html_text: str) -> str:
    """A filled slot on lines of its own; an empty one leaves the page as the short template."""
    return f"{html_text}\n" if html_text else ""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(story: Story, indent: bool = True) -> str:
    style = ' style="text-indent: 2em;"' if indent else ""
    return "\n".join(f"<p{style}>{esc(p)}</p>" for p in story.paragraphs)


def related_html(story: Story, heading: str) -> str:
    items = "".join(
        f'<li><a href="{esc(url)}" target="_blank">{esc(title)}</a></li>' for url, title in story.related
    )
    return f'<div class="related"><h3>{heading}</h3><ul>{items}</ul></div>'


BDSHARE = (
    '<div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin" data-cmd="weixin">微信</a>'
    '<a class="bds_tsina" data-cmd="tsina">微博</a><a class="bds_qzone" data-cmd="qzone">QQ空间</a></div>'
    '<div class="bd_weixin_popup"><div class="bd_weixin_popup_head"><span>分享到微信朋友圈</span>'
    '<a class="bd_weixin_popup_close">×</a></div><div class="bd_weixin_popup_foot">打开微信，点击底部的“发现”，'
    "使用“扫一扫”即可将网页分享至朋友圈。</div></div>"
)


def page_12371(story: Story) -> str:
    stamp = story.when.strftime("%Y年%m月%d日 %H:%M")
    author = f'<p style="text-align: center;">{esc(story.author)}</p>\n' if story.author else ""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(story.title)}_共产党员网</title>
<meta name="keywords" content="{esc(story.column)},组织工作,党建" />
<meta name="description" content="{esc(story.brief)}" />
<link rel="stylesheet" href="//www.12371.cn/style/dyw1023.css" />
</head>
<body>
<div class="header_box"><div class="header">
<a class="logo" href="https://www.12371.cn/">共产党员网</a>
<ul class="nav"><li><a href="https://www.12371.cn/">首页</a></li><li><a href="https://www.12371.cn/zxfb/">最新发布</a></li>
<li><a href="https://news.12371.cn/dzybmbdj/zzb/">中组部</a></li><li><a href="https://www.12371.cn/djxx/">党建信息</a></li>
<li><a href="https://www.12371.cn/dsxx/">党史学习</a></li></ul>
</div></div>
<div class="dyw1023_con"><div class="dyw1023_con_l">
<div class="dyw1023_location">您的位置：<a href="https://www.12371.cn/">首页</a> &gt; <a href="https://www.12371.cn/zxfb/">{esc(story.column)}</a> &gt; 正文</div>
<h1 class="big_title">{esc(story.title)}</h1>
<div class="title_bottom">
<i class="time">来源：{esc(story.source)}</i>
<i class="time">{stamp}</i>
{BDSHARE}
<div class="fontsize">字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></div>
</div>
<div class="word" id="font_area">
{author}{paragraphs_html(story)}
</div>
<div class="zrbj">责任编辑：{esc(story.editor or "")}</div>
{related_html(story, "相关文章")}
</div></div>
<div class="footer_box"><div class="footer">
<p>共产党员网 版权所有</p><p>主办单位：中共中央组织部</p><p>京ICP备000000号</p>
</div></div>
</body>
</html>
"""


def page_people(story: Story, chrome: Chrome = NO_CHROME) -> str:
    stamp = story.when.strftime("%Y年%m月%d日%H:%M")
    footer = chrome.footer or PEOPLE_FOOTER
    editors = story.editor or ""
    author = f'<p style="text-indent: 2em;">{esc(story.author)}</p>\n' if story.author else ""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="content-type" content="text/html;charset=UTF-8"/>
<meta http-equiv="Content-Language" content="utf-8" />
<title>{esc(story.title)}--{esc(story.column)}-人民网</title>
<meta name="keywords" content="{esc(story.column)}" />
<meta name="description" content="{esc(story.brief)}" />
<meta name="publishdate" content="{story.when:%Y-%m-%d}" />
<meta name="source" content="来源：{esc(story.source)}" />
<meta name="contentid" content="{story.key}" />
{_slot(chrome.head)}</head>
<body>
{_slot(chrome.header)}<div class="w1000 top_nav cf">
<a href="http://www.people.com.cn/" target="_blank">人民网</a>
<a href="http://cpc.people.com.cn/" target="_blank">中国共产党新闻网</a>
<a href="http://dangjian.people.com.cn/" target="_blank">党建</a>
<a href="http://renshi.people.com.cn/" target="_blank">人事</a>
</div>
<div class="w1000 route cf">
<a href="http://cpc.people.com.cn/">中国共产党新闻网</a>&gt;&gt;<a href="http://cpc.people.com.cn/GB/64093/index.html">{esc(story.column)}</a>
</div>
<div class="main cf">
<div class="col col-1 fl">
<div class="layout rm_txt cf">
<h3 class="pre"></h3>
<h1>{esc(story.title)}</h1>
<h4 class="sub"></h4>
<div class="col-1-1 fl">{stamp} | 来源：<a href="http://www.people.com.cn/" target="_blank">{esc(story.source)}</a></div>
<div class="col-1-1 fr"><a class="sina" href="javascript:;">分享到</a></div>
{_slot(chrome.share)}</div>
<div class="rm_txt_con cf" id="rm_txt_zw">
{author}{paragraphs_html(story)}
{story.pager}
<div class="edit cf">(责编：{esc(editors)})</div>
</div>
{related_html(story, "相关新闻")}
{_slot(chrome.below)}</div>
{_slot(chrome.aside)}</div>
{footer}
{_slot(chrome.scripts)}</body>
</html>
"""


PEOPLE_FOOTER = """<div class="footer w1000">
<p>人民日报社概况 | 关于人民网 | 报社招聘 | 招聘英才 | 广告服务 | 合作加盟 | 供稿服务 | 网站声明 | 联系我们</p>
<p>人民网版权所有，未经书面授权禁止使用</p>
<p>Copyright &copy; 1997-2026 by www.people.com.cn. all rights reserved</p>
</div>"""


def page_people_old(story: Story) -> str:
    """The older people.com.cn layout (GB2312 pages, body ``#rwb_zw``)."""
    stamp = story.when.strftime("%Y年%m月%d日%H:%M")
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=GB2312" />
<title>{esc(story.title)}--中国共产党新闻网</title>
<meta name="publishdate" content="{story.when:%Y-%m-%d}" />
</head>
<body>
<div class="nav"><a href="http://cpc.people.com.cn/">中国共产党新闻网</a> | <a href="http://cpc.people.com.cn/GB/64093/">高层动态</a></div>
<div class="clear"></div>
<div class="d2_left wb_left fl">
<div class="text_c">
<h1>{esc(story.title)}</h1>
<p class="sou">{stamp}&nbsp;&nbsp;来源：<a href="http://www.people.com.cn/" target="_blank">{esc(story.source)}</a></p>
<div class="fx"><a href="javascript:;">分享到：</a></div>
<div class="show_text" id="rwb_zw">
{paragraphs_html(story)}
</div>
<div class="edit">(责编：{esc(story.editor or "")})</div>
</div>
</div>
<div class="copyright">人民网版权所有，未经书面授权禁止使用</div>
</body>
</html>
"""


def page_dangjian(story: Story) -> str:
    """党建网's detail layout: #title_tex, #time_tex, #time_ly, the editor in .bj span, #tex .TRS_Editor."""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{esc(story.title)}-党建网</title>
<meta name="keywords" content="{esc(story.column)}">
<meta name="description" content="{esc(story.brief)}">
</head>
<body>
<div class="top-bar"><div class="w1200"><a href="http://www.dangjian.cn/">党建网</a> <a href="http://www.dangjian.cn/djyw/">党建要闻</a>
<a href="http://www.dangjian.cn/shouye/dangjianyaowen/">党建要闻</a> <a href="http://www.dangjian.cn/llqd/">理论前沿</a></div></div>
<div class="w1200">
<div class="position">当前位置：<a href="http://www.dangjian.cn/">首页</a> &gt; <a href="http://www.dangjian.cn/djyw/">{esc(story.column)}</a></div>
<div class="article">
<div id="title_tex"><p>{esc(story.title)}</p></div>
<div class="info"><span id="time_tex">{story.when:%Y-%m-%d %H:%M}</span> <span id="time_ly">来源：{esc(story.source)}</span></div>
<div class="share">分享到：<a class="wx" href="javascript:;">微信</a> <a class="wb" href="javascript:;">微博</a></div>
<div id="tex"><div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{{margin-top:5px;margin-bottom:5px;line-height:2;font-family:宋体;font-size:12pt;}}
</style>
{paragraphs_html(story)}
</div></div>
<div class="bj">[责任编辑：<span>{esc(story.editor or "")}</span>]</div>
</div>
{related_html(story, "相关阅读")}
</div>
<div class="footer"><p>党建网 版权所有</p><p>京ICP备000000号</p></div>
</body>
</html>
"""


def page_gov(story: Story, metas: bool = True) -> str:
    """中国政府网's detail layout; ``metas=False`` leaves out ArticleTitle and PubDate, as some pages do."""
    article_metas = (
        f'<meta name="ArticleTitle" content="{esc(story.title)}">\n'
        f'<meta name="PubDate" content="{story.when:%Y-%m-%d %H:%M}">\n'
        if metas
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="中国政府网">
<meta name="SiteDomain" content="www.gov.cn">
<meta name="SiteIDCode" content="bm01000001">
<meta name="ColumnName" content="{esc(story.column)}">
<meta name="ColumnType" content="要闻">
{article_metas}<meta name="ContentSource" content="{esc(story.source)}">
<meta name="firstpublishedtime" content="{story.when:%Y-%m-%d-%H:%M:%S}">
<meta name="Keywords" content="">
<meta name="Description" content="{esc(story.brief)}">
<meta name="Url" content="{esc(story.url)}">
<title>{esc(story.title)}_要闻_中国政府网</title>
</head>
<body>
<div class="header"><div class="header_nav"><a href="https://www.gov.cn/">首页</a> <a href="https://www.gov.cn/yaowen/">新闻</a>
<a href="https://www.gov.cn/zhengce/">政策</a> <a href="https://www.gov.cn/hudong/">互动</a> <a href="https://www.gov.cn/fuwu/">服务</a></div></div>
<div class="main">
<div class="BreadcrumbNav"><a href="https://www.gov.cn/">首页</a> &gt; <a href="https://www.gov.cn/yaowen/">新闻</a> &gt; <a href="https://www.gov.cn/yaowen/liebiao/home.htm">{esc(story.column)}</a></div>
<div class="article oneColumn pub_border">
<h1 id="ti">{esc(story.title)}</h1>
<div class="pages-date">{story.when:%Y-%m-%d %H:%M}<span class="font">来源：{esc(story.source)}</span>
<span class="font index_switchsize">字号：<span>默认</span> <span>大</span> <span>超大</span></span> | <span class="font printIco">打印</span> | {BDSHARE}</div>
<div class="pages_content mhide" id="UCAP-CONTENT">
{paragraphs_html(story)}
</div>
<div class="editor">【我要纠错】 责任编辑：{esc(story.editor or "")}</div>
</div>
{related_html(story, "相关稿件")}
</div>
<div class="footer"><p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p><p>版权所有：中国政府网　中文域名：中国政府网.政务</p></div>
</body>
</html>
"""


def page_trs(story: Story, site_name: str, home: str, chrome: Chrome = NO_CHROME) -> str:
    # TRS info lines print bare names; the reporter's role belongs to the body.
    author = f"作者：{esc(story.author.split()[-1])}&nbsp;&nbsp;" if story.author else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="{esc(site_name)}" />
<meta name="ColumnName" content="{esc(story.column)}" />
<meta name="ArticleTitle" content="{esc(story.title)}" />
<meta name="PubDate" content="{story.when:%Y-%m-%d %H:%M}" />
<meta name="ContentSource" content="{esc(story.source)}" />
<title>{esc(story.title)}</title>
{_slot(chrome.head)}</head>
<body>
<div class="top"><a href="{home}">{esc(site_name)}</a></div>
{_slot(chrome.header)}<div class="nav"><a href="{home}">首页</a> <a href="../">{esc(story.column)}</a> <a href="{home}dangjian/">党建工作</a> <a href="{home}rencai/">人才工作</a></div>
<div class="position">当前位置：<a href="../../">首页</a> &gt; <a href="../">{esc(story.column)}</a></div>
<div class="article_title"><h2>{esc(story.title)}</h2></div>
<div class="article_info">发布时间：{story.when:%Y-%m-%d %H:%M}&nbsp;&nbsp;来源：{esc(story.source)}&nbsp;&nbsp;{author}【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>
{_slot(chrome.share)}<div class="article_content"><div class=TRS_Editor><style type="text/css">
.TRS_Editor P{{margin-top:5px;margin-bottom:5px;line-height:2;font-family:宋体;font-size:12pt;}}
</style><div class="Custom_UnionStyle">
{paragraphs_html(story)}
</div></div></div>
<div class="bj">责任编辑：{esc(story.editor or "")}</div>
<div class="print"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
{_slot(chrome.below)}{_slot(chrome.aside)}{chrome.footer or f'<div class="footer">{esc(site_name)} 版权所有　苏ICP备000000号</div>'}
{_slot(chrome.scripts)}</body>
</html>
"""


def page_hanweb(story: Story, site_name: str, home: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="SiteName" content="{esc(site_name)}">
<meta name="ColumnName" content="{esc(story.column)}">
<meta name="ArticleTitle" content="{esc(story.title)}">
<meta name="PubDate" content="{story.when:%Y-%m-%d %H:%M}">
<meta name="ContentSource" content="{esc(story.source)}">
<title>{esc(story.title)}</title>
</head>
<body>
<div class="head"><a href="{home}">{esc(site_name)}</a></div>
<div class="nav"><a href="{home}">首页</a> <a href="{home}col/col1229474/index.html">{esc(story.column)}</a> <a href="{home}col/col1229475/index.html">干部工作</a></div>
<div class="dqwz">当前位置：<a href="{home}">首页</a> &gt; <a href="{home}col/col1229474/index.html">{esc(story.column)}</a></div>
<table class="article" width="100%">
<tr><td class="title" align="center">{esc(story.title)}</td></tr>
<tr><td class="info" align="center">发布日期：{story.when:%Y-%m-%d}&nbsp;&nbsp;信息来源：{esc(story.source)}&nbsp;&nbsp;浏览次数：<span id="c">1</span>&nbsp;&nbsp;字号：[ <a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a> ]</td></tr>
<tr><td><div id="zoom">
{paragraphs_html(story)}
</div></td></tr>
<tr><td class="tools">【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</td></tr>
</table>
<div class="foot">{esc(site_name)} 版权所有　浙ICP备000000号</div>
</body>
</html>
"""


def page_bjdj(story: Story) -> str:
    author = f"　作者：{esc(story.author)}" if story.author else ""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(story.title)}-北京组工网</title>
</head>
<body>
<div class="top"><a href="https://www.bjdj.gov.cn/">北京组工网</a></div>
<div class="nav"><a href="https://www.bjdj.gov.cn/">首页</a> <a href="https://www.bjdj.gov.cn/zgdt/">组工动态</a> <a href="https://www.bjdj.gov.cn/djgz/">党建工作</a></div>
<div class="location">当前位置：<a href="https://www.bjdj.gov.cn/">首页</a> &gt; <a href="https://www.bjdj.gov.cn/zgdt/">{esc(story.column)}</a></div>
<div class="article">
<h1 class="article-title">{esc(story.title)}</h1>
<div class="article-info">发布时间：{story.when:%Y-%m-%d %H:%M}　来源：{esc(story.source)}{author}</div>
<div class="article-content">
{paragraphs_html(story)}
</div>
<div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="footer">中共北京市委组织部 主办　京ICP备000000号</div>
</body>
</html>
"""


# 加速乐 answers 521 with a script that sets __jsl_clearance and reloads the page.
JSL_CHALLENGE_PAGE = """<html><body><script>document.cookie=('_')+('_')+('jsl_clearance')+('=')+('1764182400.417|0|')+(function(){var _t=[7,1,'e',5];return _t.join('');})()+(';Max-age=3600; path = /');location.href=location.pathname+location.search</script></body></html>
"""

CHALLENGE_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Pragma" content="no-cache"><meta http-equiv="Cache-Control" content="no-store">
<script type="text/javascript">var $_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=48213;$_ts.cd="qXrQrpAlEGVqJaAqqGlrcrZWgqZjPaAscqVJhcALcGVqrGlA";</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.e3b2c1.js" r="m"></script>
</head><body></body></html>
"""
