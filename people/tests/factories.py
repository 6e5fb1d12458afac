import factory

from people.models import (
    AuditEvent,
    Interest,
    Priority,
    Profile,
    ProfileSkill,
    Skill,
    SkillLevel,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("pw-for-tests-123")
    profile = factory.RelatedFactory("people.tests.factories.ProfileFactory", "user")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory, profile=None)
    organisation = "Office for National Statistics"
    team = "Data Science Campus"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Skill {n}")
    category = "data"


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Interest {n}")


class ProfileSkillFactory(factory.django.DjangoModelFactory):
    """A skill someone can teach (``direction="learn"`` for one they want to learn)."""

    class Meta:
        model = ProfileSkill

    profile = factory.SubFactory(ProfileFactory)
    skill = factory.SubFactory(SkillFactory)
    direction = ProfileSkill.Direction.TEACH
    level = SkillLevel.WORKING
    priority = Priority.MEDIUM


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "profile.update"
    object_type = "user"
    object_id = factory.LazyAttribute(lambda o: str(o.actor.pk) if o.actor else "")
    summary = "Updated their profile"
    ip_address = "192.0.2.10"
