"""Appointment notices in the archive: storing the parsed records, linking people, reading them back.

Each article's notices are replaced as a whole when it is parsed again. A person is linked to
the others with the same name, sex and birth month (``appointment_people``); the link is left
out, with a note saying why, when the same key is not surely one person: two persons of one
notice share it, or the notices disagree about the ethnicity or native place. A person without
a birth month or sex is never linked.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from archive.connection import ArchiveConnection
from archive.errors import QueryError
from crawler.extract.appointments.records import NOTICE_FIELDS, PERSON_FIELDS
from crawler.extract.dates import BadDate, date_span

# Stored as the records name them (crawler.extract.appointments), with their texts and lists.
NOTICE_COLUMNS = ("url", *NOTICE_FIELDS, "window_text", "attachments", "warnings")
PERSON_COLUMNS = (*PERSON_FIELDS, "proposals", "text", "warnings")
JSON_COLUMNS = frozenset({"attachments", "warnings", "proposals"})
# Where candidate notices are looked for: the parser decides, this only narrows the scan.
CANDIDATE_SQL = (
    "SELECT id, url, site, column, title, published_at, body, attachments FROM articles "
    "WHERE (instr(coalesce(title, ''), '公示') OR instr(coalesce(column, ''), '公示') "
    "OR instr(body, '予以公示') OR instr(body, '公示如下'))"
)
NO_KEY_NOTE = "no birth month or sex: not linked"
# Parts of place names that notices write or leave out (河北保定 / 河北省保定市).
_PLACE_WORDS_RE = re.compile(r"[省市县区]|自治[区州县]")


def _stored(row: dict[str, Any], columns: Iterable[str]) -> list[Any]:
    values = []
    for name in columns:
        value = row.get(name)
        if name in JSON_COLUMNS:
            value = json.dumps(value or [], ensure_ascii=False)
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return values


def save_notices(conn: sqlite3.Connection, article_id: int, notices: Iterable[Any]) -> int:
    """Replace the notices and persons of ``article_id`` with ``notices`` (records with ``to_dict()``,
    see crawler.extract.appointments) and relink the people concerned; returns the persons stored.
    Runs inside the caller's transaction."""
    old_keys = set(conn.execute(_KEYS_SQL + " WHERE article_id = ?", [article_id]).fetchall())
    conn.execute("DELETE FROM appointment_persons WHERE article_id = ?", [article_id])
    conn.execute("DELETE FROM appointment_notices WHERE article_id = ?", [article_id])
    stored = 0
    for notice in notices:
        data = notice.to_dict()
        notice_id = conn.execute(
            f"INSERT INTO appointment_notices (article_id, {', '.join(NOTICE_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(NOTICE_COLUMNS))})",
            [article_id, *_stored(data, NOTICE_COLUMNS)],
        ).lastrowid
        conn.executemany(
            f"INSERT INTO appointment_persons (notice_id, article_id, link_note, {', '.join(PERSON_COLUMNS)}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(PERSON_COLUMNS))})",
            [
                [notice_id, article_id, NO_KEY_NOTE, *_stored(person, PERSON_COLUMNS)]
                for person in data["persons"]
            ],
        )
        stored += len(data["persons"])
    new_keys = set(conn.execute(_KEYS_SQL + " WHERE article_id = ?", [article_id]).fetchall())
    relink(conn, old_keys | new_keys)
    return stored


_KEYS_SQL = "SELECT DISTINCT name, sex, birth FROM appointment_persons"  # completed by a WHERE clause


def _place(value: str) -> str:
    return _PLACE_WORDS_RE.sub("", value)


def relink(conn: sqlite3.Connection, keys: Iterable[tuple[str, str | None, str | None]]) -> None:
    """Set ``person_id`` (or the note saying why not) of every person with one of these keys."""
    for name, sex, birth in keys:
        if not (name and sex and birth):
            continue
        rows = conn.execute(
            "SELECT notice_id, ethnicity, native_place FROM appointment_persons "
            "WHERE name = ? AND sex = ? AND birth = ?",
            [name, sex, birth],
        ).fetchall()
        if not rows:
            continue
        note = _ambiguity(rows)
        conn.execute(
            "INSERT OR IGNORE INTO appointment_people (name, sex, birth) VALUES (?, ?, ?)", [name, sex, birth]
        )
        person_id = conn.execute(
            "SELECT id FROM appointment_people WHERE name = ? AND sex = ? AND birth = ?", [name, sex, birth]
        ).fetchone()[0]
        conn.execute(
            "UPDATE appointment_persons SET person_id = ?, link_note = ? WHERE name = ? AND sex = ? AND birth = ?",
            [None if note else person_id, note, name, sex, birth],
        )


def _ambiguity(rows: list[tuple[int, str | None, str | None]]) -> str | None:
    """Why persons sharing a name, sex and birth month may not be one person; None when they may."""
    notices = [row[0] for row in rows]
    if len(set(notices)) < len(notices):
        return "two persons of one notice share this name, sex and birth month: not linked"
    if len({row[1] for row in rows if row[1]}) > 1:
        return "the notices give different ethnicities: not linked"
    if len({_place(row[2]) for row in rows if row[2]}) > 1:
        return "the notices give different native places: not linked"
    return None


def notice_candidates(conn: sqlite3.Connection, site: str | None = None) -> Iterator[dict[str, Any]]:
    """(id and Article fields of) the articles that may be appointment notices, in id order."""
    sql, params = CANDIDATE_SQL, []
    if site is not None:
        sql += " AND site = ?"
        params.append(site)
    cursor = conn.execute(sql + " ORDER BY id", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        data = dict(zip(names, row, strict=True))
        data["attachments"] = json.loads(data["attachments"] or "[]")
        yield data


_READ_SQL = """
SELECT p.id, p.person_id, p.name, p.sex, p.ethnicity, p.birth, p.age, p.native_place, p.education,
       p.degree, p.party, p.party_joined, p.work_started, p.current_post, p.step, p.proposed_post,
       p.proposals, p.probation, p.position, p.warnings, p.link_note,
       n.id AS notice_id, n.article_id, n.issuer, n.published_at, n.window_start, n.window_end,
       n.title, n.url, a.story_id
FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id
  JOIN articles a ON a.id = n.article_id
"""


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    rows = []
    for row in cursor.fetchall():
        data = dict(zip(names, row, strict=True))
        for name in JSON_COLUMNS & data.keys():
            data[name] = json.loads(data[name] or "[]")
        data["probation"] = bool(data["probation"])
        rows.append(data)
    return rows


def find_appointments(
    conn: sqlite3.Connection,
    *,
    name: str | None = None,
    post: str | None = None,
    issuer: str | None = None,
    since: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Persons of the stored notices, newest notice first: ``name`` and ``issuer`` are parts of
    the name and the issuing body, ``post`` a part of the current or a proposed post, ``since`` a
    day, month or year the notice was published on or after. ``limit`` 0 means all."""
    clauses, params = [], []
    if name:
        clauses.append("instr(p.name, ?)")
        params.append(name)
    if post:
        clauses.append("(instr(coalesce(p.current_post, ''), ?) OR instr(coalesce(p.proposed_post, ''), ?))")
        params += [post, post]
    if issuer:
        clauses.append("instr(coalesce(n.issuer, ''), ?)")
        params.append(issuer)
    if since:
        try:
            first_day = date_span(since)[0]
        except BadDate as exc:
            raise QueryError(f"since {exc}") from None
        clauses.append("n.published_at >= ?")
        params.append(first_day.isoformat())
    sql = _READ_SQL + (" WHERE " + " AND ".join(clauses) if clauses else "")
    sql += " ORDER BY n.published_at DESC, n.id DESC, p.position"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _rows(conn.execute(sql, params))


def person_timeline(conn: sqlite3.Connection, person_id: int) -> dict[str, Any] | None:
    """The person ``person_id`` (name, sex, birth) and their steps, oldest notice first; None if unknown.

    A notice reposted on other sites (its article in the same story, with the same issuer) is one
    step, the first published; ``reposted_at`` lists the URLs of the other copies and
    ``reposted_articles`` their article ids, in the same order."""
    row = conn.execute(
        "SELECT id, name, sex, birth FROM appointment_people WHERE id = ?", [person_id]
    ).fetchone()
    if row is None:
        return None
    steps = _rows(
        conn.execute(
            _READ_SQL + " WHERE p.person_id = ? ORDER BY n.published_at, n.id, p.position", [person_id]
        )
    )
    return {"id": row[0], "name": row[1], "sex": row[2], "birth": row[3], "steps": _fold_reposts(steps)}


# One row per linked person and step, the copies of a notice reposted on other sites folded as
# person_timeline folds them (same story, issuer, step and post; the first published is the step).
# The saved query people (careers_view) counts the steps from it too.
PEOPLE_STEPS_SQL = """
WITH copies AS (
  SELECT p.person_id, n.published_at, n.issuer, p.step, p.proposed_post, n.id AS notice_id, p.position,
    row_number() OVER (
      PARTITION BY p.person_id, a.story_id, n.issuer, p.step, p.proposed_post
      ORDER BY n.published_at, n.id, p.position
    ) AS copy
  FROM appointment_persons p JOIN appointment_notices n ON n.id = p.notice_id
    JOIN articles a ON a.id = n.article_id
    JOIN appointment_people pe ON pe.id = p.person_id
  WHERE instr(pe.name, :name)
), steps AS (
  SELECT *, count(*) OVER (PARTITION BY person_id) AS steps,
    row_number() OVER (PARTITION BY person_id ORDER BY published_at DESC, notice_id DESC, position DESC)
      AS recency
  FROM copies WHERE copy = 1
)
"""

_PEOPLE_SQL = (
    PEOPLE_STEPS_SQL
    + """
SELECT pe.id, pe.name, pe.sex, pe.birth, s.steps, s.published_at AS latest_at, s.step AS latest_step,
  s.proposed_post AS latest_post,
  (SELECT json_group_array(issuer) FROM (
     SELECT issuer FROM steps i WHERE i.person_id = pe.id AND issuer IS NOT NULL
     GROUP BY issuer ORDER BY max(coalesce(published_at, '')) DESC, issuer
   )) AS issuers
FROM steps s JOIN appointment_people pe ON pe.id = s.person_id
WHERE s.recency = 1
ORDER BY s.published_at DESC, s.notice_id DESC, s.position
LIMIT :limit OFFSET :offset
"""
)


def find_people(
    conn: sqlite3.Connection, *, name: str | None = None, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """The people linked across the notices, newest step first: ``{"count": all that match,
    "people": [...]}``, ``limit`` of them from ``offset`` (``limit`` 0 means all). ``name`` is a
    part of the name. Each person has ``id``, ``name``, ``sex``, ``birth``, ``steps`` (as many as
    ``person_timeline`` gives), the latest step's ``latest_at``, ``latest_step`` and
    ``latest_post``, and ``issuers``, the issuing bodies of their steps, most recent first."""
    params = {"name": name or "", "limit": int(limit) if limit else -1, "offset": max(int(offset), 0)}
    (count,) = conn.execute(
        "SELECT count(DISTINCT p.person_id) FROM appointment_persons p "
        "JOIN appointment_people pe ON pe.id = p.person_id WHERE instr(pe.name, :name)",
        params,
    ).fetchone()
    cursor = conn.execute(_PEOPLE_SQL, params)
    names = [d[0] for d in cursor.description]
    people = []
    for row in cursor.fetchall():
        person = dict(zip(names, row, strict=True))
        person["issuers"] = json.loads(person["issuers"])
        people.append(person)
    return {"count": count, "people": people}


def _fold_reposts(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first_of: dict[tuple[Any, ...], dict[str, Any]] = {}
    folded = []
    for step in steps:
        # A repost keeps its notice's issuer: notices of two issuers worded alike are two steps.
        key = (step["story_id"], step["issuer"], step["step"], step["proposed_post"])
        if key in first_of:
            first_of[key]["reposted_at"].append(step["url"])
            first_of[key]["reposted_articles"].append(step["article_id"])
            continue
        step["reposted_at"] = []
        step["reposted_articles"] = []
        first_of[key] = step
        folded.append(step)
    return folded


class AppointmentRecords(ArchiveConnection):
    """The archive's appointment notices: stored per article, read back per person."""

    def save_appointment_notices(self, article_id: int, notices: Iterable[Any]) -> int:
        """Replace the appointment notices of ``article_id`` (records of crawler.extract.appointments,
        [] to drop them) and relink the people concerned; returns the persons stored."""
        with self.transaction():
            return save_notices(self.conn, article_id, notices)

    def appointment_candidates(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        """Id and Article fields of the stored articles that may be appointment notices."""
        return notice_candidates(self.conn, site)

    def appointments(self, **filters: Any) -> list[dict[str, Any]]:
        """Persons of the stored notices; filters as ``find_appointments``."""
        return find_appointments(self.conn, **filters)

    def people(self, **filters: Any) -> dict[str, Any]:
        """The linked people, newest step first; filters as ``find_people``."""
        return find_people(self.conn, **filters)

    def person(self, person_id: int) -> dict[str, Any] | None:
        """A linked person and their steps in order (see ``person_timeline``)."""
        return person_timeline(self.conn, person_id)
