import pytest

from .factories import RhythmSettingsFactory


@pytest.fixture(autouse=True)
def _windows_on(settings):
    settings.RHYTHM_IGNORE_SEND_WINDOWS = False


@pytest.fixture
def rhythm_settings(programme):
    """The programme's saved settings: reminders on days 2 and 5, Scottish bank holidays."""
    return RhythmSettingsFactory(
        programme=programme,
        survey_reminder_first_days=2,
        survey_reminder_second_days=5,
        support_information="Call the wellbeing line.",
        bank_holidays="scotland",
    )
