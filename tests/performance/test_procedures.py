"""Procedures (issue 16): markdown rendered safely, every version kept with who and
why, leads edit and the team reads, a stale form refused."""

import pytest
from django.urls import reverse

from performance.models import Procedure
from performance.selectors.procedures import render_markdown, versions
from performance.services import procedures as services
from tests.conftest import client_for
from tests.factories import IdeaFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def test_raw_html_shows_as_text_and_javascript_links_are_no_links():
    html = render_markdown(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.com) "
        "[mail](mailto:team@example.com) [d](data:text/html,hi) ![i](https://e.com/p.png)"
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "[x](javascript:alert(1))" in html
    assert 'href="data:' not in html
    assert '<a href="https://example.com">ok</a>' in html
    assert '<a href="mailto:team@example.com">mail</a>' in html
    assert "<img" not in html


def test_the_procedure_page_renders_a_hostile_body_as_text(team, associate, lead):
    procedure = ProcedureFactory(
        team=team,
        updated_by=lead,
        body="# Refunds\n\n<script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = client_for(associate.user).get(
        reverse("performance:procedure-detail", args=[procedure.pk])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Refunds</h1>" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="javascript:' not in body


def _edit(user, procedure, **data):
    latest = versions(procedure)[0].record.history_id
    form = {"title": procedure.title, "body": procedure.body, "why": "", "version": latest} | data
    return client_for(user).post(reverse("performance:procedure-edit", args=[procedure.pk]), form)


def test_versions_are_kept_with_who_and_why(team, lead, associate):
    response = client_for(lead).post(
        reverse("performance:procedure-create", args=[team.pk]),
        {"title": "Weekend backlog", "body": "1. Oldest first.", "why": "Written down"},
    )
    procedure = Procedure.objects.get(team=team, title="Weekend backlog")
    assert response.status_code == 302
    assert (
        _edit(lead, procedure, body="1. Oldest first.\n2. VIPs.", why="VIPs wait less").status_code
        == 302
    )
    procedure.refresh_from_db()
    # The same save again (a second click): no new version.
    client_for(lead).post(
        reverse("performance:procedure-edit", args=[procedure.pk]),
        {"title": procedure.title, "body": procedure.body, "why": "again"},
    )
    found = versions(procedure)
    assert [(v.number, v.why, v.record.history_user) for v in found] == [
        (2, "VIPs wait less", lead),
        (1, "Written down", lead),
    ]
    # Every old version is viewable, as it was.
    old = client_for(associate.user).get(
        reverse("performance:procedure-version", args=[procedure.pk, found[1].record.history_id])
    )
    assert old.status_code == 200
    assert "VIPs" not in old.content.decode()
    listing = client_for(associate.user).get(
        reverse("performance:procedure-versions", args=[procedure.pk])
    )
    assert "VIPs wait less" in listing.content.decode()
    assert "Written down" in listing.content.decode()


def test_a_stale_form_is_refused_and_associates_may_not_edit(team, lead, associate, manager):
    procedure = ProcedureFactory(team=team, updated_by=lead)
    procedure.history.update(history_user=lead)
    stale = versions(procedure)[0].record.history_id
    services.save_procedure(
        actor=lead, team=team, procedure=procedure, title=procedure.title, body="New", why="Fix"
    )
    response = client_for(lead).post(
        reverse("performance:procedure-edit", args=[procedure.pk]),
        {"title": procedure.title, "body": "Mine", "why": "Mine", "version": stale},
    )
    assert response.status_code == 200
    procedure.refresh_from_db()
    assert procedure.body == "New"
    for user in (associate.user, manager):
        refused = client_for(user).post(
            reverse("performance:procedure-edit", args=[procedure.pk]),
            {"title": "x", "body": "x", "why": "x"},
        )
        assert refused.status_code == 403
    procedure.refresh_from_db()
    assert procedure.body == "New"
    assert len(versions(procedure)) == 2


def test_a_body_over_the_limit_is_a_field_error(team, lead):
    response = client_for(lead).post(
        reverse("performance:procedure-create", args=[team.pk]),
        {"title": "Long", "body": "x" * 20_001, "why": "Because"},
    )
    assert response.status_code == 200
    assert not Procedure.objects.filter(title="Long").exists()


def test_adopting_links_the_procedure_to_its_idea(team, lead, associate):
    idea = IdeaFactory(team=team, author=associate.user, status="adopted")
    url = reverse("performance:procedure-create", args=[team.pk]) + f"?idea={idea.pk}"
    form = client_for(lead).get(url).content.decode()
    assert f"Adopted from idea #{idea.pk}" in form
    client_for(lead).post(
        url,
        {
            "title": "Triage",
            "body": "Do it",
            "why": f"Adopted from idea #{idea.pk}",
            "idea": idea.pk,
        },
    )
    procedure = Procedure.objects.get(title="Triage")
    assert procedure.adopted_from_idea == idea
    page = client_for(associate.user).get(
        reverse("performance:procedure-detail", args=[procedure.pk])
    )
    assert f"adopted from idea #{idea.pk}" in page.content.decode()


def test_another_teams_idea_is_not_linked(team, other_team, lead, associate, admin):
    idea = IdeaFactory(team=other_team, author=associate.user, status="adopted")
    client_for(admin).post(
        reverse("performance:procedure-create", args=[team.pk]),
        {"title": "T", "body": "B", "why": "W", "idea": idea.pk},
    )
    assert Procedure.objects.get(title="T").adopted_from_idea is None


@pytest.mark.parametrize("count", [2, 10])
def test_procedure_list_query_budget(count, team, lead, associate, django_assert_max_num_queries):
    for _ in range(count):
        ProcedureFactory(team=team, updated_by=lead)
    client = client_for(associate.user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("performance:procedure-list", args=[team.pk]))
    assert response.content.decode().count("/procedures/") >= count
