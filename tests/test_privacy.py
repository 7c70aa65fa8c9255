"""Private and not-yet-shared text reaches only the people it is for, on every URL.

A unique marker goes into each private or unshared field: private feedback (also
one made private after it was shared, whose old versions must stay hidden), a
private 1:1 note, an associate's unsubmitted self review, the lead's draft and
a calibration reason before sharing. Every URL the resolver knows, the Django
admin's change, history, history-version, delete and search pages for every
registered model and object included, is then fetched as every persona, plain,
as an htmx fragment and as a CSV export, and a marker may appear only in a
response to someone who may read it:

- private feedback and a private 1:1 note: their author (`lead`), in the app;
- a self review before it is submitted: the associate who writes it;
- the lead's draft and a calibration reason before sharing: the staff of the
  review in the app (the team's leads, its manager, and ops admins acting in the
  app), never the associate it is about;
- the Django admin shows none of them to anyone: ops admins are not their authors.

A candidate's name and an interviewer's scorecard (hiring) are for the requisition's team
leads, its manager, ops admins, and the interviewers of that candidate (here `other_lead`,
on another team, interviews them); never associates. A scorecard is its interviewer's
alone until submitted, and an interviewer who still owes one on an application sees
nobody else's: the lead, who has a draft of their own, sees neither `other_lead`'s
submitted scorecard nor is their draft seen by anyone, the Django admin included.

An activity's title (protected time: "Coaching on refunds QA") is team planning, not a
private record, but it can say what a person is coached on: the people booked, the
team's leads, its manager and ops admins see it (the admin included); teammates who are
not booked do not.

issue 16, pulse: a round's comments are for its team (its associates, leads, manager and
ops admins, in the app) once it has closed with 5 responses or more; a round with 4
shows no comment (and no score) to anyone, anywhere; the Django admin shows none.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from performance.models import Feedback, OneOnOne, Rating, RatingChange, Review
from performance.services import feedback as feedback_services
from performance.services import one_on_ones as people_services
from performance.services import reviews as review_services
from scheduling.models import Activity
from tests.conftest import PERSONAS, client_for
from tests.performance.reviews.conftest import make_cycle

pytestmark = pytest.mark.django_db

FEEDBACK = ("MKFBSITUATION", "MKFBBEHAVIOUR", "MKFBIMPACT")
LATER_PRIVATE = "MKFBLATERPRIVATE"
NOTE = "MKPRIVATENOTE"
SELF = ("MKSELFACHIEVED", "MKSELFCHALLENGE", "MKSELFGROWTH")
LEAD = ("MKLEADGOALS", "MKLEADHIGHLIGHTS", "MKLEADSUMMARY", "MKLEADJUSTIFY")
CALIBRATION = "MKCALIBRATION"
STAFF = ("lead", "manager", "admin")
ACTIVITY = "MKACTIVITYTITLE"
CANDIDATE = ("MKCANDIDATENAME", "MKCANDIDATENOTES")
SUBMITTED_SCORECARD = ("MKSCORESUMMARY", "MKSCOREEVIDENCE")
DRAFT_SCORECARD = ("MKDRAFTSUMMARY", "MKDRAFTEVIDENCE")
# issue 16: pulse
PULSE_UNDER_FIVE = "MKPULSEFOUR"
PULSE_AT_FIVE = "MKPULSEFIVE"
PULSE_TEAM = ("associate", "teammate", *STAFF)

MAY_SEE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((*FEEDBACK, LATER_PRIVATE, NOTE), ("lead",)),
    **dict.fromkeys(SELF, ("associate",)),
    **dict.fromkeys((*LEAD, CALIBRATION), STAFF),
    ACTIVITY: ("associate", *STAFF),
    CANDIDATE[0]: (*STAFF, "other_lead"),
    CANDIDATE[1]: STAFF,  # notes are the team's, not the interviewer's
    **dict.fromkeys(SUBMITTED_SCORECARD, ("manager", "admin", "other_lead")),
    **dict.fromkeys(DRAFT_SCORECARD, ("lead",)),
    # issue 16: pulse
    PULSE_UNDER_FIVE: (),
    PULSE_AT_FIVE: PULSE_TEAM,
}
# What the Django admin must never show: the private and unshared records.
PRIVATE = frozenset(MAY_SEE) - {ACTIVITY, *CANDIDATE, *SUBMITTED_SCORECARD}


@pytest.fixture
def planted(cast, associate, teammate, lead, manager, admin, team):
    """Every private and unshared text, each written the way the app writes it."""
    feedback_services.give_feedback(
        actor=lead,
        associate=associate,
        kind="constructive",
        situation=f"{FEEDBACK[0]} first",
        behaviour=FEEDBACK[1],
        impact=FEEDBACK[2],
        is_private=True,
    )
    private = Feedback.objects.get(is_private=True)
    private.situation = f"{FEEDBACK[0]} second"  # a second version, so history has a diff
    private.save()
    feedback_services.give_feedback(
        actor=lead,
        associate=associate,
        kind="praise",
        situation=LATER_PRIVATE,
        behaviour="Kept the queue calm",
    )
    later = Feedback.objects.get(situation=LATER_PRIVATE)
    later.is_private = True
    later.save()

    meeting = OneOnOne.objects.create(
        associate=associate,
        lead=lead,
        on=dt.date(2026, 11, 2),
        starts_at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
        status=OneOnOne.Status.DONE,
        held_at=dt.datetime(2026, 11, 2, 10, 30, tzinfo=dt.UTC),
    )
    people_services.save_private_note(actor=lead, one_on_one=meeting, text=f"{NOTE} first")
    people_services.save_private_note(actor=lead, one_on_one=meeting, text=f"{NOTE} second")

    cycle = make_cycle(admin, "Privacy cycle", teams=[team])
    draft = Review.objects.create(cycle=cycle, associate=associate)
    for version in ("one", "two"):
        review_services.save_self_review(
            actor=associate.user,
            review=draft,
            achievements=f"{SELF[0]} {version}",
            challenges=SELF[1],
            growth=SELF[2],
            submit=False,
        )

    calibrated = Review.objects.create(cycle=cycle, associate=teammate)
    review_services.save_self_review(
        actor=teammate.user,
        review=calibrated,
        achievements="Closed the dispute backlog",
        challenges="",
        growth="",
        submit=True,
    )
    for submit in (False, True):
        review_services.save_lead_review(
            actor=lead,
            review=calibrated,
            goal_outcomes=LEAD[0],
            feedback_highlights=LEAD[1],
            lead_summary=f"{LEAD[2]} {submit}",
            rating=Rating.MEETS,
            rating_justification=LEAD[3],
            submit=submit,
        )
    review_services.calibrate(
        actor=manager, review=calibrated, rating=Rating.EXCEEDS, reason=CALIBRATION
    )
    calibrated.refresh_from_db()
    assert calibrated.state == Review.State.CALIBRATION

    activity = Activity.objects.create(
        team=team,
        kind=Activity.Kind.COACHING,
        title=f"{ACTIVITY} coaching",
        on=team.site.local_today(),  # inside the activity list and My schedule by default
        starts_at=dt.time(10),
        ends_at=dt.time(10, 30),
    )
    activity.attendees.add(associate)
    hiring = _plant_hiring(team, lead, cast["other_lead"])
    pulse = _plant_pulse(team, associate, teammate)  # issue 16: pulse
    return (
        hiring
        | pulse
        | {
            "activity": activity,
            "team": team,
            "associate": associate,
            "one_on_one": meeting,
            "reviews": [draft, calibrated],
            "cycle": cycle,
        }
    )


def _plant_hiring(team, lead, other_lead) -> dict[str, object]:
    """An open requisition with a candidate in interview: `other_lead` has submitted a
    scorecard, the lead (interviewing too) has a draft."""
    from django.utils import timezone

    from teams.models import Application, Candidate, Interview, Rating, Requisition, Scorecard
    from teams.services.applications import move_application

    requisition = Requisition.objects.create(
        team=team, status=Requisition.Status.OPEN, target_start_on=dt.date(2030, 2, 4)
    )
    competency = requisition.competencies.create(name="Customer empathy")
    candidate = Candidate.objects.create(
        name=f"{CANDIDATE[0]} Quinn", email="quinn@example.com", notes=CANDIDATE[1]
    )
    application = Application.objects.create(
        candidate=candidate, requisition=requisition, source=candidate.source
    )
    move_application(actor=lead, application=application, to_stage="interview")
    interview = Interview.objects.create(
        application=application, starts_at=dt.datetime(2030, 1, 8, 10, tzinfo=dt.UTC)
    )
    submitted = Scorecard.objects.create(
        interview=interview,
        interviewer=other_lead,
        recommendation="yes",
        summary=SUBMITTED_SCORECARD[0],
        submitted_at=timezone.now(),
    )
    Rating.objects.create(
        scorecard=submitted, competency=competency, score=3, evidence=SUBMITTED_SCORECARD[1]
    )
    draft = Scorecard.objects.create(
        interview=interview, interviewer=lead, summary=DRAFT_SCORECARD[0]
    )
    Rating.objects.create(
        scorecard=draft, competency=competency, score=2, evidence=DRAFT_SCORECARD[1]
    )
    return {
        "requisition": requisition,
        "application": application,
        "candidate": candidate,
        "interview": interview,
        "scorecards": [submitted, draft],
    }


# --- issue 16: pulse ---------------------------------------------------------------------


def _plant_pulse(team, associate, teammate) -> dict[str, object]:
    """A closed round with 4 responses and one with 5, every comment a marker, written
    the way people answer; a third round open today."""
    from performance.models import PulseRound
    from performance.services.pulse import answer_round
    from tests.factories import AssociateFactory, PulseRoundFactory

    today = team.site.local_today()
    rounds = []
    for weeks_ago, people, marker in (
        (8, [AssociateFactory(team=team) for _ in range(4)], PULSE_UNDER_FIVE),
        (4, [associate, teammate, *(AssociateFactory(team=team) for _ in range(3))], PULSE_AT_FIVE),
    ):
        round_ = PulseRoundFactory(
            team=team, opens_on=today, closes_on=today + dt.timedelta(days=7), is_open=True
        )
        for n, person in enumerate(people):
            answer_round(
                actor=person.user,
                round_=round_,
                enps=9 - n,
                scores=[4, 3, 5, 2],
                comment=f"{marker} comment {n}",
            )
        opens_on = today - dt.timedelta(weeks=weeks_ago)
        PulseRound.objects.filter(pk=round_.pk).update(
            opens_on=opens_on, closes_on=opens_on + dt.timedelta(days=7), is_open=False
        )
        rounds.append(round_)
    rounds.append(
        PulseRoundFactory(
            team=team, opens_on=today, closes_on=today + dt.timedelta(days=7), is_open=True
        )
    )
    return {"pulse_rounds": rounds}


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # walked model by model below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def app_urls(planted) -> list[str]:
    known: dict[str, object] = {
        "team_id": planted["team"].pk,
        "associate_id": planted["associate"].pk,
        "one_on_one_id": planted["one_on_one"].pk,
        "cycle_id": planted["cycle"].pk,
        "activity_id": planted["activity"].pk,
        "day": "2026-11-30",
        "token": "no-such-token",
        "uidb64": "MQ",
        "decision": "approve",
        "requisition_id": planted["requisition"].pk,
        "application_id": planted["application"].pk,
        "candidate_id": planted["candidate"].pk,
        "interview_id": planted["interview"].pk,
    }
    urls = []
    for name, pattern in _patterns(get_resolver()):
        wanted = set(pattern.pattern.regex.groupindex)
        ids = [{"review_id": r.pk} for r in planted["reviews"]] if "review_id" in wanted else [{}]
        if "scorecard_id" in wanted:
            ids = [{"scorecard_id": card.pk} for card in planted["scorecards"]]
        if "round_id" in wanted:  # issue 16: pulse
            ids = [{"round_id": round_.pk} for round_ in planted["pulse_rounds"]]
        for extra in ids:
            kwargs = {key: known.get(key, 1) for key in wanted} | extra
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def admin_urls(admin) -> list[str]:
    """Every page of the Django admin for every object held, with their history (the
    delete page where the admin may delete: never for the append-only audit log)."""
    as_admin = RequestFactory().get("/admin/")
    as_admin.user = admin
    urls = []
    for model, model_admin in django_admin.site._registry.items():
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        # A search for part of a private text (not the marker, which the box echoes).
        urls += [reverse(f"{base}_changelist") + f"?q={word}" for word in ("SITUATION", "SELF")]
        for obj in model._default_manager.all():
            for view in ("change", "history", "delete"):
                if view == "delete" and not model_admin.has_delete_permission(as_admin, obj):
                    continue
                urls.append(reverse(f"{base}_{view}", args=[obj.pk]))
            if hasattr(model, "history") and hasattr(model_admin, "history_form_view"):
                for version in obj.history.all():
                    urls.append(
                        reverse(f"{base}_simple_history", args=[obj.pk, version.history_id])
                    )
    return urls


def _found(body: str, markers: frozenset[str] | set[str] = frozenset(MAY_SEE)) -> set[str]:
    return {marker for marker in markers if marker in body}


@pytest.mark.parametrize("persona", PERSONAS)
def test_private_and_unshared_text_reaches_only_who_may_read_it(persona, cast, planted):
    client = client_for(cast[persona])
    leaks = []
    for url in app_urls(planted):
        for response in (
            client.get(url),
            client.get(url, HTTP_HX_REQUEST="true"),
            client.get(url, {"export": "csv"}),
        ):
            seen = _found(response.content.decode(errors="replace"))
            leaks += [(url, m) for m in seen if persona not in MAY_SEE[m]]
    assert leaks == []


def test_the_django_admin_shows_no_private_or_unshared_text_and_stays_usable(admin, planted):
    client = client_for(admin)
    urls = admin_urls(admin)
    assert any("/history/" in url for url in urls)
    leaks = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        leaks += [(url, m) for m in _found(response.content.decode(), PRIVATE)]
    assert leaks == []
    # Nor does a search tell records apart by their private text: it finds what a
    # search for nothing at all finds.
    for model in (Feedback, Review, RatingChange):
        url = reverse(f"admin:performance_{model._meta.model_name}_changelist")
        nothing = client.get(url, {"q": "no-such-word"}).context["cl"].result_count
        for word in ("SITUATION", "SELFACHIEVED", "LEADSUMMARY", CALIBRATION):
            assert client.get(url, {"q": word}).context["cl"].result_count == nothing, word
    # The masked fields say why they are empty.
    private = Feedback.objects.get(situation__startswith=FEEDBACK[0])
    page = client.get(reverse("admin:performance_feedback_change", args=[private.pk]))
    assert "private to its author" in page.content.decode()


def test_the_authors_do_see_what_they_wrote(cast, planted):
    """The markers are really on the pages above: the test can fail."""
    draft, calibrated = planted["reviews"]
    lead = client_for(cast["lead"])
    feedback = lead.get(reverse("performance:associate-feedback", args=[draft.associate_id]))
    assert set(FEEDBACK) | {LATER_PRIVATE} <= _found(feedback.content.decode())
    meeting = lead.get(reverse("performance:one-on-one-detail", args=[planted["one_on_one"].pk]))
    assert NOTE in meeting.content.decode()
    own = client_for(cast["associate"]).get(reverse("performance:review-self", args=[draft.pk]))
    assert set(SELF) <= _found(own.content.decode())
    for persona in STAFF:
        page = client_for(cast[persona]).get(
            reverse("performance:review-detail", args=[calibrated.pk])
        )
        assert set(LEAD) | {CALIBRATION} <= _found(page.content.decode()), persona
    schedule = client_for(cast["associate"]).get(reverse("scheduling:my-schedule"))
    assert ACTIVITY in schedule.content.decode()
    activities = reverse("scheduling:activity-list", args=[planted["team"].pk])
    for persona in STAFF:
        assert ACTIVITY in client_for(cast[persona]).get(activities).content.decode(), persona
    application = reverse("teams:application-detail", args=[planted["application"].pk])
    for persona in (*STAFF, "other_lead"):
        body = client_for(cast[persona]).get(application).content.decode()
        assert CANDIDATE[0] in body, persona
    for persona in ("manager", "admin", "other_lead"):
        body = client_for(cast[persona]).get(application).content.decode()
        assert set(SUBMITTED_SCORECARD) <= _found(body), persona
    draft = reverse("teams:scorecard-edit", args=[planted["scorecards"][1].pk])
    assert set(DRAFT_SCORECARD) <= _found(client_for(cast["lead"]).get(draft).content.decode())


def test_an_admin_edit_of_private_feedback_keeps_it_private_and_its_text(admin, planted):
    private = Feedback.objects.get(situation__startswith=FEEDBACK[0])
    url = reverse("admin:performance_feedback_change", args=[private.pk])
    response = client_for(admin).post(
        url,
        {
            "associate": private.associate_id,
            "author": private.author_id,
            "source": "lead",
            "kind": "praise",
            "about_on": "",
            "kpi": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    private.refresh_from_db()
    assert private.kind == "praise"  # the rest of the record is editable
    assert private.is_private
    assert private.situation == f"{FEEDBACK[0]} second"
    assert private.behaviour == FEEDBACK[1]


def test_the_admin_shows_a_review_once_shared(admin, manager, planted):
    _, calibrated = planted["reviews"]
    url = reverse("admin:performance_review_change", args=[calibrated.pk])
    assert LEAD[2] not in client_for(admin).get(url).content.decode()
    review_services.share_review(actor=manager, review=calibrated)
    body = client_for(admin).get(url).content.decode()
    assert LEAD[2] in body
    history = client_for(admin).get(
        reverse("admin:performance_review_history", args=[calibrated.pk])
    )
    assert CALIBRATION in history.content.decode()  # the reason, once shared after it


@pytest.mark.parametrize("persona", ["associate", "lead", "manager", "admin"])
def test_every_page_fragment_and_export_tells_caches_not_to_store_it(persona, cast, planted):
    """Issue 12, point 17: pages about people are never kept by a browser or proxy
    (the 1:1 overview, the leave queue, the ledger, KPI drill-downs, CSV exports)."""
    client = client_for(cast[persona])
    kept = []
    for url in app_urls(planted):
        for response in (client.get(url), client.get(url, {"export": "csv"})):
            if "no-store" not in response.get("Cache-Control", ""):
                kept.append((url, response.status_code, response.get("Cache-Control")))
    assert kept == []


# --- issue 16: pulse ---------------------------------------------------------------------


def test_pulse_comments_at_five_reach_the_team_and_under_five_nobody(cast, planted):
    """The markers are really on the pages: the crawl above can fail."""
    under_five, at_five, _open = planted["pulse_rounds"]
    for persona in PULSE_TEAM:
        client = client_for(cast[persona])
        for url in (
            reverse("performance:team-pulse", args=[planted["team"].pk]),
            reverse("performance:pulse-round", args=[at_five.pk]),
        ):
            assert PULSE_AT_FIVE in client.get(url).content.decode(), (persona, url)
        page = client.get(reverse("performance:pulse-round", args=[under_five.pk]))
        assert "Results appear at 5 responses (4 in this round)" in page.content.decode()
    for persona in ("other_lead", "other_manager"):
        url = reverse("performance:pulse-round", args=[at_five.pk])
        assert client_for(cast[persona]).get(url).status_code == 404
