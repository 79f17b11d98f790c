"""The chrome around a notice as the sites serve it: what a detail page carries besides the notice.

A live 任前公示 page of people.com.cn's 人事 channel or of 中共江苏省委新闻网 is tens of KB, and
most of it is not the notice: stylesheets and scripts, the channel's navigation, a breadcrumb, a
share bar, a 责任编辑 line, a column of links to other notices (titles such as
``关于某某同志任前公示的公告``, a brief that reads ``现将某某等2名同志…予以公示``), 上一篇 / 下一篇,
and a footer with the site's own phone numbers and address. ``people_chrome`` and
``trs_chrome`` lay those parts out as each site's template places them, to fill the slots of
``templates.page_people`` and ``templates.page_trs``. Every line is invented, in the shapes the
sites print; the persons named here are in no notice (``CHROME_NAMES``), so a crawl that reads
one of them read the chrome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.replay.templates import Chrome, esc

# Other notices the columns link to: (title, days before the page, the persons it names).
PEOPLE_RELATED = [
    ("中共浙江省委组织部关于蒋文博等同志任前公示的公告", 3, ("蒋文博",)),
    ("关于邓丽萍同志任前公示的公告", 5, ("邓丽萍",)),
    ("湖南省管领导干部任前公示（2026年第9批）", 6, ()),
    ("关于韦国强、范志诚同志任职前公示的通告", 8, ("韦国强", "范志诚")),
    ("中共河南省委组织部干部任前公示", 9, ()),
    ("四川省2026年第十批省管干部任前公示", 12, ()),
    ("云南省委组织部关于苗雨晴等3名同志任前公示", 13, ("苗雨晴",)),
    ("安徽省管干部任职前公示", 15, ()),
]
TRS_RELATED = [
    ("江苏省管领导干部任前公示（第十一批）", 4, ()),
    ("关于宋建军同志任前公示的公告", 6, ("宋建军",)),
    ("南京市委组织部关于冯立群等同志任前公示", 7, ("冯立群",)),
    ("无锡市管干部任前公示", 10, ()),
    ("苏州市委组织部干部任前公示公告", 11, ()),
    ("关于白海燕、程子昂同志任职前公示的公告", 14, ("白海燕", "程子昂")),
    ("徐州市管领导干部任前公示", 16, ()),
    ("关于唐永明同志拟任职的公示", 18, ("唐永明",)),
]
# A brief under a related title repeats that notice's opening, persons and count included.
PEOPLE_BRIEF = (
    "经中共浙江省委研究，现将蒋文博等2名同志拟任职情况予以公示。蒋文博，男，汉族，1971年5月生，"
    "现任市委常委、常务副市长，拟任市委副书记。"
)
TRS_BRIEF = "经省委研究，现将宋建军等3名同志拟任职情况予以公示。公示时间为5个工作日。"
# The persons the chrome of each site's notice pages names, by profile.
CHROME_NAMES = {
    site: frozenset(name for _, _, names in titles for name in names)
    for site, titles in (("people", PEOPLE_RELATED), ("jiangsu", TRS_RELATED))
}

# The site's own phone lines and address, unlike the notice's 12380 line.
PEOPLE_FOOTER_LINES = [
    "人民日报社概况 | 关于人民网 | 报社招聘 | 招聘英才 | 广告服务 | 合作加盟 | 供稿服务 | 网站声明 | 网站地图 | 留言板 | 联系我们",
    "人民网服务邮箱：service@example.cn　违法和不良信息举报电话：010-65361296　举报邮箱：jubao@example.cn",
    "地址：北京市朝阳区望京东园9号　邮编：100733　总机：010-65367788",
    "人民网版权所有，未经书面授权禁止使用",
    "Copyright &copy; 1997-2026 by www.people.com.cn. all rights reserved",
    "京ICP证000000号　京公网安备11000000000000号",
]
TRS_FOOTER_LINES = [
    "关于我们 | 网站声明 | 联系我们 | 网站地图 | 投稿须知",
    "主办单位：中共江苏省委新闻网编辑部　承办单位：江苏省委组织部信息中心",
    "地址：南京市鼓楼区青石巷18号　邮编：210008　联系电话：025-83392210　传真：025-83392211",
    "江苏省互联网违法和不良信息举报电话：025-83396565",
    "中共江苏省委新闻网 版权所有　苏ICP备00000000号-1　苏公网安备 32010202000000号",
]
PEOPLE_CHANNELS = (
    "首页 时政 国际 财经 台湾 军事 观点 领导 人事 理论 法治 社会 产经 教育 科普 健康 文化 旅游 "
    "体育 汽车 房产 食品 能源 环保 党史 图片 视频 直播 访谈 地方 英文 日文"
).split()
PEOPLE_SUBNAV = "首页 任前公示 人事任免 干部论坛 地方人事 部委人事 央企人事 高校人事 人物库 人才 专题".split()
PEOPLE_RANKING = [
    "组织部门深化干部人事制度改革综述",
    "多地密集发布干部任前公示",
    "年轻干部培养选拔工作的几个着力点",
    "基层干部谈担当作为：把群众的事放在心上",
    "省管干部交流任职工作有序推进",
    "地方党委换届后的干部调整观察",
    "人事观察：拓宽干部来源渠道",
    "选优配强乡镇领导班子的经验做法",
]
# Each channel of the top bar opens a menu of its sections.
MENU_SECTIONS = "要闻 滚动 图片 评论 专题 访谈 视频 资料".split()
TRS_CHANNELS = "首页 要闻 时政 发布厅 任免 党建 组工 廉政 理论 视频 专题 互动".split()
# 友情链接 at the foot of a provincial site: its cities' and the province's departments' sites.
TRS_CITIES = "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁".split()
TRS_DEPARTMENTS = (
    "省纪委监委 省委办公厅 省委组织部 省委宣传部 省委统战部 省委政法委 省委政研室 省委网信办 "
    "省委编办 省直机关工委 省委党校 省档案馆 省发展改革委 省教育厅 省科技厅 省工业和信息化厅 "
    "省民政厅 省司法厅 省财政厅 省人力资源社会保障厅 省自然资源厅 省生态环境厅 省住房城乡建设厅 "
    "省交通运输厅 省水利厅 省农业农村厅 省商务厅 省文化和旅游厅 省卫生健康委 省退役军人事务厅"
).split()
TRS_COLUMNS = "任免 公示公告 人事信息 干部工作 选调工作 人才工作".split()
PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
    "广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆"
).split()
# 图片新闻 in a provincial site's side column.
TRS_PICTURES = [
    "全省组织部长会议在宁召开",
    "基层党组织书记示范培训班开班",
    "年轻干部赴苏北挂职锻炼出征",
    "党员教育电视片展播活动启动",
    "人才工作推进会在苏州召开",
    "机关党建工作现场交流会举行",
]

PEOPLE_STYLE = "\n".join(
    f".{name}{{margin:0 auto;padding:{k}px 0;font-size:{12 + k % 5}px;line-height:{20 + k}px;color:#{k * 3:03x};}}"
    for k, name in enumerate(
        "top_nav logo_line nav_box route rm_txt rm_txt_con edit rm_relevant box_news col-2 ph_list "
        "brief qrcode footer share fl fr cf w1000 sou".split()
    )
)
PEOPLE_SCRIPT = """var _pageInfo={channel:"renshi",column:"140763",nodeId:"139627",contentType:"text"};
(function(){var s=document.createElement("script");s.async=true;s.src="//stat.example.cn/c.js?n="+_pageInfo.nodeId;
var t=document.getElementsByTagName("script")[0];t.parentNode.insertBefore(s,t);})();
function setFont(size){var zw=document.getElementById("rm_txt_zw");if(!zw)return;
var ps=zw.getElementsByTagName("p");for(var i=0;i<ps.length;i++){ps[i].style.fontSize=size+"px";}}
function shareTo(site){var url=encodeURIComponent(location.href),title=encodeURIComponent(document.title);
var api={weibo:"//service.example.cn/share?url=",qzone:"//sns.example.cn/share?url="};
if(api[site])window.open(api[site]+url+"&title="+title,"_blank","width=600,height=500");}
$(function(){$(".ph_list li:lt(3)").addClass("top3");$(".share a").on("click",function(){shareTo($(this).data("to"));});});
"""
TRS_STYLE = "\n".join(
    f"#{name}{state}{{width:{960 - k * 10}px;margin:{k}px auto;font:{12 + k % 4}px/{22 + k}px 'Microsoft YaHei';}}"
    for k, name in enumerate(
        "top banner nav search position article_title article_info article_content bj print xglj "
        "sxpian right rmlb footer qr menu menu_item menu_menu yqlj yqlj_group lmdh brief tpxw fenxiang".split()
    )
    for state in ("", ":hover", " a", " li", " ul")
)
TRS_SCRIPT = """var CONTEXT={siteId:"44",channelId:"1289",docId:"0"};
function doZoom(size){var el=document.getElementById("zoom")||document.querySelector(".TRS_Editor");
if(el){el.style.fontSize=size+"px";}}
function printPage(){window.print();}
function addFav(){try{window.external.addFavorite(location.href,document.title);}catch(e){alert("请使用Ctrl+D收藏本页");}}
(function(){var img=new Image();img.src="/wcm/stat?site="+CONTEXT.siteId+"&chnl="+CONTEXT.channelId+"&r="+Math.random();})();
"""


@dataclass
class Linked:
    """A link of the chrome: its address, its title and its date."""

    url: str
    title: str
    when: datetime


def _older(
    titles: list[tuple[str, int, tuple[str, ...]]], when: datetime, address: Callable[[datetime, int], str]
) -> list[Linked]:
    """The invented older notices of ``titles``, dated back from ``when``; ``address`` gives the
    URL of the k-th from its day."""
    days_back = [(title, when - timedelta(days=days)) for title, days, _ in titles]
    return [Linked(address(day, k), title, day) for k, (title, day) in enumerate(days_back)]


def _links(items: list[Linked]) -> str:
    return "\n".join(
        f'<li><a href="{esc(item.url)}" target="_blank" title="{esc(item.title)}">{esc(item.title)}</a>'
        f"<span>[{item.when:%m-%d}]</span></li>"
        for item in items
    )


def _nav(words: list[str], home: str) -> str:
    return " ".join(
        f'<a href="{home}{k:02d}/" target="_blank">{esc(word)}</a>' for k, word in enumerate(words)
    )


def _menus(words: list[str], home: str, css: str, sections: int) -> str:
    """A top bar whose channels each open a menu of their first ``sections`` sections."""
    items = []
    for k, word in enumerate(words):
        menu = "".join(
            f'<li><a href="{home}{k:02d}/{n}/" target="_blank">{esc(word)}{esc(section)}</a></li>'
            for n, section in enumerate(MENU_SECTIONS[:sections])
        )
        items.append(
            f'<li class="{css}_item"><a href="{home}{k:02d}/" target="_blank">{esc(word)}</a>'
            f'<ul class="{css}_menu">{menu}</ul></li>'
        )
    return f'<ul class="{css}">\n' + "\n".join(items) + "\n</ul>"


def _friend_links(home: str) -> str:
    """友情链接: the province's departments and its cities, as link lists."""
    groups = [
        ("省级部门", [(f"{home}link/dept{k:02d}/", name) for k, name in enumerate(TRS_DEPARTMENTS)]),
        ("设区市", [(f"{home}link/city{k:02d}/", f"{name}市委组织部") for k, name in enumerate(TRS_CITIES)]),
        ("组工网站", [(f"{home}link/zg{k:02d}/", f"{name}组工网") for k, name in enumerate(TRS_CITIES)]),
        ("兄弟省区市", [(f"{home}link/sf{k:02d}/", f"{name}党建网") for k, name in enumerate(PROVINCES)]),
    ]
    return "\n".join(
        f'<div class="yqlj_group"><h4>{esc(heading)}</h4><ul>'
        + "".join(f'<li><a href="{url}" target="_blank">{esc(name)}</a></li>' for url, name in links)
        + "</ul></div>"
        for heading, links in groups
    )


def people_chrome(when: datetime, column: str, others: list[Linked]) -> Chrome:
    """people.com.cn's chrome for a notice published at ``when``: ``others`` are the channel's
    other notices, listed with the invented older ones in its 任前公示 column."""
    home = "http://renshi.people.com.cn/"
    related = others + _older(
        PEOPLE_RELATED, when, lambda day, k: f"{home}n1/{day:%Y/%m%d}/c139617-{32490000 + k}.html"
    )
    lists = "\n".join(
        f'<div class="ph_list"><h2><a href="{home}GB/139627/{k}/">{esc(heading)}</a></h2><ul>\n{_links(items)}\n</ul></div>'
        for k, (heading, items) in enumerate([("任前公示", related), ("人事任免", related[::-1][:5])])
    )
    ranking = "\n".join(
        f'<li><span>{k}</span><a href="{home}GB/{k}/">{esc(title)}</a></li>'
        for k, title in enumerate(PEOPLE_RANKING, 1)
    )
    brief = related[len(others)]
    footer = "\n".join(f"<p>{line}</p>" for line in PEOPLE_FOOTER_LINES)
    return Chrome(
        head=(
            '<link rel="stylesheet" href="//tools.people.com.cn/css/2020/main.css" />\n'
            '<script src="//tools.people.com.cn/libs/jquery/1.11.1/jquery-1.11.1.min.js"></script>\n'
            f"<style>\n{PEOPLE_STYLE}\n</style>\n<script>\n{PEOPLE_SCRIPT}</script>"
        ),
        header=(
            f'<div class="w1000 top_bar cf">{_menus(PEOPLE_CHANNELS, "http://www.people.com.cn/GB/", "channels", 4)}</div>\n'
            f'<div class="w1000 logo_line cf"><a class="logo" href="{home}">人事频道</a>'
            '<div class="search"><form action="//search.people.cn/"><input type="text" name="key" />'
            "<button>搜索</button></form></div></div>\n"
            f'<div class="w1000 nav_box cf">{_nav(PEOPLE_SUBNAV, home + "GB/139627/")}</div>'
        ),
        share=(
            '<div class="share"><span>分享到：</span><a data-to="weixin">微信</a><a data-to="weibo">微博</a>'
            '<a data-to="qzone">QQ空间</a></div>'
        ),
        below=(
            f'<div class="rm_relevant cf"><h3>相关新闻</h3><ul>\n{_links(related[:6])}\n</ul></div>\n'
            f'<div class="box_news"><h3>热点推荐</h3><ul>\n{ranking}\n</ul></div>'
        ),
        aside=(
            f'<div class="col col-2 fr">\n{lists}\n'
            f'<div class="brief"><h2>人事动态</h2><h4><a href="{esc(brief.url)}">{esc(brief.title)}</a></h4>'
            f"<p>{esc(PEOPLE_BRIEF)}</p></div>\n"
            f'<div class="ph_list"><h2>热门排行</h2><ol>\n{ranking}\n</ol></div>\n'
            '<div class="qrcode"><img src="//tools.people.com.cn/img/qr.png" alt="" />'
            f"<p>扫一扫，关注人民网{esc(column)}</p></div>\n</div>"
        ),
        footer=f'<div class="footer w1000">\n{footer}\n</div>',
        scripts='<script src="//tools.people.com.cn/js/2020/share.js"></script>',
    )


def trs_chrome(when: datetime, site_name: str, home: str, others: list[Linked]) -> Chrome:
    """A TRS provincial site's chrome for a notice under 发布厅 / 任免 published at ``when``."""
    related = others + _older(
        TRS_RELATED, when, lambda day, k: f"{home}fabuting/renmian/{day:%Y%m%d}_{8100000 + k}.shtml"
    )
    previous, following = related[-1], related[0]
    columns = "\n".join(
        f'<li><a href="{home}fabuting/{k:02d}/">{esc(word)}</a></li>' for k, word in enumerate(TRS_COLUMNS)
    )
    footer = "\n".join(f"<p>{line}</p>" for line in TRS_FOOTER_LINES)
    pictures = "\n".join(
        f'<li><a href="{home}tpxw/{k:02d}/"><img src="{home}tpxw/images/p{k:02d}.jpg" alt="{esc(title)}" />'
        f"<p>{esc(title)}</p></a></li>"
        for k, title in enumerate(TRS_PICTURES)
    )
    return Chrome(
        head=f'<link href="{home}images/css/style.css" rel="stylesheet" type="text/css" />\n'
        f"<style>\n{TRS_STYLE}\n</style>\n<script>\n{TRS_SCRIPT}</script>",
        header=(
            f'<div id="banner"><a href="{home}"><img src="{home}images/logo.png" alt="{esc(site_name)}" /></a>'
            f'<div id="search"><form action="{home}was5/web/search"><input name="searchword" type="text" />'
            "<button>搜索</button></form></div></div>\n"
            f'<div id="nav">{_menus(TRS_CHANNELS, home, "menu", 8)}</div>'
        ),
        share=(
            '<div class="fenxiang">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a> '
            '<a href="javascript:;">QQ空间</a></div>'
        ),
        below=(
            f'<div class="sxpian"><p>上一篇：<a href="{esc(previous.url)}">{esc(previous.title)}</a></p>'
            f'<p>下一篇：<a href="{esc(following.url)}">{esc(following.title)}</a></p></div>\n'
            f'<div class="xglj"><h3>相关链接</h3><ul>\n{_links(related[:5])}\n</ul></div>'
        ),
        aside=(
            f'<div class="right"><div class="lmdh"><h3>发布厅</h3><ul>\n{columns}\n</ul></div>\n'
            f'<div class="rmlb"><h3>任免</h3><ul>\n{_links(related)}\n</ul></div>\n'
            f'<div class="tpxw"><h3>图片新闻</h3><ul>\n{pictures}\n</ul></div>\n'
            f'<div class="brief"><h3>公示公告</h3><h4>{esc(related[len(others)].title)}</h4><p>{esc(TRS_BRIEF)}</p></div>\n'
            '<div class="qr"><img src="images/qr.jpg" alt="" /><p>扫一扫在手机打开当前页</p></div></div>'
        ),
        footer=f'<div class="yqlj"><h3>友情链接</h3>\n{_friend_links(home)}\n</div>\n<div class="footer">\n{footer}\n</div>',
        scripts=f'<script src="{home}images/js/share.js"></script>',
    )
