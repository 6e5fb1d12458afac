"""People change their plans: a hypothesis state machine drives one cohort through random
sequences of moves (invite, apply, accept, waitlist, decline, withdraw, undo, run, lock, reassign,
publish, pair the waiting, end a pair, check in, correct or delete a check-in, open and answer a
survey, edit and republish the survey while someone has it open, change a mentor's capacity) and
checks after
every step the promises of docs/lifecycle.md:

- no active pair includes a person who is not accepted;
- no mentor has more active pairs than their capacity;
- no cohort has more accepted mentees than its places;
- every accepted mentee of a running cohort is in an active pair or listed as waiting, with a
  reason;
- each person's last decision email states their current status, and there is exactly one
  decision email per change of status (none for a repeated request);
- no response is lost: every page answers (no 5xx), every accepted check-in is stored with its
  latest correction, and every survey answer is stored once, never empty, against the version the
  person saw (an answer to a replaced version records nothing and leaves the invitation open);
- one check-in a person a day: the same meeting logged again is refused and stores nothing;
- each pair's check-in summary, which the undated dashboards read, says what its check-ins say.

Moves go through the services, and a few through the pages as the person or coordinator would
(withdraw, decide, publish, pair the waiting). CI cost: ``MAX_EXAMPLES`` sequences of at most
``STEPS`` steps (the test prints how many steps it ran).
"""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from feedback import services as feedback_services
from feedback.models import Question, QuestionType, Response, SurveyInvitation
from feedback.tests.factories import (
    QuestionFactory,
    SurveyInvitationFactory,
    SurveyScheduleFactory,
    SurveyTemplateFactory,
    SurveyVersionFactory,
)
from lib.audit import AuditContext
from mentorship.tests.test_checkin_summary import assert_summaries_agree
from notifications.models import Email
from pairing import selectors as pairing_selectors
from pairing import services as pairing_services
from pairing.models import CheckIn, CheckInChange, MatchRun, Pair
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment, EnrolmentMove, Role
from programmes.services import cohort_change_status, enrolment_capacity_update
from programmes.tests.factories import CohortFactory, ProgrammeFactory
from recruitment import invitations
from recruitment import services as recruitment_services

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 30
STEPS = 25
MENTEES, MENTORS, PLACES = 5, 3, 3
DECISIONS = ["accepted", "accepted", "waitlisted", "declined"]
STEP_COUNT = {
    "steps": 0,
    "examples": 0,
    "pairs": 0,
    "ended": 0,
    "waiting": 0,
    "answers": 0,
    "kept": 0,
}

person_index = st.integers(min_value=0, max_value=MENTEES + MENTORS - 1)
mentee_index = st.integers(min_value=0, max_value=MENTEES - 1)
mentor_index = st.integers(min_value=0, max_value=MENTORS - 1)


class CohortMachine(RuleBasedStateMachine):
    """One cohort of a programme, MENTEES would-be mentees and MENTORS would-be mentors."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each example rolls back to the empty database
        STEP_COUNT["examples"] += 1

    def teardown(self):
        if hasattr(self, "cohort"):  # how far the sequence got, for the printed summary
            STEP_COUNT["pairs"] += Pair.objects.filter(cohort=self.cohort).count()
            STEP_COUNT["ended"] += Pair.objects.filter(cohort=self.cohort, status="ended").count()
            STEP_COUNT["waiting"] += MatchRun.objects.filter(
                cohort=self.cohort, settings_snapshot__waiting=True
            ).count()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize(
        applied=st.sets(person_index, min_size=4),
        held=st.sets(person_index, max_size=2),
        phase=st.sampled_from(["recruiting", "matching", "running", "running"]),
    )
    def build_world(self, applied, held, phase):
        today = timezone.localdate()
        self.coordinator = UserFactory(email="cora@example.gov.uk")
        programme = ProgrammeFactory(coordinators=[self.coordinator])
        self.cohort = CohortFactory(
            programme=programme,
            applications_open=None,
            applications_close=None,
            starts_on=today + dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=80),
            capacity=PLACES,
        )
        Cohort.objects.filter(pk=self.cohort.pk).update(status="recruiting")
        self.people = []
        for i in range(MENTEES + MENTORS):
            user = UserFactory(email=f"p{i}@example.gov.uk")
            profile = user.profile
            profile.grade = 4 if i < MENTEES else 7
            profile.team = f"Team {i}"
            profile.save()
            self.people.append(user)
        self.ctx = AuditContext(actor=self.coordinator)
        self.client = Client()
        self.checkins_logged = 0
        self.wellbeing = {}  # check-in pk -> the wellbeing its author last gave
        # An identified survey every would-be mentee is invited to, open now, with one optional
        # question: the person may open it, the coordinator may edit it while it is open.
        self.template = SurveyTemplateFactory(programme=programme, name="Pulse")
        version = SurveyVersionFactory(template=self.template, number=1, published=True)
        QuestionFactory(version=version, type=QuestionType.SCALE_1_5, required=False)
        schedule = SurveyScheduleFactory(cohort=self.cohort, template=self.template)
        self.invitations = [
            SurveyInvitationFactory(
                schedule=schedule,
                user=self.people[i],
                due_on=today - dt.timedelta(days=1),
                closes_on=today + dt.timedelta(days=365),
            )
            for i in range(MENTEES)
        ]
        self.opened = {}  # mentee index -> the version their open form shows
        self.answers_recorded = 0
        # Sequences start with some applications in, some accepted, and the cohort recruiting,
        # matching or already running with pairs: the interesting moves come after.
        for i in sorted(applied):
            self.apply(i)
        for i in sorted(applied - held):
            self.decide(i, "accepted")
        if phase != "recruiting":
            # Time has passed: the cohort started a week ago, so its pairs can log check-ins.
            Cohort.objects.filter(pk=self.cohort.pk).update(starts_on=today - dt.timedelta(days=7))
            self.close_recruiting()
        if phase == "running":
            self.run(through_the_page=False)
            self.publish(through_the_page=False)

    # --- helpers ------------------------------------------------------------------------------

    def _cohort(self) -> Cohort:
        return Cohort.objects.get(pk=self.cohort.pk)

    def _enrolment(self, i) -> Enrolment | None:
        return Enrolment.objects.filter(user=self.people[i], cohort=self.cohort).first()

    def _draft(self) -> MatchRun | None:
        return MatchRun.objects.filter(cohort=self.cohort, status="draft").first()

    def _as(self, user):
        self.client.force_login(user)
        return self.client

    def _answered(self, response):
        assert response.status_code < 500, response.status_code
        return response

    def _step(self):
        STEP_COUNT["steps"] += 1

    # --- the person's moves -------------------------------------------------------------------

    @precondition(lambda self: self._cohort().status == "recruiting")
    @rule(i=person_index)
    def invite(self, i):
        """The coordinator invites someone (a person already enrolled is left as they are)."""
        self._step()
        user = self.people[i]
        invitations.cohort_invite_people(
            ctx=self.ctx,
            cohort=self._cohort(),
            invitees=[
                invitations.Invitee(
                    email=user.email,
                    name=user.full_name,
                    role=Role.MENTEE if i < MENTEES else Role.MENTOR,
                )
            ],
        )

    @precondition(lambda self: self._cohort().is_open_for_applications)
    @rule(i=person_index)
    def apply(self, i):
        self._step()
        role = Role.MENTEE if i < MENTEES else Role.MENTOR
        data = {"goals": "Learn", "title": f"Project {i}", "description": "A project"}
        if role == Role.MENTOR:
            data = {"goals": "", "capacity": 1 + i % 2}
        try:
            recruitment_services.application_submit(
                user=self.people[i], cohort=self._cohort(), role=role, data=data
            )
        except ValidationError:
            assert self._enrolment(i).status not in ("invited", "applied")

    @rule(i=person_index, through_the_page=st.booleans())
    def withdraw(self, i, through_the_page):
        self._step()
        enrolment = self._enrolment(i)
        if enrolment is None:
            return
        if through_the_page:
            url = reverse("recruitment:application_withdraw", args=[enrolment.pk])
            client = self._as(self.people[i])
            self._answered(client.get(url))
            self._answered(client.post(url, {"reason": "Changed my plans"}))
            return
        try:
            recruitment_services.application_withdraw(
                enrolment=enrolment, ctx=AuditContext(actor=self.people[i])
            )
        except ValidationError:
            assert enrolment.status in ("withdrawn", "declined")

    @rule(data=st.data(), how=st.sampled_from(["withdraw", "withdraw page", *DECISIONS[2:]]))
    def leave_while_paired(self, data, how):
        """Someone in an active pair withdraws, or is waitlisted or declined by a coordinator."""
        self._step()
        pairs = list(Pair.objects.active().filter(cohort=self.cohort).order_by("pk"))
        if not pairs:
            return
        pair = data.draw(st.sampled_from(pairs))
        enrolment = data.draw(st.sampled_from([pair.mentee, pair.mentor]))
        i = self.people.index(enrolment.user)
        if how.startswith("withdraw"):
            self.withdraw(i, through_the_page=how == "withdraw page")
        else:
            self.decide(i, how)

    @rule(data=st.data())
    def check_in(self, data):
        self._step()
        pairs = list(
            Pair.objects.active()
            .filter(cohort=self.cohort, started_on__lte=timezone.localdate())
            .order_by("pk")
        )
        if not pairs:
            return  # none yet, or the cohort has not started
        pair = data.draw(st.sampled_from(pairs))
        before = CheckIn.objects.count()
        today = timezone.localdate()
        # One check-in a person a day: the same meeting typed again is refused, not counted.
        logged_today = CheckIn.objects.filter(
            pair=pair, author=pair.mentee.user, met_on=today
        ).exists()
        try:
            pairing_services.checkin_log(
                pair=pair,
                ctx=AuditContext(actor=pair.mentee.user),
                data={
                    "met_on": today,
                    "duration_minutes": 45,
                    "format": "video",
                    "worked_on": "Cleaned the data",
                    "next_step": "",
                    "rating": data.draw(st.integers(1, 5)),
                    "wellbeing": data.draw(st.integers(1, 5)),
                    "protected_time_kept": True,
                    "shared_with_coordinator": False,
                },
            )
        except ValidationError as exc:
            assert logged_today, exc
            assert CheckIn.objects.count() == before
            return
        assert not logged_today
        assert CheckIn.objects.count() == before + 1
        self.checkins_logged += 1
        checkin = CheckIn.objects.filter(pair=pair).latest("pk")
        self.wellbeing[checkin.pk] = checkin.wellbeing

    def _a_check_in(self, data):
        checkins = list(CheckIn.objects.filter(pair__cohort=self.cohort).order_by("pk"))
        return data.draw(st.sampled_from(checkins)) if checkins else None

    @rule(data=st.data(), wellbeing=st.integers(1, 5))
    def correct_check_in(self, data, wellbeing):
        """The author fixes a mistyped wellbeing score."""
        self._step()
        checkin = self._a_check_in(data)
        if checkin is None:
            return
        changes = CheckInChange.objects.count()
        pairing_services.checkin_correct(
            checkin=checkin, ctx=AuditContext(actor=checkin.author), data={"wellbeing": wellbeing}
        )
        changed = self.wellbeing[checkin.pk] != wellbeing
        self.wellbeing[checkin.pk] = wellbeing
        # the change log keeps each real change (saving the same value again changes nothing)
        assert CheckInChange.objects.count() == changes + changed

    @rule(data=st.data())
    def delete_check_in(self, data):
        self._step()
        checkin = self._a_check_in(data)
        if checkin is None:
            return
        pairing_services.checkin_delete(checkin=checkin, ctx=AuditContext(actor=checkin.author))
        del self.wellbeing[checkin.pk]
        self.checkins_logged -= 1

    @rule(m=mentee_index)
    def open_the_survey(self, m):
        self._step()
        invitation = self.invitations[m]
        url = reverse("feedback:answer", args=[SurveyInvitation.token_for(invitation.pk)])
        self._answered(self._as(self.people[m]).get(url))
        if not SurveyInvitation.objects.get(pk=invitation.pk).answered_at:
            self.opened[m] = feedback_services.current_version(self.template).pk

    @precondition(lambda self: getattr(self, "opened", None))
    @rule(data=st.data(), score=st.sampled_from(["", "1", "3", "5"]))
    def answer_the_survey(self, data, score):
        """Send a form opened earlier: maybe empty, maybe of a version replaced since."""
        self._step()
        m = data.draw(st.sampled_from(sorted(self.opened)))
        opened = self.opened.pop(m)
        invitation = SurveyInvitation.objects.get(pk=self.invitations[m].pk)
        question = Question.objects.filter(version_id=opened).first()
        url = reverse("feedback:answer", args=[SurveyInvitation.token_for(invitation.pk)])
        before = Response.objects.filter(invitation=invitation).count()
        self._answered(
            self._as(self.people[m]).post(url, {"version": str(opened), f"q{question.pk}": score})
        )
        stored = Response.objects.filter(invitation=invitation).count() - before
        current = feedback_services.current_version(self.template).pk
        if invitation.answered_at is None and score and opened == current:
            assert stored == 1, "an answer to the live version was not stored"
            self.answers_recorded += 1
            STEP_COUNT["answers"] += 1
        elif invitation.answered_at is None and score:
            assert stored == 0  # replaced while they typed: the new form comes back, filled in
            STEP_COUNT["kept"] += 1
        else:  # answered before, empty, or the version was replaced while they typed
            assert stored == 0

    @rule()
    def edit_the_survey(self):
        """The coordinator adds a question and publishes the new version."""
        self._step()
        feedback_services.question_add(
            template=self.template,
            data={"type": QuestionType.SCALE_1_5, "text": "And now?", "required": False},
        )
        feedback_services.version_publish(template=self.template)

    # --- the coordinator's moves --------------------------------------------------------------

    @rule(i=person_index, decision=st.sampled_from(DECISIONS))
    def decide(self, i, decision):
        self._step()
        enrolment = self._enrolment(i)
        if enrolment is not None:
            recruitment_services.applications_decide(
                ctx=self.ctx, cohort=self._cohort(), enrolment_ids=[enrolment.pk], decision=decision
            )

    @rule(ids=st.sets(person_index, min_size=2, max_size=4), decision=st.sampled_from(DECISIONS))
    def decide_on_the_review_page(self, ids, decision):
        self._step()
        chosen = [e.pk for e in (self._enrolment(i) for i in ids) if e is not None]
        if not chosen:
            return
        args = [self.cohort.programme.slug, self.cohort.pk]
        data = {"decision": decision, "enrolments": chosen}
        client = self._as(self.coordinator)
        # The confirmation page names who is emailed (and whose pair ends); then the decision.
        self._answered(client.post(reverse("recruitment:review_confirm", args=args), data))
        self._answered(client.post(reverse("recruitment:review_decide", args=args), data))

    @rule(i=person_index)
    def undo(self, i):
        self._step()
        enrolment = self._enrolment(i)
        if enrolment is None:
            return
        try:
            recruitment_services.enrolment_restore(
                enrolment=enrolment, ctx=self.ctx, reason="Changed their mind"
            )
        except ValidationError:
            assert enrolment.status not in ("withdrawn", "declined")

    @precondition(lambda self: self._cohort().status == "recruiting")
    @rule()
    def close_recruiting(self):
        self._step()
        cohort_change_status(cohort=self._cohort(), status="matching")

    @precondition(lambda self: self._cohort().status in ("matching", "running"))
    @rule(through_the_page=st.booleans())
    def run(self, through_the_page):
        """A pairing run in matching; "pair the waiting mentees" once the cohort runs."""
        self._step()
        cohort = self._cohort()
        if through_the_page and cohort.status == "running":
            url = reverse("pairing:pair_waiting", args=[cohort.programme.slug, cohort.pk])
            self._answered(self._as(self.coordinator).post(url))
        else:
            pairing_services.match_run_start(cohort=cohort, ctx=self.ctx)
        draft = self._draft()
        active = Pair.objects.active().filter(cohort=cohort)
        assert not draft.proposals.filter(mentee__in=active.values("mentee")).exists()

    @rule(data=st.data())
    def lock(self, data):
        self._step()
        draft = self._draft()
        proposals = list(draft.proposals.order_by("pk")) if draft else []
        if proposals:
            pairing_services.proposal_lock(
                run=draft, proposal=data.draw(st.sampled_from(proposals)), ctx=self.ctx, locked=True
            )

    @rule(m=mentee_index, j=mentor_index)
    def reassign(self, m, j):
        self._step()
        draft, mentee, mentor = self._draft(), self._enrolment(m), self._enrolment(MENTEES + j)
        if not (draft and mentee and mentor):
            return
        if mentee.status != "accepted" or mentor.status != "accepted":
            return
        # Refused when over capacity, or when the mentee already has a mentor.
        with contextlib.suppress(ValidationError):
            pairing_services.proposal_reassign(
                run=draft, mentee=mentee, mentor=mentor, ctx=self.ctx
            )

    @rule(through_the_page=st.booleans())
    def publish(self, through_the_page):
        self._step()
        draft = self._draft()
        if draft is None:
            return
        if through_the_page:
            url = reverse(
                "pairing:run_publish", args=[self.cohort.programme.slug, self.cohort.pk, draft.pk]
            )
            client = self._as(self.coordinator)
            self._answered(client.get(url))
            self._answered(client.post(url))
        else:
            pairing_services.match_run_publish(run=draft, ctx=self.ctx)

    @rule(data=st.data(), reason=st.sampled_from(["poor_fit", "workload", "completed"]))
    def end_pair(self, data, reason):
        self._step()
        pairs = list(Pair.objects.active().filter(cohort=self.cohort).order_by("pk"))
        if pairs:
            pair = data.draw(st.sampled_from(pairs))
            pairing_services.pair_end(pair=pair, ctx=self.ctx, reason=reason)

    @rule(j=mentor_index, capacity=st.integers(0, 3))
    def change_capacity(self, j, capacity):
        self._step()
        mentor = self._enrolment(MENTEES + j)
        if mentor is None:
            return
        try:
            enrolment_capacity_update(
                enrolment=mentor, capacity=capacity, agreement="Agreed by email", ctx=self.ctx
            )
        except ValidationError:
            active = Pair.objects.active().filter(mentor=mentor).count()
            assert capacity < max(1, active) or mentor.role != Role.MENTOR

    # --- the promises, after every step -------------------------------------------------------

    @invariant()
    def only_accepted_people_are_paired(self):
        stray = Pair.objects.active().filter(
            ~Q(mentor__status="accepted") | ~Q(mentee__status="accepted")
        )
        assert not stray.exists(), list(stray.values("mentor__status", "mentee__status"))

    @invariant()
    def no_mentor_above_capacity(self):
        loads = (
            Pair.objects.active()
            .values("mentor_id", "mentor__capacity")
            .annotate(n=Count("pk"))
            .filter(n__gt=F("mentor__capacity"))
        )
        assert not loads.exists(), list(loads)

    @invariant()
    def no_cohort_above_its_places(self):
        if not hasattr(self, "cohort"):
            return
        accepted = Enrolment.objects.filter(
            cohort=self.cohort, role=Role.MENTEE, status="accepted"
        ).count()
        assert accepted <= self._cohort().capacity

    @invariant()
    def every_accepted_mentee_is_paired_or_waiting_with_a_reason(self):
        if not hasattr(self, "cohort") or self._cohort().status != "running":
            return
        waiting = {e.pk: why for e, why in pairing_selectors.cohort_waiting(cohort=self._cohort())}
        paired = set(Pair.objects.active().values_list("mentee_id", flat=True))
        for enrolment in Enrolment.objects.filter(
            cohort=self.cohort, role=Role.MENTEE, status="accepted"
        ):
            assert enrolment.pk in paired or waiting.get(enrolment.pk), enrolment
            assert not (enrolment.pk in paired and enrolment.pk in waiting)

    @invariant()
    def the_last_decision_email_matches_the_state_once_per_change(self):
        if not hasattr(self, "cohort"):
            return
        for enrolment in Enrolment.objects.filter(cohort=self.cohort):
            keys = list(
                Email.objects.filter(
                    kind="application-decision",
                    idempotency_key__startswith=f"application-decision:{enrolment.pk}:",
                )
                .order_by("pk")
                .values_list("idempotency_key", flat=True)
            )
            moves = list(
                EnrolmentMove.objects.filter(enrolment=enrolment)
                .exclude(move__in=["apply", "capacity", "invite"])
                .order_by("pk")
            )
            assert [k.rsplit(":", 1)[1] for k in keys] == [str(m.pk) for m in moves]
            if moves:
                assert moves[-1].to_status == enrolment.status
            elif enrolment.status not in ("invited", "applied"):
                pytest.fail(f"{enrolment} is {enrolment.status} and was never told")

    @invariant()
    def no_check_in_is_lost(self):
        if hasattr(self, "cohort"):
            assert CheckIn.objects.filter(pair__cohort=self.cohort).count() == self.checkins_logged
            stored = dict(
                CheckIn.objects.filter(pair__cohort=self.cohort).values_list("pk", "wellbeing")
            )
            assert stored == self.wellbeing  # every correction kept, the latest one counts

    @invariant()
    def check_in_summaries_say_what_the_check_ins_say(self):
        # what the undated dashboards read (pairing.models.CheckInSummary)
        assert_summaries_agree()

    @invariant()
    def no_response_is_empty_or_lost(self):
        if not hasattr(self, "cohort"):
            return
        responses = Response.objects.filter(schedule__cohort=self.cohort)
        assert responses.count() == self.answers_recorded
        assert not responses.annotate(n=Count("answers")).filter(n=0).exists()
        answered = SurveyInvitation.objects.filter(
            schedule__cohort=self.cohort, answered_at__isnull=False
        )
        assert answered.count() == responses.count()  # no invitation used up without an answer


def test_cohort_state_machine(time_machine):
    time_machine.move_to(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC))
    STEP_COUNT.update(steps=0, examples=0, pairs=0, ended=0, waiting=0, answers=0, kept=0)
    run_state_machine_as_test(
        CohortMachine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=False,
        ),
    )
    print(
        f"\nstate machine: {STEP_COUNT['examples']} sequences, {STEP_COUNT['steps']} steps; "
        f"{STEP_COUNT['pairs']} pairs made, {STEP_COUNT['ended']} ended, "
        f"{STEP_COUNT['waiting']} runs for waiting mentees; {STEP_COUNT['answers']} survey "
        f"answers stored, {STEP_COUNT['kept']} sent to a replaced version and given back"
    )
    assert STEP_COUNT["steps"] > MAX_EXAMPLES
