"""Synthetic archives of realistic articles, for the oracle tests and the benchmark.

Bodies are drawn from a 组织/党建 vocabulary with Zipf-like word frequencies, so
common characters (党, 组) occur in most articles and longer phrases are rare,
as in the real archive. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

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
    "学习教育 红色 基因 传承 初心 使命 守正 创新 调研 座谈 交流 经验 做法 成效 典型 案例"
).split()
PUNCTUATION = "，，，，。。、；：“”"
SITES = ("12371", "people", "zgzzrsb", "gzdj", "bjdj")
SOURCES = ("共产党员网", "人民网", "中国组织人事报", "贵州党建网", "北京组工")
COLUMNS = ("要闻", "组工动态", "基层党建", "干部工作", "人才工作", "理论研究")
AUTHORS = ("张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽")


class CorpusGenerator:
    def __init__(self, seed: int = 1) -> None:
        self.random = random.Random(seed)
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(WORDS))]
        self.random.shuffle(weights)
        self.weights = weights

    def text(self, chars: int) -> str:
        words = self.random.choices(WORDS, weights=self.weights, k=chars // 2 + 8)
        parts: list[str] = []
        length = 0
        for word in words:
            parts.append(word)
            length += len(word)
            if self.random.random() < 0.18:
                parts.append(self.random.choice(PUNCTUATION))
                length += 1
            if self.random.random() < 0.01:
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
