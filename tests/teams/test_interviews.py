"""Interviews: who schedules them, when, and the invitations (.ics) they send."""

import datetime as dt
import re
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from teams.forms.interviews import InterviewForm
from teams.models import Application, AuditEvent, Interview, Requisition, Scorecard, StageChange
from teams.selectors.interviews import interview_uid
from teams.services import interviews as services
from tests.conftest import client_for
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewFactory,
    RequisitionFactory,
    ScorecardFactory,
    UserFactory,
)

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
# A day the form takes (within two years ahead), in winter: Dublin is on GMT then.
JAN = dt.date(dt.date.today().year + 1, 1, 8)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, monkeypatch):
    """The e-mails are queued after the commit: run those callbacks as each service
    call ends, as a real commit would."""
    for name in ("schedule_interview", "update_interview", "cancel_interview", "save_scorecard"):
        original = getattr(services, name)

        def committing(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, committing)


@pytest.fixture
def requisition(team):
    requisition = RequisitionFactory(
        team=team, title="Payments Associate", status=Requisition.Status.OPEN
    )
    CompetencyFactory(requisition=requisition, name="Customer empathy", position=1)
    CompetencyFactory(requisition=requisition, name="Payments know-how", position=2)
    return requisition


@pytest.fixture
def application(requisition):
    return ApplicationFactory(
        requisition=requisition,
        candidate=CandidateFactory(name="Casey Candidate"),
        stage=Application.Stage.SCREEN,
    )


def form_data(*people, on="", at="10:00", **more):
    data = {
        "title": "Panel interview",
        "on": on or JAN.isoformat(),
        "at": at,
        "duration_minutes": "60",
        "location": "Room 4, Dublin; call: https://meet.example/abc",
        "interviewers": [str(p.pk) for p in people],
        "others": "",
    }
    return data | more


def ics_in(message) -> icalendar.Calendar:
    (attachment,) = message.attachments
    if isinstance(attachment, tuple):
        name, content, mimetype = attachment
    else:
        name = attachment.get_filename()
        content = attachment.get_payload(decode=True)
        mimetype = attachment.get_content_type()
    assert name == "invite.ics"
    assert mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(content)


def event_of(cal: icalendar.Calendar) -> Any:
    (event,) = cal.walk("VEVENT")
    return event


def attendees_of(event: Any) -> list[str]:
    found = event["ATTENDEE"]
    return [str(a) for a in (found if isinstance(found, list) else [found])]


def schedule(actor, application, people, *, starts_at=None, **more):
    return services.schedule_interview(
        actor=actor,
        application=application,
        title=more.get("title", "Interview"),
        starts_at=starts_at or dt.datetime(2030, 1, 8, 10, tzinfo=DUBLIN),
        duration_minutes=more.get("duration_minutes", 45),
        location=more.get("location", "Room 4"),
        interviewers=people,
    )


class TestScheduling:
    def test_the_lead_schedules_at_screen_and_each_interviewer_is_invited(
        self, lead, associate, teammate, application, settings
    ):
        settings.SITE_URL = "https://ops.example.com:8443"
        url = reverse("teams:interview-create", args=[application.pk])
        response = client_for(lead).post(url, form_data(associate.user, teammate.user))
        assert response.status_code == 302
        interview = Interview.objects.get()
        at_ten = dt.datetime.combine(JAN, dt.time(10), tzinfo=dt.UTC)
        assert interview.starts_at == at_ten  # GMT in January
        assert interview.created_by == lead
        cards = Scorecard.objects.filter(interview=interview)
        assert {c.interviewer_id for c in cards} == {associate.user_id, teammate.user_id}
        assert all(not c.is_submitted and not c.ratings.exists() for c in cards)
        application.refresh_from_db()
        assert application.stage == Application.Stage.INTERVIEW
        assert StageChange.objects.filter(
            application=application, from_stage="screen", to_stage="interview"
        ).exists()
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.INTERVIEW_SCHEDULED, target_id=str(interview.pk)
        ).exists()

        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [associate.user.email, teammate.user.email]
        )
        for message in mail.outbox:
            cal = ics_in(message)
            assert cal["METHOD"] == "REQUEST"
            event = event_of(cal)
            assert str(event["UID"]) == f"interview-{interview.pk}@ops.example.com"
            assert event["SEQUENCE"] == 0
            assert event.decoded("DTSTART") == at_ten
            assert event.decoded("DTEND") == at_ten + dt.timedelta(hours=1)
            assert str(event["SUMMARY"]) == "Interview: Casey Candidate · Payments Associate"
            assert str(event["LOCATION"]) == "Room 4, Dublin; call: https://meet.example/abc"
            assert str(event["ORGANIZER"]) == f"mailto:{lead.email}"
            assert attendees_of(event) == [f"mailto:{message.to[0]}"]
            assert "Casey Candidate" in message.subject

    def test_the_ics_text_is_escaped_and_times_are_utc(self, lead, associate, application):
        application.candidate.name = "Ann, O'Neil; \\ Jr"
        application.candidate.save()
        schedule(lead, application, [associate.user], location="Room 1, floor 2; east")
        raw = ics_in(mail.outbox[0]).to_ical().decode()
        assert "LOCATION:Room 1\\, floor 2\\; east" in raw
        assert "SUMMARY:Interview: Ann\\, O'Neil\\; \\\\ Jr · Payments Associate" in raw
        assert "DTSTART:20300108T100000Z" in raw
        assert "METHOD:REQUEST" in raw

    @pytest.mark.parametrize(
        ("day", "utc_hour"), [(dt.date(2030, 3, 30), 9), (dt.date(2030, 3, 31), 8)]
    )
    def test_local_time_across_the_clock_change(self, lead, associate, application, day, utc_hour):
        # Dublin goes from GMT to IST (UTC+1) on Sunday 31 March 2030.
        form = InterviewForm(
            form_data(associate.user, on=day.isoformat(), at="09:00"),
            team=application.requisition.team,
            today=dt.date(2030, 3, 1),
        )
        assert form.is_valid(), form.errors
        interview = schedule(
            lead, application, form.cleaned_data["people"], starts_at=form.cleaned_data["starts_at"]
        )
        event = event_of(ics_in(mail.outbox[0]))
        wanted = dt.datetime.combine(day, dt.time(utc_hour), tzinfo=dt.UTC)
        assert event.decoded("DTSTART") == wanted
        assert interview.starts_at == wanted

    def test_a_time_the_clocks_skip_is_a_field_error(self, associate, application):
        form = InterviewForm(
            form_data(associate.user, on="2030-03-31", at="01:30"),
            team=application.requisition.team,
            today=dt.date(2030, 3, 1),
        )
        assert not form.is_valid()
        assert "at" in form.errors

    @pytest.mark.parametrize("persona", ["manager", "other_lead", "associate", "other_manager"])
    def test_others_cannot_schedule_and_nothing_changes(
        self, persona, cast, associate, teammate, application
    ):
        url = reverse("teams:interview-create", args=[application.pk])
        response = client_for(cast[persona]).post(url, form_data(associate.user, teammate.user))
        assert response.status_code == (403 if persona == "manager" else 404)
        assert not Interview.objects.exists()
        application.refresh_from_db()
        assert application.stage == Application.Stage.SCREEN
        assert mail.outbox == []

    def test_an_ops_admin_schedules(self, admin, associate, application):
        url = reverse("teams:interview-create", args=[application.pk])
        assert client_for(admin).post(url, form_data(associate.user)).status_code == 302
        assert Interview.objects.count() == 1

    @pytest.mark.parametrize("stage", ["applied", "offer", "rejected", "withdrawn", "hired"])
    def test_only_at_screen_or_interview(self, lead, associate, application, stage):
        Application.objects.filter(pk=application.pk).update(stage=stage)
        application.refresh_from_db()
        with pytest.raises(services.InterviewRefused):
            schedule(lead, application, [associate.user])
        response = client_for(lead).post(
            reverse("teams:interview-create", args=[application.pk]), form_data(associate.user)
        )
        assert response.status_code == 200
        assert not Interview.objects.exists()
        assert not Scorecard.objects.exists()
        assert mail.outbox == []

    def test_at_interview_stage_no_move_is_recorded(self, lead, associate, application):
        Application.objects.filter(pk=application.pk).update(stage="interview")
        application.refresh_from_db()
        schedule(lead, application, [associate.user])
        assert not StageChange.objects.filter(application=application).exists()

    @pytest.mark.parametrize("status", ["draft", "approved", "filled", "cancelled"])
    def test_only_while_the_requisition_is_open(self, lead, associate, application, status):
        Requisition.objects.filter(pk=application.requisition_id).update(status=status)
        application.refresh_from_db()
        with pytest.raises(services.InterviewRefused):
            schedule(lead, application, [associate.user])
        assert not Interview.objects.exists()

    def test_inactive_interviewers_and_none_are_refused(self, lead, associate, application):
        gone = UserFactory(is_active=False)
        for people in ([gone], [associate.user, gone], []):
            with pytest.raises(services.InterviewRefused):
                schedule(lead, application, people)
        assert not Interview.objects.exists()
        application.refresh_from_db()
        assert application.stage == Application.Stage.SCREEN

    def test_an_anonymised_candidate_is_refused(self, lead, associate, application):
        application.candidate.anonymised_at = dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
        application.candidate.save()
        with pytest.raises(services.InterviewRefused):
            schedule(lead, application, [associate.user])

    def test_anyone_active_by_username_or_email(self, lead, other_lead, application):
        outsider = UserFactory(username="sam", email="sam@example.com")
        data = form_data(others=f"{outsider.email}, {other_lead.username}") | {"interviewers": []}
        url = reverse("teams:interview-create", args=[application.pk])
        assert client_for(lead).post(url, data).status_code == 302
        assert set(Interview.objects.get().interviewers.all()) == {outsider, other_lead}

    def test_bad_input_is_a_form_error(self, lead, associate, application):
        url = reverse("teams:interview-create", args=[application.pk])
        bads: list[dict[str, Any]] = [
            {"on": "9999-12-31"},
            {"on": "0001-01-01"},
            {"title": "Inter\x00view"},
            {"location": "x" * 100_000},
            {"duration_minutes": "5"},
            {"others": "nobody-here"},
            {"interviewers": []},
        ]
        for bad in bads:
            response = client_for(lead).post(url, form_data(associate.user) | bad)
            assert response.status_code == 200, bad
            assert response.context["form"].errors, bad
        assert not Interview.objects.exists()


class TestChangesAndCancellation:
    @pytest.fixture
    def interview(self, lead, associate, teammate, application):
        interview = schedule(lead, application, [associate.user, teammate.user])
        mail.outbox.clear()
        return interview

    def test_a_change_bumps_the_sequence_and_resends(self, lead, interview):
        url = reverse("teams:interview-edit", args=[interview.pk])
        data = {
            "title": "Interview",
            "on": (JAN + dt.timedelta(days=1)).isoformat(),
            "at": "14:30",
            "duration_minutes": "45",
            "location": "Room 5",
            "sequence": "0",
        }
        assert client_for(lead).post(url, data).status_code == 302
        interview.refresh_from_db()
        assert interview.sequence == 1
        assert len(mail.outbox) == 2
        event = event_of(ics_in(mail.outbox[0]))
        assert event["SEQUENCE"] == 1
        assert str(event["UID"]) == interview_uid(interview.pk)
        wanted = dt.datetime.combine(JAN + dt.timedelta(days=1), dt.time(14, 30), tzinfo=dt.UTC)
        assert event.decoded("DTSTART") == wanted
        assert mail.outbox[0].subject.startswith("Changed")
        # The same form again (a second click) is stale: nothing changes twice.
        response = client_for(lead).post(url, data)
        assert response.status_code == 200
        assert "changed meanwhile" in response.content.decode()
        interview.refresh_from_db()
        assert interview.sequence == 1
        assert len(mail.outbox) == 2

    def test_no_change_sends_nothing(self, lead, interview):
        changed = services.update_interview(
            actor=lead,
            interview=interview,
            title=interview.title,
            starts_at=interview.starts_at,
            duration_minutes=interview.duration_minutes,
            location=interview.location,
        )
        assert not changed
        assert mail.outbox == []

    def test_the_manager_cannot_change(self, manager, interview):
        url = reverse("teams:interview-edit", args=[interview.pk])
        response = client_for(manager).post(url, {"on": "2030-01-09", "at": "09:00"})
        assert response.status_code == 403
        interview.refresh_from_db()
        assert interview.sequence == 0

    def test_cancel_sends_method_cancel(self, lead, associate, interview):
        pk, url = interview.pk, reverse("teams:interview-cancel", args=[interview.pk])
        assert client_for(lead).post(url).status_code == 302
        assert not Interview.objects.filter(pk=pk).exists()
        assert not Scorecard.objects.filter(interview_id=pk).exists()
        assert len(mail.outbox) == 2
        cal = ics_in(mail.outbox[0])
        assert cal["METHOD"] == "CANCEL"
        event = event_of(cal)
        assert str(event["UID"]) == interview_uid(pk)
        assert event["SEQUENCE"] == 1
        assert str(event["STATUS"]) == "CANCELLED"
        assert mail.outbox[0].subject.startswith("Cancelled")
        # A second click finds nothing to cancel.
        assert client_for(lead).post(url).status_code == 404
        assert len(mail.outbox) == 2

    def test_the_cancel_button_asks_first(self, lead, interview, application):
        page = client_for(lead).get(reverse("teams:interview-panel", args=[application.pk]))
        (button,) = re.findall(r"<button[^>]*>Cancel</button>", page.content.decode())
        assert 'data-confirm="Cancel this interview?' in button

    def test_no_cancel_once_a_scorecard_is_in(self, lead, manager, associate, interview):
        Scorecard.objects.filter(interview=interview, interviewer=associate.user).update(
            recommendation="yes", submitted_at=dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC)
        )
        url = reverse("teams:interview-cancel", args=[interview.pk])
        assert client_for(manager).post(url).status_code == 403
        assert client_for(lead).post(url).status_code == 302
        assert Interview.objects.filter(pk=interview.pk).exists()
        assert mail.outbox == []
        with pytest.raises(services.InterviewRefused):
            services.cancel_interview(actor=lead, interview=interview)


class TestInvitationDownload:
    @pytest.fixture
    def interview(self, lead, associate, teammate, application):
        return schedule(lead, application, [associate.user, teammate.user])

    def test_an_interviewer_gets_their_own(self, associate, interview):
        response = client_for(associate.user).get(
            reverse("teams:interview-ics", args=[interview.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        event = event_of(icalendar.Calendar.from_ical(response.content))
        assert attendees_of(event) == [f"mailto:{associate.user.email}"]

    def test_the_lead_gets_the_whole_panel(self, lead, associate, teammate, interview):
        response = client_for(lead).get(reverse("teams:interview-ics", args=[interview.pk]))
        event = event_of(icalendar.Calendar.from_ical(response.content))
        assert {str(a) for a in event["ATTENDEE"]} == {
            f"mailto:{associate.user.email}",
            f"mailto:{teammate.user.email}",
        }

    @pytest.mark.parametrize(
        ("persona", "status"), [("manager", 403), ("other_lead", 404), ("other_manager", 404)]
    )
    def test_nobody_else(self, persona, status, cast, interview):
        url = reverse("teams:interview-ics", args=[interview.pk])
        assert client_for(cast[persona]).get(url).status_code == status


class TestInvitationLinks:
    """The panel offers the .ics to those the download serves: each interviewer their
    own interview's, the team's leads and ops admins every one; not the manager."""

    @pytest.fixture
    def interviews(self, lead, associate, teammate, application):
        first = schedule(lead, application, [associate.user])
        second = schedule(lead, application, [teammate.user], title="Second interview")
        return first, second

    def links(self, user, application):
        page = client_for(user).get(reverse("teams:interview-panel", args=[application.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        return {
            interview.pk
            for interview in Interview.objects.filter(application=application)
            if reverse("teams:interview-ics", args=[interview.pk]) in html
        }

    @pytest.mark.parametrize("persona", ["lead", "admin"])
    def test_the_leads_and_ops_admins_see_every_one(self, cast, interviews, application, persona):
        assert self.links(cast[persona], application) == {i.pk for i in interviews}

    def test_an_interviewer_sees_their_own_only(self, associate, interviews, application):
        first, second = interviews
        assert self.links(associate.user, application) == {first.pk}
        url = reverse("teams:interview-ics", args=[second.pk])
        assert client_for(associate.user).get(url).status_code == 403  # as it stays

    def test_the_manager_sees_none(self, manager, interviews, application):
        assert self.links(manager, application) == set()
        url = reverse("teams:interview-ics", args=[interviews[0].pk])
        assert client_for(manager).get(url).status_code == 403


def test_an_interviewer_off_the_team_reaches_the_candidate_only_through_the_interview(
    lead, application
):
    outsider = UserFactory()
    other = ApplicationFactory(requisition=application.requisition)
    InterviewFactory(application=other)
    schedule(lead, application, [outsider])
    client = client_for(outsider)
    assert client.get(reverse("teams:interview-panel", args=[application.pk])).status_code == 200
    assert client.get(reverse("teams:interview-panel", args=[other.pk])).status_code == 404


def test_query_budget_of_my_interviews(lead, associate, requisition, django_assert_max_num_queries):
    client = client_for(associate.user)
    url = reverse("teams:my-interviews")

    def add(n):
        for _ in range(n):
            ScorecardFactory(
                interviewer=associate.user,
                interview=InterviewFactory(application=ApplicationFactory(requisition=requisition)),
            )

    add(1)
    client.get(url)  # the session and roles, warmed
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
    add(6)
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.content.decode().count("To submit") == 7
