"""1:1 pages (career conversations are 1:1s of their own kind): the overview of
a lead's teams, an associate's 1:1s, the meeting page with its agenda, notes and
action items.

Access goes through performance/access.py and teams/access.py. Pages that show
1:1 notes are never cached (Cache-Control: no-store).
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from teams.access import get_associate_for_user, get_own_associate, visible_teams
from teams.http import HtmxHttpRequest, authenticated_user
from teams.models import Associate, Team, User

from .. import access
from ..forms.one_on_ones import (
    ActionItemForm,
    AgendaForm,
    CadenceForm,
    CareerForm,
    PlanForm,
    PrivateNoteForm,
    SharedNotesForm,
)
from ..models import ActionItem, OneOnOne, OneOnOneCadence
from ..selectors import one_on_ones as selectors
from ..services import one_on_ones as services
from .common import back, plain_errors, refused

# --- 1:1 lists ---------------------------------------------------------------------------


@require_GET
def one_on_one_overview(request: HttpRequest) -> HttpResponse:
    """Every visible team's associates: cadence, next 1:1, last held, overdue.
    Managers see dates and counts only; that is all this page shows."""
    user = authenticated_user(request)
    roles = access.require_team_viewer(user, "one_on_one_overview")
    teams = list(visible_teams(user))
    associates = selectors.associates_to_meet(teams)
    rows = selectors.one_on_one_rows(associates, {t.pk: t.site.local_today() for t in teams})
    groups: list[tuple[Team, list[selectors.OneOnOneRow]]] = [
        (team, [r for r in rows if r.associate.team_id == team.pk]) for team in teams
    ]
    return render(
        request,
        "performance/one_on_ones/overview.html",
        {
            "groups": groups,
            "roles": roles,
            "overdue_count": sum(r.is_overdue for r in rows),
        },
    )


def _associate_one_on_ones_context(
    user: User, associate: Associate, request: HttpRequest
) -> dict[str, object]:
    is_self = access.is_self(user, associate)
    can_change = access.leads(user, associate)
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
        context["open_items"] = selectors.open_action_items(associate)
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
        "performance/one_on_ones/associate_one_on_ones.html",
        _associate_one_on_ones_context(user, associate, request),
    )


@never_cache
@require_GET
def my_one_on_ones(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    associate = get_own_associate(user)
    return render(
        request,
        "performance/one_on_ones/associate_one_on_ones.html",
        _associate_one_on_ones_context(user, associate, request),
    )


@require_POST
def cadence_set(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = access.get_associate_to_lead(user, associate_id)
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
        messages.error(request, "Nothing was changed: " + plain_errors(form))
    return redirect("performance:associate-one-on-ones", associate_id=associate.pk)


@require_POST
def one_on_one_plan(request: HttpRequest, associate_id: int) -> HttpResponse:
    user = authenticated_user(request)
    associate = access.get_associate_to_lead(user, associate_id)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: " + plain_errors(form))
        return redirect("performance:associate-one-on-ones", associate_id=associate.pk)
    try:
        meeting = services.plan_one_on_one(actor=user, associate=associate, **form.cleaned_data)
    except ValidationError as error:
        refused(request, error)
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
    is_lead = access.leads(user, meeting.associate)
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
    meeting = access.get_one_on_one_for_user(user, one_on_one_id)
    return render(
        request, "performance/one_on_ones/one_on_one.html", _meeting_context(request, meeting)
    )


@never_cache
@require_POST
def agenda_add(request: HtmxHttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = access.get_one_on_one_for_user(user, one_on_one_id)
    form = AgendaForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.add_agenda_item(actor=user, one_on_one=meeting, text=form.cleaned_data["text"])
        except ValidationError as refused:
            error = " ".join(refused.messages)
    else:
        error = plain_errors(form)
    if request.htmx:  # just the agenda: what its part of the page shows
        context = {
            "meeting": meeting,
            "agenda": selectors.agenda_for(meeting),
            "is_open": meeting.status == OneOnOne.Status.SCHEDULED,
            "agenda_error": error,
        }
        return render(request, "performance/one_on_ones/one_on_one.html#agenda", context)
    if error:
        messages.error(request, "Nothing was added: " + error)
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def notes_save(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = access.get_one_on_one_for_user(user, one_on_one_id)
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
            errors.append(plain_errors(form))
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
    meeting = access.get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
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
    meeting = access.get_one_on_one_for_user(user, one_on_one_id)
    form = ActionItemForm(
        request.POST, people=_people_choices(meeting, user), meeting_on=meeting.on
    )
    if not form.is_valid():
        messages.error(request, "Nothing was added: " + plain_errors(form))
    else:
        try:
            services.add_action_item(actor=user, one_on_one=meeting, **form.cleaned_data)
            messages.success(request, "Action item added.")
        except ValidationError as error:
            refused(request, error)
    return redirect("performance:one-on-one-detail", one_on_one_id=meeting.pk)


@never_cache
@require_POST
def action_item_toggle(request: HtmxHttpRequest, item_id: int) -> HttpResponse:
    user = authenticated_user(request)
    item = access.get_action_item_for_user(user, item_id)
    done = request.POST.get("done") == "1"
    services.set_action_item_done(actor=user, item=item, done=done)
    if request.htmx:
        item = ActionItem.objects.select_related("owner", "raised_in").get(pk=item.pk)
        return render(
            request,
            "performance/one_on_ones/_action_item.html",
            {"item": item, "next": request.POST.get("next", "")},
        )
    return back(request, reverse("performance:one-on-one-detail", args=[item.raised_in_id]))


@require_POST
def one_on_one_held(request: HttpRequest, one_on_one_id: int) -> HttpResponse:
    user = authenticated_user(request)
    meeting = access.get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
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
    meeting = access.get_one_on_one_for_user(user, one_on_one_id, lead_only=True)
    following = services.cancel_one_on_one(actor=user, one_on_one=meeting)
    if following is not None:
        messages.success(request, f"1:1 skipped. The next one is on {following.on:%a %-d %b}.")
        return redirect("performance:one-on-one-detail", one_on_one_id=following.pk)
    messages.info(request, "1:1 skipped." if meeting.status == "cancelled" else "Nothing changed.")
    return redirect("performance:associate-one-on-ones", associate_id=meeting.associate_id)


# --- Feedback ---------------------------------------------------------------------------


# --- Goals -----------------------------------------------------------------------------
