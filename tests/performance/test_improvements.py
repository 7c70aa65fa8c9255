"""The improvement board (issue 16): the measured effect against an independent
computation, the state machine by persona, support, and the pages' query budgets."""

import datetime as dt

import pytest
from django.urls import reverse

from performance import effects
from performance.models import DailyKpi, Idea, Kpi, Support, Trial
from performance.selectors import improvements as selectors
from performance.services import improvements as services
from tests.conftest import client_for
from tests.factories import AssociateFactory, IdeaFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TRIAL_DAYS = 14
# Alternating noise that sums to zero over every window of an even number of days,
# so the planted effect is the measured one exactly.
NOISE = (0.3, -0.3)


def _plant_team(kpi, team, *, first, days, level, step=1.0):
    for n in range(days):
        value = level + NOISE[n % 2] * step
        DailyKpi.objects.create(
            kpi=kpi,
            day=first + dt.timedelta(days=n),
            scope=DailyKpi.Scope.TEAM,
            site=team.site,
            team=team,
            value=value,
            numerator=value,
            event_count=10,
            contributors=5,
        )


def _trial_idea(team, author, *, today, comparison=None, pilot=(), kpi_key="first_response_time"):
    idea = IdeaFactory(
        team=team, author=author, kpi=Kpi.objects.get(key=kpi_key), status=Idea.Status.TRIAL
    )
    trial = Trial.objects.create(
        idea=idea,
        starts_on=today - dt.timedelta(days=TRIAL_DAYS),
        ends_on=today - dt.timedelta(days=1),
        whole_team=not pilot,
        comparison_team=comparison,
        started_by=author,
    )
    trial.pilot.set(pilot)
    return Idea.objects.select_related("team__site", "kpi", "trial__comparison_team").get(
        pk=idea.pk
    )


def _by_loops(values_before, values_during):
    """The change of a group, with plain loops: mean of the daily figures."""
    total_before = 0.0
    for v in values_before:
        total_before += v
    total_during = 0.0
    for v in values_during:
        total_during += v
    return total_during / len(values_during) - total_before / len(values_before)


def test_effect_is_the_difference_in_differences_of_the_rollups(team, other_team, lead):
    kpi = Kpi.objects.get(key="first_response_time")
    today = team.site.local_today()
    start = today - dt.timedelta(days=TRIAL_DAYS)
    before = start - dt.timedelta(days=TRIAL_DAYS)
    # Pilot: 10 → 8 (−2.0); comparison: 10 → 9.5 (−0.5): the effect is −1.5.
    _plant_team(kpi, team, first=before, days=TRIAL_DAYS, level=10)
    _plant_team(kpi, team, first=start, days=TRIAL_DAYS, level=8)
    _plant_team(kpi, other_team, first=before, days=TRIAL_DAYS, level=10)
    _plant_team(kpi, other_team, first=start, days=TRIAL_DAYS, level=9.5)
    # Rows outside the windows and of another KPI change nothing.
    _plant_team(kpi, team, first=before - dt.timedelta(days=10), days=10, level=50)
    _plant_team(Kpi.objects.get(key="csat"), team, first=start, days=TRIAL_DAYS, level=1)
    idea = _trial_idea(team, lead, today=today, comparison=other_team)

    effect = selectors.effects_of([idea], today=today)[idea.pk]

    def team_values(t, first):
        rows = DailyKpi.objects.filter(
            kpi=kpi, team=t, scope="team", day__range=(first, first + dt.timedelta(TRIAL_DAYS - 1))
        )
        return [r.value for r in rows]

    pilot = _by_loops(team_values(team, before), team_values(team, start))
    comparison = _by_loops(team_values(other_team, before), team_values(other_team, start))
    result = effect.result
    assert result is not None
    assert result.pilot_change == pytest.approx(pilot) == pytest.approx(-2.0)
    assert result.comparison_change == pytest.approx(comparison) == pytest.approx(-0.5)
    assert result.effect == pytest.approx(pilot - comparison) == pytest.approx(-1.5)
    assert result.low is not None
    assert result.high is not None
    assert result.low < -1.5 < result.high < 0
    assert result.verdict == effects.LIKELY_REAL
    assert effect.sentence.startswith(
        "First response time (p90) fell 2.0 min against a fall of 0.5 min in Connect: "
        "1.5 min lower (90 % interval "
    )
    assert effect.sentence.endswith("): likely real")
    # Deterministic: the same rollups, the same interval.
    again = selectors.effects_of([idea], today=today)[idea.pk].result
    assert (again.low, again.high) == (result.low, result.high)


def test_named_pilot_counts_per_associate_day(team, lead):
    """Tickets solved of three named people: Σ tickets / Σ associate-days, per window."""
    kpi = Kpi.objects.get(key="tickets_solved")
    today = team.site.local_today()
    start = today - dt.timedelta(days=TRIAL_DAYS)
    people = [AssociateFactory(team=team) for _ in range(4)]
    expected = {"before": [0.0, 0], "during": [0.0, 0]}
    for n in range(2 * TRIAL_DAYS):
        day = start - dt.timedelta(days=TRIAL_DAYS) + dt.timedelta(days=n)
        side = "before" if day < start else "during"
        for k, person in enumerate(people):
            if (n + k) % 5 == 0:
                continue  # a day off now and then
            value = 30 + k + (4 if side == "during" else 0) + (n % 3)
            DailyKpi.objects.create(
                kpi=kpi, day=day, scope="associate", site=team.site, team=team,
                associate=person, value=value, numerator=value, event_count=int(value),
            )  # fmt: skip
            if k < 3:  # the fourth is not in the pilot
                expected[side][0] += value
                expected[side][1] += 1
    idea = _trial_idea(team, lead, today=today, pilot=people[:3], kpi_key="tickets_solved")
    idea = Idea.objects.prefetch_related("trial__pilot").get(pk=idea.pk)

    result = selectors.effects_of([idea], today=today)[idea.pk].result

    before = expected["before"][0] / expected["before"][1]
    during = expected["during"][0] / expected["during"][1]
    assert result.pilot_before.value == pytest.approx(before)
    assert result.pilot_during.value == pytest.approx(during)
    assert result.effect == pytest.approx(during - before)
    assert result.comparison_before is None


def test_fewer_than_seven_days_gives_no_interval_and_says_why(team, other_team, lead, manager):
    kpi = Kpi.objects.get(key="first_response_time")
    today = team.site.local_today()
    start = today - dt.timedelta(days=TRIAL_DAYS)
    _plant_team(kpi, team, first=start - dt.timedelta(days=TRIAL_DAYS), days=TRIAL_DAYS, level=10)
    _plant_team(kpi, team, first=start, days=6, level=8)  # six days during
    _plant_team(kpi, other_team, first=start - dt.timedelta(days=TRIAL_DAYS), days=14, level=10)
    _plant_team(kpi, other_team, first=start, days=TRIAL_DAYS, level=9.5)
    idea = _trial_idea(team, lead, today=today, comparison=other_team)

    effect = selectors.effects_of([idea], today=today)[idea.pk]

    assert effect.result.low is None
    assert effect.result.verdict == ""
    reason = "the pilot has 6 days with figures during the trial (7 are needed on each side)"
    assert reason in effect.sentence
    page = client_for(manager).get(reverse("performance:idea-detail", args=[idea.pk]))
    assert reason in page.content.decode()
    assert "90 % interval" not in page.content.decode()


def test_the_team_reads_the_sentence_and_only_its_staff_the_groups_figures(
    team, other_team, lead, manager, associate
):
    """Associates may read their own KPI figures only: on the board they get the
    measured sentence, not the before/during table of each group."""
    kpi = Kpi.objects.get(key="first_response_time")
    today = team.site.local_today()
    start = today - dt.timedelta(days=TRIAL_DAYS)
    _plant_team(
        kpi, team, first=start - dt.timedelta(days=TRIAL_DAYS), days=2 * TRIAL_DAYS, level=10
    )
    idea = _trial_idea(team, lead, today=today)
    url = reverse("performance:idea-detail", args=[idea.pk])
    for persona, sees_table in ((associate.user, False), (lead, True), (manager, True)):
        body = client_for(persona).get(url).content.decode()
        assert "Measured effect" in body
        assert ('<th scope="col">Group</th>' in body) is sees_table, persona


def test_pure_measure_with_too_few_days_for_the_comparison():
    days = [(1.0, 1.0)] * 10
    result = effects.measure(days, days, days[:3], days, expected_up=True)
    assert result.low is None
    assert "the comparison has 3 days with figures before the trial" in result.reason


@pytest.mark.parametrize(
    ("low", "high", "up", "verdict"),
    [
        (0.1, 2.0, True, effects.LIKELY_REAL),
        (-2.0, -0.1, True, effects.WRONG_WAY),
        (-2.0, -0.1, False, effects.LIKELY_REAL),
        (0.1, 2.0, False, effects.WRONG_WAY),
        (-0.5, 0.5, True, effects.NOISE),
    ],
)
def test_verdicts(low, high, up, verdict):
    assert effects.verdict_of(low, high, up) == verdict


# --- The state machine, by persona -----------------------------------------------------


def _post(user, url, data):
    return client_for(user).post(url, data)


def _snapshot(idea):
    idea.refresh_from_db()
    return (idea.status, idea.decision_note, Trial.objects.filter(idea=idea).count())


TRIAL_DATA = {"pilot_mode": "team"}


def _trial_data(team):
    today = team.site.local_today()
    return TRIAL_DATA | {
        "starts_on": (today - dt.timedelta(days=21)).isoformat(),
        "ends_on": (today + dt.timedelta(days=6)).isoformat(),
    }


@pytest.mark.parametrize("persona", ["associate", "teammate", "manager", "other_lead"])
def test_only_leads_triage_and_refusals_change_nothing(persona, cast, team, associate):
    idea = IdeaFactory(team=team, author=associate.user)
    before = _snapshot(idea)
    user = cast[persona]
    trial = _post(user, reverse("performance:idea-trial", args=[idea.pk]), _trial_data(team))
    decide = _post(
        user,
        reverse("performance:idea-decide", args=[idea.pk]),
        {"outcome": "dropped", "note": "No"},
    )
    wanted = 404 if persona == "other_lead" else 403
    assert (trial.status_code, decide.status_code) == (wanted, wanted)
    assert _snapshot(idea) == before


def test_lead_moves_an_idea_new_trial_adopted_and_steps_out_of_order_are_refused(
    team, other_team, lead, associate
):
    idea = IdeaFactory(team=team, author=associate.user)
    url = reverse("performance:idea-detail", args=[idea.pk])
    # Adopting a new idea is refused: it is adopted after a trial.
    _post(
        lead,
        reverse("performance:idea-decide", args=[idea.pk]),
        {"outcome": "adopted", "note": "Yes"},
    )
    assert _snapshot(idea) == ("new", "", 0)
    data = _trial_data(team) | {"comparison_team": other_team.pk}
    response = _post(lead, reverse("performance:idea-trial", args=[idea.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == url
    assert _snapshot(idea) == ("trial", "", 1)
    # A second click on "Start the trial" changes nothing.
    _post(lead, reverse("performance:idea-trial", args=[idea.pk]), data)
    assert Trial.objects.filter(idea=idea).count() == 1
    response = _post(
        lead,
        reverse("performance:idea-decide", args=[idea.pk]),
        {"outcome": "adopted", "note": "Replies are faster.", "procedure": ""},
    )
    assert response.status_code == 302
    assert _snapshot(idea) == ("adopted", "Replies are faster.", 1)
    assert idea.decided_by == lead
    assert idea.decided_at is not None
    # Dropping it afterwards is refused; the decision stands.
    _post(
        lead,
        reverse("performance:idea-decide", args=[idea.pk]),
        {"outcome": "dropped", "note": "Hm"},
    )
    assert _snapshot(idea) == ("adopted", "Replies are faster.", 1)
    log = [c.what for c in selectors.decision_log(idea)]
    assert log == ["adopted", "trial started", "created"]


def test_trial_form_refuses_bad_input_as_field_errors(team, lead, associate):
    idea = IdeaFactory(team=team, author=associate.user)
    url = reverse("performance:idea-trial", args=[idea.pk])
    for data in (
        {"starts_on": "0001-01-01", "ends_on": "9999-12-31", "pilot_mode": "team"},
        {"starts_on": "2026-12-01\x00", "ends_on": "2026-12-10", "pilot_mode": "team"},
        _trial_data(team) | {"pilot_mode": "named", "pilot": [associate.pk]},
        _trial_data(team) | {"comparison_team": team.pk},
    ):
        response = _post(lead, url, data)
        assert response.status_code == 200, data
        assert _snapshot(idea) == ("new", "", 0)


def test_posting_an_idea_twice_makes_one_and_managers_may_not_post(team, associate, manager):
    url = reverse("performance:improvement-board", args=[team.pk])
    data = {
        "problem": "Weekend backlog",
        "proposal": "Triage first",
        "kpi": Kpi.objects.get(key="first_response_time").pk,
        "direction": "down",
    }
    assert _post(associate.user, url, data).status_code == 302
    assert _post(associate.user, url, data).status_code == 302
    assert Idea.objects.filter(team=team).count() == 1
    assert _post(manager, url, data).status_code == 403
    too_long = _post(associate.user, url, data | {"problem": "x" * 100_000})
    assert too_long.status_code == 200
    assert Idea.objects.filter(team=team).count() == 1


def test_support_twice_is_one_support_and_htmx_answers_the_button(team, associate, teammate):
    idea = IdeaFactory(team=team, author=associate.user)
    url = reverse("performance:idea-support", args=[idea.pk])
    client = client_for(teammate.user)
    client.post(url, {"supported": "1"})
    client.post(url, {"supported": "1"})  # a second click, or a stale page
    assert Support.objects.filter(idea=idea).count() == 1
    response = client.post(url, {"supported": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="support-{idea.pk}"' in response.content.decode()
    assert "0 supports" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Support.objects.filter(idea=idea).count() == 0
    # With a unique constraint in the database as the last line.
    services.set_support(actor=teammate.user, idea=idea, supported=True)
    services.set_support(actor=teammate.user, idea=idea, supported=True)
    assert Support.objects.filter(idea=idea).count() == 1


def test_support_of_a_decided_idea_is_refused(team, associate, teammate, lead):
    idea = IdeaFactory(team=team, author=associate.user)
    services.decide_idea(actor=lead, idea=idea, outcome="dropped", note="Not now")
    client_for(teammate.user).post(
        reverse("performance:idea-support", args=[idea.pk]), {"supported": "1"}
    )
    assert not Support.objects.filter(idea=idea).exists()


def test_get_on_post_only_views_is_405(team, associate, lead):
    idea = IdeaFactory(team=team, author=associate.user)
    for name in ("idea-support", "idea-trial", "idea-decide"):
        assert (
            client_for(lead).get(reverse(f"performance:{name}", args=[idea.pk])).status_code == 405
        )


# --- Query budgets ------------------------------------------------------------------------


def _many_ideas(team, other_team, author, count):
    today = team.site.local_today()
    kpi = Kpi.objects.get(key="first_response_time")
    _plant_team(kpi, team, first=today - dt.timedelta(days=40), days=40, level=10)
    _plant_team(kpi, other_team, first=today - dt.timedelta(days=40), days=40, level=10)
    pilot = [AssociateFactory(team=team) for _ in range(3)]
    for n in range(count):
        idea = IdeaFactory(team=team, author=author, status=["new", "trial", "adopted"][n % 3])
        if idea.status != "new":
            trial = Trial.objects.create(
                idea=idea,
                starts_on=today - dt.timedelta(days=14),
                ends_on=today + dt.timedelta(days=3),
                whole_team=n % 2 == 0,
                comparison_team=other_team if n % 4 else None,
                started_by=author,
            )
            if n % 2:
                trial.pilot.set(pilot)
        for _ in range(n % 3):
            Support.objects.create(idea=idea, user=UserFactory())


@pytest.mark.parametrize("count", [3, 12])
def test_board_and_list_query_budgets(
    count, team, other_team, lead, manager, associate, django_assert_max_num_queries
):
    _many_ideas(team, other_team, associate.user, count)
    board = reverse("performance:improvement-board", args=[team.pk])
    listing = reverse("performance:improvement-list")
    lead_client, manager_client = client_for(lead), client_for(manager)
    with django_assert_max_num_queries(12):
        response = lead_client.get(board)
    assert response.status_code == 200
    assert response.content.decode().count('class="idea-card"') == count
    with django_assert_max_num_queries(12):
        assert manager_client.get(listing).status_code == 200
    idea = Idea.objects.filter(team=team, status="trial").first()
    with django_assert_max_num_queries(20):
        assert (
            lead_client.get(reverse("performance:idea-detail", args=[idea.pk])).status_code == 200
        )


def test_manager_list_shows_only_their_teams(team, other_team, manager, associate):
    IdeaFactory(team=team, author=associate.user, proposal="Ours")
    IdeaFactory(team=other_team, author=associate.user, proposal="Theirs")
    IdeaFactory(team=TeamFactory(), author=associate.user, proposal="Far away")
    page = client_for(manager).get(reverse("performance:improvement-list")).content.decode()
    assert "Ours" in page
    assert "Theirs" not in page
    assert "Far away" not in page


def test_the_navigation_links_the_board_and_the_managers_list(team, associate, lead, manager):
    board = reverse("performance:improvement-board", args=[team.pk])
    listing = reverse("performance:improvement-list")
    mine = client_for(associate.user).get(reverse("teams:home")).content.decode()
    assert f'href="{board}"' in mine  # "Team board" among the associate's own links
    assert f'href="{listing}"' not in mine  # the cross-team list is not theirs (404)
    for overseer in (lead, manager):
        html = client_for(overseer).get(reverse("teams:home")).content.decode()
        assert f'href="{listing}"' in html
    assert client_for(associate.user).get(board).status_code == 200
