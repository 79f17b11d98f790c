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


def split_clauses(text: str) -> list[str]:
    """Split at ``，；。`` outside parentheses (``拟任甲（正处级，试用期一年）`` stays one clause)."""
    text = squash(text)
    if "（" not in text and "(" not in text:
        return [clause for clause in p.CLAUSE_SPLIT_RE.split(text) if clause]
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


def person_start(text: str) -> tuple[str, str, str] | None:
    """(name, words in parentheses after it, the rest) when ``text`` opens with a person's name."""
    text = text.strip()
    if not p.NAME_END_RE.search(text[:30]):
        return None
    text = p.NUMBERING_RE.sub("", text, count=1)
    match = _PERSON_START_RE.match(text)
    if not match:
        return None
    name = squash(match[1])
    for suffix in p.NAME_TITLE_SUFFIXES:
        name = name.removesuffix(suffix)
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
        if name in SEVERAL_VALUES and old is not None:
            # 全日制大学学历、工学学士学位，在职研究生学历、管理学硕士学位: both are true, both are kept.
            if value not in old.split("；"):  # type: ignore[union-attr]
                setattr(self.person, name, f"{old}；{value}")
        elif old is not None and old != value:
            self.conflicts.add(name)
        elif name not in self.conflicts:
            setattr(self.person, name, value)

    def clause(self, clause: str) -> None:
        if "（" in clause or "(" in clause:
            clause, notes = _pull_parentheses(clause)
            for note in notes:
                if not self._note(note):
                    clause += f"（{note}）"
        if not clause:
            return
        if "试用" in clause and p.PROBATION_RE.search(clause) and len(clause) <= 10:
            self.person.probation = True
            return
        number = proposal_number(clause)
        if number is not None and self._proposal(clause, number):
            self.open = "proposal"
            return
        if clause[0] == "现" and (current := p.CURRENT_RE.match(clause)):
            self._current(current[1])
            return
        if self._typed(clause):
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
        for name, value in values:
            if name == "probation":
                self.person.probation = True
            else:
                self.set(name, value)

    def _note(self, note: str) -> bool:
        """Read a parenthesised note (an age, a probation, an ethnicity...); False to keep it in the text."""
        values, whole = note_values(note)
        self.apply(values)
        return whole

    def _proposal(self, clause: str, number: int) -> bool:
        """Add the proposal of ``clause``, which matched PROPOSAL_PATTERNS[number]. A verb without
        拟 (兼任, 任命) proposes only right after another proposal."""
        step, pattern = p.PROPOSAL_PATTERNS[number]
        if self.open != "proposal" and not clause.startswith(("拟", "提名", "推荐", "按")):
            return False
        post = pattern.match(clause)[1].removeprefix("为").strip("：:")  # type: ignore[index]
        self.person.proposals.append(Proposal(step, post))
        return True

    def _typed(self, clause: str) -> bool:
        """Fill the field ``clause`` states (sex, birth, party...); False when it states none."""
        values, whole = clause_values(clause)
        self.apply(values)
        return whole


# Each field a clause may state: its pattern and how a match becomes (field, value) pairs, in the
# order they are tried (a native place last: 研究生 is no place).
_TYPED: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], list[tuple[str, object]]]], ...] = (
    ("sex", p.SEX_RE, lambda m: [("sex", m[1])]),
    ("ethnicity", p.ETHNICITY_RE, lambda m: [("ethnicity", m[1])]),
    ("birth", p.BIRTH_RE, lambda m: [("birth", year_month(m))]),
    ("age", p.AGE_RE, lambda m: [("age", int(m[1]))]),
    ("joined", p.PARTY_JOINED_RE, lambda m: [("party", "中共党员"), ("party_joined", year_month(m))]),
    ("dated", p.PARTY_WITH_DATE_RE, lambda m: [("party", m[1]), ("party_joined", year_month(m, 2))]),
    ("party", p.PARTY_LABEL_RE, lambda m: [("party", "中共党员" if m[1] == "中国共产党党员" else m[1])]),
    ("work", p.WORK_START_RE, lambda m: [("work_started", year_month(m))]),
    ("education", p.EDUCATION_RE, lambda m: [("education", m[1].removesuffix("学历").removesuffix("毕业"))]),
    ("degree", p.DEGREE_RE, lambda m: [("degree", m[1])]),
    ("native", p.NATIVE_RE, lambda m: [("native_place", m[1] or m[2])]),
)
_TYPED_PATTERNS = {name: pattern for name, pattern, _ in _TYPED}
_TYPED_VALUES = {name: value for name, _, value in _TYPED}
_PROPOSAL_OPENINGS = ("拟", "提名", "推荐", "按", "兼任", "任命")


# PROPOSAL_PATTERNS as one pattern of alternatives in their order: the first that matches wins,
# and the name of its group is its index.
_ANY_PROPOSAL_RE = re.compile(
    "|".join(f"(?P<p{number}>{pattern.pattern})" for number, (_, pattern) in enumerate(p.PROPOSAL_PATTERNS))
)


@lru_cache(maxsize=4096)
def proposal_number(clause: str) -> int | None:
    """The index of the first of PROPOSAL_PATTERNS that ``clause`` matches, or None."""
    if clause.startswith(_PROPOSAL_OPENINGS) and (match := _ANY_PROPOSAL_RE.match(clause)):
        return int(match.lastgroup[1:])  # type: ignore[index]
    return None


def _typed_candidates(clause: str) -> tuple[str, ...]:
    """The fields ``clause`` may state, judged by its first and last characters: each clause is then
    matched against a pattern or two, not all of them (this is the parser's hot spot)."""
    if clause[0].isdigit() or clause.startswith(("出生", "生于")):
        return ("birth", "joined", "work", "age")
    if len(clause) == 1 or clause.startswith("性别"):
        return ("sex",)
    last = clause[-1]
    if last == "族":
        return ("ethnicity",)
    if last == "岁":
        return ("age",)
    if last in "员士众" or clause.startswith(("中共", "政治面貌")):
        return ("party", "dated", "degree")
    return ("education", "degree", "native")


# Clauses repeat from person to person (男, 汉族, 大学学历, 中共党员, birth months): each is read once.
@lru_cache(maxsize=8192)
def typed_values(clause: str) -> Values | None:
    """The fields ``clause`` states, as (field, value) pairs; () for a known clause recorded
    nowhere (a professional title), None for a clause that states no field."""
    if not clause:
        return None
    for kind in _typed_candidates(clause):
        found = _TYPED_PATTERNS[kind].match(clause)
        if found is not None and not (kind == "native" and clause.endswith(p.NOT_NATIVE_ENDINGS)):
            return tuple(_TYPED_VALUES[kind](found))
    if p.IGNORED_CLAUSE_RE.search(clause):
        return ()
    return None


# What a clause, a note or a cell states is worked out once (clauses repeat from person to person)
# as (field, value) pairs and whether all of it was read; a reader then only applies the pairs.


@lru_cache(maxsize=8192)
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
    # 大学 工学学士: the space is the only mark between education and degree.
    flat = [squash(cell) for cell in cells]
    values = dict(zip(columns, flat, strict=True))
    for n, key in enumerate(columns):
        if key.startswith("education"):
            values[key] = "/".join(cells[n].split())
    name = values.get("name", "")
    for suffix in p.NAME_TITLE_SUFFIXES:
        name = name.removesuffix(suffix)
    if not p.NAME_RE.match(name):
        return None
    reader = _Reader(
        AppointmentPerson(position=position, name=name, text=" ".join(cell for cell in flat if cell))
    )
    for key, value in values.items():
        if key in ("name", "index") or value in EMPTY_CELLS:
            continue
        _read_cell(reader, key, value)
    return _finish(reader)


def _read_cell(reader: _Reader, key: str, value: str) -> None:
    person = reader.person
    if key == "current":
        reader.open = None
        reader._current(value.removeprefix("现任").removeprefix("现为"))
    elif key.startswith("proposal"):
        reader.open = None
        proposal = value if value.startswith("拟") else key.partition(":")[2] + value
        number = proposal_number(proposal)
        if number is None or not reader._proposal(proposal, number):
            person.proposals.append(Proposal(key.partition(":")[2] or "拟任", value))
        value, notes = _pull_parentheses(value)
        if any(p.PROBATION_RE.search(note) for note in notes):
            person.probation = True
            last = person.proposals[-1]
            last.post = p.PAREN_RE.sub(lambda m: "" if p.PROBATION_RE.search(m[1]) else m[0], last.post)
    elif key == "note":
        if p.PROBATION_RE.search(value):
            person.probation = True
    else:
        values, whole = cell_values(key, value)
        reader.apply(values)
        if not whole:
            person.warnings.append(f"{CELL_FIELDS.get(key, (key.partition(':')[0],))[0]} not read: {value}")


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


@lru_cache(maxsize=8192)
def cell_values(key: str, value: str) -> tuple[Values, bool]:
    """The fields the cell ``value`` of a column ``key`` states; False when it is not read."""
    if key in ("party", "joined") and value[:1].isdigit() and (m := p.YEAR_MONTH_RE.match(value)):
        return (("party", "中共党员"), ("party_joined", year_month(m))), True
    if key == "work" and (m := p.YEAR_MONTH_RE.match(value.removesuffix("参加工作"))):
        return (("work_started", year_month(m)),), True
    if key == "native" and _PLACE_CELL_RE.fullmatch(value):
        return (("native_place", value),), True
    if key.startswith("education"):
        # A column of one mode of study (全日制教育, 在职教育) names it before the education it holds.
        mode = key.partition(":")[2]
        found, whole = _parts_values([part for part in _EDUCATION_SPLIT_RE.split(value) if part])
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
    allowed = CELL_FIELDS.get(key, ())
    if not values or any(name not in allowed for name, _ in values):
        return (), False
    found = list(values)
    for note in notes:
        found.extend(note_values(note)[0])
    return tuple(found), True
