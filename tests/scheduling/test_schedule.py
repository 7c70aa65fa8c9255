import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from scheduling.models import EntryKind, PublishedEntry, ScheduleEntry, ScheduleWeek
from scheduling.services import schedule
from scheduling.services.schedule import Change
from teams.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AssociateFactory
from tests.scheduling.conftest import MONDAY

pytestmark = pytest.mark.django_db


def grid_url(team, **query):
    url = reverse("scheduling:schedule-grid", kwargs={"team_id": team.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cell_url(team, associate, day):
    return reverse(
        "scheduling:schedule-cell",
        kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": day.isoformat()},
    )


class TestGrid:
    def test_shows_people_days_and_coverage_gaps(
        self, cast, team, lead, associate, early, needs_two
    ):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )
        response = client_for(lead).get(grid_url(team, week=MONDAY.isoformat()))
        grid = response.context["grid"]
        assert [row.associate.name for row in grid.rows] == ["Ada Associate", "Tim Teammate"]
        monday_lines = grid.coverage[MONDAY]
        assert monday_lines[0].label == "On shift"
        assert (monday_lines[0].scheduled, monday_lines[0].required) == (1, 2)
        assert monday_lines[0].is_gap
        html = response.content.decode()
        assert "1/2" in html
        assert "coverage gap" in html

    def test_four_week_view(self, cast, team, lead):
        response = client_for(lead).get(grid_url(team, week=MONDAY.isoformat(), weeks=4))
        assert len(response.context["grid"].days) == 28
        assert len(response.context["grid"].weeks) == 4

    def test_manager_sees_the_grid_without_edit_controls(self, cast, team, manager, associate):
        html = client_for(manager).get(grid_url(team)).content.decode()
        assert "Publish week" not in html
        assert "schedule/cell/" not in html

    def test_htmx_grid_request_returns_the_fragment(self, cast, team, lead):
        response = client_for(lead).get(grid_url(team), headers={"HX-Request": "true"})
        assert response.content.decode().lstrip().startswith('<div id="grid">')

    def test_grid_query_budget_does_not_grow_with_people_or_weeks(
        self, cast, team, lead, early, django_assert_max_num_queries
    ):
        people = [AssociateFactory(team=team) for _ in range(13)]
        changes = [
            Change.shift(p, MONDAY + dt.timedelta(days=d + 7 * w), early)
            for p in people
            for w in range(4)
            for d in range(5)
        ]
        schedule.apply_changes(actor=lead, team=team, changes=changes)
        client = client_for(lead)
        # 16, and three for the single points of failure row (weekend skill needs,
        # queues, certifications).
        with django_assert_max_num_queries(19):
            response = client.get(grid_url(team, week=MONDAY.isoformat(), weeks=4))
        assert len(response.context["grid"].rows) == 15


class TestCellEditing:
    def test_lead_sets_a_cell_with_a_plain_form(self, cast, team, lead, associate, early):
        response = client_for(lead).post(
            cell_url(team, associate, MONDAY), {"assignment": f"t{early.pk}", "note": "training"}
        )
        assert response.status_code == 302
        entry = ScheduleEntry.objects.get()
        assert (entry.kind, entry.starts_at, entry.note) == ("shift", dt.time(7), "training")

    def test_htmx_edit_returns_the_updated_grid_and_clears_the_editor(
        self, cast, team, lead, associate, early
    ):
        response = client_for(lead).post(
            cell_url(team, associate, MONDAY),
            {"assignment": f"t{early.pk}"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="grid">')
        assert 'id="cell-editor" hx-swap-oob="true"' in html

    def test_htmx_edit_with_a_conflict_shows_the_reason_in_the_editor(
        self, cast, team, lead, associate
    ):
        response = client_for(lead).post(
            cell_url(team, associate, MONDAY),
            {"assignment": "custom", "starts_at": "05:00", "ends_at": "12:00"},
            headers={"HX-Request": "true"},
        )
        assert response["HX-Retarget"] == "#cell-editor"
        assert "outside opening hours" in response.content.decode()
        assert not ScheduleEntry.objects.exists()

    def test_custom_shift_needs_both_times(self, cast, team, lead, associate):
        response = client_for(lead).post(
            cell_url(team, associate, MONDAY), {"assignment": "custom", "starts_at": "09:00"}
        )
        assert "A custom shift needs an end time." in response.content.decode()
        assert not ScheduleEntry.objects.exists()

    def test_day_off_and_clearing(self, cast, team, lead, associate):
        client = client_for(lead)
        client.post(cell_url(team, associate, MONDAY), {"assignment": "day_off"})
        assert ScheduleEntry.objects.get().kind == EntryKind.DAY_OFF
        client.post(cell_url(team, associate, MONDAY), {"assignment": ""})
        assert not ScheduleEntry.objects.exists()

    def test_a_lead_cannot_reach_another_teams_people_through_their_own_team(
        self, cast, team, lead, other_associate, early
    ):
        response = client_for(lead).post(
            cell_url(team, other_associate, MONDAY), {"assignment": f"t{early.pk}"}
        )
        assert response.status_code == 404
        assert not ScheduleEntry.objects.exists()

    def test_other_lead_cannot_post_into_this_grid(self, cast, team, other_lead, associate, early):
        response = client_for(other_lead).post(
            cell_url(team, associate, MONDAY), {"assignment": f"t{early.pk}"}
        )
        assert response.status_code == 404
        assert not ScheduleEntry.objects.exists()

    def test_a_bad_date_is_404(self, cast, team, lead, associate):
        url = reverse(
            "scheduling:schedule-cell",
            kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": "2030-02-30"},
        )
        assert client_for(lead).get(url).status_code == 404


class TestBulkAndCopy:
    def test_assign_a_template_to_several_people_and_days_in_one_action(
        self, cast, team, lead, associate, teammate, early
    ):
        days = [(MONDAY + dt.timedelta(days=n)).isoformat() for n in range(5)]
        response = client_for(lead).post(
            reverse("scheduling:schedule-assign", kwargs={"team_id": team.pk}),
            {
                "week": MONDAY.isoformat(),
                "template": early.pk,
                "associates": [associate.pk, teammate.pk],
                "days": days,
            },
            follow=True,
        )
        assert ScheduleEntry.objects.filter(template=early).count() == 10
        assert "Early assigned: 2 people × 5 days" in response.content.decode()

    def test_a_bulk_assign_with_one_conflict_writes_nothing_and_says_why(
        self, cast, team, lead, associate, teammate, early
    ):
        days = [(MONDAY + dt.timedelta(days=n)).isoformat() for n in range(6)]  # includes Saturday
        response = client_for(lead).post(
            reverse("scheduling:schedule-assign", kwargs={"team_id": team.pk}),
            {
                "week": MONDAY.isoformat(),
                "template": early.pk,
                "associates": [associate.pk, teammate.pk],
                "days": days,
            },
            follow=True,
        )
        assert not ScheduleEntry.objects.exists()
        html = response.content.decode()
        assert "refused and nothing changed" in html
        assert html.count("Early is only for weekdays") == 1  # each reason once
        assert html.count("weekend work comes from the weekend rota") == 1

    def test_bulk_assign_cannot_pick_people_from_another_team(
        self, cast, team, lead, other_associate, early
    ):
        client_for(lead).post(
            reverse("scheduling:schedule-assign", kwargs={"team_id": team.pk}),
            {
                "week": MONDAY.isoformat(),
                "template": early.pk,
                "associates": [other_associate.pk],
                "days": [MONDAY.isoformat()],
            },
        )
        assert not ScheduleEntry.objects.exists()

    def test_copy_last_week_fills_only_empty_cells(
        self, cast, team, lead, associate, teammate, early, late
    ):
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[
                Change.shift(associate, MONDAY, early),
                Change.shift(teammate, MONDAY, early),
                Change(
                    associate=associate, on=MONDAY + dt.timedelta(days=1), kind=EntryKind.DAY_OFF
                ),
            ],
        )
        next_monday = MONDAY + dt.timedelta(days=7)
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(teammate, next_monday, late)]
        )
        client_for(lead).post(
            reverse("scheduling:schedule-copy", kwargs={"team_id": team.pk}),
            {"week": next_monday.isoformat()},
        )
        target = {
            (e.associate_id, e.on): e for e in ScheduleEntry.objects.filter(on__gte=next_monday)
        }
        assert target[(associate.pk, next_monday)].template == early
        assert target[(associate.pk, next_monday + dt.timedelta(days=1))].kind == EntryKind.DAY_OFF
        assert target[(teammate.pk, next_monday)].template == late  # kept, not overwritten


class TestPublishing:
    def publish(self, client, team, monday=MONDAY):
        return client.post(
            reverse("scheduling:schedule-publish", kwargs={"team_id": team.pk}),
            {"week": monday.isoformat()},
        )

    def test_associates_see_only_published_weeks(
        self, cast, team, lead, associate, early, time_machine, django_capture_on_commit_callbacks
    ):
        time_machine.move_to(dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC))
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )
        me = client_for(associate.user)
        assert me.get(reverse("scheduling:my-schedule")).context["today_entry"] is None

        with django_capture_on_commit_callbacks(execute=True):
            self.publish(client_for(lead), team)
        today = me.get(reverse("scheduling:my-schedule")).context["today_entry"]
        assert today.label() == "07:00–15:30"

    def test_publishing_emails_everyone_with_a_week_then_only_those_changed(
        self, cast, team, lead, associate, teammate, early, late, django_capture_on_commit_callbacks
    ):
        client = client_for(lead)
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change.shift(associate, MONDAY, early), Change.shift(teammate, MONDAY, early)],
        )
        with django_capture_on_commit_callbacks(execute=True):
            self.publish(client, team)
        assert sorted(m.to[0] for m in mail.outbox) == [
            "associate@example.com",
            "teammate@example.com",
        ]
        assert "07:00–15:30 (Early)" in mail.outbox[0].body
        assert ScheduleWeek.objects.get().published_at is not None

        mail.outbox.clear()
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(teammate, MONDAY, late)]
        )
        assert PublishedEntry.objects.get(associate=teammate).template == early  # not yet
        with django_capture_on_commit_callbacks(execute=True):
            self.publish(client, team)
        assert [m.to[0] for m in mail.outbox] == ["teammate@example.com"]
        assert "has changed" in mail.outbox[0].subject
        assert PublishedEntry.objects.get(associate=teammate).template == late

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            self.publish(client, team)
        assert mail.outbox == []

    def test_each_publish_is_one_audit_event_with_the_team_and_the_week(
        self, cast, team, lead, associate, teammate, early
    ):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )
        client = client_for(lead)
        self.publish(client, team)
        self.publish(client, team)  # nothing new: still the lead's act, with nobody changed

        first, again = AuditEvent.objects.filter(action="schedule.week_published").order_by("pk")
        week = ScheduleWeek.objects.get()
        assert (first.actor, first.team, first.site_id) == (lead, team, team.site_id)
        assert (first.target_type, first.target_id) == ("scheduling.scheduleweek", week.pk)
        assert first.target_label == f"Payments, week of {MONDAY.isoformat()}"
        assert first.details == {
            "week": MONDAY.isoformat(),
            "first_time": True,
            "people_changed": 1,
        }
        assert again.details == {
            "week": MONDAY.isoformat(),
            "first_time": False,
            "people_changed": 0,
        }

    def test_history_shows_who_changed_what(self, cast, team, lead, associate, early, late):
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, early)]
        )
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, MONDAY, late)]
        )
        response = client_for(lead).get(
            reverse("scheduling:schedule-history", kwargs={"team_id": team.pk}),
            {"week": MONDAY.isoformat()},
        )
        changes = response.context["history"]
        assert len(changes) == 2
        assert changes[0].fields[0].before == "07:00–15:30"
        assert changes[0].fields[0].after == "10:30–19:00"
        assert "Lena Lead" in response.content.decode()


class TestToday:
    def test_today_is_the_sites_day_near_midnight(
        self, cast, team, lead, associate, early, time_machine
    ):
        tuesday = MONDAY + dt.timedelta(days=1)
        schedule.apply_changes(
            actor=lead, team=team, changes=[Change.shift(associate, tuesday, early)]
        )
        schedule.publish_week(actor=lead, team=team, monday=MONDAY)
        # 23:30 UTC on Monday is 23:30 in Dublin in winter: still Monday.
        time_machine.move_to(dt.datetime(2030, 1, 7, 23, 30, tzinfo=dt.UTC))
        me = client_for(associate.user)
        assert me.get(reverse("scheduling:my-schedule")).context["today"] == MONDAY
        team.site.time_zone = "Europe/Helsinki"  # UTC+2: already Tuesday
        team.site.save()
        response = me.get(reverse("scheduling:my-schedule"))
        assert response.context["today"] == tuesday
        assert response.context["today_entry"].label() == "07:00–15:30"


def test_a_break_as_long_as_the_shift_is_refused(cast, team, lead, associate):
    url = reverse(
        "scheduling:schedule-cell",
        kwargs={"team_id": team.pk, "associate_id": associate.pk, "day": MONDAY.isoformat()},
    )
    response = client_for(lead).post(
        url,
        {"assignment": "custom", "starts_at": "09:00", "ends_at": "10:00", "break_minutes": "120"},
    )
    assert "The break must be shorter than the shift." in response.content.decode()
    assert not ScheduleEntry.objects.exists()


class TestWeeklyHoursAndPublishFlag:
    def _earlies(self, lead, team, associate, early, days):
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change.shift(associate, MONDAY + dt.timedelta(days=i), early) for i in days],
        )

    def test_weekly_hours_sum_shift_lengths_and_warn_over_the_limit(
        self, cast, team, lead, associate, early, settings
    ):
        from scheduling.selectors.schedule import WeekHours, schedule_grid

        # Early is 07:00–15:30 less a 30-minute break: 8 h. The limit is 40 h.
        self._earlies(lead, team, associate, early, range(4))
        schedule.apply_changes(
            actor=lead,
            team=team,
            changes=[Change(associate=associate, on=MONDAY + dt.timedelta(days=4), kind="day_off")],
        )
        row = next(r for r in schedule_grid(team, MONDAY, 1).rows if r.associate == associate)
        (week,) = row.week_hours
        assert (week.hours, week.limit, week.over) == (32.0, 40.0, False)
        self._earlies(lead, team, associate, early, [4])
        assert next(
            r for r in schedule_grid(team, MONDAY, 1).rows if r.associate == associate
        ).week_hours[0] == WeekHours(MONDAY, 40.0, 40.0)
        assert not WeekHours(MONDAY, 40.0, 40.0).over
        settings.SCHEDULE_WEEKLY_HOURS_LIMIT = 39
        grid = schedule_grid(team, MONDAY, 2)
        row = next(r for r in grid.rows if r.associate == associate)
        assert [(w.starts_on, w.hours, w.over) for w in row.week_hours] == [
            (MONDAY, 40.0, True),
            (MONDAY + dt.timedelta(days=7), 0.0, False),
        ]
        html = client_for(lead).get(grid_url(team, week=MONDAY.isoformat())).content.decode()
        assert "40 h<br><small>over 39 h</small>" in html
        assert "over-hours" in html

    def test_the_hours_limit_follows_the_contract(
        self, cast, team, lead, associate, early, settings
    ):
        """A 20-hour part-timer planned for 32 hours is warned; a 48-hour contract's
        limit is 48, not a flat 40 (the contract plus an hour, at most 48)."""
        from scheduling.selectors.schedule import schedule_grid

        self._earlies(lead, team, associate, early, range(4))  # 32 h
        associate.weekly_hours = 20
        associate.save()
        row = next(r for r in schedule_grid(team, MONDAY, 1).rows if r.associate == associate)
        assert (row.week_hours[0].limit, row.week_hours[0].over) == (21.0, True)
        associate.weekly_hours = 48
        associate.save()
        row = next(r for r in schedule_grid(team, MONDAY, 1).rows if r.associate == associate)
        assert (row.week_hours[0].limit, row.week_hours[0].over) == (48.0, False)

    def test_publish_changes_is_disabled_until_the_week_changes(
        self, cast, team, lead, associate, early
    ):
        client = client_for(lead)
        self._earlies(lead, team, associate, early, [0])
        schedule.publish_week(actor=lead, team=team, monday=MONDAY)
        html = client.get(grid_url(team, week=MONDAY.isoformat())).content.decode()
        assert '<button class="small publish" type="submit" disabled' in html
        assert "Nothing to publish" in html
        self._earlies(lead, team, associate, early, [1])
        html = client.get(grid_url(team, week=MONDAY.isoformat())).content.decode()
        assert '<button class="small publish" type="submit">Publish changes</button>' in html
        assert "Nothing to publish" not in html

    def test_one_cell_editor_replaced_not_nested_and_a_day_list_for_phones(
        self, cast, team, lead, associate
    ):
        html = client_for(lead).get(grid_url(team, weeks="4")).content.decode()
        assert html.count('id="cell-editor"') == 1
        assert 'hx-target="#cell-editor" hx-swap="outerHTML"' in html
        assert 'class="day-lists"' in html
        editor = client_for(lead).get(
            cell_url(team, associate, MONDAY), headers={"HX-Request": "true"}
        )
        fragment = editor.content.decode()
        assert fragment.lstrip().startswith('<div id="cell-editor"')
        assert fragment.count('id="cell-editor"') == 1
