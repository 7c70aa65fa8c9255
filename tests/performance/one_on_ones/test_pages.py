"""The lead's and the associate's 1:1 pages, htmx fragments, carry-over and budgets."""

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from performance.models import (
    ActionItem,
    AgendaItem,
    DailyKpi,
    Feedback,
    OneOnOne,
    OneOnOneCadence,
)
from performance.services import feedback as feedback_services
from performance.services import one_on_ones as services
from scheduling.models import CompDay, TimeOffRequest, WeekendDuty
from tests.factories import AssociateFactory, GoalFactory
from tests.performance.conftest import TODAY, make_meeting

pytestmark = pytest.mark.django_db


def detail(meeting):
    return reverse("performance:one-on-one-detail", args=[meeting.pk])


def test_lead_opens_the_1on1_page_with_its_sections_and_no_store(login, lead, meeting):
    response = login(lead).get(detail(meeting))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for text in ("Agenda", "Action items", "Shared notes", "Private notes", "Context"):
        assert text in body
    assert "(you and your lead)" not in body


def test_the_associate_sees_no_private_notes_form_and_no_context_panel(login, associate, meeting):
    body = login(associate.user).get(detail(meeting)).content.decode()
    assert "Shared notes (you and your lead)" in body
    assert "Private notes" not in body
    assert "KPIs vs target" not in body


@pytest.mark.parametrize("who", ["associate", "lead"])
def test_agenda_item_added_over_htmx_returns_the_agenda_fragment(
    login, associate, meeting, who, django_assert_num_queries
):
    url = reverse("performance:one-on-one-agenda-add", args=[meeting.pk])
    client = login(associate.user if who == "associate" else meeting.lead)
    # Only what the agenda needs: session, user, roles, the 1:1, the insert and the
    # agenda; not the whole 1:1 page (18 queries for the lead: KPIs, schedule, history).
    with django_assert_num_queries(6):
        response = client.post(url, {"text": "Training budget"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="agenda"' in body
    assert "Training budget" in body
    assert "<html" not in body
    added_by = associate.user if who == "associate" else meeting.lead
    assert AgendaItem.objects.get(one_on_one=meeting).added_by == added_by


def test_agenda_item_without_htmx_redirects_to_the_page(login, lead, meeting):
    url = reverse("performance:one-on-one-agenda-add", args=[meeting.pk])
    response = login(lead).post(url, {"text": "Rota fairness"})
    assert response.status_code == 302
    assert response["Location"] == detail(meeting)


def test_a_blank_agenda_item_is_refused_and_nothing_is_added(login, lead, meeting):
    url = reverse("performance:one-on-one-agenda-add", args=[meeting.pk])
    response = login(lead).post(url, {"text": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_agenda_closes_once_the_1on1_is_held(login, lead, meeting):
    services.mark_held(actor=lead, one_on_one=meeting)
    url = reverse("performance:one-on-one-agenda-add", args=[meeting.pk])
    login(lead).post(url, {"text": "Too late"})
    assert not AgendaItem.objects.exists()


def test_get_on_a_write_url_is_405(login, lead, meeting):
    url = reverse("performance:one-on-one-agenda-add", args=[meeting.pk])
    assert login(lead).get(url).status_code == 405


def test_ticking_an_action_item_over_htmx_returns_its_row_and_is_audited(login, associate, meeting):
    item = services.add_action_item(
        actor=meeting.lead, one_on_one=meeting, text="Shadow QA", owner=associate.user, due_on=None
    )
    url = reverse("performance:action-item-toggle", args=[item.pk])
    response = login(associate.user).post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="action-item-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert item.done_by == associate.user
    assert item.history.first().history_user == associate.user
    # Ticking again as done changes nothing (double submit).
    login(associate.user).post(url, {"done": "1"})
    assert item.history.count() == 2  # created, done


def test_action_item_owner_must_be_one_of_the_two(login, lead, meeting, teammate):
    url = reverse("performance:action-item-add", args=[meeting.pk])
    response = login(lead).post(url, {"text": "X", "owner": str(teammate.user.pk)})
    assert response.status_code == 302
    assert not ActionItem.objects.exists()


def test_shared_notes_are_saved_with_history(login, associate, lead, meeting):
    url = reverse("performance:one-on-one-notes", args=[meeting.pk])
    login(lead).post(url, {"shared_notes": "Agreed to try the QA rotation."})
    login(associate.user).post(url, {"shared_notes": "Agreed to try the QA rotation. Thanks!"})
    meeting.refresh_from_db()
    assert meeting.shared_notes.endswith("Thanks!")
    users = [h.history_user for h in meeting.history.order_by("history_date")]
    assert users[-2:] == [lead, associate.user]


def test_career_fields_are_saved_on_a_career_conversation(login, lead, meeting):
    meeting.kind = OneOnOne.Kind.CAREER
    meeting.save()
    url = reverse("performance:one-on-one-notes", args=[meeting.pk])
    login(lead).post(
        url,
        {
            "aspirations": "Lead a team",
            "strengths": "Calm",
            "growth_areas": "Delegation",
            "next_steps": "Run stand-ups",
            "target_role": "Team lead",
            "target_timeline": "18 months",
            "shared_notes": "",
        },
    )
    meeting.refresh_from_db()
    assert (meeting.target_role, meeting.target_timeline) == ("Team lead", "18 months")


def test_held_1on1_schedules_the_next_from_the_cadence(login, lead, associate, cadence, meeting):
    response = login(lead).post(reverse("performance:one-on-one-held", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == OneOnOne.Status.DONE
    assert meeting.on == TODAY  # held a day early: the record says when it happened
    following = OneOnOne.objects.scheduled().get(associate=associate)
    # One interval after the planned date (tomorrow), not the day after it was held.
    planned = TODAY + dt.timedelta(days=1)
    assert following.on == cadence.next_on(planned) == planned + dt.timedelta(days=14)
    assert following.starts_at.astimezone(associate.team.site.zone).time() == dt.time(10)
    # A second submit changes nothing.
    login(lead).post(reverse("performance:one-on-one-held", args=[meeting.pk]))
    assert OneOnOne.objects.filter(associate=associate).count() == 2


def test_setting_a_cadence_schedules_the_next_1on1(login, lead, associate, frozen):
    url = reverse("performance:cadence-set", args=[associate.pk])
    data = {
        "frequency": "monthly",
        "first_on": "2027-01-31",
        "starts_at_time": "09:30",
        "duration_minutes": "45",
    }
    assert login(lead).post(url, data).status_code == 302
    meeting = OneOnOne.objects.scheduled().get(associate=associate)
    assert meeting.on == dt.date(2027, 1, 31)
    assert OneOnOneCadence.objects.get(associate=associate).duration_minutes == 45


def test_a_bad_cadence_changes_nothing(login, lead, associate, frozen):
    url = reverse("performance:cadence-set", args=[associate.pk])
    data = {"frequency": "hourly", "first_on": "2027-01-31", "starts_at_time": "09:30"}
    login(lead).post(url, data)
    assert not OneOnOneCadence.objects.exists()
    assert not OneOnOne.objects.exists()


def test_a_1on1_cannot_be_planned_in_the_past(login, lead, associate, frozen):
    url = reverse("performance:one-on-one-plan", args=[associate.pk])
    data = {"on": "2026-11-01", "at": "10:00", "kind": "regular", "duration_minutes": "30"}
    login(lead).post(url, data)
    assert not OneOnOne.objects.exists()


def test_action_items_carry_over_until_done(lead, associate, frozen):
    first = make_meeting(associate, lead, TODAY - dt.timedelta(days=28), status="done")
    second = make_meeting(associate, lead, TODAY - dt.timedelta(days=14), status="done")
    third = make_meeting(associate, lead, TODAY + dt.timedelta(days=1))
    from performance.selectors.one_on_ones import action_items_for

    open_item = services.add_action_item(
        actor=lead, one_on_one=first, text="Open", owner=associate.user, due_on=None
    )
    done_early = services.add_action_item(
        actor=lead, one_on_one=first, text="Done early", owner=lead, due_on=None
    )
    ActionItem.objects.filter(pk=done_early.pk).update(
        done_at=first.starts_at + dt.timedelta(days=1), done_by=lead
    )
    done_late = services.add_action_item(
        actor=lead, one_on_one=first, text="Done since last", owner=lead, due_on=None
    )
    ActionItem.objects.filter(pk=done_late.pk).update(
        done_at=second.starts_at + dt.timedelta(days=1), done_by=lead
    )
    assert {i.text for i in action_items_for(second, first)} == {
        "Open",
        "Done early",
        "Done since last",
    }
    # On the third: the open one carries over; the one done since the second shows as
    # done; the one closed before the second no longer appears.
    assert {i.text for i in action_items_for(third, second)} == {"Open", "Done since last"}
    open_item.done_at = third.starts_at + dt.timedelta(minutes=5)
    open_item.done_by = lead
    open_item.save()
    services.mark_held(actor=lead, one_on_one=third)
    fourth = make_meeting(associate, lead, TODAY + dt.timedelta(days=15), status="done")
    fifth = make_meeting(associate, lead, TODAY + dt.timedelta(days=29))
    assert {i.text for i in action_items_for(fourth, third)} == {"Open"}
    assert action_items_for(fifth, fourth) == []


def test_open_action_items_show_on_the_next_1on1_page(login, lead, associate, frozen):
    earlier = make_meeting(associate, lead, TODAY - dt.timedelta(days=14), status="done")
    services.add_action_item(
        actor=lead, one_on_one=earlier, text="Book the course", owner=associate.user, due_on=None
    )
    nxt = make_meeting(associate, lead, TODAY + dt.timedelta(days=1))
    body = login(associate.user).get(detail(nxt)).content.decode()
    assert "Book the course" in body
    assert "carried over" in body


def _history(associate, lead, team, csat, count):
    """`count` past 1:1s, each with agenda, action items, feedback, goals, KPI days and
    schedule events in the window, so the page's queries can be compared."""
    start = TODAY - dt.timedelta(days=14 * count)
    for n in range(count):
        on = start + dt.timedelta(days=14 * n)
        held = make_meeting(associate, lead, on, status="done")
        AgendaItem.objects.create(one_on_one=held, added_by=lead, text=f"Topic {n}")
        services.add_action_item(
            actor=lead, one_on_one=held, text=f"Item {n}", owner=associate.user, due_on=on
        )
        feedback_services.give_feedback(
            actor=lead, associate=associate, kind="praise", situation="s", behaviour=f"b{n}"
        )
        GoalFactory(
            associate=associate,
            title=f"Goal {n}",
            starts_on=on,
            ends_on=TODAY + dt.timedelta(days=30),
            kpi=csat,
            target_value=4.5,
            created_by=lead,
        )
        GoalFactory(
            associate=None,
            team=team,
            title=f"Team goal {n}",
            starts_on=on,
            ends_on=TODAY + dt.timedelta(days=30),
            target_value=10,
            current_value=n,
            created_by=lead,
        )
    for n in range(14 * count):
        DailyKpi.objects.create(
            kpi=csat,
            day=start + dt.timedelta(days=n),
            scope="associate",
            site=team.site,
            team=team,
            associate=associate,
            value=4.4,
            numerator=44,
            event_count=10,
        )
    saturday = TODAY - dt.timedelta(days=(TODAY.weekday() - 5) % 7)
    duty = WeekendDuty.objects.create(associate=associate, on=saturday)
    CompDay.objects.create(
        duty=duty,
        associate=associate,
        on=saturday - dt.timedelta(days=3),
        expires_on=saturday + dt.timedelta(days=30),
    )
    TimeOffRequest.objects.create(
        associate=associate,
        first_day=TODAY - dt.timedelta(days=5),
        last_day=TODAY - dt.timedelta(days=4),
        status=TimeOffRequest.Status.APPROVED,
    )
    return make_meeting(associate, lead, TODAY + dt.timedelta(days=1))


@pytest.mark.parametrize("count", [2, 12])
def test_the_1on1_page_with_its_context_panel_runs_a_fixed_number_of_queries(
    login, lead, associate, team, csat, frozen, count, django_assert_num_queries
):
    meeting = _history(associate, lead, team, csat, count)
    client = login(lead)
    body = client.get(detail(meeting)).content.decode()
    assert "Item 0" in body  # carried over
    assert "Weekend duty" in body
    with django_assert_num_queries(QUERIES):
        client.get(detail(meeting))


# The 1:1 page for its lead: the session, the user with their roster record, roles (1),
# the 1:1, the previous, the agenda,
# the action items, the history, the private note, then the context panel's KPIs (2),
# schedule (3), open items, feedback, goals and their rollups (1).
QUERIES = 18


def test_overdue_1on1s_show_on_the_leads_home_page(login, lead, associate, teammate, frozen):
    make_meeting(associate, lead, TODAY - dt.timedelta(days=3))
    make_meeting(teammate, lead, TODAY + dt.timedelta(days=3))
    body = login(lead).get(reverse("teams:home")).content.decode()
    assert "Overdue 1:1s" in body
    assert associate.name in body
    assert teammate.name not in body.split("Overdue 1:1s")[1].split("</section>")[0]


def test_no_overdue_panel_for_an_associate(login, associate, lead, frozen):
    make_meeting(associate, lead, TODAY - dt.timedelta(days=3))
    assert "Overdue 1:1s" not in login(associate.user).get(reverse("teams:home")).content.decode()


@pytest.mark.parametrize("extra", [0, 15])
def test_overview_lists_each_associate_with_cadence_and_overdue(
    login, lead, associate, teammate, cadence, frozen, extra, django_assert_num_queries
):
    make_meeting(associate, lead, TODAY - dt.timedelta(days=3))
    for _ in range(extra):
        AssociateFactory(team=associate.team)
    client = login(lead)
    response = client.get(reverse("performance:one-on-one-overview"))
    body = response.content.decode()
    assert "overdue" in body
    assert "Every two weeks" in body
    # session, user and roster record, roles, teams, associates, cadences, scheduled, held
    with django_assert_num_queries(8):
        client.get(reverse("performance:one-on-one-overview"))


def test_the_manager_sees_dates_and_counts_but_not_the_notes(login, manager, associate, lead):
    held = make_meeting(associate, lead, TODAY - dt.timedelta(days=3), status="done")
    services.save_shared_notes(actor=lead, one_on_one=held, shared_notes="Talked about pay")
    url = reverse("performance:associate-one-on-ones", args=[associate.pk])
    response = login(manager).get(url)
    body = response.content.decode()
    assert held.on.strftime("%-d %b %Y") in body.replace("\xa0", " ") or "Nov" in body
    assert "Talked about pay" not in body
    # Not even loaded for the manager, so no template can show it by mistake.
    (shown,) = response.context["meetings"]
    assert {"shared_notes", "aspirations", "next_steps"} <= shown.get_deferred_fields()
    lead_view = login(lead).get(url).context["meetings"][0]
    assert lead_view.get_deferred_fields() == set()
    assert login(manager).get(detail(held)).status_code == 403


def test_the_1on1_history_shows_who_changed_what(login, lead, associate, meeting):
    url = reverse("performance:one-on-one-notes", args=[meeting.pk])
    login(lead).post(url, {"shared_notes": "First version"})
    login(associate.user).post(url, {"shared_notes": "Second version"})
    body = login(associate.user).get(detail(meeting)).content.decode()
    history = body.split("Change history of this 1:1")[1]
    assert "First version" in history
    assert "Second version" in history
    assert associate.name in history


def test_feedback_is_kept_in_history(lead, associate):
    feedback = feedback_services.give_feedback(
        actor=lead, associate=associate, kind="praise", situation="s", behaviour="b"
    )
    assert feedback.history.get().history_user == lead
    assert Feedback.objects.visible_to(associate.user.pk).count() == 1


def _more_history(associate, lead, team, csat, start, count):
    for n in range(count):
        on = start - dt.timedelta(days=14 * (n + 1))
        held = make_meeting(
            associate, lead, on, status="done", kind="career" if n % 2 else "regular"
        )
        services.add_action_item(
            actor=lead, one_on_one=held, text=f"Old {n}", owner=associate.user, due_on=on
        )
        feedback_services.give_feedback(
            actor=lead, associate=associate, kind="praise", situation="s", behaviour=f"o{n}"
        )
        feedback_services.give_feedback(
            actor=lead,
            associate=associate,
            kind="constructive",
            situation="s",
            behaviour=f"p{n}",
            is_private=True,
        )
        GoalFactory(
            associate=associate,
            title=f"Old goal {n}",
            starts_on=on,
            ends_on=TODAY,
            kpi=csat if n % 2 else None,
            target_value=4.5,
            created_by=lead,
        )


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("lead", "performance:associate-one-on-ones"),
        ("lead", "performance:associate-feedback"),
        ("lead", "performance:associate-goals"),
        ("associate", "performance:my-one-on-ones"),
        ("associate", "performance:my-feedback"),
        ("associate", "performance:my-goals"),
    ],
)
def test_people_lists_run_a_fixed_number_of_queries(
    persona, name, login, lead, associate, team, csat, frozen
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = lead if persona == "lead" else associate.user
    url = reverse(name, args=[associate.pk]) if persona == "lead" else reverse(name)
    client = login(user)
    counts = []
    for start, count in ((TODAY, 2), (TODAY - dt.timedelta(days=400), 12)):
        _more_history(associate, lead, team, csat, start, count)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1], counts


def test_a_player_coach_lead_is_not_on_their_own_1on1_list(login, lead, team, associate, frozen):
    AssociateFactory(user=lead, team=team)
    body = login(lead).get(reverse("performance:one-on-one-overview")).content.decode()
    assert associate.name in body
    assert lead.display_name not in body.split("<main")[1]


def test_career_history_lists_held_career_conversations(login, associate, lead, frozen):
    page = reverse("performance:my-one-on-ones")
    assert "None yet" in login(associate.user).get(page).content.decode()
    held = make_meeting(associate, lead, TODAY - dt.timedelta(days=3), status="done", kind="career")
    services.save_shared_notes(actor=lead, one_on_one=held, target_role="Team lead")
    body = login(associate.user).get(page).content.decode()
    assert "Team lead" in body


def test_the_context_panel_colours_a_kpi_as_the_dashboards_do():
    """The same figure gets the same colour on a 1:1 and on the KPI dashboards:
    judged on the exact value, shown with the decimal that keeps the two in agreement
    (4.46 shows as 4.46, below target; it used to read 4.5, on target)."""
    from performance.models import Kpi
    from performance.selectors import kpis as kpi_selectors
    from performance.selectors.one_on_ones import KpiLine

    csat = Kpi(
        key="csat", name="CSAT", decimals=1, direction=Kpi.Direction.HIGHER,
        target=4.5, green_at=4.5, amber_at=4.2,
    )  # fmt: skip
    line = KpiLine(csat, 4.46, 4.3)
    assert line.display == kpi_selectors.Figure(csat, 4.46).display == "4.46"
    assert line.rag == kpi_selectors.Figure(csat, 4.46).rag == "amber"


def test_a_1on1_is_overdue_by_its_own_sites_date(login, lead, associate):
    """At 11:30 UTC it is already the 26th on Kiritimati but the 25th in Dublin: a
    Dublin 1:1 booked for the 25th is not overdue, a Kiritimati one for the 25th is."""

    from tests.factories import SiteFactory, TeamFactory

    ahead = SiteFactory(name="Kiritimati", time_zone="Pacific/Kiritimati", country="KI")
    far_team = TeamFactory(site=ahead, leads=[lead])
    far = AssociateFactory(team=far_team)
    with time_machine.travel(dt.datetime(2026, 11, 25, 11, 30, tzinfo=dt.UTC), tick=False):
        here_meeting = make_meeting(associate, lead, dt.date(2026, 11, 25))
        far_meeting = make_meeting(far, lead, dt.date(2026, 11, 25))
        page = login(lead).get(reverse("performance:one-on-one-overview"))
    overdue = {
        row.associate.pk: row.is_overdue for _team, rows in page.context["groups"] for row in rows
    }
    assert overdue[here_meeting.associate_id] is False
    assert overdue[far_meeting.associate_id] is True


# --- 3. Nonsense dates ----------------------------------------------------------------


@pytest.mark.parametrize("due", ["2020-01-01", "2026-11-25", "2028-01-01"])
def test_action_item_due_dates_before_the_1on1_or_years_out_are_refused(
    login, lead, associate, meeting, due
):
    url = reverse("performance:action-item-add", args=[meeting.pk])
    response = login(lead).post(
        url, {"text": "Shadow QA", "owner": str(associate.user.pk), "due_on": due}, follow=True
    )
    assert not ActionItem.objects.exists()
    assert "The due date" in response.content.decode()


def test_a_sensible_due_date_is_accepted(login, lead, associate, meeting):
    url = reverse("performance:action-item-add", args=[meeting.pk])
    due = meeting.on + dt.timedelta(days=7)
    login(lead).post(url, {"text": "Shadow QA", "owner": str(lead.pk), "due_on": due.isoformat()})
    assert ActionItem.objects.get().due_on == due


def test_the_service_refuses_a_due_date_before_the_1on1(lead, associate, meeting):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_action_item(
            actor=lead,
            one_on_one=meeting,
            text="X",
            owner=lead,
            due_on=dt.date(2020, 1, 1),
        )


def test_dates_outside_this_year_show_their_year(frozen):
    template = Template('{% load people_dates %}{{ a|short_date }}|{{ b|short_date:"D j M" }}')
    text = template.render(Context({"a": dt.date(2026, 3, 1), "b": dt.date(2020, 1, 1)}))
    assert text == "1 Mar|Wed 1 Jan 2020"


def test_a_time_shows_on_its_local_day(frozen):
    from django.utils import timezone

    template = Template('{% load people_dates %}{{ at|short_date:"D j M H:i" }}')
    at = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)  # 25 Nov, 08:30 in Tokyo
    with timezone.override("Asia/Tokyo"):
        assert template.render(Context({"at": at})) == "Wed 25 Nov 08:30"


def test_an_old_due_date_shows_its_year_on_the_1on1_page(login, lead, associate, meeting):
    ActionItem.objects.create(
        associate=associate,
        raised_in=meeting,
        owner=lead,
        text="Old thing",
        due_on=dt.date(2027, 2, 1),
    )
    html = login(lead).get(reverse("performance:one-on-one-detail", args=[meeting.pk]))
    assert "due 1 Feb 2027" in html.content.decode()
