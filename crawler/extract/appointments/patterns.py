"""Every word and form the appointment-notice parser knows, as data.

Tuning the parser means editing these lists. Each clause of a person's paragraph
(split at ``，；。``) is read by the first pattern below that matches it whole.
"""

from __future__ import annotations

import re

# --- which articles are notices ------------------------------------------------------------

# A title or column with one of these (and 公示) names a cadre notice...
NOTICE_TITLE_WORDS: tuple[str, ...] = (
    "任前公示",
    "任职前公示",
    "干部公示",
    "拟任",
    "拟提拔",
    "拟提名",
    "拟推荐",
    "人选公示",
    "任职公示",
    "提拔",
    "干部任前",
    "领导干部",
)
# ...unless it is one of these other kinds of 公示 (hiring, awards, elections of members).
NOT_NOTICE_WORDS: tuple[str, ...] = (
    "录用",
    "招聘",
    "考录",
    "招录",
    "表彰",
    "评选",
    "先进",
    "优秀",
    "拟发展",
    "发展对象",
    "预备党员",
    "入党",
    "奖",
    "职称",
)
# Body phrases that mark a notice even under a plain title.
NOTICE_BODY_RE = re.compile(r"(予以|进行|作任前|任前|任职前)公示|公示如下")

# --- a person's paragraph --------------------------------------------------------------------

CJK = r"\u4e00-\u9fff"
# Numbering before a person or a group heading: 1. 1、 （1） (一) 一、 ①
NUMBERING_RE = re.compile(
    r"^\s*(?:[（(]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9]+\s*[.．、，,]|[一二三四五六七八九十]+\s*[、.．]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*"
)
# A name: two to four Chinese characters, or a transcribed name with a middle dot.
NAME_RE = re.compile(rf"^[{CJK}]{{2,4}}$|^[{CJK}]{{1,8}}[·•・．.][{CJK}]{{1,10}}$")
# Words that look like names but open other lines (headings, preambles, sign-offs).
NOT_NAMES: tuple[str, ...] = tuple(
    "公示 附件 联系 电话 地址 受理 举报 根据 经过 现将 特此 备注 说明 姓名 "
    "中共 通讯 来信 邮编 以上 上述 对象 "
    # the labels of a form (性别：男), which open lines as a name would
    "性别 民族 出生 籍贯 学历 学位 政治面貌 入党 参加工作 现任 拟任 年龄 工作单位 职务 序号 备注".split()
)
# ...or end them (监督电话：…, 通信地址：…).
NOT_NAME_ENDINGS: tuple[str, ...] = ("电话", "热线", "地址", "邮编", "信箱")
# What follows a name early in a person's paragraph: a comma, a colon or a parenthesis.
NAME_END_RE = re.compile(r"[，,：:（(]")
NAME_TITLE_SUFFIXES: tuple[str, ...] = ("同志",)
CLAUSE_MARKS = "，,；;。"
PAREN_RE = re.compile(r"[（(]([^（）()]*)[)）]")

SEX_RE = re.compile(r"^(?:性别[：:]?)?(男|女)(?:性)?$")
ETHNICITY_RE = re.compile(rf"^(?:民族[：:]?)?([{CJK}]{{1,6}}族)$")
# A year and month: 1976年5月, 1976.05, 1976-5, 1976/05, 197605; optional day after.
YEAR_MONTH = (
    r"((?:19|20)\d\d)\s*(?:年\s*|[.．\-/—]\s*)?(1[0-2]|0?[1-9])(?:\s*月)?(?:\s*[.．\-/]?\s*\d{1,2}\s*日?)?"
)
YEAR_MONTH_RE = re.compile(rf"^{YEAR_MONTH}$")
BIRTH_RE = re.compile(rf"^(?:出生年月[：:]?|生于|出生于)?{YEAR_MONTH}(?:出?生|出生)?$")
AGE_RE = re.compile(r"^(?:年龄[：:]?)?(\d{2})\s*(?:周岁|岁)$")
NATIVE_RE = re.compile(rf"^(?:籍贯|出生地)[：:]?\s*([{CJK}]{{2,12}})$|^([{CJK}]{{2,10}})人$")
NOT_NATIVE_ENDINGS: tuple[str, ...] = ("负责人", "代表人", "联系人", "候选人", "责任人", "带头人", "法人")
# Education (学历) and degree (学位); a clause may hold both (研究生学历、法学硕士学位).
EDUCATION_RE = re.compile(
    rf"^(?:学历[：:]?)?((?:[{CJK}]{{0,6}}党校|在职|全日制)?(?:研究生|大学本科|大学|本科|大专|专科|中专|高中|中技)"
    rf"(?:学历|毕业)?)$"
)
# A degree (法学硕士), never an education glued to one (大学工学学士 is two fields).
DEGREE_RE = re.compile(
    rf"^(?:学位[：:]?)?(?!大学|研究生|本科|大专|专科|中专|在职)([{CJK}]{{0,10}}(?:学士|硕士|博士)(?:（[A-Za-z]+）|\([A-Za-z]+\))?)(?:学位)?$"
)
# 中共党员 and its dates; the other parties and none.
PARTY_JOINED_RE = re.compile(rf"^{YEAR_MONTH}(?:加入中国共产党|入党)$")
PARTY_WITH_DATE_RE = re.compile(rf"^(中共(?:预备)?党员)\s*[（(]?{YEAR_MONTH}(?:入党)?[)）]?$")
PARTY_LABEL_RE = re.compile(
    r"^(?:政治面貌[：:]?)?(中共党员|中共预备党员|中国共产党党员|非中共党员|无党派(?:人士)?|群众|"
    r"民革党员|民革成员|民盟盟员|民建会员|民进会员|农工党党员|致公党党员|九三学社社员|台盟盟员|"
    r"中国国民党革命委员会[成党]员|中国民主同盟盟员|中国民主建国会会员|中国民主促进会会员|"
    r"中国农工民主党党员|中国致公党党员|台湾民主自治同盟盟员)$"
)
WORK_START_RE = re.compile(rf"^{YEAR_MONTH}参加工作$")
# Professional titles and time in post: known, not recorded.
IGNORED_CLAUSE_RE = re.compile(
    r"^(?:[正副]?高级|中级)?(?:工程师|经济师|会计师|审计师|统计师|农艺师|讲师|教授|副教授|研究员|副研究员|"
    r"律师|记者|编辑|主任医师|副主任医师|教师)$|任现职|现职级|任[正副]?[处科厅局]级|(?:19|20)\d\d.*任现职"
)
CURRENT_RE = re.compile(r"^(?:现任|现为|现系|现在|现任职务[：:]?|现工作单位及职务[：:]?)\s*(.*)$")
PROBATION_RE = re.compile(r"试用期(?:为|是)?[一二三1-3]个?年|(?:任职|实行)试用期")

# A proposal: its verb (the step) and the post. Tried in order; the first that matches wins.
# Steps are named as notices write them; 试用期 is recorded apart (``probation``).
PROPOSAL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("拟按程序任命", re.compile(r"^拟?按(?:有关|法定)?程序(?:任命|任职)为?(.*)$")),
    ("拟按程序推荐", re.compile(r"^拟?按(?:有关|法定)?程序推荐为?(.*)$")),
    ("拟按程序提名", re.compile(r"^拟?按(?:有关|法定)?程序提名为?(.*)$")),
    ("拟提名", re.compile(r"^拟?提名为?(.*)$")),
    ("拟推荐", re.compile(r"^拟?推荐为?(.*)$")),
    ("拟进一步使用", re.compile(r"^拟进一步使用(.*)$")),
    ("拟提拔", re.compile(r"^拟提拔(?:任用|担任|为)?(.*)$")),
    ("拟晋升", re.compile(r"^拟晋升为?(.*)$")),
    ("拟交流", re.compile(r"^拟交流(?:任职|任|到)?为?(.*)$")),
    ("拟聘任", re.compile(r"^拟聘(?:任|用)?为?(.*)$")),
    ("拟任命", re.compile(r"^拟?任命为?(.*)$")),
    ("拟作为人选", re.compile(r"^拟作为(.*)$")),
    ("拟确定", re.compile(r"^拟确定为?(.*)$")),
    ("拟任", re.compile(r"^拟任(?:职|命)?(?:为)?[：:]?(.*)$")),
    # An unnamed verb after the first proposal: 拟任甲，兼任乙 / 拟任甲，任乙.
    ("拟兼任", re.compile(r"^兼任(.*)$")),
)
# How the next line of a person's unfinished paragraph opens (张某，男，…， / 现任甲， / 拟任乙。).
RUN_ON_OPENINGS: tuple[str, ...] = ("拟", "现任", "现为", "兼任")
# The label of a proposed post in a table or a form (拟任职务, 拟提名职务：…), never a post itself.
POST_LABEL_RE = re.compile(r"^拟\S{0,4}?(?:职务|职位|岗位)$")
# A group heading sets the step of the persons under it when they state none.
GROUP_STEP_RE = re.compile(r"拟(?:任|提拔|提名|推荐|进一步使用|按程序任命|晋升|交流)")

# --- a notice ---------------------------------------------------------------------------------

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
NUMBER = r"([0-9]+|[一二两三四五六七八九十]+)"
# 现将王某等3名同志… / 对以下五名同志… / 拟任职的12名干部… / 现将王某等2人的…
ANNOUNCED_RE = re.compile(
    rf"(?:现将|对|以下|拟任职的|拟提拔的|下列|将)[^。；]{{0,30}}?{NUMBER}\s*"
    r"(?:(?:名|位)(?:同志|干部|人选|领导干部|拟任|对象|市管|省管|县管)|人(?:的|拟|予以|进行|任职|作))"
)
WINDOW_DATES_RE = re.compile(
    r"(?:((?:19|20)\d\d)年)?(\d{1,2})月(\d{1,2})日[^。；，0-9]{0,6}?(?:至|到|—|－|-|~|～)\s*"
    r"(?:((?:19|20)\d\d)年)?(?:(\d{1,2})月)?(\d{1,2})日"
)
# The same window in figures: 2026.3.2—2026.3.6 / 2026/3/2至3/6 (groups as in WINDOW_DATES_RE).
WINDOW_FIGURES_RE = re.compile(
    r"((?:19|20)\d\d)[.．/](\d{1,2})[.．/](\d{1,2})\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:((?:19|20)\d\d)[.．/])?(?:(\d{1,2})[.．/])?(\d{1,2})(?!\d)"
)
WORKDAYS_RE = re.compile(rf"{NUMBER}\s*个工作日")
CALENDAR_DAYS_RE = re.compile(rf"公示(?:时间|期|期限)?[为是：:]?\s*{NUMBER}\s*(?:天|日)(?!\d)")
# Phone numbers after a label, and 12380 wherever it is written.
PHONE_LABEL_RE = re.compile(
    r"(?:电话|热线|举报电话|受理电话|联系电话|监督电话|传真)[：:\s]*([0-9（）()\-－—\s、，,；;/或]{5,})"
)
PHONE_NUMBER_RE = re.compile(r"[（(]?0\d{2,3}[)）]?\s*[-－—]?\s*\d{5,8}|\b12380\b|1[3-9]\d{9}")
# 通信地址, 来信地址, 联系地址...: the word before 地址 changes nothing, so it is not matched (a
# pattern opening with an optional word is tried at every character of the notice).
ADDRESS_RE = re.compile(r"地址[：:为是]\s*([^，；。,;\n]+)")
POSTCODE_RE = re.compile(r"邮(?:政)?编(?:码)?[：:为是]?\s*(\d{6})")
# A sign-off naming the issuing body: a name ending with one of these.
ISSUER_ENDINGS: tuple[str, ...] = (
    "组织部",
    "委员会",
    "常委会",
    "常务委员会",
    "人民政府",
    "党组",
    "党委",
    "人事处",
    "组织人事部",
    "组织人事处",
    "干部处",
    "政治部",
    "办公室",
    "人事厅",
    "人事局",
)
ISSUER_LINE_RE = re.compile(rf"^(?:中共|中国共产党)?[{CJK}（）()]{{2,30}}(?:{'|'.join(ISSUER_ENDINGS)})$")
DATE_LINE_RE = re.compile(
    r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$|^(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}$"
)
# What to cut from a title to leave its issuer: 中共某市委组织部(关于)...任前公示.
TITLE_ISSUER_RE = re.compile(
    rf"^((?:中共|中国共产党)?[{CJK}]{{2,30}}?(?:组织部|委员会|常委会|人民政府|党组|党委))(?:关于|干部|领导干部|[市县区省]管|.*?公示)"
)
# A heading that starts another notice on the same page.
NOTICE_HEADING_RE = re.compile(r"公示(?:公告)?$|公示[（(]\S{1,10}[)）]$")
# Words that point to the attachments.
ATTACHMENT_MENTIONS: tuple[str, ...] = ("附件", "详见", "名单见")
