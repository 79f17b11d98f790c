"""Cadre appointment notices (干部任前公示) read into records: one per notice, one per person.

Pure like the rest of ``crawler.extract``: an ``Article`` in, records out, no I/O.
``parse_appointment_notices(article)`` returns [] for an article that is not such a notice.
"""

from crawler.extract.appointments.notices import (
    forget_read_clauses,
    is_appointment_notice,
    parse_appointment_notices,
)
from crawler.extract.appointments.records import (
    NOTICE_FIELDS,
    PERSON_FIELDS,
    AppointmentNotice,
    AppointmentPerson,
    Proposal,
)

__all__ = [
    "NOTICE_FIELDS",
    "PERSON_FIELDS",
    "AppointmentNotice",
    "AppointmentPerson",
    "Proposal",
    "forget_read_clauses",
    "is_appointment_notice",
    "parse_appointment_notices",
]
