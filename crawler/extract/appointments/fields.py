"""One person of a notice, read clause by clause from a paragraph or cell by cell from a table row.

A clause the parser knows fills its field; an unlabelled clause right after 现任 or a
proposal continues it (posts run over several clauses); anything else is left out with a
warning. Two clauses that give one field different values leave it empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from crawler.extract.appointments import patterns as p
from crawler.extract.appointments.records import AppointmentPerson, Proposal

Values = tuple[tuple[str, object], ...]  # (field, value) pairs
_NOTE_SPLIT_RE = re.compile(r"[，,、]")
_PLACE_CELL_RE = re.compile(rf"[{p.CJK}]{{2,12}}")
_EDUCATION_SPLIT_RE = re.compile(r"[/、，,]|(?<=学历)")
_EDUCATION_MARKS = frozenset("/、，,")  # a cell without these (and 学历) is one part


def squash(text: str) -> str:
    """``text`` without any white space (str.split() also splits at \u3000 and \xa0)."""
    return "".join(text.split())


# A month as patterns.YEAR_MONTH captures it (1, 01 ... 12), as the records write it.
_MONTHS = {text: f"{int(text):02d}" for n in range(1, 13) for text in (str(n), f"{n:02d}")}


def year_month(match: re.Match[str], first_group: int = 1) -> str:
    """``YYYY-MM`` of a match of patterns.YEAR_MONTH whose year is group ``first_group``."""
    year, month = match[first_group], match[first_group + 1]
    if not year.isascii():  # digits of other scripts (１９７６) are read as numbers
        year = f"{int(year):04d}"
    return f"{year}-{_MONTHS.get(month) or f'{int(month):02d}'}"


def chinese_number(text: str) -> int | None:
    """``12`` or ``十二`` as 12; None for anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in p.CHINESE_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(p.CHINESE_DIGITS[ch]) for ch in text)) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    value = (p.CHINESE_DIGITS.get(tens, -100) if tens else 1) * 10 + (
        p.CHINESE_DIGITS.get(ones, -100) if ones else 0
    )
    return value if value > 0 else None


_CLAUSE_MARKS = frozenset(p.CLAUSE_MARKS)
_OTHER_CLAUSE_MARKS = tuple(mark for mark in p.CLAUSE_MARKS if mark != "，")


def split_clauses(text: str) -> list[str]:
    """Split at ``，；。`` outside parentheses (``拟任甲（正处级，试用期一年）`` stays one clause)."""
    text = squash(text)
    if "（" not in text and "(" not in text:
        # Every mark made a ，, then one split: cheaper than a pattern of the marks.
        for mark in _OTHER_CLAUSE_MARKS:
            text = text.replace(mark, "，")
        return [clause for clause in text.split("，") if clause]
    clauses, current, depth = [], [], 0
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if depth == 0 and ch in _CLAUSE_MARKS:
            clauses.append("".join(current))
            current = []
        else:
            current.append(ch)
    clauses.append("".join(current))
    return [clause for clause in clauses if clause]


_PERSON_START_RE = re.compile(r"^([^，,（(：:；;。]{2,16}?)\s*(?:[（(]([^）)]*)[)）])?\s*[，,：:]")


# The characters numbering can open with (see patterns.NUMBERING_RE): other lines skip its search.
_NUMBERING_OPENINGS = frozenset("0123456789（(一二三四五六七八九十①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
# A name longer than four characters must hold the dot of a transcribed name (see patterns.NAME_RE).
_NAME_DOTS = frozenset("·•・．.")


# A word longer than this is no name, with or without a title after it (see person_start).
_LONGEST_NAME_WITH_TITLE = 4 + max(map(len, p.NAME_TITLE_SUFFIXES))


def _without_title(name: str) -> str:
    for suffix in p.NAME_TITLE_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


# The first two characters of every word of NOT_NAMES (each has two at least): a name that opens
# with none of them opens with none of the words.
_NOT_NAME_OPENINGS = frozenset(word[:2] for word in p.NOT_NAMES)


def _not_a_name(name: str) -> bool:
    return (name[:2] in _NOT_NAME_OPENINGS and name.startswith(p.NOT_NAMES)) or name.endswith(
        p.NOT_NAME_ENDINGS
    )


def person_start(text: str) -> tuple[str, str, str] | None:
    """(name, words in parentheses after it, the rest) when ``text`` opens with a person's name."""
    text = text.strip()
    if not (mark := p.NAME_END_RE.search(text, 0, 30)):
        return None
    if text[0] in _NUMBERING_OPENINGS:
        text = p.NUMBERING_RE.sub("", text, count=1)
    else:
        # Most lines are told apart by the words before the first comma, without the pattern:
        # a name ends at no sentence mark, and words with no space or dot in them would be the
        # name itself, too long or not a name (公示时间：…, 经县委常委会研究，…).
        head = text[: mark.start()]
        if head.isalnum():
            if len(head) > _LONGEST_NAME_WITH_TITLE:
                return None
            name = _without_title(head)
            if len(name) > 4 or _not_a_name(name):
                return None
            # 张某，… (no parenthesis after the name): the pattern would read ``head`` as the name.
            if mark[0] in "，,：:":
                if len(head) < 2 or not p.NAME_RE.match(name):
                    return None
                return name, "", text[mark.end() :]
        elif "。" in head or "；" in head or ";" in head:
            return None
    match = _PERSON_START_RE.match(text)
    if not match:
        return None
    name = _without_title(squash(match[1]))
    if len(name) > 4 and _NAME_DOTS.isdisjoint(name):
        return None
    if not p.NAME_RE.match(name) or _not_a_name(name):
        return None
    return name, match[2] or "", text[match.end() :]


# Fields a person may state more than once, each value true: every one is kept, joined with ；.
SEVERAL_VALUES = frozenset({"education", "degree"})


# Fields _apply must see even when not stated before (a probation is no field of ``found``).
_NOT_PLAIN = frozenset({"probation"})


def _apply(found: dict[str, object], conflicts: set[str], values: Values) -> bool:
    """Put the (field, value) pairs ``values`` among a person's ``found`` fields; a field given
    twice with different values goes into ``conflicts``. True when a pair states a probation."""
    probation = False
    for name, value in values:
        if name == "probation":
            probation = True
            continue
        old = found.get(name)
        if old is None:
            if name not in conflicts:
                found[name] = value
        elif name in SEVERAL_VALUES:
            # 全日制大学学历、工学学士学位，在职研究生学历、管理学硕士学位: both are true, both are kept.
            if value not in old.split("；"):  # type: ignore[attr-defined]
                found[name] = f"{old}；{value}"
        elif old != value:
            conflicts.add(name)
    return probation


# What one clause of a paragraph does, worked out once for each distinct clause (see clause_plan):
# it states nothing more than its notes, or a probation, or something else (a proposal, a current
# post, typed fields, or a post running on).
_NOTHING_MORE, _PROBATION, _OTHER = range(3)
Plan = tuple[Values, str, int, "tuple[str, str, bool] | None", "str | None", Values, bool]


@lru_cache(maxsize=8192)
def clause_plan(clause: str) -> Plan:
    """(the fields of its parenthesised notes, the clause without the notes read, its kind, the
    proposal it makes as (step, post, whether it needs a proposal right before: 兼任, 任命), the
    current post it gives, the fields it states, whether all of it was read)."""
    notes: Values = ()
    if "（" in clause or "(" in clause:
        clause, found = _pull_parentheses(clause)
        for note in found:
            values, whole = note_values(note)
            notes += values
            if not whole:
                clause += f"（{note}）"
    if not clause:
        return notes, clause, _NOTHING_MORE, None, None, (), False
    if "试用" in clause and p.PROBATION_RE.search(clause) and len(clause) <= 10:
        return notes, clause, _PROBATION, None, None, (), False
    proposal = None
    if (read := read_proposal(clause)) is not None:
        proposal = (*read, not clause.startswith(_PROPOSAL_VERBS))
        if not proposal[2]:
            return notes, clause, _OTHER, proposal, None, (), False
    if clause[0] == "现" and (current := p.CURRENT_RE.match(clause)):
        return notes, clause, _OTHER, proposal, current[1], (), False
    values, whole = clause_values(clause)
    return notes, clause, _OTHER, proposal, None, values, whole


# Each field a clause may state: its pattern and how a match becomes (field, value) pairs.
_Typed = tuple[str, re.Pattern[str], Callable[[re.Match[str]], Values]]
TYPED_FIELDS: dict[str, _Typed] = {
    kind: (kind, pattern, value)
    for kind, pattern, value in (
        ("sex", p.SEX_RE, lambda m: (("sex", m[1]),)),
        ("ethnicity", p.ETHNICITY_RE, lambda m: (("ethnicity", m[1]),)),
        ("birth", p.BIRTH_RE, lambda m: (("birth", year_month(m)),)),
        ("age", p.AGE_RE, lambda m: (("age", int(m[1])),)),
        ("joined", p.PARTY_JOINED_RE, lambda m: (("party", "中共党员"), ("party_joined", year_month(m)))),
        ("dated", p.PARTY_WITH_DATE_RE, lambda m: (("party", m[1]), ("party_joined", year_month(m, 2)))),
        ("party", p.PARTY_LABEL_RE, lambda m: (("party", "中共党员" if m[1] == "中国共产党党员" else m[1]),)),
        ("work", p.WORK_START_RE, lambda m: (("work_started", year_month(m)),)),
        (
            "education",
            p.EDUCATION_RE,
            lambda m: (("education", m[1].removesuffix("学历").removesuffix("毕业")),),
        ),
        ("degree", p.DEGREE_RE, lambda m: (("degree", m[1]),)),
        ("native", p.NATIVE_RE, lambda m: (("native_place", m[1] or m[2]),)),
    )
}


def _candidates(*kinds: str) -> tuple[_Typed, ...]:
    return tuple(TYPED_FIELDS[kind] for kind in kinds)


# The fields a clause may state, judged by its first and last characters (see _typed_candidates),
# in the order they are tried (a native place last: 研究生 is no place).
_SEX = _candidates("sex")
_ETHNICITY = _candidates("ethnicity")
_AGE = _candidates("age")
_PARTY = _candidates("party", "dated", "degree")
# A clause opening with a date states a birth, unless its end names another field.
_DATED_BY_ENDING = (
    (("参加工作",), _candidates("work")),
    (("入党", "加入中国共产党"), _candidates("joined")),
    (("岁",), _AGE),
)
_BIRTH = _candidates("birth")
# The last characters of an education (研究生, 大学学历, 中专毕业 ...) and of a degree (法学硕士,
# 工学学士学位, 理学博士（PhD）), and the openings and ending of a native place (籍贯河南, 山东临沂人).
EDUCATION_LAST = frozenset("生科学专中技历业")
DEGREE_LAST = frozenset("士）)位")
NATIVE_OPENINGS = ("籍贯", "出生地")
NATIVE_LAST = "人"
# The other clauses by (may be an education, a degree, a native place).
_OTHER_TYPED = {
    (education, degree, native): tuple(
        typed
        for typed, wanted in zip(
            _candidates("education", "degree", "native"), (education, degree, native), strict=True
        )
        if wanted
    )
    for education in (False, True)
    for degree in (False, True)
    for native in (False, True)
}
# The openings of a proposal that needs no proposal before it.
_PROPOSAL_VERBS = ("拟", "提名", "推荐", "按")
# The first two characters each of PROPOSAL_PATTERNS can match, in their order.
PROPOSAL_OPENINGS: dict[str, tuple[str, ...]] = {
    "拟按程序任命": ("拟按", "按有", "按法", "按程"),
    "拟按程序推荐": ("拟按", "按有", "按法", "按程"),
    "拟按程序提名": ("拟按", "按有", "按法", "按程"),
    "拟提名": ("拟提", "提名"),
    "拟推荐": ("拟推", "推荐"),
    "拟进一步使用": ("拟进",),
    "拟提拔": ("拟提",),
    "拟晋升": ("拟晋",),
    "拟交流": ("拟交",),
    "拟聘任": ("拟聘",),
    "拟任命": ("拟任", "任命"),
    "拟作为人选": ("拟作",),
    "拟确定": ("拟确",),
    "拟任": ("拟任",),
    "拟兼任": ("兼任",),
}
# Two first characters -> the (step, pattern) of PROPOSAL_PATTERNS a clause opening with them may
# match, in their order: a clause is matched against one pattern or two, not all of them.
_PROPOSALS_BY_OPENING: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
for _step, _pattern in p.PROPOSAL_PATTERNS:
    for _opening in PROPOSAL_OPENINGS[_step]:
        _PROPOSALS_BY_OPENING[_opening] = (*_PROPOSALS_BY_OPENING.get(_opening, ()), (_step, _pattern))


def read_proposal(clause: str) -> tuple[str, str] | None:
    """(step, post) of the first of PROPOSAL_PATTERNS that ``clause`` matches, or None."""
    for step, pattern in _PROPOSALS_BY_OPENING.get(clause[:2], ()):
        if match := pattern.match(clause):
            return step, match[1].removeprefix("为").strip("：:")
    return None


def _typed_candidates(clause: str) -> tuple[_Typed, ...]:
    """The fields ``clause`` may state, judged by its first and last characters: each clause is then
    matched against a pattern or two, not all of them (this is the parser's hot spot)."""
    if clause[0].isdigit() or clause.startswith(("出生", "生于")):
        for endings, candidates in _DATED_BY_ENDING:
            if clause.endswith(endings):
                return candidates
        return _BIRTH
    if len(clause) == 1 or clause.startswith("性别"):
        return _SEX
    last = clause[-1]
    if last == "族":
        return _ETHNICITY
    if last == "岁":
        return _AGE
    if last in "员士众" or clause.startswith(("中共", "政治面貌")):
        return _PARTY
    return _OTHER_TYPED[
        last in EDUCATION_LAST,
        last in DEGREE_LAST,
        last == NATIVE_LAST or clause.startswith(NATIVE_OPENINGS),
    ]


# Every clause IGNORED_CLAUSE_RE finds something in holds 任 or 职, or ends as a title does.
IGNORED_MARKS = ("任", "职")
TITLE_LAST = frozenset("师授员者辑")


def typed_values(clause: str) -> Values | None:
    """The fields ``clause`` states, as (field, value) pairs; () for a known clause recorded
    nowhere (a professional title), None for a clause that states no field."""
    if not clause:
        return None
    for kind, pattern, value in _typed_candidates(clause):
        found = pattern.match(clause)
        if found is not None and not (kind == "native" and clause.endswith(p.NOT_NATIVE_ENDINGS)):
            return value(found)
    if (
        clause[-1] in TITLE_LAST or IGNORED_MARKS[0] in clause or IGNORED_MARKS[1] in clause
    ) and p.IGNORED_CLAUSE_RE.search(clause):
        return ()
    return None


# What a clause, a note or a cell states, as (field, value) pairs and whether all of it was read.
# Clauses, notes and cells repeat from person to person (男, 汉族, 大学学历, 中共党员): clause_plan,
# note_values and cell_plan work each out once; a reader then only applies the pairs.


def clause_values(clause: str) -> tuple[Values, bool]:
    """The fields ``clause`` states; False when it states none, or when one of its parts (研究生学历、
    法学硕士学位 / 汉族、中共党员: every part must be known) states none (the parts before it count)."""
    values = typed_values(clause)
    if values is not None:
        return values, True
    parts = clause.split("、")
    if len(parts) == 1:
        return (), False
    return _parts_values(parts)


def _parts_values(parts: list[str]) -> tuple[Values, bool]:
    found: list[tuple[str, object]] = []
    for part in parts:
        values = typed_values(part)
        if values is None:
            return tuple(found), False
        found.extend(values)
    return tuple(found), True


@lru_cache(maxsize=4096)
def note_values(note: str) -> tuple[Values, bool]:
    """The fields a parenthesised note states (``probation`` among them); False to keep it in the text."""
    note = squash(note)
    if p.PROBATION_RE.search(note):
        return (("probation", True),), True
    if age := p.AGE_RE.match(note):
        return (("age", int(age[1])),), True
    found: list[tuple[str, object]] = []
    for part in _NOTE_SPLIT_RE.split(note):
        if part:
            values, whole = clause_values(part)
            found.extend(values)
            if not whole:
                return tuple(found), False
    return tuple(found), bool(note)


def _pull_parentheses(clause: str) -> tuple[str, list[str]]:
    if "（" not in clause and "(" not in clause:
        return clause, []
    notes = p.PAREN_RE.findall(clause)
    return (p.PAREN_RE.sub("", clause), notes) if notes else (clause, [])


def _person(
    position: int,
    name: str,
    text: str,
    found: dict[str, object],
    conflicts: set[str],
    current: str | None,
    proposals: list[Proposal],
    probation: bool,
    warnings: list[str],
) -> AppointmentPerson:
    """The person of what was read: a field in ``conflicts`` is left empty, with a warning."""
    if conflicts:
        for field in sorted(conflicts):
            found[field] = None
            warnings.append(f"{field} given twice with different values: left empty")
    for proposal in proposals:
        proposal.post = proposal.post.strip("，")
    if found.get("birth") is None and found.get("age") is None:
        warnings.append("no birth month or age")
    if not proposals:
        warnings.append("no proposed post")
    return AppointmentPerson(
        position=position,
        name=name,
        current_post=current,
        proposals=proposals,
        probation=probation,
        text=text,
        warnings=warnings,
        **found,  # type: ignore[arg-type]
    )


_WHO_FIELDS = ("sex", "birth", "age", "ethnicity")


def read_person(
    text: str, position: int, start: tuple[str, str, str] | None = None
) -> AppointmentPerson | None:
    """The person a paragraph describes (``张某，男，汉族，1976年5月生，…，拟任…。``), or None
    when the paragraph does not open with a name followed by a sex, birth month or age.
    ``start`` is ``person_start(text)`` when the caller has it already.

    Each clause does what its clause_plan says; an unlabelled clause right after 现任 or a
    proposal continues that post (``opened``)."""
    start = start or person_start(text)
    if start is None:
        return None
    name, in_parentheses, rest = start
    found: dict[str, object] = {}
    conflicts: set[str] = set()
    probation = False
    if in_parentheses:
        values, whole = note_values(in_parentheses)
        probation = _apply(found, conflicts, values)
        if not whole:
            return None
    current: str | None = None
    proposals: list[Proposal] = []
    warnings: list[str] = []
    opened: str | None = None  # "current" or "proposal" while a post may continue
    for n, clause in enumerate(split_clauses(rest)):
        # A person's paragraph states who they are at once; a sentence that opens with a
        # name-like word (公示期间，…) does not.
        if n == 3 and not in_parentheses and not any(map(found.get, _WHO_FIELDS)):
            return None
        notes, clause, kind, proposal, current_post, values, whole = clause_plan(clause)
        if notes and _apply(found, conflicts, notes):
            probation = True
        if kind == _NOTHING_MORE:
            continue
        if kind == _PROBATION:
            probation = True
            continue
        # A verb without 拟 (兼任, 任命) proposes only right after another proposal.
        if proposal is not None and (not proposal[2] or opened == "proposal"):
            proposals.append(Proposal(proposal[0], proposal[1]))
            opened = "proposal"
            continue
        if current_post is not None:
            current = f"{current}，{current_post}" if current else current_post or None
            opened = "current"
            continue
        if values:
            if len(values) == 1 and (field := values[0][0]) not in found and field not in _NOT_PLAIN:
                found[field] = values[0][1]  # the common case of _apply, without its call
            elif _apply(found, conflicts, values):
                probation = True
        if whole:
            opened = None
        elif opened == "current":
            current = f"{current}，{clause}"
        elif opened == "proposal":
            last = proposals[-1]
            last.post = f"{last.post}，{clause}" if last.post else clause
        else:
            warnings.append(f"clause not read: {clause}")
    if not in_parentheses and not any(map(found.get, _WHO_FIELDS)):
        return None
    return _person(position, name, squash(text), found, conflicts, current, proposals, probation, warnings)


# --- table rows ------------------------------------------------------------------------------------

EMPTY_CELLS = frozenset({"", "—", "——", "-", "/", "无", "－"})


def read_row(columns: list[str], cells: list[str], position: int) -> AppointmentPerson | None:
    """The person of one table row, ``columns`` being the header keys (see tables.COLUMN_KEYS)."""
    plans = [cell_plan(key, cell) for key, cell in zip(columns, cells, strict=True)]
    name = plans[columns.index("name")][1] if "name" in columns else None
    if name is None:
        return None
    found: dict[str, object] = {}
    conflicts: set[str] = set()
    current: str | None = None
    proposals: list[Proposal] = []
    warnings: list[str] = []
    probation = False
    for kind, read, extra, _ in plans:
        if kind == _TYPED:
            if len(read) == 1 and (field := read[0][0]) not in found and field not in _NOT_PLAIN:  # type: ignore[arg-type,index]
                found[field] = read[0][1]  # type: ignore[index]
            elif _apply(found, conflicts, read):  # type: ignore[arg-type]
                probation = True
            if extra is not None:
                warnings.append(extra)  # type: ignore[arg-type]
        elif kind == _CURRENT:
            current = f"{current}，{read}" if current else read or None  # type: ignore[assignment]
        elif kind == _PROPOSED:
            proposals.append(Proposal(*read))  # type: ignore[misc]
            if extra:
                probation = True
        elif kind == _NOTE and read:
            probation = True
    text = " ".join([plan[3] for plan in plans if plan[3]])  # type: ignore[misc]
    return _person(position, name, text, found, conflicts, current, proposals, probation, warnings)


# What a cell does (see cell_plan): nothing (the name, the 序号, an empty cell), typed fields, a
# current post, a proposal, a note.
_SKIPPED, _TYPED, _CURRENT, _PROPOSED, _NOTE = range(5)


@lru_cache(maxsize=8192)
def cell_plan(key: str, cell: str) -> tuple[int, object, object, str]:
    """What the cell ``cell`` of a column ``key`` does to its person, worked out once for each
    distinct cell: (kind, what it reads, a warning or whether it states a probation, the cell
    without white space). A name cell reads the name, or None when it holds none."""
    flat = squash(cell)
    if key == "name":
        name = flat
        for suffix in p.NAME_TITLE_SUFFIXES:
            name = name.removesuffix(suffix)
        return _SKIPPED, name if p.NAME_RE.match(name) else None, None, flat
    # 大学 工学学士: the space is the only mark between education and degree.
    value = "/".join(cell.split()) if key.startswith("education") else flat
    if key == "index" or value in EMPTY_CELLS:
        return _SKIPPED, None, None, flat
    if key == "current":
        return _CURRENT, value.removeprefix("现任").removeprefix("现为"), None, flat
    if key.startswith("proposal"):
        return (*_proposal_cell(key.partition(":")[2], value), flat)
    if key == "note":
        return _NOTE, bool(p.PROBATION_RE.search(value)), None, flat
    values, whole = cell_values(key, value)
    warning = None if whole else f"{CELL_FIELDS.get(key, (key.partition(':')[0],))[0]} not read: {value}"
    return _TYPED, values, warning, flat


def _proposal_cell(column_step: str, value: str) -> tuple[int, tuple[str, str], bool]:
    """A cell of a proposal column (拟任职务, 拟提名职务): (step, post) and whether it states a probation
    (某局局长（试用期一年）: the note is taken out of the post)."""
    proposal = value if value.startswith("拟") else column_step + value
    read = read_proposal(proposal)
    if read is not None and proposal.startswith(_PROPOSAL_VERBS):
        step, post = read
    else:
        step, post = column_step or "拟任", value
    probation = False
    if "（" in value or "(" in value:
        _, notes = _pull_parentheses(value)
        probation = any(p.PROBATION_RE.search(note) for note in notes)
    if probation:
        post = p.PAREN_RE.sub(lambda m: "" if p.PROBATION_RE.search(m[1]) else m[0], post)
    return _PROPOSED, (step, post), probation


# Which fields a typed column may fill: a cell that states another field is not taken.
CELL_FIELDS: dict[str, tuple[str, ...]] = {
    "sex": ("sex",),
    "ethnicity": ("ethnicity",),
    "birth": ("birth", "age"),
    "age": ("age",),
    "degree": ("degree",),
    "party": ("party", "party_joined"),
    "joined": ("party", "party_joined"),
    "native": ("native_place",),
    "work": ("work_started",),
}


def cell_values(key: str, value: str) -> tuple[Values, bool]:
    """The fields the cell ``value`` of a column ``key`` states; False when it is not read."""
    if key in ("party", "joined") and value[:1].isdigit() and (m := p.YEAR_MONTH_RE.match(value)):
        return (("party", "中共党员"), ("party_joined", year_month(m))), True
    # A birth cell that is a month alone reads as BIRTH_RE would read it (the most common cell, and
    # unique to its person: worth the shortcut).
    if key == "birth" and value[:1].isdigit() and (m := p.YEAR_MONTH_RE.match(value)):
        return (("birth", year_month(m)),), True
    if key == "work" and (m := p.YEAR_MONTH_RE.match(value.removesuffix("参加工作"))):
        return (("work_started", year_month(m)),), True
    if key == "native" and _PLACE_CELL_RE.fullmatch(value):
        return (("native_place", value),), True
    if key.startswith("education"):
        # A column of one mode of study (全日制教育, 在职教育) names it before the education it holds.
        mode = key.partition(":")[2]
        one_part = "学历" not in value and _EDUCATION_MARKS.isdisjoint(value)
        parts = [value] if one_part else _EDUCATION_SPLIT_RE.split(value)
        found, whole = _parts_values([part for part in parts if part])
        if not mode:
            return found, whole
        return tuple(
            (
                name,
                mode + found_value
                if name == "education" and not found_value.startswith(mode)
                else found_value,
            )  # type: ignore[operator,union-attr]
            for name, found_value in found
        ), whole
    # Any other typed column: the cell must state the column's field and no other.
    value, notes = _pull_parentheses(value)
    values = typed_values(value)
    if not values:
        return (), False
    allowed = CELL_FIELDS.get(key, ())
    for name, _ in values:
        if name not in allowed:
            return (), False
    for note in notes:
        values += note_values(note)[0]
    return values, True
