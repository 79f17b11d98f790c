"""The appointment notices in Datasette: table descriptions and the saved queries of careers."""

from __future__ import annotations

from typing import Any

from archive.careers import PEOPLE_STEPS_SQL

# One row per step, as orgnews person gives them (archive.careers.person_timeline): the copies of
# one notice reposted on other sites (its article in the same story, same issuer, step and post)
# are one step, the first published, with the other copies' URLs in reposted_at.
STEPS_SQL = """
with copies as (
  select n.published_at, n.issuer, p.name, p.sex, p.birth, p.current_post, p.step, p.proposed_post,
    p.probation, n.window_start, n.window_end, n.url, p.notice_id, n.id as notice_order, p.position,
    row_number() over (
      partition by a.story_id, n.issuer, p.step, p.proposed_post
      order by n.published_at, n.id, p.position
    ) as copy,
    group_concat(n.url, ' ') over (
      partition by a.story_id, n.issuer, p.step, p.proposed_post
      order by n.published_at, n.id, p.position
      rows between 1 following and unbounded following
    ) as reposted_at
  from appointment_persons p join appointment_notices n on n.id = p.notice_id
    join articles a on a.id = n.article_id
  where p.person_id = :person_id
)
select published_at, issuer, name, sex, birth, current_post, step, proposed_post, probation,
  window_start, window_end, url, reposted_at, notice_id
from copies where copy = 1
order by published_at, notice_order, position
""".strip()

# One row per linked person, their steps counted as orgnews people and the People page count them
# (archive.careers.find_people, from the same steps): the copies of a notice reposted on other sites
# are one step, dated by the first published.
PEOPLE_SQL = (
    PEOPLE_STEPS_SQL
    + """
select s.person_id, pe.name, pe.sex, pe.birth, s.steps,
  (select min(f.published_at) from steps f where f.person_id = s.person_id) as first_notice,
  (select max(f.published_at) from steps f where f.person_id = s.person_id) as last_notice
from steps s join appointment_people pe on pe.id = s.person_id
where s.recency = 1
order by s.steps desc, last_notice desc, s.person_id
limit 500
"""
).strip()


def tables() -> dict[str, Any]:
    """Datasette table metadata of the appointment tables."""
    return {
        "appointment_notices": {
            "title": "Appointment notices (任前公示)",
            "description": "One row per notice read from an article: issuing body, window (window_computed: "
            "counted from N个工作日, weekends skipped, holidays not known), complaint phone and address, "
            "persons announced and read.",
            "facets": ["issuer", "attachment_only"],
            "sort_desc": "published_at",
        },
        "appointment_persons": {
            "title": "Persons of appointment notices",
            "description": "One row per person of a notice, in the notice's order (position). person_id links "
            "the rows of one person across notices (same name, sex and birth month); link_note says why a "
            "row is not linked; a person_id opens that person's career page (/-/person/ID). The saved query "
            "person_steps shows one person's steps in order as a table.",
            "facets": ["step", "sex", "ethnicity", "party"],
            "label_column": "name",
        },
        "appointment_people": {
            "title": "People followed across notices",
            "description": "One row per name, sex and birth month seen in the notices; a name opens that "
            "person's career page (/-/person/ID), and the saved query person_steps lists their steps as a table.",
            "label_column": "name",
        },
    }


def queries() -> dict[str, Any]:
    """Datasette saved queries over the appointment tables."""
    return {
        "person_steps": {
            "title": "A person's steps, in order",
            "description": "Every step of the person (person_id from appointment_persons or "
            "appointment_people), oldest first, a notice reposted on other sites once (the other copies "
            "in reposted_at): the same as orgnews person ID.",
            "sql": STEPS_SQL,
            # The results first: the SQL is one click away ("show") for those who want it.
            "hide_sql": True,
        },
        "people": {
            "title": "People followed across notices",
            "description": "Linked people with how many steps their career has (a notice reposted on other "
            "sites counted once, as orgnews people and the People page count them); filter by a part of "
            "the name, and open a person_id for that person's career page. The People page (/-/people) "
            "lists them with their latest step.",
            "sql": PEOPLE_SQL,
            "hide_sql": True,
        },
    }
