"""Every pattern the extractor relies on, kept as data.

Tuning extraction for a new template should mean editing a list here, not
hunting through functions. Regexes are compiled once at import. Every selector,
by-line label, meta name and URL date form here is exercised by a golden case
under tests/pages/ (tests/extract/test_patterns.py): add the case with the entry.
"""

from __future__ import annotations

import re

# --- decoding -------------------------------------------------------------

# Legacy Chinese charsets are all read as their superset so that GBK-only
# characters on pages declared gb2312 do not turn into replacement marks.
CHARSET_ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-8",
}
# Charset declarations in the page: meta charset (any of several metas), meta name="charset",
# an XML declaration's encoding. Searched in the first bytes only (long heads are scripts).
META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)"""
    rb"""|<meta[^>]{0,100}?name\s*=\s*["']?charset["']?[^>]{0,100}?content\s*=\s*["']?\s*([\w.:-]+)"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w.:-]+)""",
    re.I,
)
CHARSET_SCAN_BYTES = 65536
# Western single-byte charsets: a template default on Chinese pages (bytes in them always
# decode, into mojibake), so another declaration or detection decides instead.
WESTERN_CHARSETS: frozenset[str] = frozenset(
    {"iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "iso8859-2", "latin-1"}
)
HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

# Magic numbers of files that are never HTML.
BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"Rar!",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"BM",
    b"RIFF",
    b"ID3",
    b"\x00\x00\x01\x00",
    b"wOFF",
)

# --- non-article pages ------------------------------------------------------

CHALLENGE_MARKERS: tuple[tuple[str, str], ...] = (
    ("$_ts", "瑞数 (Rivers Security) JavaScript challenge"),
    ("__jsl_clearance", "加速乐 (jsl) cookie challenge"),
    # 加速乐 often spells the cookie name in pieces ('_')+('_')+('jsl…'); the reload that follows is constant.
    ("location.href=location.pathname+location.search", "加速乐 (jsl) cookie challenge"),
    ("cf-browser-verification", "Cloudflare browser check"),
    ("cf_chl_opt", "Cloudflare challenge"),
    ("challenge-platform", "Cloudflare challenge"),
    ("Just a moment...", "Cloudflare 'Just a moment' page"),
    ("Checking your browser", "browser check page"),
    ("_waf_", "web application firewall page"),
)
# Challenge bodies are small; a marker in a long real page is just a script.
CHALLENGE_MAX_TEXT = 400

# Data feeds of list pages (Hanweb dataproxy XML, RSS, sitemaps) are not articles.
FEED_MARKUP_RE = re.compile(r"<(?:datastore|recordset|rss|feed|urlset|sitemapindex)\b", re.I)
# Soft 404s: error pages served with status 200.
ERROR_PAGE_RE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要的|你要的)?页面|访问的页面不存在|页面已(?:被)?删除|信息已(?:被)?删除|"
    r"\b404\b|Not Found|页面出错|访问出错|文章不存在|稿件不存在|该信息不存在|内容不存在"
)
ERROR_PAGE_MAX_BODY = 300

# --- page structure ---------------------------------------------------------

# Subtrees that never hold article text.
DROP_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "object",
    "embed",
    "select",
    "textarea",
    "button",
    "input",
    "option",
    "head",
    "title",
    "meta",
    "link",
)

BLOCK_TAGS: frozenset[str] = frozenset(
    "p div td th tr table li ul ol dl dt dd h1 h2 h3 h4 h5 h6 section article header footer "
    "blockquote pre center form main aside nav figure figcaption address hr tbody thead title".split()
)

# Known article-body containers, most specific first (DOMAIN.md §2-3).
BODY_SELECTORS: tuple[str, ...] = (
    "#rm_txt_zw",
    "#rwb_zw",
    ".rm_txt_con",
    ".box_con",
    "#detail",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    ".Custom_UnionStyle",
    "#tex",
    "#zoom",
    "#fontzoom",
    "#font_area",
    ".pages_content",
    ".article-content",
    ".xl_content",
    "#mainText",
    ".detailContent",
    ".detail-content",
    ".easysite-news-text",
    "#vsb_content",
    ".v_news_content",
    ".word",
    ".news_content",
    ".post_body",
    ".news_txt",
    ".article-body",
    "#text",
    ".text_con",
)

# Class/id fragments of elements inside the body that are page furniture.
CHROME_ATTR_RE = re.compile(
    r"bdshare|bshare|jiathis|share|fenxiang|social|qrcode|qr-code|erweima|ewm|"
    r"print|dayin|font-?size|fontsize|zihao|zoomtext|close-?window|"
    r"related|xgxw|xgyd|relnews|recommend|hotnews|tuijian|"
    r"prevnext|prev-next|pre-next|shangxia|zdfy|page_n|pagebar|pagination|fenye|page-nav|"
    r"comment|pinglun|copyright|footer|breadcrumb|crumbs|position|location|weizhi|"
    r"toolbar|tool-bar|article-tools|gotop|backtop|sidebar|advert|\bads?\b|banner",
    re.I,
)

# Class/id fragments of page regions that never hold the article (comment threads,
# recommendation feeds, sidebars): their prose must not outweigh a short article.
NOT_CONTENT_ATTR_RE = re.compile(
    r"comment|pinglun|gentie|recommend|tuijian|related|relnews|xgxw|xgyd|sidebar|side-?bar|footer|hot-?board",
    re.I,
)

# Lines of furniture text; matched against short lines only.
CHROME_LINE_RE = re.compile(
    r"分享到|分享至|^分享$|打印本页|【?打印】?|关闭窗口|【关闭】|^关闭$|字号|【字体|字体[:：]\s*[大中小]|"
    r"^\[?\s*大\s*中\s*小\s*\]?$|扫一扫|二维码|当前位置|您的位置|你的位置|所在位置|热点推荐|"
    r"相关阅读|相关新闻|相关链接|相关文章|延伸阅读|推荐阅读|上一篇|下一篇|上一条|下一条|"
    r"纠错|收藏本页|加入收藏|返回顶部|返回.{0,6}查看更多|^查看更多|^展开全文|^点击(?:查看|阅读)|^(?:图集|评论|收藏|点赞|举报|赞|\+1|关注|微信|微博|QQ空间|Qzone)$|打开微信|朋友圈|微信扫|阅读原文|"
    r"网站地图|联系我们|版权所有|ICP备|公网安备|主办单位|承办单位|技术支持|"
    r"^【?\s*(?:大|中|小)\s*】?$|^【?\s*\d{1,3}\s*】?$|^【?\s*(?:上一页|下一页|首页|尾页|末页|全文)\s*】?$|^责任编辑|^【责任编辑|^\(?（?责编|^编辑[丨|｜:：]|^审核[丨|｜:：]|"
    r"^来源[:：]|^浏览次数|^点击[数量]?[:：]|^阅读[数量]?[:：]|^访问量"
)
CHROME_LINE_MAX = 60
# Lines opening with these are furniture whatever their length (two long titles after 上一篇/下一篇).
CHROME_PREFIX_RE = re.compile(
    r"^[【\[]?\s*(?:上一篇|下一篇|上一条|下一条|上一页|下一页|相关阅读|相关新闻|相关文章|相关链接|延伸阅读|推荐阅读|"
    r"热点推荐|责任编辑|分享到|当前位置|您的位置|您现在的位置|您当前的位置)"
)
# Tokens that sit next to a date in an info line but are not a source.
NOT_SOURCE_RE = re.compile(
    r"星期|周[一二三四五六日天]|礼拜|农历|[0-9０-９]|阅读|浏览|点击|评论|分享|字号|打印|关闭|收藏|"
    r"原标题|今天|今日|次$"
)

# A line made of only these is a leftover separator or widget label.
JUNK_LINE_RE = re.compile(r"^[\s|｜丨/·•>»\-—_=*×xX【】\[\]()（）:：,，.。]*$")

# --- by-lines ---------------------------------------------------------------

# label name -> field. Longer labels first so 责任编辑 wins over 编辑.
BYLINE_LABELS: tuple[tuple[str, str], ...] = (
    ("信息来源", "source"),
    ("文章来源", "source"),
    ("新闻来源", "source"),
    ("稿件来源", "source"),
    ("内容来源", "source"),
    ("来源", "source"),
    ("稿源", "source"),
    ("出处", "source"),
    ("发文机关", "source"),
    ("发布机构", "source"),
    ("成文日期", "noise"),
    ("发文字号", "noise"),
    ("索引号", "noise"),
    ("主题分类", "noise"),
    ("分类", "noise"),
    ("标题", "noise"),
    ("发布时间", "date"),
    ("发表时间", "date"),
    ("发稿时间", "date"),
    ("发布日期", "date"),
    ("更新时间", "date"),
    ("上传时间", "date"),
    ("录入时间", "date"),
    ("时间", "date"),
    ("日期", "date"),
    ("作者", "author"),
    ("撰稿", "author"),
    ("撰文", "author"),
    ("记者", "author"),
    ("文", "author"),
    ("通讯员", "author"),
    ("供稿", "noise"),
    # Picture, art and video editors are credited beside the text editor but are not it.
    ("图片编辑", "noise"),
    ("美术编辑", "noise"),
    ("视觉编辑", "noise"),
    ("视频编辑", "noise"),
    ("责任编辑", "editor"),
    ("责编", "editor"),
    ("编辑", "editor"),
    ("编审", "editor"),
    ("审核", "noise"),
    ("审校", "noise"),
    ("校对", "noise"),
    ("摄影", "noise"),
    ("图片", "noise"),
    ("发布者", "noise"),
    ("发布人", "noise"),
    ("录入", "noise"),
    ("点击数", "noise"),
    ("点击量", "noise"),
    ("点击", "noise"),
    ("浏览次数", "noise"),
    ("浏览量", "noise"),
    ("浏览", "noise"),
    ("阅读量", "noise"),
    ("阅读数", "noise"),
    ("阅读", "noise"),
    ("访问量", "noise"),
    ("字号", "noise"),
    ("字体", "noise"),
    ("分享到", "noise"),
    ("分享", "noise"),
)
# Short labels that are also word endings (原文, 本报记者) need a non-Chinese character before them.
_GUARDED_LABELS = frozenset({"文", "记者", "阅读", "浏览", "图片", "分享", "时间", "日期", "分类", "标题"})
_LABEL_ALT_PLAIN = "|".join(re.escape(label) for label, _ in BYLINE_LABELS)
_LABEL_ALT = "|".join(
    (r"(?<![\u4e00-\u9fff])" if label in _GUARDED_LABELS else "") + re.escape(label)
    for label, _ in BYLINE_LABELS
)
# Labels printed without a colon: 本文来源于某某网, 王某 发表于 2006-04-17. They count only at
# the start of a line or after a space or bracket, so that 经费来源于… in prose is not one.
BARE_LABELS: tuple[tuple[str, str], ...] = (
    ("本文来源于", "source"),
    ("文章来源于", "source"),
    ("来源于", "source"),
    ("转载自", "source"),
    ("转自", "source"),
    ("摘自", "source"),
    ("原载于", "source"),
    ("发表于", "date"),
    ("发布于", "date"),
    ("发帖时间", "date"),
)
_BARE_ALT = "|".join(re.escape(label) for label, _ in BARE_LABELS)
LABEL_FIELD: dict[str, str] = dict(BYLINE_LABELS + BARE_LABELS)
# A label followed by a colon (any width, maybe spaced), or 丨/｜ in WeChat style.
LABEL_RE = re.compile(
    rf"({_LABEL_ALT})\s*(?:[:：]|[丨｜/／])\s*|(?:^|(?<=[\s(（【\[]))({_BARE_ALT})\s*[:：]?\s*"
)
# A table cell holding only a label; its value is in the next cell.
LABEL_ONLY_RE = re.compile(rf"^(?:{_LABEL_ALT_PLAIN})\s*[:：]$")
# 文/张三 and 文 | 张三 sign-offs.
WEN_SLASH_RE = re.compile(
    r"(?:^|[\s(（【\[])文(?:\s*[/／]\s*图\s*[/／|｜丨:：]?|\s*[/／|｜丨:：])\s*([^\s/／|｜丨]{2,12})"
)
# Values end at these separators.
VALUE_SPLIT_RE = re.compile(r"\s{2,}|[|｜丨【】\[\]]|\u3000")

# A form's name label (姓名 / 张某, as in appointment notices): the name after it is no byline.
FORM_NAME_LABELS: frozenset[str] = frozenset({"姓名"})
# Reporter by-lines: 本报记者 张三, 记者 张三 李四 通讯员 王五, 本报记者王某李某发自北京
# (names glued together are cut at their surnames later).
REPORTER_RE = re.compile(
    r"(?:本报|本台|本网|总台|新华社|人民网|央视|央广网)?(?:特约|首席|见习)?(?:记者|通讯员|实习生)\s*[:：]?\s*"
    r"((?:[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+|(?=[/／)）\]】|｜丨]|$|发自|报道))){1,6}"
    r"|[\u4e00-\u9fff]{5,9}(?=发自|报道))"
)
# A credit for pictures only, not text: （记者 张三 摄）; 文/张三 … 摄 credits the text too.
PHOTO_CREDIT_RE = re.compile(r"^[(（【\[]?[^/／文]{0,30}(?:摄|摄影)\s*[)）\]】]?\s*$")
# A lone name line before the body: two to four Chinese characters, maybe spaced,
# starting with a common surname (so captions such as 活动现场 are not names).
LONE_NAME_RE = re.compile(r"^[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3}$")
_SURNAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆"
    "朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫"
    "杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "格次扎达索朗旺顿巴桑洛拉央卓"
)
# Surnames that are also everyday words opening headings (支部, 和谐, 全面...) are left out.
SURNAMES: frozenset[str] = frozenset(_SURNAME_CHARS) - frozenset(
    "支和来都但由於平国明海花全时阳云门相信展阴植衡富次"
    "干公元斯利呼居揭印宿战危玉银那况初计国智幸奉由闭"
    "普都来容敬鲜修母乌阿羊雍薄鹿伏戈浦阙芮晁扈"
)
COMPOUND_SURNAMES: tuple[str, ...] = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
    "西门",
    "独孤",
)

# Signatures at the end of the body.
EDITOR_LINE_RE = re.compile(
    r"^[\[【(（]?\s*(?:责任编辑|责编|编辑|主编|值班编辑|编审|本期编辑|文字编辑)\s*[:：丨|｜]?\s*"
    r"([^\]】)）]{1,40}?)\s*[\]】)）]?$"
)
# Credit inside the dateline: 新华社某地5月6日电（记者某某某）, 本报讯（记者 张三 通讯员 李四）.
INLINE_CREDIT_RE = re.compile(
    r"[(（【\[]([^()（）【】\[\]]{0,12}(?:记者|通讯员|作者)[^()（）【】\[\]]{2,40})[)）】\]]"
)
# An editor credit glued to the end of the last paragraph: ……。（责任编辑：张三）
TRAILING_EDITOR_RE = re.compile(
    r"\s*[（(【\[]\s*(?:责任编辑|责编|编辑)\s*[:：]\s*([^()（）【】\[\]]{1,30})[)）】\]]\s*$"
)
# 责任编辑 in a footer block far from the text (the plain 编辑 there is often the site's own).
FOOTER_EDITOR_RE = re.compile(r"^[【\[(（]?\s*(?:责任编辑|责编)\s*[:：]")
# Words of titles and columns of commentary (评论, 时评, 观点...): there a name in brackets at the
# end of the last paragraph signs the piece; in news it may name a correspondent or a photo.
COMMENTARY_RE = re.compile(
    r"评论|时评|短评|锐评|快评|社评|述评|微评|评说|论坛|观点|言论|杂谈|随笔|感悟|心得|有感|札记|漫谈|之我见|杂文|评论员"
)
# A commentary signed in brackets at the end of its last paragraph: ……。（张三）
CLOSING_NAME_RE = re.compile(
    r"[。！？!?…”\"]\s*[(（]\s*([\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3})\s*[)）]\s*$"
)
WECHAT_SIGNOFF_RE = re.compile(r"^(?:[\u4e00-\u9fff]{1,6}\s*[丨|｜]\s*\S{1,20}\s*)+$")
AFFILIATION_RE = re.compile(r"^[(（]\s*作者(?:系|为|是|单位)")
SOURCE_PAREN_RE = re.compile(r"^[(（]\s*(?:来源|稿源|文章来源|信息来源)\s*[:：]\s*([^)）]{1,40})[)）]$")
AUTHOR_PAREN_RE = re.compile(
    r"[(（]\s*(?:[\u4e00-\u9fff]{0,6}记者|作者|通讯员)\s*[:：]?\s*([\u4e00-\u9fff·、\s]{2,30})[)）]\s*$"
)

# Names that are really the site, a role or a placeholder, never people.
NOT_A_NAME: frozenset[str] = frozenset(
    "本站 本网 本报 管理员 admin 系统管理员 网站管理员 佚名 未知 匿名 无 暂无 原创 本站原创 "
    "记者 通讯员 实习生 摄影 摄 编辑 报道 文 图 作者 来源 责编 特约记者".split()
)

# A short heading that opens the page's related-content block: the article ends above it.
SECTION_END_RE = re.compile(
    r"^[【\[]?\s*(?:为你推荐|为您推荐|相关阅读|相关新闻|相关文章|相关推荐|推荐阅读|热点推荐|热门推荐|猜你喜欢|延伸阅读|"
    r"更多精彩|精彩推荐|往期回顾|往期推荐|热门文章|最新文章|热门排行|排行榜|网友评论|相关专题|大家都在看)\s*[】\]]?\s*[:：>»]*$"
)

# The details of an event that open a notice (时间：… then 地点：…): text, not a by-line.
EVENT_LINE_RE = re.compile(
    r"^(?:会议|活动|报到|培训|考试)?(?:地\s*点|参加人员|参会人员|出席人员|主持人?|议程|对象)\s*[:：]"
)
# Long furniture lines at the end of a body: disclaimers and reprint notices.
DISCLAIMER_RE = re.compile(
    r"^[【\[]?(?:免责|版权|特别|郑重)?声明[】\]]?\s*[:：]|^(?:本文|本站|本网)?(?:转载|版权)[^。]{0,20}(?:请注明|所有)|"
    r"^未经(?:授权|许可|书面)|^凡本网注明|^(?:\(|（)?本文来自|^本文(?:为|系)[^。]{0,12}原创|"
    r"未经(?:授权|许可)[^。]{0,6}(?:不得|禁止|严禁)转载"
)
# A by-line value runs into the widgets and links printed after it on the same line
# (王某某 返回顶部, 某某网下载客户端): the value ends where they start.
_INTERFACE_WORDS = "打印|分享|字号|字体|关闭|收藏|纠错|举报|放大|缩小|默认|浏览|点击|扫一扫|下载|转载文章|返回|查看|更多|登录|注册|订阅"
NAME_TAIL_RE = re.compile(rf"(?:{_INTERFACE_WORDS}).*$")
SOURCE_TAIL_RE = re.compile(rf"(?:{_INTERFACE_WORDS}|评论).*$")
# Markup printed as text by a broken template (color="#333">): never part of a value.
ATTRIBUTE_DEBRIS_RE = re.compile(r"""(?<![\u4e00-\u9fff])[A-Za-z][\w:-]*\s*=\s*["']?[^"'\s>]*["']?\s*/?>?""")
# Role words before a name: 本报记者, 特约评论员, 新华社记者, 某某日报通讯员.
ROLE_PREFIX_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,8}?(?:报|社|台|网|刊|站))?(?:本报|本刊|本台|本网|本站|总台)?"
    r"(?:特约|首席|主任|高级|见习|实习|驻[\u4e00-\u9fff]{1,4})?"
    r"(?:记者|通讯员|评论员|撰稿人|撰稿|实习生|主持人|作者|编辑)"
)
# Words after a name that are not part of it: 王某某发自北京, 李某 报道, 张某 摄.
NAME_SUFFIX_RE = re.compile(r"(?:发自|报道|摄影?|整理|供图|执笔)[\u4e00-\u9fff]{0,6}$")
# CMS staff codes printed beside editors' names (AB123): not people.
STAFF_CODE_RE = re.compile(r"^[A-Za-z]{1,4}[-_]?\d{2,8}$")
# Bracketed words after a name that make it a role or an affiliation, not an alias:
# 王某（某某大学教授） loses its brackets, 王某某（阿某） keeps them.
ROLE_IN_BRACKETS_RE = re.compile(
    r"记者|通讯员|评论员|实习|特约|教授|讲师|研究|博士|硕士|学生|书记|部长|主任|局长|县长|市长|校长|院长|"
    r"主席|委员|干部|职工|大学|学院|党校|学校|中学|小学|单位|系|委|局|厅|办|部|院|所|中心|公司|集团|"
    r"省|市|县|区|镇|乡|村|街道|社区|供图|摄|整理|编译|执笔|作者|编辑|报|社|网|台|\d"
)
ALIAS_PREFIX_RE = re.compile(r"^(?:笔名|网名|又名|化名|原名|英文名)")
# Provinces, and endings of place names: a 来源 or a 来自… line naming a place is not a person.
PROVINCES: frozenset[str] = frozenset(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 "
    "海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾".split()
)
PLACE_SUFFIX_RE = re.compile(
    r"(?:省|市|县|区|州|镇|乡|村|旗|盟|山|江|河|湖|岛|港|城|路|街|馆|所|队|团|校|园|司|组|联|协|府|署|讯|刊|"
    r"界|号|端|圈|汇|坛|苑|家|通|宝|眼|说|谈|评|观|视|窗|线|录|志)$"
)
# Interface lines of app-style pages before the text: 播报文章, 来自某某省, 发布于：某某市 (the
# poster's region, not a source), 打开APP.
INTERFACE_LINE_RE = re.compile(
    r"^(?:播报文章|语音播报|听新闻|朗读全文|举报/?反馈|打开APP|打开App|APP内打开|"
    r"(?:来自|IP属地|发布于)\s*[:：]?\s*(?:[\u4e00-\u9fff]{1,8}(?:省|市|区|县|州)|"
    + "|".join(sorted(PROVINCES))
    + r"))$"
)
# Notices that are never text, whatever their length: cookie banners, video players the
# browser cannot run, promo links (点击进入…>>), follow prompts, copyright lines.
NOTICE_LINE_RE = re.compile(
    r"(?i:cookie)[^。]{0,60}(?:使用|同意|接受|政策|设置|accept|policy)|(?:使用|同意|接受)[^。]{0,40}(?i:cookie)|"
    r"浏览器(?:暂时|暂不|目前)?(?:无法|不能|不支持)(?:播放|观看)|请(?:升级|更换)(?:您的)?浏览器|"
    r"(?i:your browser does not support)|视频加载(?:中|失败)|"
    r"^点击(?:进入|下载|查看|了解|关注|订阅)[^。！]{0,40}(?:>>|》》|＞＞|→)$|^长按(?:识别)?二维码[^。]{0,20}$|"
    r"^(?:Copyright|©|\(C\)|版权所有)|(?i:all rights reserved)"
)
NOTICE_LINE_MAX = 300
# Every notice above holds one of these words: a search for them alone is cheap and
# spares most lines the full pattern.
NOTICE_HINT_RE = re.compile(
    r"ookie|OOKIE|浏览器|rowser|视频加载|点击|长按|opyright|OPYRIGHT|©|\(C\)|版权所有|ights|IGHTS"
)
# Syllables of Tibetan and other names written without a surname (格桑某某): never cut apart.
UNSPLIT_NAME_CHARS: frozenset[str] = frozenset("格次扎达索朗旺顿巴桑洛拉央卓仁曲珍多吉措姆布尼玛平热阿买艾吐")

# CMS accounts and placeholders in 作者/编辑 fields (本站编辑, 网站管理员, admin01).
PLACEHOLDER_NAME_RE = re.compile(
    r"本站|本网|编辑部|管理员|小编|^网站|^admin|^user\d*$|^system|^root$|^test|匿名|佚名|未知", re.I
)

# --- titles -----------------------------------------------------------------

TITLE_META_NAMES: tuple[str, ...] = ("articletitle", "og:title", "twitter:title", "title", "headline")
# Site-name suffixes and prefixes in <title>: 标题-新华网, 标题_共产党员网, 标题 - 人民网.
TITLE_SEPARATORS_RE = re.compile(r"\s*(?:[_|｜]|--?|—{1,2}|\s-\s|\s–\s)\s*")
TITLE_SITE_HINT_RE = re.compile(
    r"网|网站|门户|政府|人民|日报|新闻|频道|中心|报|官网|党建|组工|先锋|在线|平台|客户端|app|APP|\.com|\.cn|首页"
)

# --- dates ------------------------------------------------------------------

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.年－／]|\s)\s*(\d{1,2})\s*(?:[-/.月－／]|\s)\s*(\d{1,2})\s*日?"
    r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"
    r"(?:\s*(?:[T\s]|&nbsp;)*\s*(上午|下午|晚上|中午|凌晨|早上)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})"
    r"(?:\s*[:：分]\s*(\d{1,2}))?(?:\s*([AaPp])\.?[Mm]\b)?)?"
)
# Month-first dates of English-language templates, with AM/PM: 8/21/2005 6:12:40 PM.
US_DATE_RE = re.compile(
    r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?![\d/])"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
# The issue of a magazine: 1999年7月号 (the month is all the page tells).
ISSUE_MONTH_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:号|刊|上半月|下半月)")
URL_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})/"),
    re.compile(r"/n\d?/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/t(?:19|20)\d{4}(\d{2})_"),
    re.compile(r"[/_]t?((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"detail_((?:19|20)\d{2})(\d{2})(\d{2})\d+"),
)
# Dates whose parts sit in separate inline elements (<em>2021</em><em>05</em>/<em>10</em>10:18:44).
SPLIT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})/(\d{2})\s*(\d{2}):(\d{2})(?::(\d{2}))?")
ARTI_ID_RE = re.compile(r"ARTI(\d{13})\d*")
DATE_META_NAMES: tuple[str, ...] = (
    "pubdate",
    "publishdate",
    "article:published_time",
    "og:release_date",
    "og:article:published_time",
    "published_time",
    "datepublished",
    "firstpublishedtime",
    "publish_time",
    "releasedate",
    "dc.date",
    "dc.date.issued",
    "date",
    "lastmodifiedtime",
    "article:modified_time",
)

# --- metadata ---------------------------------------------------------------

SOURCE_META_NAMES: tuple[str, ...] = ("contentsource", "source", "og:article:source", "article:source")
AUTHOR_META_NAMES: tuple[str, ...] = ("author", "article:author", "og:article:author", "dc.creator")
COLUMN_META_NAMES: tuple[str, ...] = ("columnname", "column", "og:category", "article:section", "category")
CANONICAL_META_NAMES: tuple[str, ...] = ("url", "og:url")

BREADCRUMB_SELECTORS: tuple[str, ...] = (
    ".breadcrumb",
    ".BreadcrumbNav",
    ".route",
    ".news_path",
    ".links",
    ".crumbs",
    ".crumb",
    ".position",
    ".location",
    ".dqwz",
    ".weizhi",
    ".current",
    ".path",
    ".clink",
)
BREADCRUMB_LINE_RE = re.compile(r"^[您你]?(?:现在|当前|目前)?(?:所在|所处)?的?(?:位置|页面)\s*[:：]?\s*(.*)")
# Class/id fragments of breadcrumb bars.
BREADCRUMB_ATTR_RE = re.compile(
    r"crumb|position|location|weizhi|dqwz|nav_?path|route|bread|daohang|post_crumb|"
    r"news_path|curmbs|site-nav|guide|current",
    re.I,
)
BREADCRUMB_SPLIT_RE = re.compile(r"\s*(?:>|&gt;|»|＞|→|/|›|》|\s>\s)\s*")
BREADCRUMB_GENERIC: frozenset[str] = frozenset(
    "首页 网站首页 主页 正文 新闻详情 详情 文章详情 内容详情 详细内容 正文内容 阅读文章 浏览文章".split()
)

# --- multi-page articles and attachments -------------------------------------

PAGER_SELECTORS: tuple[str, ...] = ("div.zdfy", ".pages")
CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
ATTACHMENT_EXT_RE = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|txt|ofd|csv)(?:$|[?#])", re.I)
# Images that are widgets, not article pictures.
IMAGE_SKIP_RE = re.compile(
    r"qrcode|qr_code|erweima|ewm|share|logo|icon|btn|button|spacer|blank\.|arrow|loading|"
    r"print|close|dot\.|line\.|pixel|tongji|count\.|stat\.",
    re.I,
)
# A declared width or height below this is an inline icon.
ICON_MAX_PX = 30
PDFJS_RE = re.compile(r"[?&]file=([^&#]+)")

# --- list pages ---------------------------------------------------------------

# Proportion of visible text inside links above which a page is a list.
LIST_LINK_DENSITY = 0.55
MIN_BODY_CHARS = 20

PUNCTUATION = frozenset("，。！？；：、“”‘’（）《》,.!?;:")

# --- names, headlines, sources ------------------------------------------------------

# Name-like values that are organisations (本站, 某某局, 新华网), not people.
ORG_SUFFIX_RE = re.compile(
    r"(?:网|报|社|台|站|局|部|委|办|院|会|厅|处|科|室|中心|支部|集团|公司|频道|app|APP)$"
)
# Class/id fragments of 副题/引题 elements.
SUBTITLE_ATTR_RE = re.compile(r"sub|fu|yin|vice|second|\bpre\b|pre-?title|kicker", re.I)
# Class/id fragments of headline elements.
TITLE_ATTR_RE = re.compile(r"title|tit\b|tit\d|headline|bt\b|biaoti|h-title|subject", re.I)
# A 标题： label printed before the headline.
TITLE_LABEL_RE = re.compile(r"^(?:标\s*题|题\s*目)\s*[:：]\s*")
# Lines that are never the headline: widgets, breadcrumbs, form labels.
NOT_TITLE_RE = re.compile(r"[>»＞]|[:：]$|当前位置|分享|打印|字号|登录|注册|首页|扫一扫")
# Endings of publication names printed without a 来源 label (新华社, 某某日报).
SOURCE_SUFFIX_RE = re.compile(r"(?:社|报|网|台|杂志|新闻|客户端|日报|晚报|周刊|电视台|广播|频道|在线)$")
# people.com.cn article URLs; further pages add -2, -3 before .html.
PEOPLE_PAGE_RE = re.compile(r"^(.*/c\d+-\d+)(?:-(\d+))?\.html$")
