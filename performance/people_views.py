"""1:1s, career conversations, feedback and goals: the lead's and the associate's pages.

Access goes through performance/people_access.py and teams/access.py. Pages that
show 1:1 notes or feedback are never cached (Cache-Control: no-store).
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import get_associate_for_user, get_team_for_user, roles_for, visible_teams
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Associate, Team, User

from . import people_selectors as selectors
from . import people_services as services
from .models import ActionItem, Feedback, Goal, OneOnOne, OneOnOneCadence
from .people_access import (
    get_action_item_for_user,
    get_associate_to_lead,
    get_goal_for_user,
    get_one_on_one_for_user,
    get_own_associate,
)
from .people_forms import (
    ActionItemForm,
    AgendaForm,
    CadenceForm,
    CareerForm,
    CheckInForm,
    FeedbackForm,
    GoalForm,
    KudosForm,
    PlanForm,
    PrivateNoteForm,
    SharedNotesForm,
)


def _plain_errors(form: forms.BaseForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "Nothing was changed: " + " ".join(error.messages))


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- 1:1 lists ---------------------------------------------------------------------------


@require_GET
def one_on_one_overview(request: HttpRequest) -> HttpResponse:
    """Every visible team's associates: cadence, next 1:1, last held, overdue.
    Managers see dates and counts only; that is all this page shows."""
    user = authenticated_user(request)
    roles = roles_for(user)
    if not roles.has_teams:
        raise Http404("You have no teams.")
    teams = list(visible_teams(user))
    # A player-coach lead is on their own team's roster; their 1:1s are with their
    # manager, not on this list.
    leads_own_team = Team.leads.through.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("user_id")
    )
    associates = list(
        Associate.objects.active()
        .filter(team__in=teams)
        .exclude(Exists(leads_own_team))
        .select_related("user", "team__site")
        .order_by("team__name", "user__first_name", "user__last_name")
    )
    rows = selectors.one_on_one_rows(associates, {t.pk: t.site.local_today() for t in teams})
    groups: list[tuple[Team, list[selectors.OneOnOneRow]]] = [
        (team, [r for r in rows if r.associate.team_id == team.pk]) for team in teams
    ]
    return render(
        request,
        "performance/people/overview.html",
        {
            "groups": groups,
            "roles": roles,
            "overdue_count": sum(r.is_overdue for r in rows),
        },
    )


def _associate_one_on_ones_context(
    user: User, associate: Associate, request: HttpRequest
) -> dict[str, object]:
    roles = roles_for(user)
    is_self = associate.pk == roles.associate_id
    can_change = roles.leads(associate.team_id, associate.pk)
    # The manager sees that 1:1s happen, not what was said: dates and counts only.
    can_read = is_self or can_change
    cadence = OneOnOneCadence.objects.filter(associate=associate).first()
    next_meeting = OneOnOne.objects.scheduled().filter(associate=associate).first()
    today = associate.team.site.local_today()
    meetings = selectors.held_meetings(associate, with_notes=can_read)
    context: dict[str, object] = {
        "associate": associate,
        "is_self": is_self,
        "can_change": can_change,
        "can_read": can_read,
        "cadence": cadence,
        "next_meeting": next_meeting,
        "meetings": meetings,
        "careers": [m for m in meetings if m.is_career and m.status == OneOnOne.Status.DONE],
        "today": today,
    }
    if can_read:
        context["open_items"] = list(
            ActionItem.objects.open()
            .filter(associate=associate)
            .select_related("owner")
            .order_by("due_on", "pk")
        )
    if can_change:
        context["cadence_form"] = CadenceForm(
            instance=cadence,
            initial={} if cadence else {"first_on": today + dt.timedelta(days=1)},
        )
        context["plan_form"] = PlanForm(
            initial={
                "on": next_meeting.on if next_meeting else today + dt.timedelta(days=1),
                "kind": next_meeting.kind if next_meeting else OneOnOne.Kind.REGULAR,
            }
        )
    return context


@never_cache
@require_GET
def associate_one_on_ones(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_for_user(user, associate_id)
    return render(
        request,
        "performance/people/associate_one_on_ones.html",
        _associate_one_on_ones_context(user, associate, request),
    )


@never_cache
@require_GET
def my_one_on_ones(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_own_associate(user)
    return render(
        request,
        "performance/people/associate_one_on_ones.html",
        _associate_one_on_ones_context(user, associate, request),
    )


@require_POST
def cadence_set(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_to_lead(user, associate_id)
    cadence = OneOnOneCadence.objects.filter(associate=associate).first()
    form = CadenceForm(request.POST, instance=cadence)
    if form.is_valid():
        services.set_cadence(
            actor=user,
            associate=associate,
            frequency=form.cleaned_data["frequency"],
            first_on=form.cleaned_data["first_on"],
            starts_at_time=form.cleaned_data["starts_at_time"],
            duration_minutes=form.cleaned_data["duration_minutes"],
        )
        messages.success(request, f"1:1 cadence saved for {associate.name}.")
    else:
        messages.error(request, "Nothing was changed: " + _plain_errors(form))
    return redirect("performance:associate-one-on-ones", associate_id=associate.pk)


@require_POST
def one_on_one_plan(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_associate_to_lead(user, associate_id)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: " + _plain_errors(form))
        return redirect("performance:associate-one-on-ones", associate_id=associate.pk)
    try:
        meeting = services.plan_one_on_one(actor=user, associate=associate, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
        return redirect("performance:associate-one-on-ones", associate_id=associate.pk)
    messages.success(request, f"1:1 with {associate.name} scheduled for {meeting.on:%a %-d %b}.")
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


# --- The meeting page -----------------------------------------------------------------


def _people_choices(meeting: OneOnOne, user: User) -> list[User]:
    people = [meeting.associate.user, meeting.lead]
    if user not in people:
        people.append(user)
    return people


def _meeting_context(request: HttpRequest, meeting: OneOnOne) -> dict[str, object]:
    user = authenticated_user(request)
    roles = roles_for(user)
    is_lead = roles.leads(meeting.associate.team_id, meeting.associate_id)
    previous = selectors.previous_meeting(meeting)
    today = meeting.associate.team.site.local_today()
    note = selectors.private_note_for(meeting, user.pk) if is_lead else None
    context: dict[str, object] = {
        "meeting": meeting,
        "associate": meeting.associate,
        "is_lead": is_lead,
        "is_open": meeting.status == OneOnOne.Status.SCHEDULED,
        "previous": previous,
        "agenda": selectors.agenda_for(meeting),
        "agenda_form": AgendaForm(),
        "action_items": selectors.action_items_for(meeting, previous),
        "action_form": ActionItemForm(
            people=_people_choices(meeting, user), meeting_on=meeting.on, auto_id="id_action_%s"
        ),
        "notes_form": SharedNotesForm(instance=meeting),
        "career_form": CareerForm(instance=meeting) if meeting.is_career else None,
        "history": selectors.one_on_one_changes(meeting),
        "local_start": meeting.starts_at.astimezone(meeting.associate.team.site.zone),
        "held_on": (
            meeting.held_at.astimezone(meeting.associate.team.site.zone).date()
            if meeting.held_at is not None
            else None
        ),
        "today": today,
    }
    if is_lead:
        context["private_form"] = PrivateNoteForm(
            initial={"text": note.text if note else ""}, auto_id="id_private_%s"
        )
        context["private_note"] = note
        context["panel"] = selectors.context_panel(
            meeting, previous=previous, viewer_id=user.pk, today=today
        )
    return context


@never_cache
@require_GET
def one_on_one_detail(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id)
    return render(request, "performance/people/one_on_one.html", _meeting_context(request, meeting))


@never_cache
@require_POST
def agenda_add(request: HtmxHttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id)
    form = AgendaForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.add_agenda_item(actor=user, one_on_one=meeting, text=form.cleaned_data["text"])
        except ValidationError as refused:
            error = " ".join(refused.messages)
    else:
        error = _plain_errors(form)
    if request.htmx:  # just the agenda: what its part of the page shows
        context = {
            "meeting": meeting,
            "agenda": selectors.agenda_for(meeting),
            "is_open": meeting.status == OneOnOne.Status.SCHEDULED,
            "agenda_error": error,
        }
        return render(request, "performance/people/one_on_one.html#agenda", context)
    if error:
        messages.error(request, "Nothing was added: " + error)
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def notes_save(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id)
    # Validate against a scratch instance: ModelForm.is_valid() assigns to its
    # instance, and the service compares with the stored values to audit changes.
    scratch = OneOnOne(pk=meeting.pk, kind=meeting.kind)
    checked: list[SharedNotesForm | CareerForm] = [SharedNotesForm(request.POST, instance=scratch)]
    if meeting.is_career:
        checked.append(CareerForm(request.POST, instance=scratch))
    fields: dict[str, str] = {}
    errors = []
    for form in checked:
        if form.is_valid():
            fields.update(form.cleaned_data)
        else:
            errors.append(_plain_errors(form))
    if errors:
        messages.error(request, "Nothing was saved: " + " ".join(errors))
    elif services.save_shared_notes(actor=user, one_on_one=meeting, **fields):
        messages.success(request, "Shared notes saved.")
    else:
        messages.info(request, "No changes to save.")
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def private_note_save(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
    form = PrivateNoteForm(request.POST)
    if form.is_valid() and services.save_private_note(
        actor=user, one_on_one=meeting, text=form.cleaned_data["text"]
    ):
        messages.success(request, "Private notes saved. Only you can read them.")
    else:
        messages.info(request, "No changes to save.")
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def action_item_add(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id)
    form = ActionItemForm(
        request.POST, people=_people_choices(meeting, user), meeting_on=meeting.on
    )
    if not form.is_valid():
        messages.error(request, "Nothing was added: " + _plain_errors(form))
    else:
        try:
            services.add_action_item(actor=user, one_on_one=meeting, **form.cleaned_data)
            messages.success(request, "Action item added.")
        except ValidationError as error:
            _refused(request, error)
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def action_item_toggle(request: HtmxHttpRequest, item_id: int) -> HttpResponse:
    user = authenticated_user(request)
    item = get_action_item_for_user(user, item_id)
    done = request.POST.get("done") == "1"
    services.set_action_item_done(actor=user, item=item, done=done)
    if request.htmx:
        item = ActionItem.objects.select_related("owner", "raised_in").get(pk=item.pk)
        return render(
            request,
            "performance/people/_action_item.html",
            {"item": item, "next": request.POST.get("next", "")},
        )
    return _back(request, reverse("performance:one-on-one-detail", args=[item.raised_in_id]))


@require_POST
def one_on_one_held(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
    if meeting.status != OneOnOne.Status.SCHEDULED:
        messages.info(request, "This 1:1 was already closed.")
        return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)
    following = services.mark_held(actor=user, one_on_one=meeting)
    text = "1:1 recorded as held."
    if following is not None:
        text += f" The next one is on {following.on:%a %-d %b}; open action items carry over."
    messages.success(request, text)
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@require_POST
def one_on_one_cancel(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
    following = services.cancel_one_on_one(actor=user, one_on_one=meeting)
    if following is not None:
        messages.success(request, f"1:1 skipped. The next one is on {following.on:%a %-d %b}.")
        return redirect("performance:one-on-one-detail", one_on_one_id=following.pk)
    messages.info(request, "1:1 skipped." if meeting.status == "cancelled" else "Nothing changed.")
    return redirect("performance:associate-one-on-ones", associate_id=meeting.associate_id)


# --- Feedback ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def associate_feedback(request: HttpRequest, associate_id: int) -> HttpResponse:
    """Feedback on one associate: shared feedback and kudos, plus the viewer's own
    private notes. Leads write feedback here."""
    user = authenticated_user(request)
    roles = roles_for(user)
    associate = (
        get_associate_to_lead(user, associate_id)
        if request.method == "POST"
        else get_associate_for_user(user, associate_id)
    )
    can_change = roles.leads(associate.team_id, associate.pk)
    form = FeedbackForm(request.POST or None, today=associate.team.site.local_today())
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(actor=user, associate=associate, **form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
            return redirect("performance:associate-feedback", associate_id=associate.pk)
        messages.success(
            request,
            "Private feedback saved: only you can read it."
            if form.cleaned_data["is_private"]
            else f"Feedback saved and shared with {associate.name}.",
        )
        return redirect("performance:associate-feedback", associate_id=associate.pk)
    if request.method == "POST":
        messages.error(request, "Nothing was saved: " + _plain_errors(form))
    feedback = list(
        Feedback.objects.filter(associate=associate)
        .visible_to(user.pk)
        .select_related("author", "kpi")
    )
    return render(
        request,
        "performance/people/feedback.html",
        {
            "associate": associate,
            "feedback": feedback,
            "form": form if can_change else None,
            "is_self": associate.pk == roles.associate_id,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def my_feedback(request: HttpRequest) -> HttpResponse:
    """Feedback shared with me, and kudos I can give a teammate."""
    user = authenticated_user(request)
    me = get_own_associate(user)
    form = KudosForm(request.POST or None, giver=me)
    if request.method == "POST":
        if form.is_valid():
            try:
                kudos = services.give_kudos(
                    actor=user,
                    giver=me,
                    to=form.cleaned_data["to"],
                    situation=form.cleaned_data["situation"],
                    behaviour=form.cleaned_data["behaviour"],
                    impact=form.cleaned_data["impact"],
                )
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, f"Kudos sent to {kudos.associate.name}.")
                return redirect("performance:my-feedback")
        else:
            messages.error(request, "Nothing was sent: " + _plain_errors(form))
    received = list(Feedback.objects.filter(associate=me).shared().select_related("author", "kpi"))
    given = list(
        Feedback.objects.filter(author=user, source=Feedback.Source.PEER).select_related(
            "associate__user"
        )[:10]
    )
    return render(
        request,
        "performance/people/my_feedback.html",
        {"associate": me, "feedback": received, "given": given, "form": form},
    )


# --- Goals -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def associate_goals(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    roles = roles_for(user)
    associate = (
        get_associate_to_lead(user, associate_id)
        if request.method == "POST"
        else get_associate_for_user(user, associate_id)
    )
    today = associate.team.site.local_today()
    form = GoalForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST":
        if form.is_valid():
            goal = form.save(commit=False)
            goal.associate = associate
            try:
                services.create_goal(actor=user, goal=goal)
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, f"Goal “{goal.title}” set for {associate.name}.")
                return redirect("performance:associate-goals", associate_id=associate.pk)
        else:
            messages.error(request, "Nothing was saved: " + _plain_errors(form))
    goals = list(Goal.objects.for_associate(associate).select_related("kpi", "team"))
    return render(
        request,
        "performance/people/goals.html",
        {
            "associate": associate,
            "progress": selectors.goal_progress(goals, today),
            "form": form if roles.leads(associate.team_id, associate.pk) else None,
            "is_self": associate.pk == roles.associate_id,
        },
    )


@never_cache
@require_GET
def my_goals(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    me = get_own_associate(user)
    today = me.team.site.local_today()
    goals = list(Goal.objects.for_associate(me).select_related("kpi", "team"))
    return render(
        request,
        "performance/people/goals.html",
        {
            "associate": me,
            "progress": selectors.goal_progress(goals, today),
            "form": None,
            "is_self": True,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def team_goals(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's goals and every associate's, with progress; leads add team goals."""
    user = authenticated_user(request)
    team = get_team_for_user(user, team_id, for_change=request.method == "POST")
    today = team.site.local_today()
    form = GoalForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST":
        if form.is_valid():
            goal = form.save(commit=False)
            goal.team = team
            try:
                services.create_goal(actor=user, goal=goal)
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, f"Team goal “{goal.title}” set.")
                return redirect("performance:team-goals", team_id=team.pk)
        else:
            messages.error(request, "Nothing was saved: " + _plain_errors(form))
    goals = list(
        Goal.objects.filter(Q(team=team) | Q(associate__team=team, associate__is_active=True))
        .select_related("kpi", "team", "associate__user")
        .order_by("associate__user__first_name", "ends_on", "title")
    )
    return render(
        request,
        "performance/people/team_goals.html",
        {
            "team": team,
            "progress": selectors.goal_progress(goals, today),
            "form": form if roles_for(user).can_change_team(team.pk) else None,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """A goal's progress, check-ins and change history; leads check in here."""
    user = authenticated_user(request)
    goal = get_goal_for_user(user, goal_id, for_change=request.method == "POST")
    site = goal.associate.team.site if goal.associate else goal.team.site  # type: ignore[union-attr]
    today = site.local_today()
    form = CheckInForm(request.POST or None, initial={"status": goal.status})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.check_in_goal(actor=user, goal=goal, **form.cleaned_data)
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, "Check-in saved.")
                return redirect("performance:goal-detail", goal_id=goal.pk)
        else:
            messages.error(request, "Nothing was saved: " + _plain_errors(form))
    team_id = goal.associate.team_id if goal.associate else goal.team_id
    roles = roles_for(user)
    can_change = team_id is not None and roles.can_change_team(team_id)
    can_change = can_change and goal.associate_id != roles.associate_id
    return render(
        request,
        "performance/people/goal_detail.html",
        {
            "goal": goal,
            "progress": selectors.goal_progress([goal], today)[0],
            "check_ins": list(goal.check_ins.select_related("author")),
            "history": selectors.goal_changes(goal),
            "form": form if can_change else None,
        },
    )
