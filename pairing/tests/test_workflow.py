import datetime as dt

import pytest
from django.urls import reverse

from lib.audit import AuditContext
from notifications.models import Email
from pairing import services
from pairing.models import ExcludedPair, MatchRun, MenteeRanking, Pair, PairingSettings
from people.models import AuditEvent, ProfileSkill
from people.tests.factories import SkillFactory, UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


def person(email, *, grade, teach=(), learn=(), org="ONS", team=""):
    user = UserFactory(email=email, full_name=email.split("@")[0].title())
    profile = user.profile
    profile.grade, profile.organisation, profile.team = grade, org, team
    profile.save()
    for skill in teach:
        ProfileSkill.objects.create(profile=profile, skill=skill, direction="teach", level=4)
    for skill in learn:
        ProfileSkill.objects.create(
            profile=profile, skill=skill, direction="learn", level=1, priority=3
        )
    return user


@pytest.fixture
def matching_cohort(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def people(matching_cohort):
    """Two mentors (Python capacity 2, NLP capacity 1) and three mentees."""
    python, nlp, sql = (
        SkillFactory(name="Python"),
        SkillFactory(name="NLP"),
        SkillFactory(name="SQL"),
    )
    c = matching_cohort
    ada = person("ada@example.gov.uk", grade=7, teach=[python, sql], org="HMRC")
    bo = person("bo@example.gov.uk", grade=7, teach=[nlp], org="DfE")
    m_ada = EnrolmentFactory(user=ada, cohort=c, role="mentor", capacity=2)
    m_bo = EnrolmentFactory(user=bo, cohort=c, role="mentor", capacity=1)
    mentees = [
        EnrolmentFactory(
            user=person(f"{name}@example.gov.uk", grade=4, learn=learn), cohort=c, role="mentee"
        )
        for name, learn in [("cy", [python]), ("di", [nlp]), ("ed", [sql, python])]
    ]
    return {"ada": m_ada, "bo": m_bo, "cy": mentees[0], "di": mentees[1], "ed": mentees[2]}


def start(cohort, coordinator):
    return services.match_run_start(cohort=cohort, ctx=AuditContext(actor=coordinator))


def run_args(run):
    return [run.cohort.programme.slug, run.cohort_id, run.pk]


def proposed(run):
    return {
        p.mentee.user.email.split("@")[0]: p.mentor.user.email.split("@")[0]
        for p in run.proposals.select_related("mentee__user", "mentor__user")
    }


def test_a_run_pairs_everyone_it_can_and_explains_why(coordinator, matching_cohort, people):
    run = start(matching_cohort, coordinator)
    assert run.status == "draft"
    assert proposed(run) == {"cy": "ada", "di": "bo", "ed": "ada"}
    di = run.proposals.get(mentee=people["di"])
    assert {
        "kind": "teaches_wanted",
        "skill": "NLP",
        "mentor_level": 4,
        "mentee_level": 1,
        "priority": 3,
    } in di.reasons
    assert set(di.breakdown) >= {"skill_fit", "interests", "seniority"}
    assert run.stats["pairs"] == 3 and run.unmatched == {}


def test_the_line_manager_rule_is_never_broken(coordinator, matching_cohort, people):
    profile = people["di"].user.profile
    profile.line_manager_email = people["bo"].user.email
    profile.save()
    run = start(matching_cohort, coordinator)
    assert proposed(run).get("di") != "bo"


def test_unmatched_mentees_get_a_reason(coordinator, matching_cohort, people):
    EnrolmentFactory(user=person("fy@example.gov.uk", grade=4), cohort=matching_cohort)
    run = start(matching_cohort, coordinator)
    assert len(run.unmatched) == 1
    assert "capacity" in next(iter(run.unmatched.values()))


def test_runs_only_while_matching(coordinator, cohort):
    with pytest.raises(Exception, match="matching"):
        start(cohort, coordinator)


def test_locked_pairs_survive_a_rerun_and_excluded_ones_never_return(
    client, coordinator, matching_cohort, people
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    at = run_args(run)
    # bo (capacity 1) already has di: giving bo cy too is refused, never over capacity.
    reassign = {"mentee": people["cy"].pk, "mentor": people["bo"].pk}
    response = client.post(reverse("pairing:run_reassign", args=at), reassign, follow=True)
    assert "has 1 place left and 1 already proposed" in response.content.decode()
    assert run.proposals.get(mentee=people["cy"]).mentor == people["ada"]
    # With bo's agreement recorded, the coordinator raises bo's capacity; then it is allowed.
    capacity_url = reverse(
        "programmes:mentor_capacity",
        args=[matching_cohort.programme.slug, matching_cohort.pk, people["bo"].pk],
    )
    client.post(capacity_url, {"capacity": 2, "agreement": "Bo agreed by email on 28 Nov"})
    people["bo"].refresh_from_db()
    assert people["bo"].capacity == 2
    assert people["bo"].moves.get(move="capacity").reason.endswith("agreed by email on 28 Nov")
    client.post(reverse("pairing:run_reassign", args=at), reassign)
    cy = run.proposals.get(mentee=people["cy"])
    assert cy.locked and cy.manual and cy.mentor == people["bo"] and not cy.warnings
    ed = run.proposals.get(mentee=people["ed"])
    client.post(reverse("pairing:proposal_exclude", args=[*at, ed.pk]))
    assert ExcludedPair.objects.filter(mentee=people["ed"], mentor=people["ada"]).exists()
    response = client.post(reverse("pairing:run_rerun", args=at))
    new = MatchRun.objects.get(cohort=matching_cohort, status="draft")
    assert response.url == reverse("pairing:run", args=run_args(new))
    pairs = proposed(new)
    assert pairs["cy"] == "bo" and pairs.get("ed") != "ada"
    assert run.events.filter(action__in=["reassigned", "excluded"]).count() == 2
    run.refresh_from_db()
    assert run.status == "discarded"


def test_swap_exchanges_mentors_and_rescores(client, coordinator, matching_cohort, people):
    run = start(matching_cohort, coordinator)
    cy, di = run.proposals.get(mentee=people["cy"]), run.proposals.get(mentee=people["di"])
    client.force_login(coordinator)
    client.post(reverse("pairing:proposal_swap", args=[*run_args(run), cy.pk]), {"other": di.pk})
    assert proposed(run)["cy"] == "bo" and proposed(run)["di"] == "ada"
    cy.refresh_from_db()
    assert cy.locked and cy.score is not None


def test_publish_creates_pairs_starts_the_cohort_and_introduces_both_sides(
    client, coordinator, matching_cohort, people
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    client.post(reverse("pairing:run_publish", args=run_args(run)))
    assert Pair.objects.filter(cohort=matching_cohort, status="active").count() == 3
    matching_cohort.refresh_from_db()
    assert matching_cohort.status == "running"
    intros = Email.objects.filter(kind="introduction")
    assert intros.count() == 6
    to_di = intros.get(to=people["di"].user.email)
    assert "Meet your mentor" in to_di.subject
    assert "teaches NLP" in to_di.body_text and "teaches NLP" in to_di.body_html
    assert AuditEvent.objects.filter(action="pairs-published").count() == 1
    # Publishing again does nothing.
    client.post(reverse("pairing:run_publish", args=run_args(run)))
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    assert Pair.objects.filter(cohort=matching_cohort).count() == 3
    assert Email.objects.filter(kind="introduction").count() == 6


def test_end_a_pair_then_re_pair_the_mentee(client, coordinator, matching_cohort, people):
    run = start(matching_cohort, coordinator)
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    pair = Pair.objects.get(mentee=people["cy"])
    client.force_login(coordinator)
    slug, pk = matching_cohort.programme.slug, matching_cohort.pk
    client.post(
        reverse("pairing:pair_end", args=[slug, pk, pair.pk]),
        {"reason": "poor_fit", "note": "Different expectations"},
    )
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason, pair.ended_on) == (
        "ended",
        "poor_fit",
        dt.date(2026, 11, 29),
    )
    # Ada (whose pair with Cy just ended) is never suggested again, Bo is full: a new mentor.
    fay = EnrolmentFactory(
        user=person("fay@example.gov.uk", grade=7, org="DWP"),
        cohort=matching_cohort,
        role="mentor",
        capacity=1,
    )
    page = client.get(reverse("pairing:repair", args=[slug, pk, people["cy"].pk]))
    options = page.context["options"]
    assert [o["mentor"] for o in options] == [fay]
    client.post(
        reverse("pairing:repair", args=[slug, pk, people["cy"].pk]),
        {"mentor": options[0]["mentor"].pk},
    )
    assert Pair.objects.filter(mentee=people["cy"], status="active").count() == 1
    assert Email.objects.filter(kind="introduction", to=people["cy"].user.email).count() == 2


def test_pairing_settings_change_the_rules(client, coordinator, matching_cohort, people):
    client.force_login(coordinator)
    data = {
        "skill_fit": 1,
        "mutual": 0,
        "interests": 0,
        "project_fit": 0,
        "seniority": 0,
        "practicalities": 0,
        "min_grade_gap": 0,
        "max_grade_gap": 5,
        "forbid_same_organisation": "on",
    }
    url = reverse("pairing:settings", args=[matching_cohort.programme.slug])
    assert client.post(url, data).status_code == 302
    settings_row = PairingSettings.objects.get(programme=matching_cohort.programme)
    assert settings_row.forbid_same_organisation and settings_row.weights["skill_fit"] == 1
    bad = client.post(url, {**data, "min_grade_gap": 4, "max_grade_gap": 1})
    assert bad.status_code == 200 and "at least the smallest" in bad.content.decode()


@pytest.mark.parametrize(
    ("field", "typed"), [("min_grade_gap", -3), ("max_grade_gap", 99), ("min_grade_gap", 9)]
)
def test_a_grade_gap_outside_the_grades_there_are_is_refused_in_plain_words(
    client, coordinator, programme, field, typed
):
    client.force_login(coordinator)
    url = reverse("pairing:settings", args=[programme.slug])
    weights = dict.fromkeys(["mutual", "interests", "project_fit", "practicalities"], 0)
    data = {"skill_fit": 1, "seniority": 1, **weights, "min_grade_gap": 1, "max_grade_gap": 3}
    response = client.post(url, {**data, field: typed})
    assert response.status_code == 200
    (error,) = response.context["form"].errors[field]
    assert error.startswith("A grade gap is a whole number of grades the mentor is above")
    assert "from 0 (the same grade) to 8" in error
    assert error in response.content.decode()
    assert not PairingSettings.objects.filter(programme=programme).exists()
    # The widest window there is still saves.
    assert client.post(url, {**data, "min_grade_gap": 0, "max_grade_gap": 8}).status_code == 302
    row = PairingSettings.objects.get(programme=programme)
    assert (row.min_grade_gap, row.max_grade_gap) == (0, 8)


def test_pairing_settings_are_shown_and_saved_with_one_validation(
    client, coordinator, programme, validations
):
    """The form checks each field as typed and shows what is stored; the settings as a whole
    are validated once, by the service (no ModelForm: docs/architecture.md, "forms")."""
    import re

    PairingSettings.objects.create(
        programme=programme, max_grade_gap=4, forbid_same_team=False, weights={"skill_fit": 3}
    )
    client.force_login(coordinator)
    url = reverse("pairing:settings", args=[programme.slug])
    html = client.get(url).content.decode()

    def value(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)

    assert (value("max_grade_gap"), value("skill_fit"), value("mutual")) == ("4", "3", "0")
    assert not re.search(r'<input[^>]*name="forbid_same_team"[^>]*checked', html)
    calls = validations({PairingSettings: ("max_grade_gap",)})
    weights = dict.fromkeys(
        ["mutual", "interests", "project_fit", "seniority", "practicalities"], 0
    )
    data = {"skill_fit": 2, **weights, "min_grade_gap": 1, "max_grade_gap": 5}
    assert client.post(url, data).status_code == 302
    assert calls == [("PairingSettings", 5)]
    row = PairingSettings.objects.get(programme=programme)
    assert (row.max_grade_gap, row.weights["skill_fit"]) == (5, 2)
    # A gap the database cannot hold is the model's to refuse: on its field, nothing saved.
    response = client.post(url, {**data, "max_grade_gap": 10**19})
    assert response.status_code == 200
    assert "max_grade_gap" in response.context["form"].errors
    assert PairingSettings.objects.get(programme=programme).max_grade_gap == 5


def test_choice_mode_mentee_ranks_a_shortlist_and_the_solver_uses_it(
    client, coordinator, matching_cohort, people
):
    PairingSettings.objects.create(programme=matching_cohort.programme, choice_mode=True)
    people["bo"].capacity = 2  # room for cy without pushing di away from the NLP mentor
    people["bo"].save()
    client.force_login(people["cy"].user)
    page = client.get(reverse("pairing:choose", args=[matching_cohort.pk]))
    assert page.status_code == 200
    client.post(
        reverse("pairing:choose", args=[matching_cohort.pk]),
        {f"rank-{people['bo'].pk}": "1", f"rank-{people['ada'].pk}": "2"},
    )
    assert list(
        MenteeRanking.objects.filter(mentee=people["cy"]).values_list("mentor", "rank")
    ) == [(people["bo"].pk, 1), (people["ada"].pk, 2)]
    # Ranks are blended into the scores: a first choice outweighs a modest skill advantage.
    client.post(
        reverse("pairing:choose", args=[matching_cohort.pk]), {f"rank-{people['bo'].pk}": "1"}
    )
    run = start(matching_cohort, coordinator)
    assert proposed(run)["cy"] == "bo"


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider", "other_coordinator"])
def test_participants_and_others_cannot_see_or_change_a_run(
    request, client, coordinator, matching_cohort, people, other_programme, persona
):
    run = start(matching_cohort, coordinator)
    if persona == "other_coordinator":
        user = other_programme.coordinators.get()
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    slug, pk = matching_cohort.programme.slug, matching_cohort.pk
    assert client.get(reverse("pairing:run", args=run_args(run))).status_code == 404
    assert client.get(reverse("pairing:old_run", args=[run.pk])).status_code == 404
    for action in ("run_publish", "run_rerun", "run_reassign"):
        response = client.post(reverse(f"pairing:{action}", args=run_args(run)))
        assert response.status_code == 404
    proposal = run.proposals.first()
    for action in ("proposal_lock", "proposal_unlock", "proposal_exclude", "proposal_swap"):
        response = client.post(reverse(f"pairing:{action}", args=[*run_args(run), proposal.pk]))
        assert response.status_code == 404
    assert client.get(reverse("pairing:cohort_pairing", args=[slug, pk])).status_code == 404
    assert client.post(reverse("pairing:cohort_pairing", args=[slug, pk])).status_code == 404
    assert client.get(reverse("pairing:settings", args=[slug])).status_code == 404
    assert not Pair.objects.exists()
    assert MatchRun.objects.count() == 1


def test_big_runs_go_to_a_worker_and_the_page_polls_until_done(
    client, coordinator, matching_cohort, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_RUN_CELLS", 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start(matching_cohort, coordinator)
    assert run.status == "queued" and len(callbacks) == 1
    client.force_login(coordinator)
    polling = client.get(reverse("pairing:run", args=run_args(run)), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in polling.content.decode()
    callbacks[0]()  # the task runs (inline in tests)
    run.refresh_from_db()
    assert run.status == "draft" and run.proposals.count() == 3
    done = client.get(reverse("pairing:run", args=run_args(run)), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    services.match_run_execute(run_id=run.pk)  # a redelivered task finds it done
    assert run.proposals.count() == 3


def test_run_page_query_count_does_not_grow_with_the_cohort(
    client, coordinator, matching_cohort, people, django_assert_max_num_queries
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("pairing:run", args=run_args(run)))
    for i in range(12):
        EnrolmentFactory(
            user=person(f"extra{i}@example.gov.uk", grade=4), cohort=matching_cohort, role="mentee"
        )
        EnrolmentFactory(
            user=person(f"mentor{i}@example.gov.uk", grade=7), cohort=matching_cohort, role="mentor"
        )
    bigger = start(matching_cohort, coordinator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("pairing:run", args=run_args(bigger)))


def test_a_pair_from_an_earlier_cohort_is_not_proposed_again_unless_allowed(
    coordinator, matching_cohort, people
):
    earlier = CohortFactory(
        programme=matching_cohort.programme,
        name="Earlier",
        starts_on=dt.date(2025, 1, 6),
        ends_on=dt.date(2025, 4, 4),
    )
    Pair.objects.create(
        cohort=earlier,
        mentor=EnrolmentFactory(user=people["bo"].user, cohort=earlier, role="mentor"),
        mentee=EnrolmentFactory(user=people["di"].user, cohort=earlier, role="mentee"),
        started_on=earlier.starts_on,
        status="ended",
        ended_on=earlier.ends_on,
    )
    assert proposed(start(matching_cohort, coordinator)).get("di") != "bo"
    PairingSettings.objects.create(programme=matching_cohort.programme, allow_previous_pairs=True)
    assert proposed(start(matching_cohort, coordinator))["di"] == "bo"


def test_choice_mode_refuses_the_same_rank_twice(client, matching_cohort, people):
    PairingSettings.objects.create(programme=matching_cohort.programme, choice_mode=True)
    client.force_login(people["cy"].user)
    url = reverse("pairing:choose", args=[matching_cohort.pk])
    twice = {f"rank-{people['bo'].pk}": "1", f"rank-{people['ada'].pk}": "1"}
    response = client.post(url, twice, follow=True)
    assert "Give each mentor a different rank." in response.content.decode()
    assert not MenteeRanking.objects.exists()


def test_ending_a_pair_for_other_reasons_asks_why_and_keeps_what_was_chosen(
    client, coordinator, matching_cohort, people
):
    """The page asks coordinators to say why; 'Other' with an empty note said nothing and was
    accepted (seen walking as the coordinator)."""
    run = start(matching_cohort, coordinator)
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    pair = Pair.objects.get(mentee=people["cy"])
    client.force_login(coordinator)
    url = reverse(
        "pairing:pair_end", args=[matching_cohort.programme.slug, matching_cohort.pk, pair.pk]
    )
    response = client.post(url, {"reason": "other", "note": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "note": ["Say why the pair ended: the reason is “Other”."]
    }
    assert 'value="other" selected' in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == "active"
    client.post(url, {"reason": "other", "note": "Moved to another department"})
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason) == ("ended", "other")
