"""A team's queues: the lead adds and changes them, managers read them; every field
is checked with a message in plain words, and the handle time shows where it comes
from."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.forms import QueueForm
from scheduling.models import Queue
from scheduling.selectors.queues import duration_label
from tests.conftest import client_for
from tests.factories import QueueFactory, QueueVolumeFactory, SkillFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(db):
    return SkillFactory(name="Live chat")


def form_data(skill, /, **changes: str) -> dict[str, str]:
    return {
        "name": "Payments chat",
        "channel": "live",
        "skill": str(skill.pk),
        "service_level_percent": "80",
        "target_value": "60",
        "target_unit": "s",
        "handle_time_seconds": "",
        "shrinkage_percent": "30",
        "max_occupancy_percent": "85",
        "interval_minutes": "30",
        "is_active": "on",
    } | changes


def list_url(team) -> str:
    return reverse("scheduling:queue-list", kwargs={"team_id": team.pk})


def edit_url(queue) -> str:
    return reverse("scheduling:queue-edit", kwargs={"team_id": queue.team_id, "queue_id": queue.pk})


def test_a_lead_adds_a_live_and_a_deferred_queue_with_targets_as_said(team, lead, chat):
    client = client_for(lead)
    response = client.post(list_url(team), form_data(chat))
    assert response.status_code == 302
    email = SkillFactory(name="Email queue")
    client.post(
        list_url(team),
        form_data(
            email,
            name="Payments e-mail",
            channel="deferred",
            service_level_percent="90",
            target_value="4",
            target_unit="h",
            handle_time_seconds="540",
        ),
    )
    live, deferred = Queue.objects.for_team(team).order_by("name")
    assert (live.channel, live.target_seconds, live.handle_time_seconds) == ("live", 60, None)
    assert (deferred.target_seconds, deferred.handle_time_seconds) == (14400, 540)
    assert deferred.skill == email
    assert deferred.is_active
    page = client.get(list_url(team)).content.decode()
    assert "80 % in 60 s" in page
    assert "90 % within 4 h" in page
    assert "9 min" in page  # 540 s, as people say it


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"service_level_percent": "0"}, "service_level_percent", "from 1 to 99 %"),
        ({"service_level_percent": "100"}, "service_level_percent", "from 1 to 99 %"),
        ({"service_level_percent": "eighty"}, "service_level_percent", "from 1 to 99 %"),
        ({"shrinkage_percent": "95"}, "shrinkage_percent", "Shrinkage is a whole number from 0"),
        ({"max_occupancy_percent": "40"}, "max_occupancy_percent", "from 50 to 100 %"),
        ({"handle_time_seconds": "0"}, "handle_time_seconds", "from 1 to 86,400 seconds"),
        ({"handle_time_seconds": "-5"}, "handle_time_seconds", "from 1 to 86,400 seconds"),
        ({"target_value": "2", "target_unit": "h"}, "target_value", "make it a deferred queue"),
        (
            {"channel": "deferred", "target_value": "10", "target_unit": "min"},
            "target_value",
            "at least one interval (30 minutes)",
        ),
        (
            {"channel": "deferred", "target_value": "200", "target_unit": "h"},
            "target_value",
            "at most 7 days",
        ),
        ({"target_value": "99999999999"}, "target_value", "The target time is a whole number"),
        ({"target_unit": "days"}, "target_unit", "Choose seconds, minutes or hours."),
        ({"skill": ""}, "skill", "Choose the skill people need to work this queue."),
        ({"skill": "999999"}, "skill", "Choose one of the skills in the list."),
        ({"name": "   "}, "name", "Give the queue a name."),
        ({"name": "12"}, "name", "a name of digits only would read as a number"),
        ({"name": "Chat\u202e"}, "name", "Remove the control character (U+202E)"),
        ({"channel": "carrier pigeon"}, "channel", "Choose live or deferred."),
        ({"interval_minutes": "20"}, "interval_minutes", "Choose 30 or 15 minutes."),
    ],
)
def test_each_bad_field_is_refused_in_plain_words(team, lead, chat, changes, field, message):
    response = client_for(lead).post(list_url(team), form_data(chat, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in e for e in errors[field]), errors[field]
    assert not Queue.objects.exists()


def test_a_name_is_once_per_team_whatever_its_case_but_another_team_may_use_it(
    team, lead, chat, site
):
    QueueFactory(team=team, name="Payments chat", skill=chat)
    response = client_for(lead).post(list_url(team), form_data(chat, name="PAYMENTS CHAT"))
    assert "already has a queue named “Payments chat”" in response.content.decode()
    QueueFactory(team=TeamFactory(site=site), name="Billing", skill=chat)
    assert client_for(lead).post(list_url(team), form_data(chat, name="Billing")).status_code == 302


def test_the_lead_changes_a_queue_and_its_history_is_kept(team, lead, chat):
    queue = QueueFactory(team=team, name="Chat", skill=chat, target_seconds=20)
    client = client_for(lead)
    page = client.get(edit_url(queue))
    assert page.context["form"]["target_value"].value() == 20
    response = client.post(
        edit_url(queue), form_data(chat, name="Chat", target_value="2", target_unit="min")
    )
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.target_seconds == 120
    assert queue.history.count() == 2
    assert queue.history.first().history_user == lead
    # Switched off, it stays listed (its history kept) but marked inactive.
    data = form_data(chat, name="Chat", target_value="2", target_unit="min")
    del data["is_active"]
    client.post(edit_url(queue), data)
    queue.refresh_from_db()
    assert not queue.is_active
    assert "Inactive" in client.get(list_url(team)).content.decode()


def test_an_edit_form_shows_the_target_in_the_unit_the_lead_said_it(team, chat):
    queue = QueueFactory(team=team, skill=chat, channel="deferred", target_seconds=4 * 3600)
    form = QueueForm(instance=queue, team=team)
    assert (form["target_value"].value(), form["target_unit"].value()) == (4, "h")
    assert "is_active" in form.fields
    assert "is_active" not in QueueForm(team=team).fields  # a new queue is active


def test_the_interval_is_fixed_once_the_queue_has_volume_history(team, lead, chat):
    queue = QueueFactory(team=team, name="Chat", skill=chat)
    client = client_for(lead)
    assert client.post(edit_url(queue), form_data(chat, name="Chat", interval_minutes="15"))
    queue.refresh_from_db()
    assert queue.interval_minutes == 15  # no history yet: it may change
    QueueVolumeFactory(queue=queue)
    response = client.post(edit_url(queue), form_data(chat, name="Chat", interval_minutes="30"))
    assert "has volume history in 15-minute intervals" in response.content.decode()
    queue.refresh_from_db()
    assert queue.interval_minutes == 15


def test_handle_time_from_history_shows_the_measured_average(team, lead, chat):
    measured = QueueFactory(team=team, name="A measured", skill=chat, handle_time_seconds=None)
    fixed = QueueFactory(team=team, name="B fixed", skill=chat, handle_time_seconds=300)
    QueueFactory(team=team, name="C new", skill=chat, handle_time_seconds=None)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    for queue in (measured, fixed):
        # 10 contacts at 400 s and 30 at 300 s: 325 s, weighted by contacts handled.
        QueueVolumeFactory(
            queue=queue, starts_at=start, offered=10, handled=10, handle_time_seconds=400
        )
        QueueVolumeFactory(
            queue=queue,
            starts_at=start + dt.timedelta(minutes=30),
            offered=30,
            handled=30,
            handle_time_seconds=300,
        )
        # Older than 12 weeks: not counted.
        QueueVolumeFactory(
            queue=queue,
            starts_at=start - dt.timedelta(weeks=13),
            offered=50,
            handled=50,
            handle_time_seconds=900,
        )
    rows = {r.queue.name: r for r in client_for(lead).get(list_url(team)).context["rows"]}
    assert rows["A measured"].handle_time_label == "from history: 5 min 25 s"
    assert rows["A measured"].planned_seconds == 325
    assert rows["B fixed"].handle_time_label == "5 min"
    assert rows["B fixed"].measured_label == "history: 5 min 25 s"
    assert rows["C new"].handle_time_label == "from history: none yet, planned with 6 min"
    assert rows["C new"].planned_seconds == Queue.DEFAULT_HANDLE_SECONDS


@pytest.mark.parametrize(
    ("seconds", "label"), [(45, "45 s"), (360, "6 min"), (348.4, "5 min 48 s"), (3900, "1 h 5 min")]
)
def test_durations_read_as_people_say_them(seconds, label):
    assert duration_label(seconds) == label


def test_managers_read_the_queues_but_change_nothing(team, manager, chat):
    queue = QueueFactory(team=team, name="Chat", skill=chat)
    client = client_for(manager)
    page = client.get(list_url(team))
    assert page.status_code == 200
    assert "Chat" in page.content.decode()
    assert "Add a queue" not in page.content.decode()
    assert edit_url(queue) not in page.content.decode()
    assert client.post(list_url(team), form_data(chat, name="New")).status_code == 403
    assert client.get(edit_url(queue)).status_code == 403
    assert client.post(edit_url(queue), form_data(chat, name="Changed")).status_code == 403
    assert Queue.objects.get().name == "Chat"


def test_another_teams_queue_is_a_404_even_through_ones_own_team(
    team, other_team, lead, other_lead, chat
):
    theirs = QueueFactory(team=other_team, skill=chat)
    client = client_for(lead)
    through_mine = reverse(
        "scheduling:queue-edit", kwargs={"team_id": team.pk, "queue_id": theirs.pk}
    )
    assert client.get(through_mine).status_code == 404
    assert client.get(edit_url(theirs)).status_code == 404
    assert client_for(other_lead).get(edit_url(theirs)).status_code == 200


def test_the_team_tabs_link_to_the_queues(team, lead):
    page = client_for(lead).get(reverse("teams:team-detail", kwargs={"team_id": team.pk}))
    assert list_url(team) in page.content.decode()


def test_other_methods_are_refused(team, lead, chat):
    queue = QueueFactory(team=team, skill=chat)
    client = client_for(lead)
    assert client.delete(list_url(team)).status_code == 405
    assert client.put(edit_url(queue)).status_code == 405


def test_the_list_has_a_fixed_query_budget(team, lead, chat, django_assert_max_num_queries):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    for n in range(12):
        queue = QueueFactory(
            team=team, skill=SkillFactory(name=f"Skill {n}"), handle_time_seconds=None
        )
        QueueVolumeFactory(queue=queue, starts_at=start)
    client = client_for(lead)
    with django_assert_max_num_queries(8):
        response = client.get(list_url(team))
    assert len(response.context["rows"]) == 12
