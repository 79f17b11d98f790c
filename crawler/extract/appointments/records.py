"""The records of an appointment notice (任前公示): the notice, and one per person announced.

Dates are ``YYYY-MM`` (months) or ``YYYY-MM-DD`` (days). A field the parser is not sure of
stays ``None`` and the record's ``warnings`` say why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Proposal:
    """One proposed step: its kind as the notice words it (拟任, 拟提名, ...) and the post."""

    step: str
    post: str


@dataclass
class AppointmentPerson:
    position: int  # 1 for the first person of the notice
    name: str
    sex: str | None = None  # 男 / 女
    ethnicity: str | None = None  # 汉族, 回族 ...
    birth: str | None = None  # YYYY-MM
    age: int | None = None  # when the notice gives an age (45岁) instead of, or beside, a birth month
    native_place: str | None = None  # 籍贯
    education: str | None = None  # 学历: 研究生, 大学, 在职研究生 ...
    degree: str | None = None  # 学位: 法学硕士 ...
    party: str | None = None  # 中共党员, 非中共党员, 民盟盟员, 无党派人士 ...
    party_joined: str | None = None  # YYYY-MM (入党时间)
    work_started: str | None = None  # YYYY-MM (参加工作时间)
    current_post: str | None = None  # 现任
    proposals: list[Proposal] = field(default_factory=list)
    probation: bool = False  # 试用期一年
    text: str = ""  # the notice's own words for this person
    warnings: list[str] = field(default_factory=list)

    @property
    def step(self) -> str | None:
        """The kind of the first proposed step (拟任, 拟提名, 拟进一步使用 ...)."""
        return self.proposals[0].step if self.proposals else None

    @property
    def proposed_post(self) -> str | None:
        """Every proposed post, in the notice's order, joined with ``；``."""
        posts = [p.post for p in self.proposals if p.post]
        return "；".join(posts) or None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["step"] = self.step
        data["proposed_post"] = self.proposed_post
        return data


@dataclass
class AppointmentNotice:
    url: str
    position: int = 1  # 1 for the first notice of the page
    title: str | None = None
    issuer: str | None = None  # the body that issues the notice (中共某市委组织部)
    published_at: str | None = None  # the article's publication time
    window_start: str | None = None  # YYYY-MM-DD
    window_end: str | None = None
    window_text: str | None = None  # the sentence the window was read from
    window_computed: bool = False  # True when the end was counted from 5个工作日 (weekends skipped)
    phone: str | None = None  # every number given, joined with ``；``
    address: str | None = None
    postcode: str | None = None
    announced: int | None = None  # persons the text announces (现将3名同志…)
    attachment_only: bool = False  # the names are in attachments, which are not parsed
    attachments: list[dict[str, str]] = field(default_factory=list)
    persons: list[AppointmentPerson] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def parsed(self) -> int:
        return len(self.persons)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "persons"}
        data["parsed"] = self.parsed
        data["persons"] = [person.to_dict() for person in self.persons]
        return data


PERSON_FIELDS: tuple[str, ...] = (
    "position",
    "name",
    "sex",
    "ethnicity",
    "birth",
    "age",
    "native_place",
    "education",
    "degree",
    "party",
    "party_joined",
    "work_started",
    "current_post",
    "step",
    "proposed_post",
    "probation",
)
NOTICE_FIELDS: tuple[str, ...] = (
    "position",
    "title",
    "issuer",
    "published_at",
    "window_start",
    "window_end",
    "window_computed",
    "phone",
    "address",
    "postcode",
    "announced",
    "parsed",
    "attachment_only",
)
