"""Privacy matrix: private 1:1 notes and private feedback reach their author only.

A unique marker goes into a private 1:1 note and into private feedback; every URL
the resolver knows (pages, htmx fragments, CSV exports, the JSON API, search) is
then fetched as every other persona, and the marker must be in none of the
responses. The manager sees that 1:1s happen (dates, counts), not what was said.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from performance.models import OneOnOne, PrivateNote
from performance.services import feedback as feedback_services
from performance.services import one_on_ones as services
from tests.conftest import client_for
from tests.factories import GoalFactory

from .conftest import TODAY, make_meeting

pytestmark = pytest.mark.django_db

NOTE_MARKER = "PRIVNOTE-7f3a9c"
FEEDBACK_MARKER = "PRIVFEEDBACK-b41e07"
SHARED_MARKER = "SHAREDNOTE-c2d5e8"
SEARCH_WORD = "zanzibar"  # also in the private texts, so a search would find them
NOT_THE_AUTHOR = ("associate", "teammate", "other_lead", "manager", "other_manager", "admin")


@pytest.fixture
def records(cast, associate, lead, team, frozen):
    held = make_meeting(associate, lead, TODAY - dt.timedelta(days=7), status="done")
    services.save_private_note(
        actor=lead, one_on_one=held, text=f"{NOTE_MARKER} worried about {SEARCH_WORD}"
    )
    services.save_shared_notes(actor=lead, one_on_one=held, shared_notes=SHARED_MARKER)
    upcoming = make_meeting(associate, lead, TODAY + dt.timedelta(days=7))
    services.save_private_note(actor=lead, one_on_one=upcoming, text=f"{NOTE_MARKER} prep")
    item = services.add_action_item(
        actor=lead, one_on_one=held, text="Book the course", owner=associate.user, due_on=None
    )
    feedback_services.give_feedback(
        actor=lead,
        associate=associate,
        kind="constructive",
        situation=f"{FEEDBACK_MARKER} {SEARCH_WORD}",
        behaviour=FEEDBACK_MARKER,
        impact=FEEDBACK_MARKER,
        is_private=True,
    )
    feedback_services.give_feedback(
        actor=lead, associate=associate, kind="praise", situation="Queue", behaviour="Shared"
    )
    goal = GoalFactory(
        associate=associate,
        title="Lift CSAT",
        starts_on=TODAY - dt.timedelta(days=30),
        ends_on=TODAY + dt.timedelta(days=60),
        target_value=4.6,
        created_by=lead,
    )
    return {"held": held, "upcoming": upcoming, "item": item, "goal": goal, "team": team}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def _kwargs(pattern: URLPattern, records, associate) -> dict[str, object]:
    known = {
        "team_id": records["team"].pk,
        "associate_id": associate.pk,
        "one_on_one_id": records["held"].pk,
        "item_id": records["item"].pk,
        "goal_id": records["goal"].pk,
        "day": TODAY.isoformat(),
        "token": "no-such-token",
        "uidb64": "MQ",
        "decision": "approve",
    }
    # Ids of other areas' objects (reviews, swaps…) that this data set does not
    # hold: any id, the response is then a 404 page that must not leak either.
    return {name: known.get(name, 1) for name in pattern.pattern.regex.groupindex}


def _urls(records, associate):
    urls = []
    for name, pattern in _patterns(get_resolver()):
        path = reverse(name, kwargs=_kwargs(pattern, records, associate))
        urls.append(path)
    # Both 1:1s, search, CSV and the htmx fragments.
    urls += [
        reverse("performance:one-on-one-detail", args=[records["upcoming"].pk]),
        reverse("teams:team-detail", args=[records["team"].pk]) + f"?q={SEARCH_WORD}",
        reverse("performance:one-on-one-overview") + f"?q={SEARCH_WORD}",
    ]
    return urls


def _assert_clean(response, persona, url):
    body = response.content.decode(errors="replace")
    assert NOTE_MARKER not in body, (persona, url)
    assert FEEDBACK_MARKER not in body, (persona, url)


@pytest.mark.parametrize("persona", NOT_THE_AUTHOR)
def test_private_notes_and_feedback_appear_in_no_response_to_anyone_but_their_author(
    persona, cast, records, associate
):
    client = client_for(cast[persona])
    for url in _urls(records, associate):
        _assert_clean(client.get(url), persona, url)
        _assert_clean(client.get(url, HTTP_HX_REQUEST="true"), persona, url)
        for suffix in ("?format=csv", "?export=csv"):
            _assert_clean(client.get(url + suffix), persona, url + suffix)


@pytest.mark.parametrize("persona", NOT_THE_AUTHOR)
def test_htmx_writes_return_fragments_without_private_text(persona, cast, records):
    client = client_for(cast[persona])
    upcoming, item = records["upcoming"], records["item"]
    for url, data in (
        (reverse("performance:one-on-one-agenda-add", args=[upcoming.pk]), {"text": "Topic"}),
        (reverse("performance:action-item-toggle", args=[item.pk]), {"done": "1"}),
    ):
        _assert_clean(client.post(url, data, HTTP_HX_REQUEST="true"), persona, url)
        _assert_clean(client.post(url, data, follow=True), persona, url)


def test_the_author_does_see_them(login, lead, records):
    client = login(lead)
    page = client.get(reverse("performance:one-on-one-detail", args=[records["held"].pk]))
    assert NOTE_MARKER in page.content.decode()
    url = reverse("performance:associate-feedback", args=[records["held"].associate_id])
    assert FEEDBACK_MARKER in client.get(url).content.decode()


def test_the_associate_reads_shared_notes_and_action_items(login, associate, records):
    body = (
        login(associate.user)
        .get(reverse("performance:one-on-one-detail", args=[records["held"].pk]))
        .content.decode()
    )
    assert SHARED_MARKER in body
    assert "Book the course" in body


def test_the_manager_sees_that_1on1s_happen_not_what_was_said(login, manager, records, associate):
    client = login(manager)
    body = client.get(
        reverse("performance:associate-one-on-ones", args=[associate.pk])
    ).content.decode()
    assert records["held"].on.strftime("%a %-d %b %Y") in body.replace("\xa0", " ")
    assert "1 past 1:1" in body
    assert SHARED_MARKER not in body
    assert "Book the course" not in body
    held = reverse("performance:one-on-one-detail", args=[records["held"].pk])
    assert client.get(held).status_code == 403
    overview = client.get(reverse("performance:one-on-one-overview")).content.decode()
    assert associate.name in overview


def test_a_new_lead_inherits_shared_records_but_not_the_private_note(
    login, lead, other_lead, other_team, associate, records
):
    associate.team = other_team
    associate.save()
    client = login(other_lead)
    held = reverse("performance:one-on-one-detail", args=[records["held"].pk])
    body = client.get(held).content.decode()
    assert SHARED_MARKER in body
    assert "Book the course" in body
    assert NOTE_MARKER not in body
    feedback = client.get(
        reverse("performance:associate-feedback", args=[associate.pk])
    ).content.decode()
    assert "Shared" in feedback
    assert FEEDBACK_MARKER not in feedback
    goals = client.get(reverse("performance:associate-goals", args=[associate.pk]))
    assert "Lift CSAT" in goals.content.decode()
    # The new lead writes their own private note; the old one stays the old lead's.
    client.post(
        reverse("performance:one-on-one-private-note", args=[records["held"].pk]),
        {"text": "new lead's own"},
    )
    assert PrivateNote.objects.filter(one_on_one=records["held"]).count() == 2
    assert NOTE_MARKER not in client.get(held).content.decode()
    # And the previous lead can no longer open the moved associate's 1:1s.
    assert login(lead).get(held).status_code == 404
    # The 1:1 the previous lead planned is held by the new one.
    upcoming = records["upcoming"]
    client.post(reverse("performance:one-on-one-held", args=[upcoming.pk]))
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.lead) == ("done", other_lead)


def test_the_admin_never_shows_private_note_text(login, admin, records):
    note = PrivateNote.objects.filter(one_on_one=records["held"]).get()
    client = login(admin)
    for url in (
        reverse("admin:performance_privatenote_changelist"),
        reverse("admin:performance_privatenote_change", args=[note.pk]),
        reverse("admin:performance_oneonone_change", args=[records["held"].pk]),
        reverse("admin:performance_oneonone_history", args=[records["held"].pk]),
        reverse("admin:performance_feedback_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTE_MARKER not in response.content.decode(), url


def test_a_private_note_form_post_by_the_associate_is_refused(login, associate, records):
    url = reverse("performance:one-on-one-private-note", args=[records["held"].pk])
    assert login(associate.user).post(url, {"text": "mine"}).status_code == 403
    assert not PrivateNote.objects.filter(author=associate.user).exists()


def test_held_1on1_counts_do_not_depend_on_private_notes(records):
    assert OneOnOne.objects.held().count() == 1
