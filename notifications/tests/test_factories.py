import pytest

from .factories import EmailFactory

pytestmark = pytest.mark.django_db


def test_the_email_factory_makes_a_pending_row_ready_to_claim():
    email = EmailFactory()
    email.full_clean()
    assert email.status == "pending"


def test_the_preference_fixture_turns_a_kind_off(mentee, preference):
    assert preference(mentee).enabled is False
