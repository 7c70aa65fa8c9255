"""Review cycle pages: cycles and their progress, calibration, and one review's
steps. Who may do what is decided in `review_services` (403/400 with a reason);
who may see what here: a review is seen by a lead or the manager of the
associate's team and by ops admins, and by the associate only once it has been
shared (404 before, like everything else they may not see)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import Roles, deny, roles_for
from teams.http import authenticated_user
from teams.models import User

from . import review_selectors, review_services
from .models import Rating, Review, ReviewCycle
from .review_forms import (
    AcknowledgeForm,
    CalibrateForm,
    CycleForm,
    LeadReviewForm,
    SelfReviewForm,
)
from .review_services import Relation, ReviewError

# --- Access ------------------------------------------------------------------------------


def get_review_for_user(
    user: User, review_id: int, *, subject_before_sharing: bool = False
) -> tuple[Review, Relation]:
    """The review and how the user stands to it; 404 if they may not see it. The
    associate sees it only once shared, except the self-review page
    (`subject_before_sharing`), which shows nothing but their own writing."""
    review = (
        Review.objects.select_related(
            "associate__user", "associate__team__site", "cycle", "lead_submitted_by", "shared_by"
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        deny(user, "review", review_id, status=404)
        raise Http404("No such review.")
    rel = review_services.relation(user, review)
    staff = rel.is_lead or rel.is_manager or rel.is_admin
    subject_may_see = rel.is_subject and (subject_before_sharing or review.is_visible_to_associate)
    if not (staff or subject_may_see):
        deny(user, "review", review_id, status=404)
        raise Http404("No such review.")
    return review, rel


def get_cycle_for_user(
    user: User, cycle_id: int
) -> tuple[ReviewCycle, Roles, frozenset[int] | None]:
    """The cycle, the user's roles, and the teams whose reviews the user sees (None =
    all, for admins). A cycle is seen by whoever leads or manages one of its teams, or
    the current team of one of its associates (reviews move with the associate).
    404 otherwise."""
    roles = roles_for(user)
    cycle = ReviewCycle.objects.filter(pk=cycle_id).first()
    if cycle is not None and roles.is_admin:
        return cycle, roles, None
    seen = roles.visible_team_ids
    if (
        cycle is None
        or not seen
        or not (
            cycle.teams.filter(pk__in=seen).exists()
            or cycle.reviews.filter(associate__team_id__in=seen).exists()
        )
    ):
        deny(user, "review_cycle", cycle_id, status=404)
        raise Http404("No such review cycle.")
    return cycle, roles, seen


def _forbid(request: HttpRequest, message: str) -> PermissionDenied:
    """A 403 for a user who may see the object but not do this; logged like 404s."""
    deny(request.user, "path", request.path, status=403)
    return PermissionDenied(message)


def _refused(
    request: HttpRequest, error: ReviewError, review: Review | None = None
) -> HttpResponse:
    if error.status == 403:
        raise _forbid(request, error.message)
    return render(
        request,
        "performance/reviews/refused.html",
        {"message": error.message, "review": review},
        status=error.status,
    )


# --- Cycles -------------------------------------------------------------------------------


@never_cache
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    roles = roles_for(user)
    if not roles.has_teams:
        raise Http404("No such page.")
    cycles = list(review_selectors.visible_cycles(roles))
    counts = Review.objects.filter(cycle__in=cycles)
    if not roles.is_admin:
        counts = counts.for_teams(roles.visible_team_ids)
    tally: dict[int, dict[str, int]] = {}
    for row in counts.order_by().values("cycle_id", "state").annotate(n=Count("id")):
        tally.setdefault(row["cycle_id"], {})[row["state"]] = row["n"]
    rows = [
        (
            cycle,
            [
                (label, tally.get(cycle.pk, {}).get(value, 0))
                for value, label in Review.State.choices
            ],
        )
        for cycle in cycles
    ]
    return render(
        request,
        "performance/reviews/cycle_list.html",
        {
            "rows": rows,
            "can_open": roles.is_admin or roles.is_manager,
            "states": Review.State.labels,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    roles = roles_for(user)
    if not (roles.is_admin or roles.is_manager):
        if roles.is_lead:
            raise _forbid(request, "Review cycles are opened by a manager or an ops admin.")
        raise Http404("No such page.")
    form = CycleForm(request.POST or None, teams=review_services.cycle_teams_for(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = review_services.open_cycle(
                actor=user,
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                self_review_due_on=data["self_review_due_on"],
                lead_review_due_on=data["lead_review_due_on"],
                calibration_due_on=data["calibration_due_on"],
                teams=data["teams"],
            )
        except ReviewError as error:
            if error.status == 403:
                raise _forbid(request, error.message) from None
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"{cycle.name} is open: {cycle.reviews.count()} reviews at self review."
            )
            return redirect("performance:cycle-progress", cycle_id=cycle.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "performance/reviews/cycle_form.html", {"form": form}, status=status)


@never_cache
@require_GET
def cycle_progress(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Who is late at which step, for the user's teams in the cycle."""
    user = authenticated_user(request)
    cycle, roles, team_ids = get_cycle_for_user(user, cycle_id)
    reviews = list(review_selectors.reviews_in_cycle(cycle, team_ids))
    rows = review_selectors.progress_rows(cycle, reviews)
    return render(
        request,
        "performance/reviews/cycle_progress.html",
        {
            "cycle": cycle,
            "rows": rows,
            "late_count": sum(1 for r in rows if r.is_late),
            "counts": review_selectors.state_counts(reviews),
            "can_calibrate": roles.is_admin
            or any(r.associate.team_id in roles.managed_team_ids for r in reviews),
        },
    )


@never_cache
@require_GET
def cycle_calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """All ratings of the manager's teams side by side with the period's KPI summary."""
    user = authenticated_user(request)
    cycle, roles, team_ids = get_cycle_for_user(user, cycle_id)
    if team_ids is not None:
        team_ids = team_ids & roles.managed_team_ids
        if not team_ids:
            raise _forbid(request, "Calibration is the manager's: you can follow the progress.")
    reviews = review_selectors.calibration_rows(cycle, team_ids)
    summaries = review_selectors.kpi_summaries(
        [r.associate_id for r in reviews], cycle.period_start, cycle.period_end
    )
    kpi_names = [line["name"] for line in next(iter(summaries.values()), [])]
    distribution = {label: 0 for label in Rating.labels}
    for review in reviews:
        if review.rating:
            distribution[Rating(review.rating).label] += 1
    return render(
        request,
        "performance/reviews/calibration.html",
        {
            "cycle": cycle,
            "rows": [(r, summaries[r.associate_id]) for r in reviews],
            "kpi_names": kpi_names,
            "distribution": distribution,
            "rating_choices": Rating.choices,
            "calibration_state": Review.State.CALIBRATION,
        },
    )


# --- The associate's own reviews -----------------------------------------------------------


@never_cache
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    roles = roles_for(authenticated_user(request))
    if roles.associate_id is None:
        raise Http404("No such page.")
    reviews = (
        Review.objects.filter(associate_id=roles.associate_id)
        .select_related("cycle")
        .order_by("-cycle__period_end")
    )
    return render(request, "performance/reviews/my_reviews.html", {"reviews": reviews})


# --- One review ------------------------------------------------------------------------------


def _review_context(review: Review, rel: Relation) -> dict[str, Any]:
    changes = list(review.rating_changes.select_related("changed_by"))
    staff = rel.is_lead or rel.is_manager or rel.is_admin
    return {
        "review": review,
        "rel": rel,
        "is_staff_view": staff,
        "rating_changes": changes if staff else [],
        "states": Review.State,
    }


@never_cache
@require_GET
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, rel = get_review_for_user(user, review_id)
    context = _review_context(review, rel) | {
        "self_review_overdue": review.state == Review.State.SELF_REVIEW
        and review.associate.team.site.local_today() > review.cycle.self_review_due_on,
        "acknowledge_form": AcknowledgeForm(),
        "calibrate_form": CalibrateForm(initial={"rating": review.rating}),
    }
    return render(request, "performance/reviews/review_detail.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def review_self(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, rel = get_review_for_user(user, review_id, subject_before_sharing=True)
    if not rel.is_subject:
        raise _forbid(
            request, "The self review is the associate's to write; read it on the review."
        )
    initial = {
        "achievements": review.self_achievements,
        "challenges": review.self_challenges,
        "growth": review.self_growth,
    }
    form = SelfReviewForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "performance/reviews/self_review.html",
                {"review": review, "form": form},
                status=400,
            )
        submit = "submit" in request.POST
        try:
            review_services.save_self_review(
                actor=user,
                review=review,
                achievements=form.cleaned_data["achievements"],
                challenges=form.cleaned_data["challenges"],
                growth=form.cleaned_data["growth"],
                submit=submit,
            )
        except ReviewError as error:
            return _refused(request, error, review)
        messages.success(
            request,
            "Your self review is with your lead now." if submit else "Your self review is saved.",
        )
        return redirect("performance:review-self", review_id=review.pk)
    return render(request, "performance/reviews/self_review.html", {"review": review, "form": form})


@never_cache
@require_POST
def review_skip_self(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, _rel = get_review_for_user(user, review_id)
    try:
        review_services.skip_self_review(actor=user, review=review)
    except ReviewError as error:
        return _refused(request, error, review)
    messages.success(request, "The lead review is open without a self review.")
    return redirect("performance:review-lead", review_id=review.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def review_lead(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, rel = get_review_for_user(user, review_id)
    if not rel.writes_lead_review:
        raise _forbid(request, "The lead review is written by a lead of the associate's team.")
    if request.method == "GET" and review.state == Review.State.LEAD_REVIEW:
        # Show the lead the period as it stands now, and what is pre-filled.
        review_services.prefill_lead_draft(review)
    initial = {
        "goal_outcomes": review.goal_outcomes,
        "feedback_highlights": review.feedback_highlights,
        "lead_summary": review.lead_summary,
        "rating": review.rating,
        "rating_justification": review.rating_justification,
    }
    form = LeadReviewForm(request.POST or None, initial=initial)
    context = _review_context(review, rel) | {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "performance/reviews/lead_review.html", context, status=400)
        data = form.cleaned_data
        submit = "submit" in request.POST
        try:
            saved = review_services.save_lead_review(
                actor=user,
                review=review,
                goal_outcomes=data["goal_outcomes"],
                feedback_highlights=data["feedback_highlights"],
                lead_summary=data["lead_summary"],
                rating=data["rating"],
                rating_justification=data["rating_justification"],
                submit=submit,
                edit_reason=data["edit_reason"],
            )
        except ReviewError as error:
            if error.status == 403:
                raise _forbid(request, error.message) from None
            form.add_error(None, error.message)
            return render(request, "performance/reviews/lead_review.html", context, status=400)
        if review.state == Review.State.SHARED and saved.state == Review.State.CALIBRATION:
            messages.success(
                request,
                "The shared review is changed and back at calibration; the associate is told.",
            )
        elif submit:
            messages.success(request, "The review is with the manager for calibration.")
        else:
            messages.success(request, "Draft saved.")
        return redirect("performance:review-detail", review_id=review.pk)
    return render(request, "performance/reviews/lead_review.html", context)


@never_cache
@require_POST
def review_calibrate(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, rel = get_review_for_user(user, review_id)
    if not rel.calibrates:
        raise _forbid(request, "Ratings are calibrated by the team's manager.")
    form = CalibrateForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            review_services.WrongStep(
                "Choose a rating on the scale and say why: a calibration change needs a reason."
            ),
            review,
        )
    try:
        change = review_services.calibrate(
            actor=user,
            review=review,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
        )
    except ReviewError as error:
        return _refused(request, error, review)
    messages.success(
        request,
        f"{review.associate.name}: rating {change.from_rating or '—'} → {change.to_rating}.",
    )
    return redirect(_next(request, review))


@never_cache
@require_POST
def review_share(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, _rel = get_review_for_user(user, review_id)
    try:
        review_services.share_review(actor=user, review=review)
    except ReviewError as error:
        return _refused(request, error, review)
    messages.success(request, f"The review is shared with {review.associate.name}.")
    return redirect(_next(request, review))


@never_cache
@require_POST
def review_acknowledge(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, _rel = get_review_for_user(user, review_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _refused(request, review_services.WrongStep("The comment is too long."), review)
    try:
        review_services.acknowledge_review(
            actor=user, review=review, comment=form.cleaned_data["comment"]
        )
    except ReviewError as error:
        return _refused(request, error, review)
    messages.success(request, "You acknowledged your review.")
    return redirect("performance:review-detail", review_id=review.pk)


@never_cache
@require_GET
def review_history(request: HttpRequest, review_id: int) -> HttpResponse:
    """Every recorded change of the review: who, when, and each field before → after."""
    user = authenticated_user(request)
    review, rel = get_review_for_user(user, review_id)
    staff = rel.is_lead or rel.is_manager or rel.is_admin
    hide_self_drafts = not rel.is_subject and review.self_submitted_at is None
    records = list(
        review.history.select_related("history_user").order_by("history_date", "history_id")
    )
    labels = {
        f.name: capfirst(str(f.verbose_name))
        for f in Review._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    entries = []
    previous = None
    for record in records:
        changes: list[dict[str, str]] = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in BOOKKEEPING:
                    continue
                if change.field.startswith("self_") and hide_self_drafts:
                    continue  # the associate's draft is theirs until submitted
                changes.append(
                    {
                        "field": labels.get(change.field, change.field),
                        "old": _shown(change.field, change.old),
                        "new": _shown(change.field, change.new),
                    }
                )
        reason = record.history_change_reason or ""
        if not staff and reason.startswith("calibrated"):
            reason = "calibrated"  # the manager's reasons may compare with colleagues
        entries.append({"record": record, "reason": reason, "changes": changes})
        previous = record
    if not staff:
        # The associate's view starts where the review reached them: how the lead's
        # draft and the calibration got there stays with the leads and managers.
        first_shared = next(
            (i for i, e in enumerate(entries) if e["record"].state == Review.State.SHARED), None
        )
        entries = entries[first_shared:] if first_shared is not None else []
    entries.reverse()
    return render(
        request,
        "performance/reviews/history.html",
        {"review": review, "entries": entries, "rel": rel},
    )


# Dates and actors of a step are the history row's own who and when.
BOOKKEEPING = {
    "self_submitted_at",
    "lead_submitted_at",
    "lead_submitted_by",
    "first_shared_at",
    "shared_at",
    "shared_by",
    "acknowledged_at",
    "reopened_count",
    "kpi_summary",
}


def _shown(field: str, value: object) -> str:
    if field == "rating" and value:
        return str(Rating(int(str(value))).label)
    if field == "state" and value:
        return str(Review.State(str(value)).label)
    if value in (None, ""):
        return "—"
    return str(value)


def _next(request: HttpRequest, review: Review) -> str:
    """Back to the calibration page when the action came from there."""
    if request.POST.get("next") == "calibration":
        return reverse("performance:cycle-calibration", kwargs={"cycle_id": review.cycle_id})
    return reverse("performance:review-detail", kwargs={"review_id": review.pk})
