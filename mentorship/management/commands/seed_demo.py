"""Create a realistic demo programme. Safe to run again: it finds what it made before.

It lives in the project package, above every app, because it seeds all of them.
"""

import datetime as dt
import functools
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from community.demo import seed as community_demo_seed
from feedback.demo import survey_demo_seed
from feedback.models import Response
from pairing.demo import checkins_demo_seed, draft_run_demo_seed
from pairing.models import Pair
from people.models import Grade, Interest, Profile, ProfileSkill, Skill, SkillCategory, User
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role
from recruitment.demo import projects_demo_seed
from rhythm.services import rhythm_demo_settings

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - documented demo login, local mode only

SKILLS = {
    SkillCategory.PROGRAMMING: [
        "Python",
        "R",
        "SQL",
        "Git",
        "Software testing",
        "Cloud computing",
        "APIs",
        "Spark",
    ],
    SkillCategory.DATA: [
        "Data visualisation",
        "Statistics",
        "Survey methods",
        "Data linkage",
        "Web scraping",
        "Time series",
        "Data engineering",
        "Geospatial analysis",
    ],
    SkillCategory.ML: [
        "Machine learning",
        "Natural language processing",
        "Deep learning",
        "Forecasting",
        "Computer vision",
        "Large language models",
    ],
    SkillCategory.DOMAIN: ["Economics", "Health data", "Official statistics", "Policy analysis"],
    SkillCategory.DELIVERY: ["Agile delivery", "Stakeholder engagement", "Reproducible analysis"],
}
INTERESTS = [
    "Geospatial",
    "Open data",
    "Climate",
    "Health",
    "Transport",
    "Education",
    "Public finance",
    "Ethics in AI",
    "Accessibility",
    "Automation",
    "Labour market",
    "Agriculture",
    "Housing",
]
ORGANISATIONS = [
    ("Office for National Statistics", "Europe/London"),
    ("HM Revenue and Customs", "Europe/London"),
    ("Department for Work and Pensions", "Europe/London"),
    ("Department for Education", "Europe/London"),
    ("Scottish Government", "Europe/London"),
    ("Welsh Government", "Europe/London"),
    ("Met Office", "Europe/London"),
    ("Department for Environment, Food and Rural Affairs", "Europe/London"),
    ("NHS England", "Europe/London"),
    ("Foreign, Commonwealth and Development Office", "America/New_York"),
]
TEAMS = ["Analysis", "Data Science Campus", "Methodology", "Digital", "Policy", "Statistics"]
PROFESSIONS = [
    "Government Statistician",
    "Government Economist",
    "Data scientist",
    "Government Social Researcher",
    "Operational Researcher",
    "Digital and data",
]
FIRST = [
    "Amina",
    "Ben",
    "Chloe",
    "Dev",
    "Eilidh",
    "Farah",
    "George",
    "Hana",
    "Iain",
    "Jasmine",
    "Kwame",
    "Lucy",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Rhys",
    "Sofia",
    "Tom",
    "Uzma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zara",
    "Aled",
    "Beth",
    "Callum",
    "Deepa",
    "Euan",
    "Fiona",
]
LAST = [
    "Ahmed",
    "Brown",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "MacDonald",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walker",
    "Young",
    "Zhang",
]
MENTEE_GRADES = [Grade.EO, Grade.HEO, Grade.HEO, Grade.SEO, Grade.SEO, Grade.G7]
MENTOR_GRADES = [Grade.SEO, Grade.G7, Grade.G7, Grade.G6, Grade.SCS1]

N_MENTEES = 66
N_MENTORS = 26

# The recruiting cohort: how many mentees are accepted when the coordinator runs the pairing,
# which of those withdraws afterwards, and how many are accepted late (after the run).
RUN_MENTEES = 10
RUN_MENTORS = 6
WITHDRAWN_AFTER_RUN = 2  # index among the RUN_MENTEES
LATE_ACCEPTANCES = 2


@dataclass(frozen=True)
class DemoCohort:
    name: str
    status: str
    applications_open: dt.date
    applications_close: dt.date
    starts_on: dt.date
    ends_on: dt.date

    def dates(self) -> dict:
        return {
            "applications_open": self.applications_open,
            "applications_close": self.applications_close,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
        }


def _season(day: dt.date) -> str:
    season = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
              6: "Summer", 7: "Summer", 8: "Summer"}.get(day.month, "Autumn")  # fmt: skip
    return f"{season} {day.year}"


def _cohort_at(status: str, starts_on: dt.date, weeks: int = 12) -> DemoCohort:
    """A cohort of ``weeks`` weeks from a Monday to a Friday, applications open ten weeks
    before the start for six weeks."""
    return DemoCohort(
        name=_season(starts_on),
        status=status,
        applications_open=starts_on - dt.timedelta(weeks=10),
        applications_close=starts_on - dt.timedelta(weeks=4),
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(weeks=weeks, days=-3),
    )


def demo_calendar(today: dt.date) -> dict[str, DemoCohort]:
    """The demo's three cohorts placed around ``today``, so the demo never goes stale:

    - finished: started 32 weeks ago, ended 5 months ago;
    - running: started 6 weeks ago (mid-way through its 12 weeks);
    - recruiting: applications opened 4 weeks ago and close in 3 weeks; it starts in 10 weeks.
    """
    monday = today - dt.timedelta(days=today.weekday())
    running = _cohort_at(CohortStatus.RUNNING, monday - dt.timedelta(weeks=6))
    finished = _cohort_at(CohortStatus.FINISHED, running.starts_on - dt.timedelta(weeks=26))
    recruiting = _cohort_at(CohortStatus.RECRUITING, monday + dt.timedelta(weeks=10))
    recruiting = DemoCohort(
        **{
            **recruiting.__dict__,
            "applications_open": today - dt.timedelta(weeks=4),
            "applications_close": today + dt.timedelta(weeks=3),
        }
    )
    return {"finished": finished, "running": running, "recruiting": recruiting}


def demo_cohorts_in_place(programme: Programme, today: dt.date) -> dict[str, Cohort] | None:
    """The demo's cohorts, found by their dates, while they still fit today: one that has ended,
    one under way and one still to start. None when they no longer fit (or there are none):
    seed_demo then lays them out again around today.

    By dates, not statuses: a coordinator trying the demo may move a cohort on (recruiting to
    matching, say), and the next ``make run`` must keep what they did."""
    cohorts = sorted(programme.cohorts.all(), key=lambda c: c.starts_on)
    ended = [c for c in cohorts if c.ends_on < today]
    under_way = [c for c in cohorts if c.starts_on <= today <= c.ends_on]
    to_start = [c for c in cohorts if c.starts_on > today]
    if not (ended and under_way and to_start):
        return None
    return {"finished": ended[-1], "running": under_way[0], "recruiting": to_start[0]}


def _demo_cohorts_remove(programme: Programme) -> None:
    """Delete the demo programme's cohorts and everything under them (survey answers first:
    they protect their schedules), so they can be laid out again around today."""
    cohorts = programme.cohorts.all()
    Response.objects.filter(schedule__cohort__in=cohorts).delete()
    cohorts.delete()


class Command(BaseCommand):
    help = "Create the demo programme, cohorts, people and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even outside local mode (DJANGO_ENV)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.LOCAL and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it only runs in local "
                "mode. Use --force if you really mean to seed this database."
            )
        with transaction.atomic():
            counts = seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready: {users} people, {cohorts} cohorts, {enrolments} enrolments, "
                "{pairs} pairs. Logins use the password {pw}.".format(pw=DEMO_PASSWORD, **counts)
            )
        )


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _user(email, name, *, staff=False, superuser=False):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "is_staff": staff, "is_superuser": superuser}
    )
    if created:
        # One hash for every demo account: hashing 90 passwords one by one takes half a minute.
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    Profile.objects.get_or_create(user=user)
    return user


def _profile(user, rng, *, mentor: bool):
    org, tz = rng.choice(ORGANISATIONS)
    profile = user.profile
    profile.organisation = org
    profile.team = rng.choice(TEAMS)
    profile.grade = rng.choice(MENTOR_GRADES if mentor else MENTEE_GRADES)
    profile.profession = rng.choice(PROFESSIONS)
    profile.location = rng.choice(
        [
            "London",
            "Newport",
            "Titchfield",
            "Edinburgh",
            "Glasgow",
            "Darlington",
            "Manchester",
            "Remote",
        ]
    )
    profile.time_zone = tz
    # Practicalities the pairing score uses: some start early or late, some want to meet.
    start = rng.choice([dt.time(7, 30), dt.time(8), dt.time(9), dt.time(9), dt.time(9, 30)])
    profile.work_start = start
    profile.work_end = dt.time(start.hour + 8, start.minute)
    profile.wants_in_person = rng.random() < 0.3
    profile.bio = f"{profile.profession} in {profile.team.lower()} at {org}. " + (
        "Happy to help colleagues grow their data skills."
        if mentor
        else "Looking to use data science on a real work problem."
    )
    profile.save()
    return profile


def _skills(profile, rng, skills, interests, *, mentor: bool):
    profile.interests.set(rng.sample(interests, rng.randint(2, 5)))
    ProfileSkill.objects.filter(profile=profile).delete()
    teach = rng.sample(skills, rng.randint(4, 7) if mentor else rng.randint(1, 3))
    learn_pool = [s for s in skills if s not in teach]
    learn = rng.sample(learn_pool, rng.randint(1, 3) if mentor else rng.randint(3, 6))
    ProfileSkill.objects.bulk_create(
        [
            ProfileSkill(
                profile=profile,
                skill=s,
                direction="teach",
                level=rng.choice([3, 4]) if mentor else rng.choice([2, 3]),
            )
            for s in teach
        ]
        + [
            ProfileSkill(
                profile=profile,
                skill=s,
                direction="learn",
                level=rng.choice([1, 2]),
                priority=rng.choice([1, 2, 3]),
            )
            for s in learn
        ]
    )


def _enrol(user, cohort, role, status, rng, capacity=1):
    enrolment, _ = Enrolment.objects.update_or_create(
        user=user,
        cohort=cohort,
        defaults={
            "role": role,
            "status": status,
            "capacity": capacity,
            "goals": "Deliver my project and build confidence in Python and machine learning."
            if role == Role.MENTEE
            else "Share what I know and learn about other parts of government.",
        },
    )
    return enrolment


def _pair(cohort, mentor, mentee, *, ended_on=None, reason=""):
    pair = Pair.objects.filter(cohort=cohort, mentee=mentee).first()
    if pair:
        return pair
    return Pair.objects.create(
        cohort=cohort,
        mentor=mentor,
        mentee=mentee,
        started_on=cohort.starts_on,
        status=Pair.Status.ENDED if ended_on else Pair.Status.ACTIVE,
        ended_on=ended_on,
        end_reason=reason,
    )


def _after_the_run(run, rec_mentees) -> None:
    """What happened in the recruiting cohort since the draft run: one mentee the run paired
    withdrew, and two applicants were accepted late (they are in no proposal)."""
    later = run.created_at + dt.timedelta(hours=2)
    withdrawn = rec_mentees[WITHDRAWN_AFTER_RUN]
    Enrolment.objects.filter(pk=withdrawn.pk).update(status=EnrolmentStatus.WITHDRAWN)
    late = [e.pk for e in rec_mentees[RUN_MENTEES : RUN_MENTEES + LATE_ACCEPTANCES]]
    Enrolment.objects.filter(pk__in=late).update(
        status=EnrolmentStatus.ACCEPTED, decided_at=later, decided_by=run.created_by
    )


def seed() -> dict:
    rng = random.Random(20261129)  # the same demo every time
    skills = []
    for category, names in SKILLS.items():
        for name in names:
            skill, _ = Skill.objects.get_or_create(name=name, defaults={"category": category})
            skills.append(skill)
    interests = [Interest.objects.get_or_create(name=n)[0] for n in INTERESTS]

    admin = _user("admin@example.com", "Ada Admin", staff=True, superuser=True)
    coordinator = _user("coordinator@example.com", "Cora Coordinator")
    coordinator.user_permissions.add(
        Permission.objects.get(codename="add_programme", content_type__app_label="programmes")
    )
    demo_mentor = _user("mentor@example.com", "Morgan Mentor")
    demo_mentee = _user("mentee@example.com", "Mina Mentee")

    programme, _ = Programme.objects.update_or_create(
        slug="data-science-accelerator",
        defaults={
            "name": "Data Science Accelerator",
            "organisation": "Office for National Statistics",
            "description": (
                "A 12-week capability-building programme: mentees bring a work project and spend "
                "one protected day a week delivering it with the help of an experienced mentor, "
                "with weekly hub stand-ups."
            ),
            "checkin_cadence_days": 14,
            "length_weeks": 12,
        },
    )
    programme.coordinators.add(coordinator)

    today = timezone.localdate()
    in_place = demo_cohorts_in_place(programme, today)
    if in_place is None and programme.cohorts.exists():
        _demo_cohorts_remove(programme)  # a stale demo: lay it out again around today
    calendar = demo_calendar(today)

    def cohort(key):
        """The demo cohort in that place if it is still there, otherwise a new one placed
        around today."""
        if in_place is not None:
            return in_place[key]
        wanted = calendar[key]
        return Cohort.objects.create(
            programme=programme,
            name=wanted.name,
            status=wanted.status,
            capacity=40,
            **wanted.dates(),
        )

    finished = cohort("finished")
    running = cohort("running")
    recruiting = cohort("recruiting")

    names = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(names)
    mentees, mentors = [demo_mentee], [demo_mentor]
    for i in range(N_MENTEES - 1):
        mentees.append(_user(f"mentee{i + 1:02d}@example.com", names.pop()))
    for i in range(N_MENTORS - 1):
        mentors.append(_user(f"mentor{i + 1:02d}@example.com", names.pop()))
    for user in mentees:
        _skills(_profile(user, rng, mentor=False), rng, skills, interests, mentor=False)
    for user in mentors:
        _skills(_profile(user, rng, mentor=True), rng, skills, interests, mentor=True)
    # The demo mentee's line manager is a real person in the demo, so the "never pair with your
    # line manager" rule has something to bite on.
    Profile.objects.filter(user=demo_mentee).update(line_manager_email=mentors[5].email)

    # Finished cohort: 14 mentees, 8 mentors; two relationships ended early.
    fin_mentors = [
        _enrol(u, finished, Role.MENTOR, EnrolmentStatus.ACCEPTED, rng, 2) for u in mentors[1:9]
    ]
    fin_mentees = [
        _enrol(u, finished, Role.MENTEE, EnrolmentStatus.ACCEPTED, rng) for u in mentees[40:54]
    ]
    for i, mentee in enumerate(fin_mentees):
        early = i in (3, 9)
        _pair(
            finished,
            fin_mentors[i % len(fin_mentors)],
            mentee,
            ended_on=finished.starts_on + dt.timedelta(weeks=6) if early else finished.ends_on,
            reason=Pair.EndReason.WORKLOAD if early else Pair.EndReason.COMPLETED,
        )

    # Running cohort: the demo mentor and mentee are paired here.
    run_mentors = [
        _enrol(u, running, Role.MENTOR, EnrolmentStatus.ACCEPTED, rng, 2)
        for u in [mentors[0], *mentors[9:15]]
    ]
    run_mentees = [
        _enrol(u, running, Role.MENTEE, EnrolmentStatus.ACCEPTED, rng) for u in mentees[0:12]
    ]
    for i, mentee in enumerate(run_mentees):
        _pair(running, run_mentors[i % len(run_mentors)], mentee)

    # Recruiting cohort, 40 mentees and 20 mentors: returning mentors, alumni of the finished
    # cohort who now mentor, and new applicants. The first mentors and mentees are accepted and
    # were paired in a draft run; since then one of them withdrew and two more were accepted.
    statuses = [EnrolmentStatus.APPLIED] * 7 + [EnrolmentStatus.INVITED, EnrolmentStatus.WAITLISTED]
    rec_mentors = [*mentors[1:5], *mentors[15:26], *mentees[40:45]]
    for i, user in enumerate(rec_mentors):
        status = EnrolmentStatus.ACCEPTED if i < RUN_MENTORS else rng.choice(statuses)
        _enrol(user, recruiting, Role.MENTOR, status, rng, rng.randint(1, 3))
    rec_mentees = []
    for i, user in enumerate([*mentees[12:40], *mentees[54:66]]):
        status = EnrolmentStatus.ACCEPTED if i < RUN_MENTEES else rng.choice(statuses)
        if RUN_MENTEES <= i < RUN_MENTEES + LATE_ACCEPTANCES:
            status = EnrolmentStatus.APPLIED  # not yet accepted when the run was made
        rec_mentees.append(_enrol(user, recruiting, Role.MENTEE, status, rng))
    # Proposals with business priorities (two of them near-duplicates) for the first mentees.
    projects_demo_seed(cohort=recruiting)
    run = draft_run_demo_seed(cohort=recruiting, coordinator=coordinator)
    _after_the_run(run, rec_mentees)

    # Check-ins: fortnightly meetings, with a few pairs of the running cohort in trouble.
    checkins_demo_seed(programme=programme)
    # Surveys: the default ones, answers from the finished cohort, open ones in the running one.
    survey_demo_seed(programme=programme)
    # Stand-up groups with a weekly stand-up, and a searchable directory.
    community_demo_seed(programme)
    # The programme's reminder settings.
    rhythm_demo_settings(programme=programme)

    return {
        "users": User.objects.count(),
        "cohorts": Cohort.objects.filter(programme=programme).count(),
        "enrolments": Enrolment.objects.filter(cohort__programme=programme).count(),
        "pairs": Pair.objects.filter(cohort__programme=programme).count(),
        "admin": admin.pk,
    }
