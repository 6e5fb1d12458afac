import pytest
from django.db import IntegrityError

from people.models import Profile, User


@pytest.mark.django_db
def test_user_signs_in_with_email_and_has_no_username():
    user = User.objects.create_user("Ada.Lovelace@Example.GOV.uk", "a-long-password-1")
    assert user.email == "ada.lovelace@example.gov.uk"
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username")
    assert user.check_password("a-long-password-1")


@pytest.mark.django_db
def test_every_user_gets_a_profile_when_created():
    user = User.objects.create_user("someone@example.gov.uk", "pw-123456789")
    assert Profile.objects.filter(user=user).exists()
    assert user.profile.time_zone == "Europe/London"


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case():
    User.objects.create_user("sam@example.gov.uk", "pw-123456789")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAM@example.gov.uk")


@pytest.mark.django_db
def test_superuser_is_staff():
    admin = User.objects.create_superuser("root@example.gov.uk", "pw-123456789")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_display_name_falls_back_to_the_whole_address_never_a_made_up_name():
    assert User(email="jo.bloggs@example.gov.uk").display_name == "jo.bloggs@example.gov.uk"
    assert User(email="x@example.gov.uk", full_name="Jo Bloggs").display_name == "Jo Bloggs"
