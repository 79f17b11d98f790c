"""Synthetic archives of realistic articles, for the oracle tests and the benchmark.

Bodies mix a 组织/党建 vocabulary with general words made of common characters,
both with Zipf-like frequencies, so that as in the real archive a character such
as 党 occurs in nearly every article, a word such as 党建 in many, and a longer
phrase or a rare word in few. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np

from crawler.extract import Article

WORDS = (
    "党建 组织 干部 党员 学习 教育 工作 建设 基层 支部 书记 中国 共产党 全面 从严治党 组织部 组工 "
    "人才 选拔 任用 考核 监督 培训 发展 党委 党组 领导 班子 作风 纪律 廉洁 群众 服务 乡村 振兴 "
    "社区 治理 网格 机关 企业 国有 高校 非公 社会 新时代 习近平 思想 主题 教育 二十大 精神 贯彻 "
    "落实 会议 强调 推进 加强 提高 质量 标准化 规范化 先锋 模范 作用 战斗堡垒 组织生活 三会一课 "
    "民主 评议 谈心 谈话 批评 自我批评 年轻 干部 选调生 公务员 人事 编制 改革 创新 数字化 5G "
    "芯片 科技 人工智能 AI 乡镇 街道 县委 市委 省委 中央 部署 要求 意见 通知 方案 办法 条例 "
    "第一书记 驻村 帮扶 脱贫 攻坚 成果 巩固 衔接 老干部 离退休 关心 关爱 激励 担当 作为 容错 "
    "纠错 机制 制度 体系 能力 现代化 政治 理论 武装 头脑 指导 实践 推动 高质量 发展 党史 "
    "学习教育 红色 基因 传承 初心 使命 守正 创新 调研 座谈 交流 经验 做法 成效 典型 案例 "
    "全面从严治党 不忘初心牢记使命 党史学习教育 习近平新时代中国特色社会主义思想 基层党组织 党员干部"
).split()
# Common characters, roughly by frequency; general words are pairs and triples of them.
COMMON_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
    "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
    "气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题程展五果料象员革位入常文总次品式活设"
    "及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任"
    "取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再"
    "采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况"
    "今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素"
    "技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型"
    "眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
)
GENERAL_WORDS = 12_000
DOMAIN_SHARE = 0.15
PUNCTUATION = "，，，，。。、；：“”"
SITES = ("12371", "people", "zgzzrsb", "gzdj", "bjdj")
SOURCES = ("共产党员网", "人民网", "中国组织人事报", "贵州党建网", "北京组工")
COLUMNS = ("要闻", "组工动态", "基层党建", "干部工作", "人才工作", "理论研究")
AUTHORS = ("张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽")


def _zipf(size: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return weights / weights.sum()


class CorpusGenerator:
    def __init__(self, seed: int = 1) -> None:
        self.random = random.Random(seed)
        self.numbers = np.random.default_rng(seed)
        vocabulary = random.Random(0)
        general = sorted(
            {
                "".join(vocabulary.choices(COMMON_CHARS[: 150 + 2 * rank // 25], k=2 + (rank % 7 == 0)))
                for rank in range(GENERAL_WORDS)
            }
        )
        vocabulary.shuffle(general)
        self.general = np.array(general, dtype=object)
        self.general_p = _zipf(len(general), 1.0)
        self.domain = np.array(WORDS, dtype=object)
        self.domain_p = _zipf(len(WORDS), 1.5)
        vocabulary.shuffle(self.domain_p)

    def text(self, chars: int) -> str:
        count = chars // 2 + 8
        draw = self.numbers
        words = np.where(
            draw.random(count) < DOMAIN_SHARE,
            self.domain[draw.choice(len(self.domain), size=count, p=self.domain_p)],
            self.general[draw.choice(len(self.general), size=count, p=self.general_p)],
        )
        marks = draw.random(count)
        parts: list[str] = []
        length = 0
        for word, mark in zip(words.tolist(), marks.tolist(), strict=True):
            parts.append(word)
            length += len(word)
            if mark < 0.12:
                parts.append(PUNCTUATION[int(mark * 100) % len(PUNCTUATION)])
                length += 1
            elif mark > 0.995:
                parts.append("\n")
            if length >= chars:
                break
        return "".join(parts)

    def article(self, number: int, body_chars: int = 3000) -> Article:
        rnd = self.random
        site = rnd.choice(SITES)
        year = rnd.randint(2012, 2024)
        published = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        if rnd.random() < 0.5:
            published += f"T{rnd.randint(7, 20):02d}:{rnd.randint(0, 59):02d}:00+08:00"
        return Article(
            url=f"https://{site}.example.cn/content/{year}/{number}.html",
            site=site,
            column=rnd.choice(COLUMNS),
            title=self.text(rnd.randint(10, 28)),
            source=rnd.choice(SOURCES),
            published_at=published,
            author=rnd.choice(AUTHORS) if rnd.random() < 0.7 else None,
            editor=rnd.choice(AUTHORS) if rnd.random() < 0.5 else None,
            body=self.text(max(50, int(rnd.gauss(body_chars, body_chars / 4)))),
        )

    def articles(self, count: int, body_chars: int = 3000, start: int = 0) -> Iterator[Article]:
        for number in range(start, start + count):
            yield self.article(number, body_chars)
