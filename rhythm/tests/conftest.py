import pytest


@pytest.fixture(autouse=True)
def _windows_on(settings):
    settings.RHYTHM_IGNORE_SEND_WINDOWS = False
