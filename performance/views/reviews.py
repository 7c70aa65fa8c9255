"""Review cycle pages: cycles and their progress, calibration, and one review's
steps. Who may see and do what is decided in performance/access.py: a review is
seen by a lead or the manager of the associate's team and by ops admins, and by
the associate only once it has been shared (404 before, like everything else
they may not see); a step that is not the user's is a 403. Where the review
stands is checked by `services.reviews` (400 with a reason)."""

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from teams.http import authenticated_user

from .. import access
from ..forms.reviews import (
    AcknowledgeForm,
    CalibrateForm,
    CalibrationFilterForm,
    CycleForm,
    LeadReviewForm,
    SelfReviewForm,
)
from ..models import Kpi, Rating, Review
from ..selectors import kpis as kpi_selectors
from ..selectors import reviews as review_selectors
from ..services import reviews as review_services
from ..services.reviews import ReviewError


def _refused(
    request: HttpRequest, error: ReviewError, review: Review | None = None
) -> HttpResponse:
    if error.status == 403:
        raise access.forbid(request.user, request.path, error.message)
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
    scope = access.require_cycle_list_viewer(authenticated_user(request))
    cycles = list(review_selectors.visible_cycles(scope.roles))
    return render(
        request,
        "performance/reviews/cycle_list.html",
        {
            "rows": review_selectors.cycle_rows(cycles, scope.team_ids),
            "can_open": scope.can_open,
            "states": Review.State.labels,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    teams = access.require_cycle_opener(user, request.path)
    form = CycleForm(request.POST or None, teams=teams)
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
                raise access.forbid(user, request.path, error.message) from None
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
    seen = access.get_cycle_for_user(user, cycle_id)
    cycle = seen.cycle
    reviews = list(review_selectors.reviews_in_cycle(cycle, seen.team_ids))
    rows = review_selectors.progress_rows(cycle, reviews)
    return render(
        request,
        "performance/reviews/cycle_progress.html",
        {
            "cycle": cycle,
            "rows": rows,
            "late_count": sum(1 for r in rows if r.is_late),
            "counts": review_selectors.state_counts(reviews),
            "can_calibrate": access.calibrates_any(seen, reviews),
        },
    )


# The part of the calibration page that htmx swaps when a filter or sort changes.
CALIBRATION_FRAGMENT = "calibration"


@never_cache
@require_GET
def cycle_calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """All ratings of the manager's teams side by side with the period's KPIs, each
    team's rating distribution, filtered and sorted by the query string (?team=,
    step=, rating=, lead=, changed=, sort=, dir=); a bad value is reported and left
    out, never a 500."""
    user = authenticated_user(request)
    seen = access.get_cycle_for_user(user, cycle_id)
    cycle = seen.cycle
    team_ids = access.require_cycle_calibrator(user, request.path, seen)
    options = review_selectors.calibration_options(cycle, team_ids)
    form = CalibrationFilterForm(request.GET or None, options=options)
    query = form.query()
    board = review_selectors.calibration_board(cycle, team_ids, query, options)
    columns = _sort_columns(query, board.kpis)
    context = {
        "cycle": cycle,
        "form": form,
        "board": board,
        "rows": board.rows,
        "query": query,
        "query_string": urlencode(query.params()),
        "columns": columns,
        "kpi_columns": [(kpi, columns[kpi.key]) for kpi in board.kpis],
        "clear_query": urlencode(
            replace(
                review_selectors.CalibrationQuery(), sort=query.sort, descending=query.descending
            ).params()
        ),
        "calibration_state": Review.State.CALIBRATION,
        "rating_choices": Rating.choices,
    }
    template = "performance/reviews/calibration.html"
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == CALIBRATION_FRAGMENT:
        # The address bar shows what is applied, without the form's empty fields.
        shown = context["query_string"]
        response = push_url(
            render(request, f"{template}#{CALIBRATION_FRAGMENT}", context),
            f"{request.path}?{shown}" if shown else request.path,
        )
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _sort_columns(
    query: review_selectors.CalibrationQuery, kpis: list[Kpi]
) -> dict[str, dict[str, str]]:
    """Each sortable column's link (its second click reverses the order; a KPI's
    first click puts the highest first, as on the dashboards) and its aria-sort."""
    columns: dict[str, dict[str, str]] = {}
    kpis_by_key = {k.key: k for k in kpis}
    for key in (*review_selectors.SORTS, *(k.key for k in kpis)):
        current = query.sort == key
        first_descending = key not in review_selectors.SORTS
        descending = not query.descending if current else first_descending
        params = replace(query, sort=key, descending=descending).params()
        columns[key] = {
            "link": urlencode(params),
            "aria": ("descending" if query.descending else "ascending") if current else "none",
            "arrow": ("↓" if query.descending else "↑") if current else "",
            "target": ""
            if key in review_selectors.SORTS
            else kpi_selectors.fmt(kpis_by_key[key], kpis_by_key[key].target),
        }
    return columns


# --- The associate's own reviews -----------------------------------------------------------


@never_cache
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    associate_id = access.require_own_associate_id(authenticated_user(request), "my_reviews")
    reviews = review_selectors.reviews_of(associate_id)
    return render(request, "performance/reviews/my_reviews.html", {"reviews": reviews})


# --- One review ------------------------------------------------------------------------------


def _review_context(review: Review, rel: access.Relation) -> dict[str, Any]:
    staff = rel.is_staff
    return {
        "review": review,
        "rel": rel,
        "is_staff_view": staff,
        "rating_changes": review_selectors.rating_changes(review) if staff else [],
        "states": Review.State,
    }


@never_cache
@require_GET
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    user = authenticated_user(request)
    review, rel = access.get_review_for_user(user, review_id)
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
    review, rel = access.get_review_for_user(user, review_id, subject_before_sharing=True)
    access.require_subject(user, request.path, rel)
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
    review, _rel = access.get_review_for_user(user, review_id)
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
    review, rel = access.get_review_for_user(user, review_id)
    access.require_lead_reviewer(user, request.path, rel)
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
                raise access.forbid(user, request.path, error.message) from None
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
    review, rel = access.get_review_for_user(user, review_id)
    access.require_calibrator(user, request.path, rel)
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
    review, _rel = access.get_review_for_user(user, review_id)
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
    review, _rel = access.get_review_for_user(user, review_id)
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
    review, rel = access.get_review_for_user(user, review_id)
    return render(
        request,
        "performance/reviews/history.html",
        {"review": review, "history": review_selectors.review_history(review, rel), "rel": rel},
    )


def _next(request: HttpRequest, review: Review) -> str:
    """Back to the calibration page when the action came from there, with the
    filters it had (only the page's own parameters) and at the same person."""
    if request.POST.get("next") == "calibration":
        url = reverse("performance:cycle-calibration", kwargs={"cycle_id": review.cycle_id})
        sent = QueryDict(request.POST.get("filters", "")[:500])
        kept = {name: sent[name] for name in CalibrationFilterForm.PARAMS if sent.get(name)}
        return f"{url}{'?' + urlencode(kept) if kept else ''}#review-{review.pk}"
    return reverse("performance:review-detail", kwargs={"review_id": review.pk})
