"""The day's queue plan in the app: proposed within skills, shifts and breaks; a cell the
lead changes is kept; publishing shows each associate their blocks (page and iCal)."""

import datetime as dt
import re

import icalendar
import pytest

from performance.models import OneOnOne
from scheduling import queue_plan as solver
from scheduling.models import (
    CalendarFeed,
    EntryKind,
    ForecastInterval,
    PublishedEntry,
    Queue,
    QueueAssignment,
    QueuePlan,
)
from scheduling.selectors.queue_plans import plan_day
from scheduling.services import queue_plans as services
from teams.models import AuditEvent
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    QueueFactory,
    ScheduleEntryFactory,
    SkillFactory,
)

DAY = dt.date(2030, 1, 8)  # a Tuesday; Dublin is on UTC in winter


def utc(hour, minute=0):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def queues(team):
    chat = QueueFactory(team=team, name="Chat", skill=SkillFactory(name="Chat skill"))
    mail = QueueFactory(
        team=team,
        name="Mail",
        skill=SkillFactory(name="Mail skill"),
        channel=Queue.Channel.DEFERRED,
        target_seconds=4 * 3600,
    )
    for hour in range(7, 19):
        for minute in (0, 30):
            ForecastInterval.objects.create(
                queue=chat, starts_at=utc(hour, minute), contacts=20, handle_time_seconds=300
            )
            ForecastInterval.objects.create(
                queue=mail, starts_at=utc(hour, minute), contacts=6, handle_time_seconds=600
            )
    return chat, mail


def person(team, name, *skills, start=dt.time(7), end=dt.time(15, 30)):
    who = AssociateFactory(team=team, user__first_name=name, user__username=name.lower())
    for skill, level in skills:
        AssociateSkillFactory(associate=who, skill=skill, level=level)
    ScheduleEntryFactory(
        associate=who, on=DAY, kind=EntryKind.SHIFT, starts_at=start, ends_at=end, break_minutes=30
    )
    return who


@pytest.fixture
def crew(team, queues, lead):
    chat, mail = queues
    ada = person(team, "Ada", (chat.skill, 4), (mail.skill, 2))
    bea = person(team, "Bea", (chat.skill, 3))
    cy = person(team, "Cy", (mail.skill, 3), start=dt.time(10, 30), end=dt.time(19))
    dan = person(team, "Dan", (chat.skill, 1))  # learning: may not take chat
    OneOnOne.objects.create(associate=bea, lead=lead, starts_at=utc(9), on=DAY)
    return ada, bea, cy, dan


@pytest.mark.django_db
def test_a_proposal_respects_skills_shifts_breaks_and_protected_time(lead, team, queues, crew):
    chat, mail = queues
    _ada, bea, _cy, dan = crew
    services.propose(actor=lead, team=team, day=DAY)
    current = plan_day(team, DAY)
    people = {p.associate.pk: p for p in current.people}
    assert current.cells  # something was planned
    for (associate_id, index), cell in current.cells.items():
        interval = current.intervals[index]
        who = people[associate_id]
        assert who.available(interval), (who.associate.name, interval.label)
        if cell.queue_id is not None:
            queue = chat if cell.queue_id == chat.pk else mail
            assert who.can_work(queue)
    assert not any(c.queue_id for (a, _i), c in current.cells.items() if a == dan.pk)
    nine = next(i for i, x in enumerate(current.intervals) if x.label == "09:00")
    assert (bea.pk, nine) not in current.cells  # her 1:1
    plan = QueuePlan.objects.get()
    assert plan.proposal["status"] in {"optimal", "feasible"}
    assert plan.published_at is None


@pytest.mark.django_db
def test_a_cell_changed_by_hand_is_kept_by_the_next_proposal(client, lead, team, queues, crew):
    _chat, mail = queues
    ada, *_ = crew
    services.propose(actor=lead, team=team, day=DAY)
    current = plan_day(team, DAY)
    eight = next(i for i, x in enumerate(current.intervals) if x.label == "08:00")
    client.force_login(lead)
    response = client.post(
        f"/teams/{team.pk}/queue-plan/cell/?day={DAY}",
        {"associate": ada.pk, "index": eight, "queue": mail.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="plan">')
    services.propose(actor=lead, team=team, day=DAY)
    cell = QueueAssignment.objects.get(associate=ada, starts_at=utc(8))
    assert (cell.queue, cell.pinned) == (mail, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "at", "queue", "message"),
    [
        ("Dan", "08:00", "Chat", "not at least capable"),
        ("Cy", "08:00", "Mail", "not free at 08:00 (off shift)"),
        ("Bea", "09:00", "Chat", "not free at 09:00 (Regular 1:1)"),
        ("Ada", "11:00", "Chat", "not free at 11:00 (Break)"),
    ],
)
def test_a_cell_the_day_does_not_allow_is_refused_and_changes_nothing(
    lead, team, queues, crew, who, at, queue, message
):
    people = {p.user.first_name: p for p in crew}
    current = plan_day(team, DAY)
    index = next(i for i, x in enumerate(current.intervals) if x.label == at)
    with pytest.raises(services.QueuePlanRefused, match=re.escape(message)):
        services.set_cell(
            actor=lead,
            team=team,
            day=DAY,
            associate=people[who],
            index=index,
            queue=Queue.objects.get(name=queue),
        )
    assert not QueueAssignment.objects.exists()


@pytest.mark.django_db
def test_publishing_shows_each_associate_their_blocks(
    client, lead, team, queues, crew, time_machine
):
    time_machine.move_to(dt.datetime(2030, 1, 7, 12, 0, tzinfo=dt.UTC))
    ada, *_ = crew
    services.propose(actor=lead, team=team, day=DAY)
    client.force_login(lead)
    assert client.post(f"/teams/{team.pk}/queue-plan/publish/?day={DAY}").status_code == 302
    plan = QueuePlan.objects.get()
    assert plan.published_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.QUEUE_PLAN_PUBLISHED).count() == 1
    # A double click publishes nothing more.
    client.post(f"/teams/{team.pk}/queue-plan/publish/?day={DAY}")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.QUEUE_PLAN_PUBLISHED).count() == 1
    blocks = plan.published_blocks[str(ada.pk)]
    assert blocks
    labels = {b[2] for b in blocks}
    assert labels <= {"Chat", "Mail"}
    # Their iCal shift says which queues.
    PublishedEntry.objects.create(
        associate=ada,
        on=DAY,
        kind=EntryKind.SHIFT,
        starts_at=dt.time(7),
        ends_at=dt.time(15, 30),
        break_minutes=30,
        published_at=plan.published_at,
    )
    feed = CalendarFeed.objects.create(associate=ada, token=CalendarFeed.new_token())
    body = client.get(f"/calendar/{feed.token}.ics").content
    (event,) = [
        e for e in icalendar.Calendar.from_ical(body).walk("VEVENT") if "shift" in str(e["summary"])
    ]
    first = dt.datetime.fromisoformat(blocks[0][0]).astimezone(team.site.zone)
    assert f"Queues: {first:%H:%M}–" in str(event["description"])
    # Published after the shift, the plan's time is the event's last change.
    assert event.decoded("last-modified") == plan.published_at.replace(microsecond=0)


@pytest.mark.django_db
def test_the_associate_sees_only_their_own_blocks(client, lead, team, queues, crew, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 8, 6, 0, tzinfo=dt.UTC))
    ada, *_ = crew
    services.propose(actor=lead, team=team, day=DAY)
    plan = services.publish(actor=lead, team=team, day=DAY)
    client.force_login(ada.user)
    page = client.get("/my/schedule/").content.decode()
    assert "Your queues today:" in page
    mine = plan.published_blocks[str(ada.pk)][0]
    start = dt.datetime.fromisoformat(mine[0]).astimezone(team.site.zone)
    assert f"{start:%H:%M}–" in page
    assert client.get(f"/teams/{team.pk}/queue-plan/").status_code == 404


@pytest.mark.django_db
def test_the_plan_page_within_a_query_budget(
    client, lead, team, queues, crew, django_assert_max_num_queries
):
    services.propose(actor=lead, team=team, day=DAY)
    client.force_login(lead)
    with django_assert_max_num_queries(16):
        response = client.get(f"/teams/{team.pk}/queue-plan/?day={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Propose again (keeps your changes)" in page
    assert "Unmet need, worst first" in page


@pytest.mark.django_db
def test_proposing_a_day_nobody_works_says_so(client, lead, team, queues):
    client.force_login(lead)
    response = client.post(f"/teams/{team.pk}/queue-plan/propose/?day={DAY}", follow=True)
    assert "Nobody is on shift that day" in response.content.decode()
    assert not QueueAssignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [0, 1])
def test_the_switch_limit_is_a_setting(settings, lead, team, queues, crew, limit):
    settings.QUEUE_PLAN_MAX_SWITCHES = limit
    services.propose(actor=lead, team=team, day=DAY)
    current = plan_day(team, DAY)
    for person in current.people:
        worked = [
            current.cells[(person.associate.pk, i)].queue_id
            for i in range(len(current.intervals))
            if (person.associate.pk, i) in current.cells
        ]
        assert solver.count_switches(worked) <= limit
    assert QueuePlan.objects.get().proposal["switches"] <= limit * len(current.people)
