"""Team pulse pages: a team's results and trend (with the lead's questions and
cadence), one round's results, the answer form, and `pulse/`: an associate's open
round, the manager's teams side by side. Never cached (Cache-Control: no-store).
?export=csv downloads the aggregates on the page, under the same rule of five."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import roles_for, visible_teams
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Team
from teams.text import write_csv

from .. import access
from ..forms.pulse import PulseAnswerForm, PulseQuestionsForm, PulseSettingsForm
from ..models import PulseParticipation, PulseRound
from ..models.pulse import ENPS_QUESTION, MIN_RESPONSES
from ..selectors import pulse as selectors
from ..services import pulse as services
from .common import plain_errors, refused

CSV_HEADER = [
    "team",
    "round opened",
    "round closed",
    "responses",
    "measure",
    "value",
    "distribution (score: responses)",
]


def _csv_rows(team: Team, results: list[selectors.RoundResult]) -> list[list[object]]:
    rows: list[list[object]] = []
    for res in results:
        head = [team.name, res.round.opens_on, res.round.closes_on, res.response_count]
        if not res.is_shown:
            note = "open" if res.round.is_open else f"no results under {MIN_RESPONSES} responses"
            rows.append([*head, note, "", ""])
            continue
        spread = " ".join(f"{s}:{n}" for s, n in res.enps_distribution)
        rows.append([*head, "eNPS", res.enps, spread])
        for q in res.questions:
            spread = " ".join(f"{s}:{n}" for s, _label, n in q.distribution)
            rows.append([*head, q.text, q.mean, spread])
    return rows


def _csv_response(filename: str, rows: list[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, [CSV_HEADER, *rows])
    return response


@never_cache
@require_GET
def team_pulse(request: HtmxHttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = access.get_team_life_for_user(user, team_id, "team-pulse")
    pulse = selectors.team_pulse(team)
    if request.GET.get("export") == "csv":
        return _csv_response(f"pulse-{team.pk}.csv", _csv_rows(team, pulse.results))
    can_change = access.can_change_team(user, team.pk)
    answered = selectors.answered_counts(r.round for r in pulse.open_rounds)
    context: dict[str, object] = {
        "team": team,
        "pulse": pulse,
        "result": pulse.latest,
        "open_rounds": [(r, answered.get(r.round.pk, 0)) for r in pulse.open_rounds],
        "show_tabs": roles_for(user).can_see_team(team.pk),
        "can_change": can_change,
        "enps_question": ENPS_QUESTION,
        "min_responses": MIN_RESPONSES,
        "tab": "pulse",
    }
    if can_change:
        settings = services.settings_of(team)
        context["settings_form"] = PulseSettingsForm(instance=settings)
        context["questions_form"] = PulseQuestionsForm(
            initial={"questions": "\n".join(services.questions_of(team))}
        )
    template = "performance/pulse/team_pulse.html"
    return render(request, f"{template}#pulse-results" if request.htmx else template, context)


@never_cache
@require_GET
def pulse_round(request: HtmxHttpRequest, round_id: int) -> HttpResponse:
    user = authenticated_user(request)
    round_ = access.get_pulse_round_for_user(user, round_id)
    result = selectors.round_results([round_], with_comments=True)[0]
    if request.GET.get("export") == "csv":
        return _csv_response(f"pulse-round-{round_.pk}.csv", _csv_rows(round_.team, [result]))
    context = {
        "team": round_.team,
        "result": result,
        "answered": selectors.answered_counts([round_]).get(round_.pk, 0),
        "enps_question": ENPS_QUESTION,
        "min_responses": MIN_RESPONSES,
    }
    template = "performance/pulse/round.html"
    return render(request, f"{template}#pulse-results" if request.htmx else template, context)


@never_cache
@require_POST
def pulse_questions(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = access.get_team_life_for_user(user, team_id, "pulse-questions", for_change=True)
    form = PulseQuestionsForm(request.POST)
    if form.is_valid():
        try:
            services.save_pulse_questions(
                actor=user, team=team, questions=form.cleaned_data["questions"]
            )
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, "Questions saved: the next round asks them.")
    else:
        messages.error(request, "Nothing was saved: " + plain_errors(form))
    return redirect("performance:team-pulse", team_id=team.pk)


@never_cache
@require_POST
def pulse_settings(request: HttpRequest, team_id: int) -> HttpResponse:
    user = authenticated_user(request)
    team = access.get_team_life_for_user(user, team_id, "pulse-settings", for_change=True)
    form = PulseSettingsForm(request.POST, instance=services.settings_of(team))
    if form.is_valid():
        services.save_pulse_settings(
            actor=user,
            team=team,
            is_enabled=form.cleaned_data["is_enabled"],
            cadence_weeks=form.cleaned_data["cadence_weeks"],
        )
        messages.success(request, "Pulse settings saved.")
    else:
        messages.error(request, "Nothing was saved: " + plain_errors(form))
    return redirect("performance:team-pulse", team_id=team.pk)


@never_cache
@require_GET
def my_pulse(request: HtmxHttpRequest) -> HttpResponse:
    """The user's team's open round to answer (if on a roster), and for leads,
    managers and ops admins their teams' newest closed rounds side by side."""
    user = authenticated_user(request)
    roles = roles_for(user)
    own_team_id = access.own_team_id(user)
    open_rounds: list[PulseRound] = []
    if own_team_id is not None:
        open_rounds = list(
            PulseRound.objects.open().filter(team_id=own_team_id).select_related("team__site")
        )
        today = open_rounds[0].team.site.local_today() if open_rounds else None
        open_rounds = [r for r in open_rounds if today and r.takes_answers_on(today)]
    answered = set(
        PulseParticipation.objects.filter(user=user, round__in=open_rounds).values_list(
            "round_id", flat=True
        )
    )
    teams = list(visible_teams(user).order_by("name")) if roles.has_teams else []
    rows = selectors.side_by_side(teams)
    if request.GET.get("export") == "csv":
        csv_rows = [
            row
            for side in rows
            if side.latest is not None
            for row in _csv_rows(side.team, [side.latest])
        ]
        return _csv_response("pulse-teams.csv", csv_rows)
    context = {
        "open_rounds": [(r, r.pk in answered) for r in open_rounds],
        "own_team_id": own_team_id,
        "rows": rows,
        "has_teams": roles.has_teams,
        "min_responses": MIN_RESPONSES,
    }
    template = "performance/pulse/my_pulse.html"
    return render(request, f"{template}#side-by-side" if request.htmx else template, context)


@never_cache
@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, round_id: int) -> HttpResponse:
    user = authenticated_user(request)
    round_ = access.get_pulse_round_to_answer(user, round_id)
    has_answered = PulseParticipation.objects.filter(round=round_, user=user).exists()
    takes_answers = round_.takes_answers_on(round_.team.site.local_today())
    form = PulseAnswerForm(
        request.POST if request.method == "POST" else None, questions=round_.questions
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_round(
                    actor=user,
                    round_=round_,
                    enps=form.cleaned_data["enps"],
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                refused(request, error)
                return redirect("performance:pulse-answer", round_id=round_.pk)
            messages.success(request, "Thank you: your answer is in, without your name.")
            return redirect("performance:my-pulse")
        messages.error(request, "Nothing was sent: " + plain_errors(form))
    return render(
        request,
        "performance/pulse/answer.html",
        {
            "round": round_,
            "team": round_.team,
            "form": form,
            "has_answered": has_answered,
            "takes_answers": takes_answers,
            "last_day": round_.closes_on - dt.timedelta(days=1),
            "min_responses": MIN_RESPONSES,
        },
    )
