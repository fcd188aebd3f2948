"""Working-day arithmetic on real calendars (US federal holidays, India's gazetted holidays).

Every expected date below was counted by hand on a wall calendar for that year.
"""

import datetime as dt

import holidays
import pytest

from partners.calendars import (
    SkippedDay,
    WorkingCalendar,
    describe_skipped,
    format_day,
    format_moment,
)
from partners.models import Closure, calendar_for
from tests import factories as f

UTC = dt.UTC


def us_calendar(**closures) -> WorkingCalendar:
    return WorkingCalendar(country="US", time_zone="America/New_York", **closures)


def india_calendar(**closures) -> WorkingCalendar:
    return WorkingCalendar(country="IN", time_zone="Asia/Kolkata", subdiv="DL", **closures)


# --- the United States ------------------------------------------------------------------------


def test_ten_working_days_after_the_eve_of_thanksgiving_fall_on_thursday_10_december():
    # Wed 25 Nov 2026 received; Thu 26 Thanksgiving, 28-29 Nov and 5-6 Dec weekends skipped.
    result = us_calendar().add_working_days(dt.date(2026, 11, 25), 10)

    assert result.due_on == dt.date(2026, 12, 10)
    assert result.due_on.strftime("%a") == "Thu"
    assert result.due_at == dt.datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
    assert result.due_at.tzname() == "EST"
    assert format_moment(result.due_at) == "Thu 10 Dec 17:00 EST"


def test_the_skipped_days_name_thanksgiving_and_each_weekend_day():
    result = us_calendar().add_working_days(dt.date(2026, 11, 25), 10)

    assert result.skipped == (
        SkippedDay(dt.date(2026, 11, 26), "Thanksgiving Day"),
        SkippedDay(dt.date(2026, 11, 28), "weekend"),
        SkippedDay(dt.date(2026, 11, 29), "weekend"),
        SkippedDay(dt.date(2026, 12, 5), "weekend"),
        SkippedDay(dt.date(2026, 12, 6), "weekend"),
    )


def test_skipped_days_read_as_thanksgiving_and_two_weekends():
    result = us_calendar().add_working_days(dt.date(2026, 11, 25), 10)

    assert describe_skipped(result.skipped) == "Thu 26 Nov Thanksgiving Day and two weekends"


def test_thanksgiving_is_not_a_working_day_but_the_friday_after_it_is():
    calendar = us_calendar()

    assert calendar.non_working_reason(dt.date(2026, 11, 26)) == "Thanksgiving Day"
    assert not calendar.is_working_day(dt.date(2026, 11, 26))
    assert calendar.is_working_day(dt.date(2026, 11, 27))


def test_weekends_are_not_working_days():
    calendar = us_calendar()

    assert calendar.non_working_reason(dt.date(2026, 11, 28)) == "weekend"  # Saturday
    assert calendar.non_working_reason(dt.date(2026, 11, 29)) == "weekend"  # Sunday
    assert calendar.non_working_reason(dt.date(2026, 11, 30)) is None  # Monday


def test_christmas_and_new_year_are_skipped_across_the_year_boundary():
    # Wed 23 Dec 2026: Thu 24 is 1, Fri 25 Christmas, Mon 28-Thu 31 are 2-5, Fri 1 Jan New
    # Year's Day, Mon 4-Fri 8 Jan 2027 are 6-10.
    result = us_calendar().add_working_days(dt.date(2026, 12, 23), 10)

    assert result.due_on == dt.date(2027, 1, 8)
    assert result.due_at == dt.datetime(2027, 1, 8, 22, 0, tzinfo=UTC)
    assert describe_skipped(result.skipped) == (
        "Fri 25 Dec Christmas Day, Fri 1 Jan New Year's Day and two weekends"
    )


def test_five_working_days_from_christmas_week_end_on_new_years_eve():
    result = us_calendar().add_working_days(dt.date(2026, 12, 23), 5)

    assert result.due_on == dt.date(2026, 12, 31)


def test_the_observed_independence_day_on_friday_3_july_2026_is_skipped():
    # 4 Jul 2026 is a Saturday, so the federal holiday is observed on Fri 3 Jul.
    calendar = us_calendar()
    result = calendar.add_working_days(dt.date(2026, 7, 2), 1)

    assert calendar.non_working_reason(dt.date(2026, 7, 3)) == "Independence Day (observed)"
    assert result.due_on == dt.date(2026, 7, 6)  # Monday
    assert "Fri 3 Jul Independence Day (observed)" in describe_skipped(result.skipped)


def test_close_of_business_in_new_york_follows_daylight_saving_time():
    calendar = us_calendar()

    summer = calendar.close_of_business_on(dt.date(2027, 4, 15))
    winter = calendar.close_of_business_on(dt.date(2027, 1, 15))

    assert summer == dt.datetime(2027, 4, 15, 21, 0, tzinfo=UTC)
    assert format_moment(summer) == "Thu 15 Apr 17:00 EDT"
    assert winter == dt.datetime(2027, 1, 15, 22, 0, tzinfo=UTC)


# --- India --------------------------------------------------------------------------------------


def test_republic_day_is_skipped_and_india_closes_at_half_past_eleven_utc():
    # Fri 23 Jan 2026 received; the weekend and Mon 26 Jan Republic Day are skipped.
    result = india_calendar().add_working_days(dt.date(2026, 1, 23), 1)

    assert result.due_on == dt.date(2026, 1, 27)
    assert result.due_at == dt.datetime(2026, 1, 27, 11, 30, tzinfo=UTC)
    assert format_moment(result.due_at) == "Tue 27 Jan 17:00 IST"
    assert describe_skipped(result.skipped) == "Mon 26 Jan Republic Day and one weekend"


DIWALI_2025 = dt.date(2025, 10, 20)
HAS_DIWALI_2025 = "Diwali" in (holidays.country_holidays("IN", years=2025).get(DIWALI_2025) or "")


@pytest.mark.skipif(not HAS_DIWALI_2025, reason="this holidays release lacks Diwali 2025")
def test_diwali_on_monday_20_october_2025_is_skipped_in_india():
    # Fri 17 Oct 2025 received; the weekend and Mon 20 Oct Diwali are skipped.
    calendar = WorkingCalendar(country="IN", time_zone="Asia/Kolkata")
    result = calendar.add_working_days(dt.date(2025, 10, 17), 1)

    assert DIWALI_2025.strftime("%a") == "Mon"
    assert result.due_on == dt.date(2025, 10, 21)
    assert "Mon 20 Oct Diwali" in describe_skipped(result.skipped)


def test_an_indian_holiday_is_a_working_day_in_the_united_states():
    assert not india_calendar().is_working_day(dt.date(2026, 1, 26))
    assert us_calendar().is_working_day(dt.date(2026, 1, 26))


def test_a_calendar_without_a_country_only_skips_weekends_and_closes_in_utc():
    calendar = WorkingCalendar(country="")

    assert calendar.is_working_day(dt.date(2026, 12, 25))
    assert calendar.add_working_days(dt.date(2026, 11, 25), 10).due_at == dt.datetime(
        2026, 12, 9, 17, 0, tzinfo=UTC
    )


# --- closures -----------------------------------------------------------------------------------


def test_a_closure_is_skipped_and_named_like_a_holiday():
    closed = {dt.date(2026, 11, 27): "Day after Thanksgiving closure"}
    result = us_calendar(closures=closed).add_working_days(dt.date(2026, 11, 25), 10)

    assert result.due_on == dt.date(2026, 12, 11)
    assert describe_skipped(result.skipped) == (
        "Thu 26 Nov Thanksgiving Day, Fri 27 Nov Day after Thanksgiving closure and two weekends"
    )


@pytest.mark.django_db
def test_a_closure_saved_by_an_admin_moves_the_nations_deadlines():
    us = f.us()
    before = calendar_for(us).add_working_days(dt.date(2026, 11, 25), 10)
    Closure.objects.create(nation=us, date=dt.date(2026, 12, 7), name="Pearl Harbor stand-down")

    after = calendar_for(us).add_working_days(dt.date(2026, 11, 25), 10)

    assert before.due_on == dt.date(2026, 12, 10)
    assert after.due_on == dt.date(2026, 12, 11)
    assert after.due_at == dt.datetime(2026, 12, 11, 22, 0, tzinfo=UTC)
    assert "Mon 7 Dec Pearl Harbor stand-down" in describe_skipped(after.skipped)


@pytest.mark.django_db
def test_a_closure_of_another_nation_does_not_move_deadlines():
    us, india = f.us(), f.india()
    Closure.objects.create(nation=india, date=dt.date(2026, 12, 7), name="Navy Day stand-down")

    assert calendar_for(us).is_working_day(dt.date(2026, 12, 7))
    assert not calendar_for(india).is_working_day(dt.date(2026, 12, 7))


@pytest.mark.django_db
def test_the_nations_calendar_uses_its_time_zone_and_holidays():
    calendar = calendar_for(f.india())

    assert calendar.close_of_business_on(dt.date(2026, 1, 27)) == dt.datetime(
        2026, 1, 27, 11, 30, tzinfo=UTC
    )
    assert calendar.non_working_reason(dt.date(2026, 1, 26)) == "Republic Day"


# --- receipt day and odd starts -----------------------------------------------------------------


def test_the_day_of_receipt_is_not_counted():
    # Received Mon 30 Nov 2026: one working day later is Tuesday, not Monday itself.
    result = us_calendar().add_working_days(dt.date(2026, 11, 30), 1)

    assert result.due_on == dt.date(2026, 12, 1)
    assert result.skipped == ()


def test_a_request_received_on_a_saturday_counts_from_monday():
    # Sat 28 Nov 2026: Mon 30 Nov is the first working day, Tue 1 Dec the second.
    calendar = us_calendar()

    assert calendar.add_working_days(dt.date(2026, 11, 28), 1).due_on == dt.date(2026, 11, 30)
    assert calendar.add_working_days(dt.date(2026, 11, 28), 2).due_on == dt.date(2026, 12, 1)


def test_zero_working_days_from_a_holiday_is_the_next_working_day():
    result = us_calendar().add_working_days(dt.date(2026, 11, 26), 0)

    assert result.due_on == dt.date(2026, 11, 27)
    assert result.skipped == (SkippedDay(dt.date(2026, 11, 26), "Thanksgiving Day"),)


def test_zero_working_days_from_a_working_day_is_that_same_day():
    assert us_calendar().add_working_days(dt.date(2026, 12, 1), 0).due_on == dt.date(2026, 12, 1)


def test_the_local_date_of_a_late_evening_in_new_york_is_still_that_day():
    # 03:30 UTC on Thu 26 Nov is 22:30 on Wed 25 Nov in New York.
    moment = dt.datetime(2026, 11, 26, 3, 30, tzinfo=UTC)

    assert us_calendar().local_date(moment) == dt.date(2026, 11, 25)
    assert india_calendar().local_date(moment) == dt.date(2026, 11, 26)


# --- counting between and backwards -------------------------------------------------------------


def test_working_days_between_skip_thanksgiving_and_weekends():
    calendar = us_calendar()

    assert calendar.working_days_between(dt.date(2026, 11, 25), dt.date(2026, 12, 10)) == 10
    assert calendar.working_days_between(dt.date(2026, 11, 25), dt.date(2026, 11, 29)) == 1


def test_working_days_between_a_day_and_itself_is_zero():
    assert us_calendar().working_days_between(dt.date(2026, 12, 1), dt.date(2026, 12, 1)) == 0


def test_working_days_between_are_negative_when_the_end_is_earlier():
    calendar = us_calendar()

    assert calendar.working_days_between(dt.date(2026, 12, 10), dt.date(2026, 11, 25)) == -10


def test_subtracting_working_days_steps_back_over_thanksgiving():
    calendar = us_calendar()

    assert calendar.subtract_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 25)
    assert calendar.subtract_working_days(dt.date(2026, 12, 10), 10) == dt.date(2026, 11, 25)


def test_subtracting_working_days_steps_back_over_new_year_into_the_old_year():
    # Mon 4 Jan 2027 minus one: Fri 1 Jan holiday and the weekend skipped → Thu 31 Dec 2026.
    calendar = us_calendar()

    assert calendar.subtract_working_days(dt.date(2027, 1, 4), 1) == dt.date(2026, 12, 31)


def test_working_days_in_a_week_leave_out_thanksgiving_and_the_weekend():
    week = [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7)]

    assert us_calendar().working_days_in(week) == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 27),
    ]


# --- wording ------------------------------------------------------------------------------------


def test_days_are_written_as_weekday_day_and_month():
    assert format_day(dt.date(2026, 11, 26)) == "Thu 26 Nov"
    assert format_day(dt.date(2027, 1, 1)) == "Fri 1 Jan"


def test_one_skipped_weekend_is_written_in_the_singular():
    skipped = [
        SkippedDay(dt.date(2026, 11, 28), "weekend"),
        SkippedDay(dt.date(2026, 11, 29), "weekend"),
    ]

    assert describe_skipped(skipped) == "one weekend"


def test_a_lone_sunday_counts_as_one_weekend():
    assert describe_skipped([SkippedDay(dt.date(2026, 11, 29), "weekend")]) == "one weekend"


def test_nothing_skipped_reads_as_nothing():
    assert describe_skipped([]) == ""


def test_several_holidays_are_listed_with_commas_before_the_weekends():
    skipped = [
        SkippedDay(dt.date(2026, 12, 25), "Christmas Day"),
        SkippedDay(dt.date(2026, 12, 26), "weekend"),
        SkippedDay(dt.date(2026, 12, 27), "weekend"),
        SkippedDay(dt.date(2027, 1, 1), "New Year's Day"),
        SkippedDay(dt.date(2027, 1, 2), "weekend"),
        SkippedDay(dt.date(2027, 1, 3), "weekend"),
        SkippedDay(dt.date(2027, 1, 9), "weekend"),
    ]

    assert describe_skipped(skipped) == (
        "Fri 25 Dec Christmas Day, Fri 1 Jan New Year's Day and three weekends"
    )
