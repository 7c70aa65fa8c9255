"""Protected time: a lead books training, meetings, coaching or project time for people
of their team; who can be booked; what it tells the lead about the day's cover; who
sees the activity."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from scheduling.models import Activity, EntryKind, ForecastInterval, Queue, TimeOffRequest
from scheduling.selectors.capacity import capacity_days
from scheduling.services import activities as services
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    QueueFactory,
    ScheduleEntryFactory,
    SkillFactory,
    TimeOffRequestFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2030, 1, 8)  # a Tuesday; Dublin is on UTC in winter


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 7, 12, tzinfo=dt.UTC), tick=False)


def on_shift(person, day=DAY, start=dt.time(7), end=dt.time(15, 30)):
    return ScheduleEntryFactory(
        associate=person, on=day, kind=EntryKind.SHIFT, starts_at=start, ends_at=end
    )


def form(*people, **overrides):
    data = {
        "kind": "training",
        "title": "Refunds training",
        "on": DAY.isoformat(),
        "starts_at": "10:00",
        "ends_at": "11:00",
        "attendees": [str(p.pk) for p in people],
    }
    return data | overrides


def create_url(team):
    return reverse("scheduling:activity-create", kwargs={"team_id": team.pk})


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def book(lead, team, *people, **fields):
    values = {
        "kind": "training",
        "title": "Refunds training",
        "on": DAY,
        "starts_at": dt.time(10),
        "ends_at": dt.time(11),
    } | fields
    return services.book_activity(actor=lead, team=team, attendees=list(people), **values)


def test_a_lead_books_training_and_the_manager_reads_it(cast, team, lead, manager, associate):
    on_shift(associate)
    response = client_for(lead).post(create_url(team), form(associate))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.title, activity.on, activity.created_by) == ("Refunds training", DAY, lead)
    assert list(activity.attendees.all()) == [associate]
    assert said(response) == ["Booked: Refunds training, Tue 8 Jan."]
    page = client_for(manager).get(response["Location"])
    body = page.content.decode()
    assert "Refunds training" in body
    assert associate.name in body
    assert "Book an activity" not in body  # read-only for the manager


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "09:00"}, "An activity ends after it starts."),
        ({"starts_at": "06:00"}, "outside Dublin&#x27;s opening hours on Tue 8 Jan (07:00–19:00)"),
        ({"on": "2031-06-01"}, "Choose a day between"),
        ({"attendees": []}, "Book at least one person."),
        ({"title": "Refunds\u202etraining"}, "Remove the control character"),
    ],
)
def test_times_days_and_titles_that_make_no_sense_are_refused(
    cast, team, lead, associate, overrides, message
):
    response = client_for(lead).post(create_url(team), form(associate, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_only_active_people_of_the_team_can_be_booked(cast, team, lead, other_associate):
    gone = AssociateFactory(team=team, is_active=False)
    for person in (other_associate, gone):
        response = client_for(lead).post(create_url(team), form(person))
        assert "Select a valid choice" in response.content.decode()
    # The service refuses them too, whatever calls it.
    with pytest.raises(ValidationError, match="not an active member"):
        book(lead, team, other_associate)
    with pytest.raises(ValidationError, match="not an active member"):
        book(lead, team, gone)
    assert not Activity.objects.exists()


def test_someone_on_leave_or_off_that_day_cannot_be_booked(cast, team, lead, associate, teammate):
    TimeOffRequestFactory(associate=associate, first_day=DAY, last_day=DAY, status="approved")
    ScheduleEntryFactory(associate=teammate, on=DAY, kind=EntryKind.DAY_OFF)
    response = client_for(lead).post(create_url(team), form(associate, teammate))
    body = response.content.decode()
    assert f"{associate.name} is on annual leave (paid) on Tue 8 Jan." in body
    assert f"{teammate.name} has a day off on Tue 8 Jan." in body
    assert not Activity.objects.exists()


def test_a_joiner_cannot_be_booked_before_their_first_day(cast, team, lead):
    joiner = AssociateFactory(team=team, hired_on=DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="not on the team on Tue 8 Jan"):
        book(lead, team, joiner)


def test_an_unplanned_day_or_a_time_outside_the_shift_is_saved_with_a_note(
    cast, team, lead, associate, teammate
):
    on_shift(teammate, start=dt.time(12), end=dt.time(19))
    TimeOffRequestFactory(associate=teammate, first_day=DAY, last_day=DAY + dt.timedelta(days=2))
    response = client_for(lead).post(create_url(team), form(associate, teammate))
    assert response.status_code == 302
    assert said(response)[1:] == [
        f"{associate.name}'s Tue 8 Jan is not planned yet: give them a shift.",
        f"{teammate.name} has asked for leave on Tue 8 Jan (not decided yet).",
        f"10:00–11:00 runs outside {teammate.name}'s shift (12:00–19:00).",
    ]
    assert Activity.objects.get().attendees.count() == 2


def test_half_a_day_of_leave_is_a_note_not_a_refusal(cast, team, lead, associate):
    on_shift(associate)
    TimeOffRequestFactory(
        associate=associate,
        first_day=DAY,
        last_day=DAY,
        last_day_part="morning",
        status=TimeOffRequest.Status.APPROVED,
    )
    booked = book(lead, team, associate, starts_at=dt.time(14), ends_at=dt.time(15))
    assert booked.notes == [f"{associate.name} has the morning of Tue 8 Jan off."]


def test_sending_the_same_booking_twice_books_it_once(cast, team, lead, associate):
    on_shift(associate)
    client = client_for(lead)
    client.post(create_url(team), form(associate))
    second = client.post(create_url(team), form(associate))
    assert second.status_code == 302
    assert "Already booked: Refunds training, Tue 8 Jan." in said(second)
    assert Activity.objects.count() == 1


@pytest.fixture
def busy_chat(team, associate, teammate):
    """Two people on a chat queue that needs more than two at 10:00 and nobody else."""
    skill = SkillFactory(name="Payments")
    chat = QueueFactory(team=team, name="Payments chat", skill=skill, channel=Queue.Channel.LIVE)
    ForecastInterval.objects.create(
        queue=chat,
        starts_at=dt.datetime(2030, 1, 8, 10, tzinfo=dt.UTC),
        contacts=30,
        handle_time_seconds=432,
    )
    for person in (associate, teammate):
        AssociateSkillFactory(associate=person, skill=skill)
        on_shift(person)
    return chat


def test_booking_into_a_short_interval_warns_with_the_nearest_quiet_slot(
    cast, team, lead, associate, busy_chat
):
    response = client_for(lead).post(
        create_url(team), form(associate, starts_at="10:00", ends_at="10:30")
    )
    messages = said(response)
    assert len(messages) == 2
    assert messages[1].startswith(f"Refunds training at 10:00 takes {associate.user.first_name} ")
    (day,) = capacity_days(team, [DAY])
    ten = next(c for c in day.rows[0].cells if c.interval.label == "10:00")
    assert ten.have == 1  # the teammate; Ada is in training
    # Nobody is needed at 09:30: the nearest quiet slot, earlier first.
    assert messages[1].endswith(f" off Payments chat when it is {ten.short} short; 09:30 has room.")


def test_booking_into_a_quiet_interval_does_not_warn(cast, team, lead, associate, busy_chat):
    response = client_for(lead).post(
        create_url(team), form(associate, starts_at="13:00", ends_at="14:00")
    )
    assert said(response) == ["Booked: Refunds training, Tue 8 Jan."]


def test_a_lead_changes_and_cancels_an_activity(cast, team, lead, associate, teammate):
    on_shift(associate)
    on_shift(teammate)
    activity = book(lead, team, associate).activity
    client = client_for(lead)
    url = reverse(
        "scheduling:activity-edit", kwargs={"team_id": team.pk, "activity_id": activity.pk}
    )
    page = client.get(url)
    assert 'value="Refunds training"' in page.content.decode()
    response = client.post(url, form(teammate, title="Chargebacks training", ends_at="12:00"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.ends_at) == ("Chargebacks training", dt.time(12))
    assert list(activity.attendees.all()) == [teammate]
    delete = reverse(
        "scheduling:activity-delete", kwargs={"team_id": team.pk, "activity_id": activity.pk}
    )
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not Activity.objects.exists()
    assert client.post(delete).status_code == 404  # gone


def test_another_team_s_activity_is_not_found_through_my_team(
    cast, team, other_team, lead, other_lead, other_associate
):
    on_shift(other_associate)
    theirs = book(other_lead, other_team, other_associate).activity
    url = reverse(
        "scheduling:activity-delete", kwargs={"team_id": team.pk, "activity_id": theirs.pk}
    )
    assert client_for(lead).post(url).status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()


def test_cancelling_twice_is_harmless(cast, team, lead, associate):
    on_shift(associate)
    activity = book(lead, team, associate).activity
    assert services.cancel_activity(actor=lead, activity=activity) is True
    assert services.cancel_activity(actor=lead, activity=activity) is False


def test_associates_see_only_the_activities_they_attend_on_my_schedule(
    cast, team, lead, associate, teammate
):
    on_shift(associate)
    book(lead, team, associate, title="Coaching on refunds QA", kind="coaching")
    today = DAY - dt.timedelta(days=1)
    on_shift(associate, day=today)
    book(lead, team, associate, title="Team stand-up", kind="team_meeting", on=today)
    page = client_for(associate.user).get(reverse("scheduling:my-schedule"))
    mine = page.content.decode()
    assert "10:00–11:00 Coaching on refunds QA" in mine
    assert [a.title for a in page.context["today_activities"]] == ["Team stand-up"]
    theirs = client_for(teammate.user).get(reverse("scheduling:my-schedule")).content.decode()
    assert "Coaching on refunds QA" not in theirs


def test_the_list_shows_a_span_and_its_fragment_in_a_fixed_number_of_queries(
    cast, team, lead, associate, teammate, django_assert_max_num_queries
):
    for n in range(10):
        Activity.objects.create(
            team=team,
            kind="team_meeting",
            title=f"Stand-up {n}",
            on=DAY + dt.timedelta(days=n),
            starts_at=dt.time(9),
            ends_at=dt.time(9, 30),
        ).attendees.set([associate, teammate])
    url = reverse("scheduling:activity-list", kwargs={"team_id": team.pk})
    client = client_for(lead)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(8):
        page = client.get(url, {"from": "2030-01-09", "to": "2030-01-12"})
    shown = [a.title for a in page.context["activities"]]
    assert shown == ["Stand-up 1", "Stand-up 2", "Stand-up 3", "Stand-up 4"]
    fragment = client.get(url, {"from": "2030-01-09"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert body.lstrip().startswith('<section id="activity-list">')
    assert "<html" not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2030-01-09", "to": "2030-01-01"}, "The last day cannot be before the first."),
        ({"from": "2030-01-01", "to": "2030-12-31"}, "Show at most 92 days at once."),
        ({"from": "0001-01-01"}, "Choose a day within five years of today."),
    ],
)
def test_a_bad_span_shows_the_default_and_says_why(cast, team, lead, query, message):
    url = reverse("scheduling:activity-list", kwargs={"team_id": team.pk})
    page = client_for(lead).get(url, query)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert (page.context["first"], page.context["last"]) == (
        dt.date(2030, 1, 7),
        dt.date(2030, 2, 3),
    )
