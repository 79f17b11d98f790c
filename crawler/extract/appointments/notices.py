"""An article's body cut into notices, each read into its window, contacts, issuer and persons.

Stages, in order: is it a notice at all (title, column, body words); where does each notice of
the page begin (its heading); which lines are tables of persons; which paragraphs are persons
(group headings such as ``二、拟进一步使用人选`` give a step to the persons under them); then the
notice's own lines: how many persons it announces, its window, phone, address and issuer.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.extract.appointments import fields, tables
from crawler.extract.appointments import patterns as p
from crawler.extract.appointments.fields import (
    chinese_number,
    person_start,
    read_person,
    read_proposal,
    squash,
)
from crawler.extract.appointments.records import AppointmentNotice, AppointmentPerson, Proposal
from crawler.extract.appointments.tables import find_tables, split_label_lines
from crawler.extract.appointments.window import read_window

_NOT_NOTICE_RE = re.compile("|".join(map(re.escape, p.NOT_NOTICE_WORDS)))
_NOTICE_TITLE_RE = re.compile("|".join(map(re.escape, p.NOTICE_TITLE_WORDS)))
_SENTENCE_MARK_RE = re.compile(r"[。，,；]")
_POSTCODE_LABEL_RE = re.compile(r"邮(?:政)?编")
_AREA_CODE_RE = re.compile(r"^[（(](0\d{2,3})[)）][-－—]?")


def forget_read_clauses() -> None:
    """Empty the caches of what clauses, notes, cells and header words state. They only save work
    (a clause such as 汉族 or 中共党员 is read once for every notice); emptying them changes no record."""
    for cached in (
        fields.note_values,
        fields.clause_plan,
        fields.cell_plan,
        tables.header_key,
    ):
        cached.cache_clear()


def is_appointment_notice(article: Any) -> bool:
    """True for a cadre appointment notice (任前公示 and its kin), by its title, column and body."""
    title = squash(article.title or "")
    heading = f"{title} {squash(article.column or '')}"
    if _NOT_NOTICE_RE.search(title):
        return False
    if "公示" in heading and _NOTICE_TITLE_RE.search(heading):
        return True
    body = article.body or ""
    return "公示" in title and "拟" in body and bool(p.NOTICE_BODY_RE.search(body))


def parse_appointment_notices(article: Any) -> list[AppointmentNotice]:
    """The appointment notices of ``article`` (an ``Article``), one per notice on the page; [] when
    the article is not such a notice. Pure: no I/O, deterministic."""
    if not is_appointment_notice(article):
        return []
    lines = split_label_lines([line for line in map(str.strip, (article.body or "").split("\n")) if line])
    notices = []
    for position, (heading, segment) in enumerate(_segments(lines), 1):
        notice = AppointmentNotice(
            url=article.url,
            position=position,
            title=heading or article.title,
            published_at=article.published_at,
        )
        _read_notice(notice, segment, article)
        notices.append(notice)
    return notices


# How long a notice's heading may be.
_HEADING_LENGTHS = range(6, 41)


def _is_heading(line: str) -> bool:
    return (
        len(line) in _HEADING_LENGTHS
        and not _SENTENCE_MARK_RE.search(line)
        and not line.startswith(("特此", "予以", "现予", "现将"))
        and bool(p.NOTICE_HEADING_RE.search(line))
    )


def _segments(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """(heading, lines) of each notice; a heading with no person after it joins the next notice."""
    at = [
        n
        for n, line in enumerate(lines)
        if "公示" in line and len(line) in _HEADING_LENGTHS and _is_heading(line)
    ]
    if not at:
        return [(None, list(lines))]
    if len(at) == 1:  # the common case: one notice, whatever its headings
        return [(lines[at[0]], lines[: at[0]] + lines[at[0] + 1 :])]
    headings = [False] * len(lines)
    for n in at:
        headings[n] = True
    segments: list[tuple[str | None, list[str]]] = [(None, [])]
    for line, is_heading in zip(lines, headings, strict=True):
        if is_heading:
            segments.append((line, []))
        else:
            segments[-1][1].append(line)
    merged: list[tuple[str | None, list[str]]] = []
    pending_heading: str | None = None
    for heading, segment in segments:
        heading = heading or pending_heading
        if not any(person_start(line) for line in segment) and not _has_table(segment):
            if merged and not pending_heading and heading is None:
                merged[-1][1].extend(segment)
            else:
                pending_heading = heading
                merged.append((heading, segment))
            continue
        if merged and not any(person_start(line) for line in merged[-1][1]) and not _has_table(merged[-1][1]):
            lead_heading, lead = merged.pop()
            heading, segment = heading or lead_heading, lead + segment
        pending_heading = None
        merged.append((heading, segment))
    return [(heading, segment) for heading, segment in merged if segment or heading] or [(None, [])]


def _has_table(lines: list[str]) -> bool:
    return bool(find_tables(lines))


def _read_notice(notice: AppointmentNotice, lines: list[str], article: Any) -> None:
    notice.persons, person_warnings = read_persons(lines)
    notice.warnings.extend(person_warnings)
    text = "\n".join(lines)
    if match := p.ANNOUNCED_RE.search(text):
        notice.announced = chinese_number(match[1])
    start, end, sentence, computed, window_warnings = read_window(lines, article.published_at)
    notice.window_start, notice.window_end, notice.window_text, notice.window_computed = (
        start,
        end,
        sentence,
        computed,
    )
    notice.warnings.extend(window_warnings)
    notice.phone = _phones(lines)
    if match := p.ADDRESS_RE.search(text):
        notice.address = _POSTCODE_LABEL_RE.split(match[1])[0].strip() or None
    if match := p.POSTCODE_RE.search(text):
        notice.postcode = match[1]
    notice.issuer = _issuer(lines, notice.title)
    if notice.issuer is None:
        notice.warnings.append("issuing body not found")
    _attachments(notice, text, list(article.attachments or []))
    if notice.announced is not None and notice.announced != notice.parsed and not notice.attachment_only:
        notice.warnings.append(
            f"the notice announces {notice.announced} persons but {notice.parsed} were read"
        )


def _mentions_attachments(text: str) -> bool:
    for word in p.ATTACHMENT_MENTIONS:  # a few words: cheaper than a pattern tried at every character
        if word in text:
            return True
    return False


def _attachments(notice: AppointmentNotice, text: str, attachments: list[dict[str, str]]) -> None:
    if _mentions_attachments(text) or not notice.persons:
        notice.attachments = attachments
    if not notice.persons and attachments:
        notice.attachment_only = True
        names = "、".join(a.get("text") or a.get("url", "") for a in attachments)
        notice.warnings.append(f"the persons are in the attachments ({names}), which are not read")
    elif not notice.persons:
        notice.warnings.append("no person could be read")


def read_persons(lines: list[str]) -> tuple[list[AppointmentPerson], list[str]]:
    """The persons of a notice's lines, in order: table rows and paragraphs (see the module doc)."""
    persons: list[AppointmentPerson] = []
    warnings: list[str] = []
    tables = {table.start: table for table in find_tables(lines)}
    group_step: str | None = None
    i = 0
    while i < len(lines):
        if i in tables:
            table = tables[i]
            for person in table.persons:
                person.position = len(persons) + 1
                persons.append(person)
            warnings.extend(table.warnings)
            i = table.end
            continue
        line = lines[i]
        start = person_start(line)
        if start is None:
            if (step := _group_step(line)) is not None:
                group_step = step
            i += 1
            continue
        # A person's paragraph may run on over the next lines (张某，男，…， / 现任甲， / 拟任乙。).
        ran_on = False
        while i + 1 < len(lines) and _continues(line, lines[i + 1]):
            line, i, ran_on = line + lines[i + 1], i + 1, True
        start = person_start(line) if ran_on else start
        if (
            start is not None
            and "；" not in line
            and ";" not in line
            and line.find("。") in (-1, len(line) - 1)
        ):
            read = [read_person(line, 0, start)]  # one sentence (see _sentences)
        else:
            read = [read_person(text, 0, at) for text, at in _sentences(line, start)]
        if any(read):
            for person in filter(None, read):
                person.position = len(persons) + 1
                _apply_group_step(person, group_step)
                persons.append(person)
        elif (step := _group_step(line)) is not None:
            group_step = step
        i += 1
    return persons, warnings


def _continues(line: str, following: str) -> bool:
    if not following.startswith(p.RUN_ON_OPENINGS):
        return False
    # A line ending with a comma is an unfinished sentence; else the next must end the paragraph.
    unfinished = line.endswith(("，", ",", "、")) or (not line.endswith("。") and following.endswith("。"))
    # 拟任职务 (a table's header cell) or 拟任职务：… (a form's label) is no post.
    label = following.partition("：")[0].partition(":")[0]
    return unfinished and not p.POST_LABEL_RE.match(label) and person_start(following) is None


_INNER_MARK_RE = re.compile(r"[；;。](?=.)")


def _sentences(
    line: str, start: tuple[str, str, str] | None
) -> list[tuple[str, tuple[str, str, str] | None]]:
    """The persons' paragraphs of ``line``, with their person_start: one, unless sentences after
    the first (张某，男，…，拟任甲；李某，女，…) open with a person of their own."""
    if start is None:
        return []
    if "；" not in line and ";" not in line and line.find("。") in (-1, len(line) - 1):
        return [(line, start)]  # one sentence
    cuts = [0]
    for mark in _INNER_MARK_RE.finditer(line):
        rest = line[mark.end() :]
        if (at := person_start(rest)) is not None and read_person(rest, 0, at) is not None:
            cuts.append(mark.end())
    if len(cuts) == 1:
        return [(line, start)]
    pieces = [line[a:b] for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True)]
    return [(piece, person_start(piece)) for piece in pieces]


def _group_step(line: str) -> str | None:
    # A heading names a step (拟) and is no sentence (。) and no notice heading (公示).
    if "拟" not in line or "。" in line or "公示" in line:
        return None
    text = p.NUMBERING_RE.sub("", squash(line), count=1).rstrip("：:")
    if len(text) > 30 or "。" in text or "公示" in text or not p.GROUP_STEP_RE.match(text):
        return None
    proposal = read_proposal(text)
    return None if proposal is None else proposal[0]


def _apply_group_step(person: AppointmentPerson, group_step: str | None) -> None:
    if person.proposals or group_step is None:
        return
    person.proposals.append(Proposal(group_step, ""))
    person.warnings = [w for w in person.warnings if w != "no proposed post"]


def _phones(lines: list[str]) -> str | None:
    found: list[str] = []
    for line in lines:
        if "电话" not in line and "热线" not in line and "传真" not in line:
            continue
        for match in p.PHONE_LABEL_RE.finditer(line):
            for number in p.PHONE_NUMBER_RE.findall(match[1]):
                number = squash(number)
                if number[:1] in "（(":  # (0000)1234567: the pattern's template is costly, so tried only here
                    number = _AREA_CODE_RE.sub(r"\1-", number)
                number = number.replace("－", "-").replace("—", "-")
                if number not in found:
                    found.append(number)
    return "；".join(found) or None


SIGNOFF_LINES = 8
# The last character of every issuer's name (lines are stripped): other lines skip the pattern.
_ISSUER_LAST_CHARACTERS = frozenset(ending[-1] for ending in p.ISSUER_ENDINGS)


def _issuer(lines: list[str], title: str | None) -> str | None:
    # The sign-off is among the last lines: the issuer's name, then the date or nothing.
    for i in range(len(lines) - 1, max(-1, len(lines) - 1 - SIGNOFF_LINES), -1):
        line = lines[i]
        if len(line) <= 30 and line[-1] in _ISSUER_LAST_CHARACTERS and p.ISSUER_LINE_RE.match(squash(line)):
            if i + 1 == len(lines) or p.DATE_LINE_RE.match(squash(lines[i + 1])):
                return squash(line)
    if match := p.TITLE_ISSUER_RE.match(squash(title or "")):
        return match[1]
    return None
