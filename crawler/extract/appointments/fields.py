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


def year_month(match: re.Match[str], first_group: int = 1) -> str:
    return f"{int(match[first_group]):04d}-{int(match[first_group + 1]):02d}"


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
_CLAUSE_SPLIT_RE = re.compile(f"[{p.CLAUSE_MARKS}]")


def split_clauses(text: str) -> list[str]:
    """Split at ``，；。`` outside parentheses (``拟任甲（正处级，试用期一年）`` stays one clause)."""
    text = squash(text)
    if "（" not in text and "(" not in text:
        return [clause for clause in _CLAUSE_SPLIT_RE.split(text) if clause]
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


def _without_title(name: str) -> str:
    for suffix in p.NAME_TITLE_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


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
        if "。" in head or "；" in head or ";" in head:
            return None
        if head.isalnum():
            name = _without_title(head)
            if len(name) > 4 or name.startswith(p.NOT_NAMES) or name.endswith(p.NOT_NAME_ENDINGS):
                return None
    match = _PERSON_START_RE.match(text)
    if not match:
        return None
    name = _without_title(squash(match[1]))
    if len(name) > 4 and _NAME_DOTS.isdisjoint(name):
        return None
    if not p.NAME_RE.match(name) or name.startswith(p.NOT_NAMES) or name.endswith(p.NOT_NAME_ENDINGS):
        return None
    return name, match[2] or "", text[match.end() :]


# Fields a person may state more than once, each value true: every one is kept, joined with ；.
SEVERAL_VALUES = frozenset({"education", "degree"})


class _Reader:
    """Fills one person's fields; remembers what the last clause opened so that posts can run on."""

    def __init__(self, person: AppointmentPerson) -> None:
        self.person = person
        self.open: str | None = None  # "current" or "proposal" while a post may continue
        self.conflicts: set[str] = set()

    def set(self, name: str, value: object) -> None:
        old = getattr(self.person, name)
        if old is None:
            if name not in self.conflicts:
                setattr(self.person, name, value)
        elif name in SEVERAL_VALUES:
            # 全日制大学学历、工学学士学位，在职研究生学历、管理学硕士学位: both are true, both are kept.
            if value not in old.split("；"):  # type: ignore[attr-defined]
                setattr(self.person, name, f"{old}；{value}")
        elif old != value:
            self.conflicts.add(name)

    def clause(self, clause: str) -> None:
        notes, clause, kind, proposal, current, values, whole = clause_plan(clause)
        if notes:
            self.apply(notes)
        if kind == _NOTHING_MORE:
            return
        if kind == _PROBATION:
            self.person.probation = True
            return
        # A verb without 拟 (兼任, 任命) proposes only right after another proposal.
        if proposal is not None and (not proposal[2] or self.open == "proposal"):
            self.person.proposals.append(Proposal(proposal[0], proposal[1]))
            self.open = "proposal"
            return
        if current is not None:
            self._current(current)
            return
        if values:
            self.apply(values)
        if whole:
            self.open = None
            return
        if self.open == "current":
            self.person.current_post = f"{self.person.current_post}，{clause}"
        elif self.open == "proposal":
            last = self.person.proposals[-1]
            last.post = f"{last.post}，{clause}" if last.post else clause
        else:
            self.person.warnings.append(f"clause not read: {clause}")

    def _current(self, post: str) -> None:
        if self.person.current_post:
            self.person.current_post = f"{self.person.current_post}，{post}"
        else:
            self.person.current_post = post or None
        self.open = "current"

    def apply(self, values: Values) -> None:
        person = self.person
        for name, value in values:
            if name == "probation":
                person.probation = True
            elif getattr(person, name) is None and name not in self.conflicts:
                setattr(person, name, value)  # the common case of set(), without its call
            else:
                self.set(name, value)

    def _note(self, note: str) -> bool:
        """Read a parenthesised note (an age, a probation, an ethnicity...); False to keep it in the text."""
        values, whole = note_values(note)
        self.apply(values)
        return whole

    def set_current(self, post: str) -> None:
        """A 现任 cell: the post, after any given already."""
        self.open = None
        self._current(post)


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
_TYPED: dict[str, _Typed] = {
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
    return tuple(_TYPED[kind] for kind in kinds)


# The fields a clause may state, judged by its first and last characters (see _typed_candidates),
# in the order they are tried (a native place last: 研究生 is no place).
_DATED = _candidates("birth", "joined", "work", "age")
_SEX = _candidates("sex")
_ETHNICITY = _candidates("ethnicity")
_AGE = _candidates("age")
_PARTY = _candidates("party", "dated", "degree")
_OTHER_TYPED = _candidates("education", "degree", "native")
_PROPOSAL_OPENINGS = ("拟", "提名", "推荐", "按", "兼任", "任命")
# The openings of a proposal that needs no proposal before it.
_PROPOSAL_VERBS = ("拟", "提名", "推荐", "按")


# PROPOSAL_PATTERNS as one pattern of alternatives in their order: the first that matches wins,
# the name of its group is its index, and the group right after it is that pattern's post.
_ANY_PROPOSAL_RE = re.compile(
    "|".join(f"(?P<p{number}>{pattern.pattern})" for number, (_, pattern) in enumerate(p.PROPOSAL_PATTERNS))
)
_POST_GROUPS = tuple(_ANY_PROPOSAL_RE.groupindex[f"p{n}"] + 1 for n in range(len(p.PROPOSAL_PATTERNS)))


def read_proposal(clause: str) -> tuple[str, str] | None:
    """(step, post) of the first of PROPOSAL_PATTERNS that ``clause`` matches, or None."""
    if clause.startswith(_PROPOSAL_OPENINGS) and (match := _ANY_PROPOSAL_RE.match(clause)):
        number = int(match.lastgroup[1:])  # type: ignore[index]
        return p.PROPOSAL_PATTERNS[number][0], match[_POST_GROUPS[number]].removeprefix("为").strip("：:")
    return None


def _typed_candidates(clause: str) -> tuple[_Typed, ...]:
    """The fields ``clause`` may state, judged by its first and last characters: each clause is then
    matched against a pattern or two, not all of them (this is the parser's hot spot)."""
    if clause[0].isdigit() or clause.startswith(("出生", "生于")):
        return _DATED
    if len(clause) == 1 or clause.startswith("性别"):
        return _SEX
    last = clause[-1]
    if last == "族":
        return _ETHNICITY
    if last == "岁":
        return _AGE
    if last in "员士众" or clause.startswith(("中共", "政治面貌")):
        return _PARTY
    return _OTHER_TYPED


def typed_values(clause: str) -> Values | None:
    """The fields ``clause`` states, as (field, value) pairs; () for a known clause recorded
    nowhere (a professional title), None for a clause that states no field."""
    if not clause:
        return None
    for kind, pattern, value in _typed_candidates(clause):
        found = pattern.match(clause)
        if found is not None and not (kind == "native" and clause.endswith(p.NOT_NATIVE_ENDINGS)):
            return value(found)
    if p.IGNORED_CLAUSE_RE.search(clause):
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


def _finish(reader: _Reader) -> AppointmentPerson:
    person = reader.person
    for name in sorted(reader.conflicts):
        setattr(person, name, None)
        person.warnings.append(f"{name} given twice with different values: left empty")
    for proposal in person.proposals:
        proposal.post = proposal.post.strip("，")
    if person.birth is None and person.age is None:
        person.warnings.append("no birth month or age")
    if not person.proposals:
        person.warnings.append("no proposed post")
    return person


def read_person(
    text: str, position: int, start: tuple[str, str, str] | None = None
) -> AppointmentPerson | None:
    """The person a paragraph describes (``张某，男，汉族，1976年5月生，…，拟任…。``), or None
    when the paragraph does not open with a name followed by a sex, birth month or age.
    ``start`` is ``person_start(text)`` when the caller has it already."""
    start = start or person_start(text)
    if start is None:
        return None
    name, in_parentheses, rest = start
    reader = _Reader(AppointmentPerson(position=position, name=name, text=squash(text)))
    if in_parentheses and not reader._note(in_parentheses):
        return None
    person = reader.person
    for n, clause in enumerate(split_clauses(rest)):
        # A person's paragraph states who they are at once; a sentence that opens with a
        # name-like word (公示期间，…) does not.
        if (
            n == 3
            and not in_parentheses
            and not (person.sex or person.birth or person.age or person.ethnicity)
        ):
            return None
        reader.clause(clause)
    if not in_parentheses and not (person.sex or person.birth or person.age or person.ethnicity):
        return None
    return _finish(reader)


# --- table rows ------------------------------------------------------------------------------------

EMPTY_CELLS = frozenset({"", "—", "——", "-", "/", "无", "－"})


def read_row(columns: list[str], cells: list[str], position: int) -> AppointmentPerson | None:
    """The person of one table row, ``columns`` being the header keys (see tables.COLUMN_KEYS)."""
    plans = [cell_plan(key, cell) for key, cell in zip(columns, cells, strict=True)]
    name = plans[columns.index("name")][1] if "name" in columns else None
    if name is None:
        return None
    person = AppointmentPerson(
        position=position,
        name=name,
        text=" ".join(plan[3] for plan in plans if plan[3]),  # type: ignore[arg-type]
    )
    reader = _Reader(person)
    for kind, read, extra, _ in plans:
        if kind == _TYPED:
            reader.apply(read)  # type: ignore[arg-type]
            if extra is not None:
                person.warnings.append(extra)  # type: ignore[arg-type]
        elif kind == _CURRENT:
            reader.set_current(read)  # type: ignore[arg-type]
        elif kind == _PROPOSED:
            person.proposals.append(Proposal(*read))  # type: ignore[misc]
            if extra:
                person.probation = True
        elif kind == _NOTE and read:
            person.probation = True
    return _finish(reader)


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
