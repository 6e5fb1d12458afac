"""System checks of the outbox's send windows.

The bank holidays come from the data bundled with govuk-bank-holidays (nothing is fetched from the
web at run time). When that data runs out, every later date looks like a working day and emails
would go out on Christmas Day: warn a year ahead, so there is time to upgrade the package.
"""

import datetime as dt

from django.core.checks import Warning, register

from .windows import DIVISIONS, bank_holidays

MONTHS_AHEAD = 12


def holidays_end(division: str) -> dt.date | None:
    days = bank_holidays(division)
    return max(days) if days else None


@register()
def bank_holidays_remaining(app_configs=None, today: dt.date | None = None, **kwargs):
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=round(MONTHS_AHEAD * 30.44))
    problems = []
    for division in DIVISIONS:
        end = holidays_end(division)
        if end is None or end < horizon:
            problems.append(
                Warning(
                    f"The bundled UK bank holidays for {division} end on {end or 'no date'}, "
                    f"less than {MONTHS_AHEAD} months from {today:%d %b %Y}: after that date "
                    "emails could go out on bank holidays.",
                    hint="Upgrade govuk-bank-holidays in requirements.txt (README, "
                    "'Bank holidays') and redeploy.",
                    id="notifications.W001",
                )
            )
    return problems
