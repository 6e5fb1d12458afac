"""Create a realistic demo programme. Safe to run again: it finds what it made before.

It lives in the project package, above every app, because it seeds all of them.
"""

import datetime as dt
import functools
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from community.demo import seed as community_demo_seed
from feedback.demo import survey_demo_seed
from pairing.demo import checkins_demo_seed
from pairing.models import Pair
from people.models import Grade, Interest, Profile, ProfileSkill, Skill, SkillCategory, User
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role
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

    def cohort(name, status, **dates):
        c, _ = Cohort.objects.update_or_create(
            programme=programme, name=name, defaults={**dates, "status": status, "capacity": 40}
        )
        return c

    finished = cohort(
        "Spring 2026",
        CohortStatus.FINISHED,
        applications_open=dt.date(2026, 1, 5),
        applications_close=dt.date(2026, 2, 6),
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 5, 22),
    )
    running = cohort(
        "Autumn 2026",
        CohortStatus.RUNNING,
        applications_open=dt.date(2026, 7, 1),
        applications_close=dt.date(2026, 8, 14),
        starts_on=dt.date(2026, 9, 14),
        ends_on=dt.date(2026, 12, 4),
    )
    recruiting = cohort(
        "Spring 2027",
        CohortStatus.RECRUITING,
        applications_open=dt.date(2026, 11, 2),
        applications_close=dt.date(2026, 12, 18),
        starts_on=dt.date(2027, 1, 11),
        ends_on=dt.date(2027, 4, 2),
    )

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
            ended_on=dt.date(2026, 4, 10) if early else finished.ends_on,
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

    # Recruiting cohort, 40 mentees and 20 mentors: returning mentors, alumni of Spring 2026
    # who now mentor, and new applicants.
    statuses = (
        [EnrolmentStatus.APPLIED] * 7
        + [EnrolmentStatus.ACCEPTED] * 3
        + [
            EnrolmentStatus.INVITED,
            EnrolmentStatus.WAITLISTED,
        ]
    )
    for user in [*mentors[1:5], *mentors[15:26], *mentees[40:45]]:
        _enrol(user, recruiting, Role.MENTOR, rng.choice(statuses), rng, rng.randint(1, 3))
    for user in [*mentees[12:40], *mentees[54:66]]:
        _enrol(user, recruiting, Role.MENTEE, rng.choice(statuses), rng)

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
