import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scheduling.models import EntryKind, ScheduleEntry, ShiftTemplate
from scheduling.services import schedule
from scheduling.services.schedule import Change, ScheduleConflict
from tests.factories import TimeOffRequestFactory, WeekendDutyFactory
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def days(first, count):
    return [first + dt.timedelta(days=n) for n in range(count)]


def test_the_database_refuses_two_entries_for_one_person_on_one_day(associate):
    ScheduleEntry.objects.create(associate=associate, on=MONDAY, kind=EntryKind.DAY_OFF)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleEntry.objects.create(associate=associate, on=MONDAY, kind=EntryKind.DAY_OFF)


def test_the_database_refuses_a_shift_without_times(associate):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleEntry.objects.create(associate=associate, on=MONDAY, kind=EntryKind.SHIFT)


def test_setting_a_cell_twice_replaces_it(team, lead, associate, early, late):
    schedule.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)])
    schedule.apply_changes(actor=lead, team=team, changes=[Change.shift(associate, MONDAY, late)])
    entry = ScheduleEntry.objects.get()
    assert entry.template == late
    assert entry.starts_at == dt.time(10, 30)


def test_a_template_outside_opening_hours_is_rejected(site):
    template = ShiftTemplate(
        site=site,
        name="Dawn",
        code="D",
        starts_at=dt.time(5),
        ends_at=dt.time(13),
        applies_to=ShiftTemplate.Applies.WEEKDAY,
    )
    with pytest.raises(ValidationError, match="outside Dublin's weekday opening hours"):
        template.full_clean()


def test_a_weekday_template_must_fit_weekend_hours_too_when_it_applies_to_any_day(site):
    template = ShiftTemplate(
        site=site,
        name="Long",
        code="X",
        starts_at=dt.time(7),
        ends_at=dt.time(18),
        applies_to=ShiftTemplate.Applies.ANY,
    )
    with pytest.raises(ValidationError, match="weekend opening hours"):
        template.full_clean()


def test_a_custom_shift_outside_opening_hours_is_refused(team, lead, associate):
    change = Change(
        associate=associate,
        on=MONDAY,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(6),
        ends_at=dt.time(14),
    )
    with pytest.raises(ScheduleConflict, match="outside opening hours"):
        schedule.apply_changes(actor=lead, team=team, changes=[change])
    assert not ScheduleEntry.objects.exists()


def test_late_then_early_with_twelve_hours_rest_is_allowed(team, lead, associate, early, late):
    tuesday = MONDAY + dt.timedelta(days=1)
    schedule.apply_changes(
        actor=lead,
        team=team,
        changes=[Change.shift(associate, MONDAY, late), Change.shift(associate, tuesday, early)],
    )
    assert ScheduleEntry.objects.count() == 2


def test_rest_between_late_and_early_is_checked_both_ways(team, lead, associate, site):
    site.weekday_opens_at = dt.time(6)
    site.weekday_closes_at = dt.time(21)
    site.save()
    tuesday = MONDAY + dt.timedelta(days=1)
    evening = Change(
        associate=associate,
        on=MONDAY,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(12),
        ends_at=dt.time(20, 30),
    )
    morning = Change(
        associate=associate,
        on=tuesday,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(6),
        ends_at=dt.time(14),
    )
    schedule.apply_changes(actor=lead, team=team, changes=[morning])
    with pytest.raises(ScheduleConflict, match=r"only 9.5 h rest before Tue 8 Jan"):
        schedule.apply_changes(actor=lead, team=team, changes=[evening])
    assert ScheduleEntry.objects.count() == 1


def test_a_seventh_consecutive_working_day_is_refused(team, lead, associate, early, weekend):
    week = days(MONDAY, 7)
    changes = [Change.shift(associate, d, early) for d in week[:5]]
    changes.append(Change.shift(associate, week[5], weekend))
    for day in week[5:]:  # weekend work is a rota duty
        WeekendDutyFactory(associate=associate, on=day)
    schedule.apply_changes(actor=lead, team=team, changes=changes)
    with pytest.raises(ScheduleConflict, match="7 days in a row"):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, week[6], weekend)]
        )


def test_a_weekday_template_on_a_saturday_is_refused(team, lead, associate, early):
    saturday = MONDAY + dt.timedelta(days=5)
    with pytest.raises(ScheduleConflict, match="Early is only for weekdays"):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, saturday, early)]
        )


def test_a_shift_on_approved_time_off_is_refused(team, lead, associate, early):
    from scheduling.models import TimeOffRequest

    TimeOffRequestFactory(
        associate=associate,
        first_day=MONDAY,
        last_day=MONDAY,
        status=TimeOffRequest.Status.APPROVED,
    )
    with pytest.raises(ScheduleConflict, match="approved time off"):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )


def test_a_refused_batch_writes_nothing(team, lead, associate, teammate, early, weekend):
    saturday = MONDAY + dt.timedelta(days=5)
    with pytest.raises(ScheduleConflict):
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[
                Change.shift(teammate, MONDAY, early),
                Change.shift(associate, saturday, early),
            ],
        )
    assert not ScheduleEntry.objects.exists()


def test_a_change_that_changes_nothing_writes_no_history(team, lead, associate, early):
    change = Change.shift(associate, MONDAY, early)
    assert schedule.apply_changes(actor=lead, team=team, changes=[change]) == 1
    assert schedule.apply_changes(actor=lead, team=team, changes=[change]) == 0
    assert ScheduleEntry.history.count() == 1
    assert ScheduleEntry.history.get().history_user == lead


class TestDaylightSaving:
    # Europe/Dublin springs forward at 01:00 UTC on Sunday 29 March 2026 and
    # falls back at 01:00 UTC on Sunday 25 October 2026.
    SPRING, AUTUMN = dt.date(2026, 3, 29), dt.date(2026, 10, 25)

    def entry(self, associate, on, start, end, pause=0):
        return ScheduleEntry(
            associate=associate,
            on=on,
            kind=EntryKind.SHIFT,
            starts_at=start,
            ends_at=end,
            break_minutes=pause,
        )

    def test_a_nine_oclock_shift_stays_nine_oclock_local_across_the_change(self, associate):
        before = self.entry(associate, self.SPRING - dt.timedelta(days=1), dt.time(9), dt.time(17))
        after = self.entry(associate, self.SPRING + dt.timedelta(days=1), dt.time(9), dt.time(17))
        assert before.starts(DUBLIN).hour == after.starts(DUBLIN).hour == 9
        assert before.starts(DUBLIN).astimezone(dt.UTC).hour == 9
        assert after.starts(DUBLIN).astimezone(dt.UTC).hour == 8

    def test_a_shift_over_the_spring_change_is_an_hour_shorter(self, associate):
        shift = self.entry(associate, self.SPRING, dt.time(0), dt.time(8), pause=30)
        assert shift.worked(DUBLIN) == dt.timedelta(hours=6, minutes=30)

    def test_a_shift_over_the_autumn_change_is_an_hour_longer(self, associate):
        shift = self.entry(associate, self.AUTUMN, dt.time(0), dt.time(8))
        assert shift.worked(DUBLIN) == dt.timedelta(hours=9)

    def test_a_daytime_shift_on_the_change_day_is_its_nominal_length(self, associate):
        shift = self.entry(associate, self.SPRING, dt.time(9), dt.time(17, 30), pause=30)
        assert shift.worked(DUBLIN) == dt.timedelta(hours=8)

    def test_rest_across_the_spring_night_is_measured_in_real_time(
        self, team, lead, associate, site
    ):
        # Saturday 19:00 (GMT) to Sunday 06:00 (IST) is 10 real hours, not 11.
        site.weekend_opens_at, site.weekend_closes_at = dt.time(6), dt.time(19)
        site.save()
        saturday, sunday = self.SPRING - dt.timedelta(days=1), self.SPRING
        for day in (saturday, sunday):  # weekend work is a rota duty
            WeekendDutyFactory(associate=associate, on=day)
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[
                Change(
                    associate=associate,
                    on=saturday,
                    kind=EntryKind.SHIFT,
                    starts_at=dt.time(11),
                    ends_at=dt.time(19),
                )
            ],
        )
        with pytest.raises(ScheduleConflict, match=r"only 10.0 h rest"):
            schedule.apply_changes(
                actor=lead,
                team=team,
                changes=[
                    Change(
                        associate=associate,
                        on=sunday,
                        kind=EntryKind.SHIFT,
                        starts_at=dt.time(6),
                        ends_at=dt.time(14),
                    )
                ],
            )
