"""The team pulse: anonymous by construction, nothing shown under five responses."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from performance.models import (
    PulseAnswer,
    PulseParticipation,
    PulseReminder,
    PulseResponse,
    PulseRound,
    PulseSettings,
)
from performance.models.pulse import DEFAULT_QUESTIONS
from performance.selectors import pulse as selectors
from performance.services import pulse as services
from tests.conftest import client_for
from tests.factories import AssociateFactory, PulseRoundFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db

MARK = "MKPULSECOMMENT"


def open_round(team, **kwargs):
    today = team.site.local_today()
    return PulseRoundFactory(
        team=team, opens_on=today, closes_on=today + dt.timedelta(days=7), is_open=True, **kwargs
    )


def answered(team, count: int, *, enps=(10, 9, 8, 6, 3, 10, 9), close=True) -> PulseRound:
    """A round of `team` answered by `count` new associates through the service."""
    round_ = open_round(team)
    for n in range(count):
        person = AssociateFactory(team=team)
        services.answer_round(
            actor=person.user,
            round_=round_,
            enps=enps[n % len(enps)],
            scores=[(n % 5) + 1, 4, 3, 5],
            comment=f"{MARK}{n}",
        )
    if close:
        PulseRound.objects.filter(pk=round_.pk).update(is_open=False)
        round_.refresh_from_db()
    return round_


def urls_for(team, round_) -> list[tuple[str, dict[str, str]]]:
    team_page = reverse("performance:team-pulse", args=[team.pk])
    round_page = reverse("performance:pulse-round", args=[round_.pk])
    return [
        (team_page, {}),
        (team_page, {"export": "csv"}),
        (round_page, {}),
        (round_page, {"export": "csv"}),
        (reverse("performance:my-pulse"), {}),
        (reverse("performance:my-pulse"), {"export": "csv"}),
    ]


# --- The database cannot join a response to a person -------------------------------------


def _columns_and_references(table: str) -> tuple[dict[str, str], set[str]]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
        constraints = connection.introspection.get_constraints(cursor, table)
    types = {
        col.name: connection.introspection.get_field_type(col.type_code, col) for col in description
    }
    references = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    return types, references


def test_the_response_tables_have_no_column_or_relation_that_leads_to_a_person():
    if connection.vendor != "postgresql":
        pytest.skip("the schema of record is PostgreSQL's")
    response_table = PulseResponse._meta.db_table
    answer_table = PulseAnswer._meta.db_table
    round_table = PulseRound._meta.db_table
    participation_table = PulseParticipation._meta.db_table
    people = ("user", "associate", "participation", "author", "person", "respondent")

    for table, only_reference in ((response_table, round_table), (answer_table, response_table)):
        types, references = _columns_and_references(table)
        assert references == {only_reference}, (table, references)
        assert not [c for c in types if any(word in c for word in people)], types
        # No timestamp (its time next to a participation's would join them), no serial.
        assert not [c for c, t in types.items() if t in ("DateTimeField", "DateField")], types
        assert not [c for c in types if c.endswith("_at") or c.endswith("_on")], types
        assert types["id"] == "UUIDField", types

    types, references = _columns_and_references(participation_table)
    assert references == {
        round_table,
        PulseParticipation._meta.get_field("user").related_model._meta.db_table,
    }
    assert not [c for c in types if "response" in c or "answer" in c], types
    assert not [c for c, t in types.items() if t in ("DateTimeField", "DateField")], types


@pytest.mark.django_db(transaction=True)
def test_answers_leave_no_order_or_transaction_that_tells_them_apart():
    """Each answer commits on its own; afterwards every live response of the round
    carries the same writing transaction (xmin), so none matches a participation's."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    team = TeamFactory(site=SiteFactory())
    round_ = open_round(team)
    people = [AssociateFactory(team=team) for _ in range(4)]
    for n, person in enumerate(people):
        services.answer_round(actor=person.user, round_=round_, enps=n, scores=[1, 2, 3, 4])
    table = PulseResponse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {table} WHERE round_id = %s", [round_.pk])  # noqa: S608
        assert len(cursor.fetchall()) == 1
    assert PulseResponse.objects.filter(round=round_).count() == 4
    assert sorted(PulseResponse.objects.values_list("enps", flat=True)) == [0, 1, 2, 3]


def test_the_admin_cannot_filter_count_or_reopen_a_rounds_answers(admin, team):
    """Filters on any field come from the URL in Django's admin unless refused: a count
    of the 3s in a round, or a comment read letter by letter, would single people out."""
    round_ = answered(team, 4)
    client = client_for(admin)
    responses = reverse("admin:performance_pulseresponse_changelist")
    answers = reverse("admin:performance_pulseanswer_changelist")
    assert client.get(responses).status_code == 200  # listed, for looking up
    for url, params in (
        (responses, {"round": round_.pk, "enps": 3}),
        (responses, {"comment__regex": "^a"}),
        (answers, {"score": 5}),
        (answers, {"response__round": round_.pk}),
    ):
        assert client.get(url, params).status_code == 400, params
    change = reverse("admin:performance_pulseround_change", args=[round_.pk])
    client.post(change, {"team": team.pk, "is_open": "on", "opens_on": round_.opens_on})
    round_.refresh_from_db()
    assert round_.is_open is False  # closed rounds are not reopened from the admin


# --- Nothing under five, everything at five -------------------------------------------------


@pytest.mark.parametrize("persona", ["lead", "manager", "admin", "associate"])
def test_four_responses_show_no_score_no_mean_and_no_comment(persona, cast, team, associate):
    round_ = answered(team, 4)
    client = client_for(cast[persona])
    for url, params in urls_for(team, round_):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, params, **headers)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert MARK not in body, (url, params)
            assert "eNPS," not in body  # the CSV's eNPS row
            assert "Average agreement</small>" not in body
    page = client.get(reverse("performance:pulse-round", args=[round_.pk])).content.decode()
    assert "Results appear at 5 responses (4 in this round)" in page


@pytest.mark.parametrize("persona", ["lead", "manager", "admin", "associate"])
def test_five_responses_show_aggregates_and_shuffled_comments(persona, cast, team, associate):
    round_ = answered(team, 5)
    client = client_for(cast[persona])
    page = client.get(reverse("performance:team-pulse", args=[team.pk])).content.decode()
    # eNPS: promoters 10, 9 (2 of 5) minus detractors 6, 3 (2 of 5) = 0; 8 is passive.
    assert '<span class="stat">0</span>' in page
    assert "40 % promoters · 20 % passives · 40 % detractors" in page
    assert all(f"{MARK}{n}" in page for n in range(5))
    fragment = client.get(
        reverse("performance:pulse-round", args=[round_.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith('<section id="pulse-results"')
    assert f"{MARK}0" in fragment
    # The first statement: scores 1..5 once each, mean 3.0.
    csv = client.get(reverse("performance:team-pulse", args=[team.pk]), {"export": "csv"})
    text = csv.content.decode()
    assert f"{DEFAULT_QUESTIONS[0]},3.0,1:1 2:1 3:1 4:1 5:1" in text
    assert ",eNPS,0," in text
    assert MARK not in text  # comments are never exported


def test_an_open_round_shows_who_many_answered_but_no_result(team, lead):
    round_ = answered(team, 6, close=False)
    page = client_for(lead).get(reverse("performance:team-pulse", args=[team.pk]))
    body = page.content.decode()
    assert "6 answered so far" in body
    assert MARK not in body
    assert selectors.round_results([round_])[0].enps is None


def test_comments_come_shuffled_not_in_stored_order(team):
    round_ = answered(team, 8)
    orders = {
        tuple(selectors.round_results([round_], with_comments=True)[0].comments) for _ in range(12)
    }
    assert len(orders) > 1


def test_the_trend_leaves_out_rounds_under_five(team):
    first = answered(team, 5)
    PulseRound.objects.filter(pk=first.pk).update(opens_on=dt.date(2026, 9, 1))
    small = answered(team, 3)
    PulseRound.objects.filter(pk=small.pk).update(opens_on=dt.date(2026, 10, 1))
    answered(team, 6)
    trend = selectors.team_pulse(team).trend
    assert [r.response_count for r in trend] == [5, 6]


def test_the_manager_sees_teams_side_by_side_under_the_same_rule(manager, team, site):
    other: Any = TeamFactory(site=site, name="Disputes", manager=manager)
    answered(team, 5)
    answered(other, 4)
    body = client_for(manager).get(reverse("performance:my-pulse")).content.decode()
    assert "no results under 5 responses" in body  # Disputes
    rows = {row.team.name: row for row in selectors.side_by_side([team, other])}
    assert rows["Payments"].latest.enps == 0
    assert rows["Disputes"].latest.enps is None
    assert rows["Disputes"].latest.questions == []


# --- Answering ----------------------------------------------------------------------------


def _post(round_, **overrides):
    data = {"enps": "9", "q0": "4", "q1": "4", "q2": "3", "q3": "5", "comment": "Good week"}
    return data | overrides


def test_an_associate_answers_once_and_a_second_post_changes_nothing(associate):
    round_ = open_round(associate.team)
    client = client_for(associate.user)
    url = reverse("performance:pulse-answer", args=[round_.pk])
    first = client.post(url, _post(round_))
    assert first.status_code == 302
    second = client.post(url, _post(round_, enps="0", comment="again"))
    assert second.status_code == 302
    assert PulseParticipation.objects.filter(round=round_).count() == 1
    assert list(PulseResponse.objects.values_list("enps", "comment")) == [(9, "Good week")]
    assert PulseAnswer.objects.count() == 4
    page = client.get(url).content.decode()
    assert "You have answered this round" in page


def test_a_second_answer_from_a_stale_page_after_the_first_commit_is_refused(associate):
    round_ = open_round(associate.team)
    stale = PulseRound.objects.get(pk=round_.pk)  # as a second tab loaded it
    services.answer_round(actor=associate.user, round_=round_, enps=5, scores=[3, 3, 3, 3])
    with pytest.raises(ValidationError, match="already answered"):
        services.answer_round(actor=associate.user, round_=stale, enps=1, scores=[1, 1, 1, 1])
    assert PulseResponse.objects.count() == 1


def test_only_the_teams_active_associates_answer(cast, associate, other_associate, lead):
    round_ = open_round(associate.team)
    url = reverse("performance:pulse-answer", args=[round_.pk])
    for user in (other_associate.user, lead, cast["manager"], cast["admin"]):
        assert client_for(user).post(url, _post(round_)).status_code == 404
    with pytest.raises(ValidationError, match="Only the team"):
        services.answer_round(actor=lead, round_=round_, enps=5, scores=[3, 3, 3, 3])
    associate.is_active = False
    associate.save()
    assert client_for(associate.user).get(url).status_code == 404
    assert PulseResponse.objects.count() == 0


def test_a_lead_on_the_roster_answers_their_teams_pulse(team, lead):
    AssociateFactory(team=team, user=lead)
    round_ = open_round(team)
    services.answer_round(actor=lead, round_=round_, enps=7, scores=[4, 4, 4, 4])
    assert PulseParticipation.objects.filter(user=lead).count() == 1


def test_a_closed_round_takes_no_answer(associate):
    round_ = answered(associate.team, 0)
    with pytest.raises(ValidationError, match="closed"):
        services.answer_round(actor=associate.user, round_=round_, enps=5, scores=[3, 3, 3, 3])
    page = client_for(associate.user).get(reverse("performance:pulse-answer", args=[round_.pk]))
    assert "This round is closed" in page.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"enps": "11"},
        {"enps": "-1"},
        {"q2": "6"},
        {"q3": ""},
        {"comment": "nul \x00 byte"},
        {"comment": "x" * 100_000},
    ],
)
def test_bad_answers_are_form_errors_and_write_nothing(associate, bad):
    round_ = open_round(associate.team)
    url = reverse("performance:pulse-answer", args=[round_.pk])
    response = client_for(associate.user).post(url, _post(round_, **bad))
    assert response.status_code == 200
    assert "Nothing was sent" in response.content.decode()
    assert not PulseParticipation.objects.exists()
    assert not PulseResponse.objects.exists()


# --- The lead's questions and cadence -------------------------------------------------------


def test_the_lead_edits_the_questions_and_an_open_round_keeps_its_own(team, lead):
    round_ = open_round(team)
    url = reverse("performance:pulse-questions", args=[team.pk])
    client = client_for(lead)
    assert client.post(url, {"questions": "Only one\nTwo"}).status_code == 302
    assert services.questions_of(team) == DEFAULT_QUESTIONS  # refused: fewer than 3
    client.post(url, {"questions": "Clear goals\n\nFair rota\nGood tools\n"})
    assert services.questions_of(team) == ["Clear goals", "Fair rota", "Good tools"]
    round_.refresh_from_db()
    assert round_.questions == DEFAULT_QUESTIONS
    client.post(reverse("performance:pulse-settings", args=[team.pk]), {"cadence_weeks": "2"})
    settings = PulseSettings.objects.get(team=team)
    assert (settings.is_enabled, settings.cadence_weeks) == (False, 2)
    client.post(reverse("performance:pulse-settings", args=[team.pk]), {"cadence_weeks": "3"})
    assert PulseSettings.objects.get(team=team).cadence_weeks == 2


# --- The job: rounds on the cadence, by each site's local day, one reminder ---------------------


def test_rounds_open_on_the_cadence_by_each_sites_local_day():
    dublin = TeamFactory(site=SiteFactory(name="Dublin", time_zone="Europe/Dublin"))
    auckland = TeamFactory(site=SiteFactory(name="Auckland", time_zone="Pacific/Auckland"))
    PulseSettings.objects.create(team=dublin, cadence_weeks=4)
    PulseSettings.objects.create(team=auckland, cadence_weeks=2, is_enabled=True)
    disabled = TeamFactory(site=dublin.site)
    PulseSettings.objects.create(team=disabled, is_enabled=False)
    at = dt.datetime(2030, 1, 6, 12, 0, tzinfo=dt.UTC)  # Sunday noon; Monday 01:00 in Auckland
    assert services.run_pulse_rounds(at)["opened"] == 2
    assert services.run_pulse_rounds(at)["opened"] == 0  # idempotent
    assert PulseRound.objects.get(team=dublin).opens_on == dt.date(2030, 1, 6)
    first = PulseRound.objects.get(team=auckland)
    assert (first.opens_on, first.closes_on) == (dt.date(2030, 1, 7), dt.date(2030, 1, 14))
    assert not PulseRound.objects.filter(team=disabled).exists()
    # A week later (Auckland's 14 Jan has begun) the round closes; the next is not due.
    week = services.run_pulse_rounds(at + dt.timedelta(days=7))
    assert week["closed"] == 2
    assert not PulseRound.objects.filter(team=auckland, is_open=True).exists()
    # Two weeks after it opened, Auckland's next round opens; Dublin's waits for four.
    services.run_pulse_rounds(at + dt.timedelta(days=14))
    assert list(PulseRound.objects.filter(team=auckland).values_list("opens_on", flat=True)) == [
        dt.date(2030, 1, 21),
        dt.date(2030, 1, 7),
    ]
    assert PulseRound.objects.filter(team=dublin).count() == 1
    services.run_pulse_rounds(at + dt.timedelta(days=28))
    assert PulseRound.objects.filter(team=dublin).count() == 2


def test_a_reminder_goes_once_mid_round_to_those_who_have_not_answered(team, associate, teammate):
    opened = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
    services.run_pulse_rounds(opened)
    round_ = PulseRound.objects.get(team=team)
    PulseParticipation.objects.create(round=round_, user=teammate.user)  # has answered
    leaver = AssociateFactory(team=team, is_active=False)
    services.run_pulse_rounds(opened + dt.timedelta(days=2))  # too early
    assert mail.outbox == []
    services.run_pulse_rounds(opened + dt.timedelta(days=3))
    services.run_pulse_rounds(opened + dt.timedelta(days=3, hours=1))
    services.run_pulse_rounds(opened + dt.timedelta(days=4))
    assert [m.to for m in mail.outbox] == [[associate.user.email]]
    assert "pulse" in mail.outbox[0].subject
    assert reverse("performance:pulse-answer", args=[round_.pk]) in mail.outbox[0].body
    assert list(PulseReminder.objects.values_list("user_id", flat=True)) == [associate.user_id]
    assert leaver.user_id not in PulseReminder.objects.values_list("user_id", flat=True)


def test_the_task_runs_the_service(team):
    from performance import tasks

    assert tasks.run_pulse_rounds.delay().get()["opened"] >= 1
    assert PulseRound.objects.filter(team=team, is_open=True).count() == 1


# --- Query budgets ----------------------------------------------------------------------------


def _rounds(team, count: int, size: int) -> None:
    for n in range(count):
        round_ = answered(team, size)
        PulseRound.objects.filter(pk=round_.pk).update(
            opens_on=dt.date(2026, 1, 5) + dt.timedelta(weeks=4 * n),
            closes_on=dt.date(2026, 1, 12) + dt.timedelta(weeks=4 * n),
        )


@pytest.mark.parametrize("size", [5, 9])
def test_the_results_page_has_a_query_budget(django_assert_max_num_queries, team, lead, size):
    _rounds(team, 3 if size == 5 else 6, size)
    open_round(team)
    client = client_for(lead)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("performance:team-pulse", args=[team.pk])).status_code == 200


@pytest.mark.parametrize("teams", [1, 5])
def test_the_side_by_side_has_a_query_budget(django_assert_max_num_queries, manager, site, teams):
    for n in range(teams):
        _rounds(TeamFactory(site=site, manager=manager, name=f"Team {n}"), 2, 5)
    client = client_for(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("performance:my-pulse")).status_code == 200
