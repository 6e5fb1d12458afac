"""Why two people were paired, in words for the reader: the mentee and the mentor read about
each other by name in the second person; the coordinator reads named parts on a 0-10 scale.
Never the engine's own names (skill_fit, projectfit, "0.32 x 0.35", "grade gap 1 within window
[1, 3]", "mentee wants ... (priority medium)")."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from notifications.models import Email
from pairing import wording
from pairing.engine import Person, explain
from pairing.models import PairingSettings
from people.tests.factories import SkillFactory
from programmes.tests.factories import EnrolmentFactory

from . import test_workflow
from .test_workflow import person, run_args, start

# The cohort and people of the workflow tests, reused as fixtures here.
matching_cohort = test_workflow.matching_cohort
people = test_workflow.people

pytestmark = pytest.mark.django_db

ENGINE_WORDS = re.compile(
    r"skill_?fit|project_?fit|grade gap|window \[|priority (low|medium|high)|mentee wants|"
    r"\d\.\d\d × \d\.\d\d|level \d|not allowed",
    re.I,
)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


def test_the_mentee_reads_about_the_mentor_by_name_in_the_second_person():
    mentee = Person(id=1, wants={"py": (1, 3), "ws": (2, 2)}, interests={"maps"}, grade=4)
    mentor = Person(id=2, teaches={"py": 4, "ws": 3}, interests={"maps"}, grade=7)
    facts = explain(
        mentee,
        mentor,
        skill_names={"py": "Python", "ws": "Web scraping"},
        interest_names={"maps": "maps"},
    )["facts"]
    words = wording.for_participant(facts, reader="mentee", other="Sam")
    assert words[0] == (
        "Sam teaches Python at the level you want to reach, one of your top priorities"
    )
    assert "Sam teaches Web scraping at the level you want to reach" in words
    assert "You are both interested in maps" in words
    assert not any(ENGINE_WORDS.search(w) for w in words), words
    to_mentor = wording.for_participant(facts, reader="mentor", other="Mia")
    assert to_mentor[0] == "Mia wants to learn Python, which you teach"


def test_the_coordinator_reads_named_parts_on_a_ten_point_scale():
    parts = wording.components(
        {"skill_fit": {"score": 0.8, "weight": 0.35}, "project_fit": {"score": 0.32, "weight": 0.1}}
    )
    assert parts == [
        {"label": "skills fit", "score": "8/10", "weight": 35},
        {"label": "project fit", "score": "3/10", "weight": 10},
    ]
    facts = [{"kind": "grade", "gap": 1, "within": True, "min": 1, "max": 3}]
    assert wording.for_coordinator(facts, mentee="Mia", mentor="Sam") == [
        "Sam is 1 grade above Mia, as the settings prefer"
    ]


def test_the_introduction_email_speaks_to_its_reader(client, coordinator, matching_cohort, people):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    client.post(reverse("pairing:run_publish", args=run_args(run)))
    to_di = Email.objects.get(kind="introduction", to=people["di"].user.email)
    assert "Bo teaches NLP at the level you want to reach" in to_di.body_text
    assert "Bo teaches NLP at the level you want to reach" in to_di.body_html
    to_bo = Email.objects.get(kind="introduction", to=people["bo"].user.email)
    assert "Di wants to learn NLP, which you teach" in to_bo.body_text
    for email in Email.objects.filter(kind="introduction"):
        assert not ENGINE_WORDS.search(email.body_text), email.body_text


def test_the_pairing_review_names_the_parts_of_the_score(
    client, coordinator, matching_cohort, people
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("pairing:run", args=run_args(run))).content.decode()
    assert "Skills fit" in page and re.search(r"\d+/10", page)
    assert "Bo teaches NLP (expert); Di wants it (high priority, now aware)" in page
    assert "skillfit" not in page and "grade gap" not in page and " × " not in page


def test_a_mentee_choosing_reads_reasons_addressed_to_them(client, matching_cohort, people):
    PairingSettings.objects.create(programme=matching_cohort.programme, choice_mode=True)
    client.force_login(people["cy"].user)
    page = client.get(reverse("pairing:choose", args=[matching_cohort.pk])).content.decode()
    assert "Ada teaches Python at the level you want to reach" in page
    assert not ENGINE_WORDS.search(re.sub(r"<[^>]+>", " ", page))


def test_a_re_pairing_shortlist_speaks_to_the_coordinator(
    client, coordinator, matching_cohort, people
):
    extra = EnrolmentFactory(
        user=person("fy@example.gov.uk", grade=4, learn=[SkillFactory(name="Rust")]),
        cohort=matching_cohort,
        role="mentee",
    )
    client.force_login(coordinator)
    page = client.get(
        reverse(
            "pairing:repair", args=[matching_cohort.programme.slug, matching_cohort.pk, extra.pk]
        )
    ).content.decode()
    assert "grade gap" not in page and "window [" not in page
