import datetime as dt

from notifications.checks import bank_holidays_remaining, holidays_end


def test_no_warning_while_a_year_of_bank_holidays_remains():
    end = min(holidays_end(d) for d in ("england-and-wales", "scotland", "northern-ireland"))
    today = end - dt.timedelta(days=400)
    assert bank_holidays_remaining(today=today) == []


def test_a_warning_when_fewer_than_twelve_months_of_bank_holidays_remain():
    end = holidays_end("england-and-wales")
    warnings = bank_holidays_remaining(today=end - dt.timedelta(days=200))
    assert warnings and all(w.id == "notifications.W001" for w in warnings)
    assert "govuk-bank-holidays" in warnings[0].hint
