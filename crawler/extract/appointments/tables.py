"""Tables of persons, as the extractor leaves them in the body: one line per cell, row after row;
and forms, one per person, of labels each followed by its value.

The header is a run of lines that are all column names (姓名, 性别, 出生年月 ...), in any order
and wording. The cells after it are cut into rows of the header's width. An empty cell leaves no
line, which would shift every later cell into the wrong column: so each row is checked (a name
in the name column, 男/女 in the sex column, a month in the birth column, 1, 2, 3 in the 序号
column), and a table whose rows do not check out gives no persons, only a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from crawler.extract.appointments import patterns as p
from crawler.extract.appointments.fields import read_row, squash
from crawler.extract.appointments.records import AppointmentPerson

# Header words -> column key, tried in order (出生年月（年龄） is a birth column, 拟任职务 a proposal).
COLUMN_KEYS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^序号$|^编号$"), "index"),
    (re.compile(r"^姓名$"), "name"),
    (re.compile(r"^性别$"), "sex"),
    (re.compile(r"^民族$"), "ethnicity"),
    (re.compile(r"^出生(?:年月|日期|时间)"), "birth"),
    (re.compile(r"^年龄$"), "age"),
    (re.compile(r"^(?:籍贯|出生地)$"), "native"),
    # 全日制教育 / 在职教育: a column of one mode of study (its educations are named with it).
    (re.compile(r"^全日制(?:教育|学历)"), "education:全日制"),
    (re.compile(r"^在职(?:教育|学历)"), "education:在职"),
    (re.compile(r"^(?:学历|文化程度|学历学位|学历[（(]学位[)）])"), "education"),
    (re.compile(r"^学位$"), "degree"),
    (re.compile(r"^入党时间"), "joined"),
    (re.compile(r"^(?:政治面貌|党派)"), "party"),
    (re.compile(r"^(?:参加工作时间|参工时间|工作时间)$"), "work"),
    (re.compile(r"^拟(?:提名|推荐)"), "proposal"),
    (re.compile(r"^拟"), "proposal"),
    (re.compile(r"^(?:现任|现职|现工作单位|工作单位|现单位|单位及职务|现任职务)"), "current"),
    (re.compile(r"^备注$"), "note"),
)
# Lines after the table that end it: prose (a line ending with 。) and the notice's tail, opening
# with one of these words.
TABLE_END_WORDS: tuple[str, ...] = (
    "公示",
    "电话",
    "受理电话",
    "举报电话",
    "联系电话",
    "监督电话",
    "地址",
    "通信地址",
    "通讯地址",
    "附件",
    "联系人",
)
TABLE_END_RE = re.compile("|".join(map(re.escape, TABLE_END_WORDS)))
# The characters those words open with: other lines skip the pattern.
_TABLE_END_OPENINGS = frozenset(word[0] for word in TABLE_END_WORDS)
MIN_COLUMNS = 3
# Every table has a name column and every form a name label: a notice without a line opening
# with 姓名 has neither, and most notices (one paragraph per person) are read without looking.
_NAME_LABEL_RE = re.compile(r"\s*姓\s*名")


MAX_HEADER_CHARS = 16
# Every header word in one pattern, tried in COLUMN_KEYS's order: the group that matched names the key.
_ANY_COLUMN_RE = re.compile(
    "|".join(f"(?P<k{n}>{pattern.pattern})" for n, (pattern, _) in enumerate(COLUMN_KEYS))
)


# The characters a header word can open with (each one after ^ or | in COLUMN_KEYS, a few more
# than needed): most cells (男, 1976.05, names, posts) are told apart by their first character.
_HEADER_OPENINGS = frozenset(
    "".join(
        re.findall(rf"(?:\^|\||\(\?:)([{p.CJK}])", "".join(pattern.pattern for pattern, _ in COLUMN_KEYS))
    )
)


def column_key(text: str) -> str | None:
    """The column key (``name``, ``birth``, ``proposal:拟任`` ...) of a header cell; None for any other text."""
    if len(text) > MAX_HEADER_CHARS or not text or text.lstrip()[:1] not in _HEADER_OPENINGS:
        return None
    return header_key(text)


@lru_cache(maxsize=4096)
def header_key(text: str) -> str | None:
    text = squash(text).rstrip("：:")
    # 出生年月：1977.08 is a label with its value (see _labelled), not a header cell.
    if "：" in text or ":" in text or not (match := _ANY_COLUMN_RE.match(text)):
        return None
    key = COLUMN_KEYS[int(match.lastgroup[1:])][1]  # type: ignore[index]
    if key == "proposal":
        return "proposal:" + ("拟提名" if "提名" in text else "拟推荐" if "推荐" in text else "拟任")
    return key


@dataclass
class Table:
    start: int  # index of the first header line
    end: int  # index after the last cell
    columns: list[str]
    persons: list[AppointmentPerson] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def find_tables(lines: list[str], first_position: int = 1) -> list[Table]:
    """Every table of persons among ``lines`` (see the module doc), and every form, with their
    persons read."""
    tables: list[Table] = []
    if "姓" not in "".join(lines) or not any("姓" in line and _NAME_LABEL_RE.match(line) for line in lines):
        return tables
    # column_key of each line (a line opening with one of _HEADER_OPENINGS opens with no space).
    keys = [
        header_key(line) if line[:1] in _HEADER_OPENINGS and len(line) <= MAX_HEADER_CHARS else None
        for line in lines
    ]
    i = 0
    while i < len(lines):
        # Only a header cell or a name label (姓名：张某, longer than a cell) can open a table or form.
        if keys[i] is None and ("姓" not in lines[i] or not _NAME_LABEL_RE.match(lines[i])):
            i += 1
            continue
        columns = _header_at(keys, i)
        if columns is None:
            form = _form_at(lines, keys, i, first_position + sum(len(t.persons) for t in tables))
            if form is not None:
                tables.append(form)
            i = form.end if form is not None else i + 1
            continue
        header_end = end = i + len(columns)
        # The cells run to a line that ends the table (see _ends_table, written out here: this
        # loop visits every cell) or opens another header.
        while end < len(lines):
            line = lines[end]
            if line[-1:] == "。" or (line[:1] in _TABLE_END_OPENINGS and TABLE_END_RE.match(line)):
                break
            if keys[end] is not None and _header_at(keys, end) is not None:
                break
            end += 1
        table = Table(i, end, _second_header_row(columns))
        _read_rows(table, lines[header_end:end], first_position + sum(len(t.persons) for t in tables))
        tables.append(table)
        i = end
    return tables


def split_label_lines(lines: list[str]) -> list[str]:
    """``lines`` with each line of several labels and values (姓名：张某 性别：男 民族：汉族) cut into
    one line per label, as a form of one label a line is read."""
    cut: list[str] = []
    for line in lines:
        if ("：" in line or ":" in line) and len(line.split()) > 1 and (pieces := _label_pieces(line)):
            cut.extend(pieces)
        else:
            cut.append(line)
    return cut


def _label_pieces(line: str) -> list[str] | None:
    pieces: list[str] = []
    for word in line.split():
        label, colon, _ = word.partition("：") if "：" in word else word.partition(":")
        if colon and column_key(label) is not None:
            pieces.append(word)
        elif pieces:
            pieces[-1] += " " + word  # a value with a space in it (大学 工学学士)
        else:
            return None  # the line does not open with a label
    return pieces if len(pieces) > 1 else None


def _labelled(line: str, key: str | None) -> tuple[str | None, str | None]:
    """(column key, value) of a form's line: a label alone (性别) or with its value (性别：男)."""
    if key is not None:
        return key, None
    label, colon, value = line.partition("：") if "：" in line[:MAX_HEADER_CHARS] else line.partition(":")
    if colon and (inline := column_key(label)) is not None:
        return inline, value.strip()
    return None, None


def _form_at(lines: list[str], keys: list[str | None], i: int, position: int) -> Table | None:
    """The person of a form starting at line ``i``: labels each followed by its value, on the next
    line (姓名 / 张某 / 性别 / 男) or after a colon (姓名：张某). A label right after a label has an
    empty value, so an empty cell shifts nothing here."""
    key, value = _labelled(lines[i], keys[i])
    if key != "name" or (value is None and (i + 1 >= len(lines) or keys[i + 1] is not None)):
        return None
    columns: list[str] = []
    cells: list[str] = []
    j = i
    while j < len(lines):
        key, value = _labelled(lines[j], keys[j])
        if key is None or key in columns:
            break
        columns.append(key)
        j += 1
        if value is None and j < len(lines) and keys[j] is None and not _ends_table(lines[j]):
            value, j = lines[j], j + 1
        cells.append(value or "")
    if len(columns) < MIN_COLUMNS:
        return None
    form = Table(i, j, columns)
    person = read_row(columns, cells, position)
    if person is not None:
        form.persons.append(person)
    return form


def _header_at(keys: list[str | None], i: int) -> list[str] | None:
    """The column keys of the header starting at line ``i`` (``keys``: each line's column_key)."""
    columns: list[str] = []
    for key in keys[i:]:
        if key is None or key in columns:
            break
        columns.append(key)
    if len(columns) >= MIN_COLUMNS and "name" in columns:
        return columns
    return None


def _second_header_row(columns: list[str]) -> list[str]:
    """The columns of a header over two rows: 学历学位 spanning 全日制教育 and 在职教育 comes out
    as ``… 学历学位 现任职务 … 全日制教育 在职教育``, the second row last, while each row's cells
    hold the second row's columns where the first row has 学历学位. Other headers are unchanged."""
    group = columns[-1].partition(":")[0]
    under = len(columns)
    while under > 0 and columns[under - 1].partition(":")[0] == group and ":" in columns[under - 1]:
        under -= 1
    if len(columns) - under < 2 or group not in columns[:under]:
        return columns
    place = columns.index(group)
    return columns[:place] + columns[under:] + columns[place + 1 : under]


def _cut_rows(columns: list[str], cells: list[str]) -> list[list[str]] | None:
    width = len(columns)
    if len(cells) % width:
        return None
    rows = [cells[k : k + width] for k in range(0, len(cells), width)]
    checked = [(n, key) for n, key in enumerate(columns) if key in _CHECKS or key in ("index", "name")]
    for number, row in enumerate(rows, 1):
        if not _row_checks(checked, row, number):
            return None
    return rows


def _read_rows(table: Table, cells: list[str], first_position: int) -> None:
    if not cells:
        table.warnings.append("a table of persons has a header but no rows")
        return
    rows = _cut_rows(table.columns, cells)
    if rows is None and "index" in table.columns:
        # The extractor drops lines of bare digits (page numbers), and with them the 序号 cells.
        without_index = [key for key in table.columns if key != "index"]
        if (rows := _cut_rows(without_index, cells)) is not None:
            table.columns = without_index
    width = len(table.columns)
    if rows is None:
        table.warnings.append(
            f"a table of persons ({width} columns, {len(cells)} cells) could not be cut into rows "
            "(an empty or split cell?): its persons were not read"
        )
        return
    for n, row in enumerate(rows):
        person = read_row(table.columns, row, first_position + n)
        if person is None:
            table.warnings.append(f"row {n + 1} of a table of persons has no name: not read")
            continue
        table.persons.append(person)


def _ends_table(line: str) -> bool:
    return line.endswith("。") or (line[:1] in _TABLE_END_OPENINGS and TABLE_END_RE.match(line) is not None)


_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_AGE_CELL_RE = re.compile(r"\d{2}(?:岁|周岁)?$")
# What the cell of a column must look like for a row to be cut right.
_CHECKS: dict[str, Callable[[str], object]] = {
    "sex": lambda cell: cell in ("男", "女"),
    "ethnicity": lambda cell: cell.endswith("族"),
    "birth": _YEAR_RE.match,
    "age": _AGE_CELL_RE.match,
    "work": _YEAR_RE.match,
}


def _row_checks(checked: list[tuple[int, str]], row: list[str], number: int) -> bool:
    """Whether the cells of ``row`` at the ``checked`` (column number, key) fit their columns."""
    for n, key in checked:
        cell = "".join(row[n].split())  # squash(), without its call
        if key == "index":
            if cell != str(number):
                return False
        elif key == "name":
            if column_key(cell) is not None:
                return False
        elif not _CHECKS[key](cell):
            return False
    return True
