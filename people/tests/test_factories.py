"""Every factory of people builds a row that passes the model's own validation."""

import pytest

from people.models import ProfileSkill

from .factories import (
    AuditEventFactory,
    InterestFactory,
    ProfileFactory,
    ProfileSkillFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        UserFactory,
        ProfileFactory,
        SkillFactory,
        InterestFactory,
        ProfileSkillFactory,
        AuditEventFactory,
    ],
)
def test_factory_builds_a_valid_row(factory):
    row = factory()
    row.full_clean(exclude=["password"])


def test_a_user_gets_one_profile_and_can_teach_and_learn_the_same_skill():
    user = UserFactory()
    teach = ProfileSkillFactory(profile=user.profile)
    learn = ProfileSkillFactory(
        profile=user.profile, skill=teach.skill, direction=ProfileSkill.Direction.LEARN
    )
    assert list(user.profile.profile_skills.order_by("direction")) == [learn, teach]
