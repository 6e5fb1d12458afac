import pytest

from .factories import PausedKindFactory, RhythmSettingsFactory

pytestmark = pytest.mark.django_db


def test_the_factories_make_valid_rows():
    RhythmSettingsFactory().full_clean()
    PausedKindFactory().full_clean()
