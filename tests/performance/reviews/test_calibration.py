"""The calibration page: filters and sort from the query string (bad values reported
and left out), each team's rating distribution, every person's period KPIs in the
dashboards' colours, htmx updates, the way back after a change, who sees what,
and a query count that does not grow with the number of teams or reviews.

`manager` manages Payments (`team`, led by Lena) and Billing (led by Bill); Connect
(`other_team`) is `other_manager`'s. In the cycle:

| who            | team     | step         | rating                     | lead review by |
|----------------|----------|--------------|----------------------------|----------------|
| Ada Associate  | Payments | calibration  | 3, calibrated to 4         | (Lena: team)   |
| Tim Teammate   | Payments | lead review  | draft 2 (not rated yet)    | (Lena: team)   |
| Bea Billing    | Billing  | calibration  | 2                          | Lena (covering)|
| Ben Billing    | Billing  | shared       | 5                          | Bill           |
| Bo Billing     | Billing  | self review  | —                          | (Bill: team)   |
| Oona Outside   | Connect  | calibration  | 1                          | (Otto: team)   |
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from performance.models import DailyKpi, Kpi, Rating, Review
from performance.selectors import kpis as kpi_selectors
from performance.services import reviews as rs
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    FeedbackFactory,
    OneOnOneFactory,
    PrivateNoteFactory,
    TeamFactory,
    UserFactory,
)

from .conftest import at_step, make_cycle

PRIVATE_NOTE = "PRIVATE-ONE-ON-ONE-NOTE-MARKER"
PRIVATE_FEEDBACK = "PRIVATE-FEEDBACK-MARKER"


@pytest.fixture
def bill(db):
    return UserFactory(username="bill", first_name="Bill", last_name="Billinglead")


@pytest.fixture
def billing(site, bill, manager):
    return TeamFactory(site=site, name="Billing", leads=[bill], manager=manager)


def _person(team, username, first, last):
    return AssociateFactory(
        team=team, user=UserFactory(username=username, first_name=first, last_name=last)
    )


@pytest.fixture
def people(cast, team, other_team, billing, associate, teammate, other_associate, lead, bill):
    """The cycle of the module's docstring; {short name: review}."""
    cycle = make_cycle(cast["admin"], teams=[team, other_team, billing])
    bea = _person(billing, "bea", "Bea", "Billing")
    ben = _person(billing, "ben", "Ben", "Billing")
    bo = _person(billing, "bo", "Bo", "Billing")

    def review(who, state, rating=None, by=None) -> Review:
        made = at_step(Review.objects.create(cycle=cycle, associate=who), state)
        if rating is not None:
            made.rating = rating
        made.lead_submitted_by = by
        made.save()
        return made

    ada = review(associate, "calibration", Rating.MEETS)
    rs.calibrate(actor=cast["manager"], review=ada, rating=Rating.EXCEEDS, reason="Peers.")
    tim = review(teammate, "lead_review", Rating.PARTLY)  # a draft rating
    return {
        "cycle": cycle,
        "ada": ada,
        "tim": tim,
        "bea": review(bea, "calibration", Rating.PARTLY, by=lead),
        "ben": review(ben, "shared", Rating.OUTSTANDING, by=bill),
        "bo": review(bo, "self_review"),
        "oona": review(other_associate, "calibration", Rating.BELOW),
    }


def _url(cycle, query: str = "") -> str:
    url = reverse("performance:cycle-calibration", kwargs={"cycle_id": cycle.pk})
    return f"{url}?{query}" if query else url


def _names(response) -> list[str]:
    return [row.review.associate.user.first_name for row in response.context["rows"]]


def _get(user, cycle, query: str = "", **headers):
    response = client_for(user).get(_url(cycle, query), headers=headers)
    assert response.status_code == 200, response.content[:500]
    return response


# --- Filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Ada", "Bea", "Ben", "Bo", "Tim"]),
        ("team={billing}", ["Bea", "Ben", "Bo"]),
        ("step=calibration", ["Ada", "Bea"]),
        ("rating=4", ["Ada"]),  # the calibrated rating, not the lead's 3
        ("rating=3", []),
        ("rating=2", ["Bea"]),  # Tim's 2 is a draft, not a rating yet
        ("rating=none", ["Bo", "Tim"]),
        ("lead={lena}", ["Ada", "Bea", "Tim"]),  # Bea's was written by Lena
        ("lead={bill}", ["Ben", "Bo"]),
        ("changed=yes", ["Ada"]),
        ("changed=no", ["Bea", "Ben", "Bo", "Tim"]),
        ("team={billing}&step=calibration", ["Bea"]),
        ("team={payments}&rating=none&lead={lena}", ["Tim"]),
    ],
)
def test_filters_narrow_the_reviews_in_view(
    people, manager, team, billing, lead, bill, query, expected
):
    query = query.format(billing=billing.pk, payments=team.pk, lena=lead.pk, bill=bill.pk)
    response = _get(manager, people["cycle"], query)
    assert _names(response) == expected
    assert response.context["board"].in_scope_count == 5
    assert f"<strong>{len(expected)}</strong> of 5 reviews" in response.content.decode()


def test_the_filter_form_shows_what_is_applied(people, manager, billing):
    page = _get(manager, people["cycle"], f"team={billing.pk}&changed=yes").content.decode()
    assert f'<option value="{billing.pk}" selected>Billing</option>' in page
    assert '<option value="yes" selected>Yes</option>' in page
    # Only the manager's teams and their leads are offered.
    assert ">Connect<" not in page
    assert "Otto Other" not in page
    assert "Clear filters" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("team={connect}", "Team: Not a team of this calibration"),  # someone else's team
        ("team=abc", "Team: Not a team of this calibration"),
        ("team=99999999999999999999", "Team: Not a team of this calibration"),
        ("step=approved", "Step: Not a step of this calibration"),
        ("rating=9", "Rating: Not a rating of this calibration"),
        ("rating=0", "Rating: Not a rating of this calibration"),
        ("lead={otto}", "Lead: Not a lead of this calibration"),
        ("lead=-1", "Lead: Not a lead of this calibration"),
        ("changed=maybe", "Changed in calibration: Not a choice of this calibration"),
        ("sort=salary", "Sort by: Not a sort of this calibration"),
        ("dir=sideways", "Order: Not an order of this calibration"),
        ("team=%00", "Team: Not a team of this calibration"),
    ],
)
def test_a_bad_value_is_reported_and_left_out(
    people, manager, other_team, other_lead, query, message
):
    query = query.format(connect=other_team.pk, otto=other_lead.pk)
    response = _get(manager, people["cycle"], query)
    assert message in response.content.decode()
    assert _names(response) == ["Ada", "Bea", "Ben", "Bo", "Tim"]  # the rest of the page as usual


def test_a_bad_value_leaves_the_valid_ones_applied(people, manager, billing):
    response = _get(manager, people["cycle"], f"team={billing.pk}&rating=11&sort=rating&dir=desc")
    assert "Rating: Not a rating of this calibration" in response.content.decode()
    assert _names(response) == ["Ben", "Bea", "Bo"]


# --- Sort ---------------------------------------------------------------------------------


def _rollup(kpi: Kpi, associate, value: float, events: int = 10) -> None:
    DailyKpi.objects.create(
        kpi=kpi,
        day=dt.date(2026, 6, 1),
        scope=DailyKpi.Scope.ASSOCIATE,
        site=associate.team.site,
        team=associate.team,
        associate=associate,
        value=value,
        numerator=value * events,
        event_count=events,
    )


@pytest.fixture
def csat(people):
    """CSAT of the period: Ada 4.8 (green), Bea 4.2 (amber), Ben 3.5 (red), the
    others without figures."""
    kpi = Kpi.objects.get(key="csat")
    for name, value in (("ada", 4.8), ("bea", 4.2), ("ben", 3.5)):
        _rollup(kpi, people[name].associate, value)
    return kpi


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name", ["Ada", "Bea", "Ben", "Bo", "Tim"]),
        ("sort=name&dir=desc", ["Tim", "Bo", "Ben", "Bea", "Ada"]),
        ("sort=team", ["Bea", "Ben", "Bo", "Ada", "Tim"]),
        ("sort=team&dir=desc", ["Ada", "Tim", "Bea", "Ben", "Bo"]),
        # Not rated yet goes last whichever way.
        ("sort=rating", ["Bea", "Ada", "Ben", "Bo", "Tim"]),
        ("sort=rating&dir=desc", ["Ben", "Ada", "Bea", "Bo", "Tim"]),
        # A KPI: no figure goes last whichever way.
        ("sort=csat", ["Ben", "Bea", "Ada", "Bo", "Tim"]),
        ("sort=csat&dir=desc", ["Ada", "Bea", "Ben", "Bo", "Tim"]),
    ],
)
def test_sort_by_name_team_rating_or_a_kpi(people, csat, manager, query, expected):
    assert _names(_get(manager, people["cycle"], query)) == expected


def test_column_headings_link_to_their_sort_and_say_which_applies(people, csat, manager):
    page = _get(manager, people["cycle"], "step=calibration&sort=csat&dir=desc").content.decode()
    # The heading of the applied sort reverses it and keeps the filters.
    assert 'aria-sort="descending"><a href="?step=calibration&amp;sort=csat"' in page
    # A KPI's first click puts the highest first; name's, A to Z.
    assert 'href="?step=calibration&amp;sort=qa_score&amp;dir=desc"' in page
    assert 'href="?step=calibration"' in page  # sort=name, ascending: the defaults


# --- Rating distribution ---------------------------------------------------------------------


def _counts(distribution) -> tuple[list[int], int]:
    return [c.count for c in distribution.counts], distribution.not_rated


def test_distribution_per_team_and_for_all_teams_in_view(people, manager):
    board = _get(manager, people["cycle"]).context["board"]
    teams = {d.name: _counts(d) for d in board.teams}
    assert teams == {
        "Billing": ([0, 1, 0, 0, 1], 1),
        "Payments": ([0, 0, 0, 1, 0], 1),  # Ada as calibrated; Tim's draft is not a rating
    }
    assert [d.name for d in board.teams] == ["Billing", "Payments"]
    assert _counts(board.overall) == ([0, 1, 0, 1, 1], 2)
    assert [c.percent for c in board.overall.counts] == [0, 33, 0, 33, 33]


def test_distribution_bars_are_svg_without_inline_style(people, manager):
    page = _get(manager, people["cycle"]).content.decode()
    section = page[page.index('id="distribution-heading"') : page.index('id="people-heading"')]
    # Billing: one 2 and one 5 of two rated, so each bar is half the track.
    billing = section[section.index("Billing") : section.index("Payments")]
    assert re.findall(r'class="dist-fill dist-(\d)" width="(\d+)"', billing) == [
        ("1", "0"),
        ("2", "50"),
        ("3", "0"),
        ("4", "0"),
        ("5", "50"),
    ]
    assert "2 rated of 3" in billing
    assert "All teams in view" in section
    assert "style=" not in page


def test_distribution_follows_the_filters(people, manager, billing):
    board = _get(manager, people["cycle"], "changed=no").context["board"]
    assert {d.name: _counts(d) for d in board.teams} == {
        "Billing": ([0, 1, 0, 0, 1], 1),
        "Payments": ([0, 0, 0, 0, 0], 1),
    }
    one_team = _get(manager, people["cycle"], f"team={billing.pk}")
    assert [d.name for d in one_team.context["board"].teams] == ["Billing"]
    assert "<tfoot>" not in one_team.content.decode()  # all in view = the one team


# --- KPIs beside each person -----------------------------------------------------------------


def test_each_person_has_the_dashboard_figure_and_colour_with_the_value(people, csat, manager):
    response = _get(manager, people["cycle"])
    page = response.content.decode()
    rows = {row.review.associate.user.first_name: row for row in response.context["rows"]}
    for name, value, colour, label in (
        ("Ada", 4.8, "green", "On target"),
        ("Bea", 4.2, "amber", "Watch"),
        ("Ben", 3.5, "red", "Off target"),
    ):
        figure = rows[name].figure(csat.pk)
        assert figure is not None
        assert figure.value == pytest.approx(value)
        assert figure.rag == kpi_selectors.rag(csat, value) == colour
        shown = kpi_selectors.fmt(csat, value)
        row_html = page[page.index(f'id="review-{rows[name].review.pk}"') :]
        row_html = row_html[: row_html.index("</tr>")]
        # The colour never stands alone: the figure, and the status in words.
        assert (
            f'<td class="rag-cell rag-{colour}" data-label="CSAT">{shown}'
            f'<span class="visually-hidden"> ({label})</span></td>'
        ) in row_html
    assert rows["Bo"].figure(csat.pk).value is None
    assert "target 4.50" in page  # the heading says what green means


def test_kpis_are_the_period_s_only(people, csat, manager):
    # A figure after the period does not count towards it.
    DailyKpi.objects.filter(kpi=csat, associate=people["ada"].associate).update(
        day=dt.date(2026, 11, 1)
    )
    response = _get(manager, people["cycle"])
    ada = next(r for r in response.context["rows"] if r.review == people["ada"])
    assert ada.figure(csat.pk).value is None


# --- htmx, and coming back after a change ---------------------------------------------------


def test_htmx_gets_the_fragment_and_the_address_of_what_is_applied(people, manager):
    response = _get(
        manager,
        people["cycle"],
        "team=&step=calibration&rating=&lead=&changed=&sort=name&dir=asc",
        **{"HX-Request": "true", "HX-Target": "calibration"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="calibration">')
    assert "<html" not in page
    assert response["HX-Push-Url"] == _url(people["cycle"], "step=calibration")
    assert "HX-Request" in response["Vary"]
    assert _names(response) == ["Ada", "Bea"]
    whole = _get(manager, people["cycle"], "step=calibration")
    assert "<html" in whole.content.decode()
    assert "HX-Push-Url" not in whole


def test_a_change_made_in_a_filtered_view_returns_to_it(people, manager, billing):
    bea = people["bea"]
    response = client_for(manager).post(
        reverse("performance:review-calibrate", kwargs={"review_id": bea.pk}),
        {
            "rating": "3",
            "reason": "Same queue as Ada.",
            "next": "calibration",
            "filters": f"team={billing.pk}&step=calibration&next=https://evil.example/&x=1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        _url(people["cycle"], f"team={billing.pk}&step=calibration") + f"#review-{bea.pk}"
    )
    bea.refresh_from_db()
    assert bea.rating == 3


def test_each_calibration_form_carries_the_view_it_was_in(people, manager, billing):
    page = _get(manager, people["cycle"], f"team={billing.pk}&sort=rating").content.decode()
    assert f'name="filters" value="team={billing.pk}&amp;sort=rating"' in page


# --- Who sees what ------------------------------------------------------------------------------


def test_a_lead_follows_progress_but_does_not_calibrate(people, lead):
    response = client_for(lead).get(_url(people["cycle"], "step=calibration"))
    assert response.status_code == 403


def test_a_manager_sees_only_the_teams_they_manage(people, other_manager, team):
    response = _get(other_manager, people["cycle"])
    assert _names(response) == ["Oona"]
    page = response.content.decode()
    assert "Ada Associate" not in page
    # Asking for someone else's team shows nothing of it.
    filtered = _get(other_manager, people["cycle"], f"team={team.pk}")
    assert _names(filtered) == ["Oona"]
    assert "Team: Not a team of this calibration" in filtered.content.decode()
    assert ">Payments<" not in filtered.content.decode()


def test_an_ops_admin_sees_every_team(people, admin, other_team):
    response = _get(admin, people["cycle"])
    assert _names(response) == ["Ada", "Bea", "Ben", "Bo", "Oona", "Tim"]
    assert _names(_get(admin, people["cycle"], f"team={other_team.pk}")) == ["Oona"]


@pytest.mark.parametrize("query", ["", "sort=csat", "changed=yes", "rating=none", "step=shared"])
def test_a_lead_s_private_notes_and_private_feedback_never_appear(people, csat, cast, lead, query):
    for who in ("ada", "tim", "bea"):
        associate = people[who].associate
        meeting = OneOnOneFactory(associate=associate, lead=lead, on=dt.date(2026, 6, 2))
        PrivateNoteFactory(one_on_one=meeting, text=PRIVATE_NOTE)
        FeedbackFactory(
            associate=associate,
            author=lead,
            is_private=True,
            situation=PRIVATE_FEEDBACK,
            about_on=dt.date(2026, 6, 2),
        )
    for persona in ("manager", "admin"):
        page = _get(cast[persona], people["cycle"], query).content.decode()
        assert PRIVATE_NOTE not in page, persona
        assert PRIVATE_FEEDBACK not in page, persona


def test_the_page_is_not_cached(people, manager):
    assert "no-store" in _get(manager, people["cycle"])["Cache-Control"]


# --- Query budget ---------------------------------------------------------------------------


def _teams_with_reviews(site, manager, cycle, first: int, count: int, per_team: int) -> None:
    kpis = list(Kpi.objects.order_by("pk"))
    for n in range(first, first + count):
        lead = UserFactory.create(username=f"qlead{n}")
        team = TeamFactory(site=site, name=f"Queue {n}", leads=[lead], manager=manager)
        cycle.teams.add(team)
        for m in range(per_team):
            person = _person(team, f"q{n}-{m}", f"Q{n}", f"Person {m}")
            review = at_step(Review.objects.create(cycle=cycle, associate=person), "calibration")
            Review.objects.filter(pk=review.pk).update(lead_submitted_by=lead.pk)
            review.rating_changes.create(
                from_rating=Rating.MEETS, to_rating=Rating.EXCEEDS, changed_by=manager, reason="r"
            )
            for kpi in kpis:
                _rollup(kpi, person, 4.5)


QUERY_BUDGET = 12


@pytest.mark.parametrize("query", ["", "sort=csat&dir=desc", "lead={lead}&changed=yes&rating=3"])
def test_query_count_is_fixed_whatever_the_teams_and_reviews(
    cast, site, manager, admin, django_assert_max_num_queries, query
):
    cycle = make_cycle(admin, "Budget")
    client = client_for(manager)
    _teams_with_reviews(site, manager, cycle, 0, 1, 2)
    lead_id = cycle.teams.get().leads.get().pk
    url = _url(cycle, query.format(lead=lead_id))
    with django_assert_max_num_queries(QUERY_BUDGET) as small:
        assert client.get(url).status_code == 200
    _teams_with_reviews(site, manager, cycle, 1, 5, 6)  # 6 teams, 32 reviews
    with django_assert_max_num_queries(QUERY_BUDGET) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["board"].in_scope_count == 32
    assert len(small.captured_queries) == len(large.captured_queries)
