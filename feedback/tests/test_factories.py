import pytest

from .factories import QuestionFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db


def test_the_factories_make_valid_rows_that_belong_together():
    invitation = SurveyInvitationFactory()
    invitation.full_clean()
    schedule = invitation.schedule
    assert schedule.template.programme == schedule.cohort.programme
    assert invitation.closes_on > invitation.due_on > schedule.cohort.starts_on
    QuestionFactory(version__template=schedule.template).full_clean()
