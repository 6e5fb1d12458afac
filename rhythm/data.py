"""The plain data the rules read and the messages they return. No ORM here: collect.py fills
these from the database in batches, and tests build them by hand."""

import datetime as dt
from dataclasses import dataclass, field

from pairing import cadence


@dataclass(frozen=True)
class Person:
    user_id: int | None
    email: str
    name: str
    time_zone: str = "Europe/London"


@dataclass(frozen=True)
class CheckInRow:
    pk: int
    met_on: dt.date
    rating: int
    wellbeing: int
    author_id: int | None
    logged_on: dt.date


@dataclass(frozen=True)
class PairRow:
    pk: int
    cohort_id: int
    mentor: Person
    mentee: Person
    started_on: dt.date
    active: bool = True
    completed: bool = False  # ended as "completed the programme"
    mentor_enrolment_id: int = 0
    mentee_enrolment_id: int = 0
    checkins: tuple[CheckInRow, ...] = ()  # oldest meeting first

    @property
    def last_met_on(self) -> dt.date | None:
        return max((c.met_on for c in self.checkins), default=None)

    @property
    def anchor(self) -> dt.date:
        """The day the current wait started: the last meeting, or the pair's start."""
        return cadence.anchor(started_on=self.started_on, last_met_on=self.last_met_on)

    def people(self) -> tuple[tuple[str, Person, Person], ...]:
        return (("mentor", self.mentor, self.mentee), ("mentee", self.mentee, self.mentor))


@dataclass(frozen=True)
class ProgrammeRow:
    pk: int
    name: str
    slug: str
    cadence_days: int = 14
    requires_signoff: bool = False
    survey_first_days: int = 3
    survey_second_days: int = 7
    support_information: str = ""
    division: str = "england-and-wales"
    coordinators: tuple[Person, ...] = ()


@dataclass(frozen=True)
class CohortRow:
    pk: int
    programme_id: int
    name: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    applications_close: dt.date | None = None
    unmatched_mentees: int = 0
    waitlisted: int = 0
    undeliverable: int = 0  # people GOV.UK Notify cannot email (notifications.selectors)


@dataclass(frozen=True)
class ParticipantRow:
    """An accepted enrolment in a cohort."""

    enrolment_id: int
    cohort_id: int
    role: str
    person: Person


@dataclass(frozen=True)
class InvitationRow:
    """An unanswered survey invitation."""

    pk: int
    cohort_id: int
    person: Person
    survey_name: str
    invited_on: dt.date | None  # the day its email arrived; None while it is still held
    closes_on: dt.date
    url: str = ""
    anonymous: bool = False  # an anonymous survey: who has not answered is nobody's business
    # The other person of the pair it is about ("" when not about a pair): a mentor with two
    # mentees gets two reminders, each saying which pair.
    about_pair_with: str = ""


@dataclass(frozen=True)
class ApplicationRow:
    """An enrolment still being applied for: invited, or applied and not decided."""

    enrolment_id: int
    cohort_id: int
    role: str
    status: str
    person: Person
    has_project: bool = True
    profile_missing: tuple[str, ...] = ()
    manager_email: str = ""
    manager_pending: bool = False
    applied_on: dt.date | None = None
    signoff_url: str = ""


@dataclass
class Snapshot:
    """Everything the rules look at, for one run."""

    today: dt.date
    programmes: dict[int, ProgrammeRow] = field(default_factory=dict)
    cohorts: dict[int, CohortRow] = field(default_factory=dict)
    pairs: list[PairRow] = field(default_factory=list)
    participants: list[ParticipantRow] = field(default_factory=list)
    invitations: list[InvitationRow] = field(default_factory=list)
    applications: list[ApplicationRow] = field(default_factory=list)
    paused: frozenset[tuple[int, str]] = frozenset()
    # Filled in by the caller from the alumni-link signer; rules only pass it on.
    tokens: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """One email a rule says is due: who, what, from when, and until when it is worth sending.

    ``due_on`` is the first day it may be queued (in the programme's calendar); ``stale_after``
    the last day a run may still queue it (so a late first run does not send last month's
    reminders); ``not_after`` the last day, in the recipient's calendar, it may be *delivered*
    (a survey reminder never arrives after the survey closed)."""

    rule: str
    kind: str
    key: str
    template: str
    to: str
    person: Person | None
    context: dict
    programme_id: int
    programme_name: str
    cohort_id: int | None
    due_on: dt.date
    stale_after: dt.date
    time_zone: str = "Europe/London"
    division: str = "england-and-wales"
    not_after: dt.date | None = None
    # Coordinators never see the recipient (a reminder of an anonymous survey: whether someone
    # is still due one tells who has answered). The schedule page shows a count instead.
    private: bool = False
    ics: dict | None = None
    label: str = ""
    # What the email is about ({"cohort": 3, "pair": 12}): the outbox row's refs, read by the
    # "still wanted?" checks (rhythm/wanted.py) when it is sent.
    refs: dict = field(default_factory=dict)
