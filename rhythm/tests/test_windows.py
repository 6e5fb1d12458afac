"""Send-window maths: working hours in the recipient's zone, weekends, UK bank holidays."""

import datetime as dt

from notifications.windows import bank_holidays, in_window, next_send_time
from rhythm.ics import checkin_ics, suggest_slot

H = bank_holidays("england-and-wales")
UTC = dt.UTC


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_bank_holidays_come_from_the_bundled_data():
    assert {dt.date(2026, 12, 25), dt.date(2026, 12, 28)} <= H
    assert dt.date(2026, 12, 26) not in H  # a Saturday; Monday 28 is the substitute
    assert dt.date(2027, 8, 2) in bank_holidays("scotland")
    assert dt.date(2027, 8, 2) not in H


def test_inside_the_window_goes_now():
    assert next_send_time(at(2026, 12, 1, 10, 15), "Europe/London", H) == at(2026, 12, 1, 10, 15)


def test_before_nine_waits_until_nine_local():
    assert next_send_time(at(2026, 12, 1, 6), "Europe/London", H) == at(2026, 12, 1, 9)
    # British Summer Time: 09:00 in London is 08:00 UTC.
    assert next_send_time(at(2026, 6, 2, 5), "Europe/London", H) == at(2026, 6, 2, 8)


def test_after_five_and_at_weekends_wait_for_monday():
    assert next_send_time(at(2026, 11, 27, 17), "Europe/London", H) == at(2026, 11, 30, 9)
    assert next_send_time(at(2026, 11, 28, 12), "Europe/London", H) == at(2026, 11, 30, 9)


def test_christmas_and_the_boxing_day_substitute_are_skipped():
    # Thursday 24 Dec after work: Fri 25 (Christmas), weekend, Mon 28 (Boxing Day, substitute).
    assert next_send_time(at(2026, 12, 24, 17, 30), "Europe/London", H) == at(2026, 12, 29, 9)
    assert next_send_time(at(2026, 12, 25, 10), "Europe/London", H) == at(2026, 12, 29, 9)
    assert not in_window(at(2026, 12, 28, 10), "Europe/London", H)


def test_a_person_in_new_york_gets_new_york_hours():
    # 13:00 UTC is 08:00 in New York: wait an hour; 20:00 UTC is 15:00 there: now.
    assert next_send_time(at(2026, 12, 1, 13), "America/New_York", H) == at(2026, 12, 1, 14)
    assert next_send_time(at(2026, 12, 1, 20), "America/New_York", H) == at(2026, 12, 1, 20)
    # 18:00 in New York on 24 Dec: UK bank holidays apply to the programme, so 29 Dec, 09:00 EST.
    assert next_send_time(at(2026, 12, 24, 23), "America/New_York", H) == at(2026, 12, 29, 14)


def test_unknown_zone_falls_back_to_london():
    assert next_send_time(at(2026, 12, 1, 6), "Mars/Olympus", H) == at(2026, 12, 1, 9)


def test_suggested_slot_fits_both_working_days_and_skips_holidays():
    slot, ok = suggest_slot(dt.date(2026, 12, 25), ("Europe/London", "America/New_York"), H)
    assert ok and slot == at(2026, 12, 29, 14)  # 14:00 London = 09:00 New York
    slot, ok = suggest_slot(dt.date(2026, 12, 1), ("Europe/London", "Europe/London"), H)
    assert ok and slot == at(2026, 12, 1, 9)


def test_ics_has_a_stable_uid_and_the_slot():
    ics = checkin_ics(
        uid="checkin-7-2026-12-29@example",
        start=at(2026, 12, 29, 14),
        summary="Mentoring check-in",
        description="d",
        url="http://x/pairs/7/",
        stamp=at(2026, 12, 24, 9),
    )
    assert "UID:checkin-7-2026-12-29@example" in ics
    assert "DTSTART:20261229T140000Z" in ics and "DTEND:20261229T150000Z" in ics
    assert "METHOD:PUBLISH" in ics
