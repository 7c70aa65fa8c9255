import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet

from teams.dates import YEAR, check_date, in_range
from teams.models import Associate, Site, Skill, Team
from teams.text import refuse_control_characters

from .models import (
    Activity,
    CoverageRequirement,
    DayPart,
    EntryKind,
    PublishedEntry,
    Queue,
    QueueVolume,
    RotaPreference,
    RotaSettings,
    RotaWish,
    ShiftTemplate,
    TimeOffRequest,
)
from .selectors.activities import LIST_MAX_DAYS, time_problems
from .selectors.swaps import parse_choice

if TYPE_CHECKING:
    from .selectors.queue_plans import PlanDay
from .selectors.time_off import CLASH, RequestSummary, clashing_requests, request_summary

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# How far the schedule's weeks reach from today, and how far ahead leave is asked.
WEEK_PAST = 5 * YEAR
WEEK_FUTURE = 5 * YEAR
LEAVE_AHEAD = dt.timedelta(days=548)  # 18 months


class CellForm(forms.Form):
    """One grid cell: a template, a custom shift, a day off, or empty."""

    assignment = forms.ChoiceField(label="Assign", required=False)
    starts_at = forms.TimeField(label="Custom start", required=False, widget=TIME)
    ends_at = forms.TimeField(label="Custom end", required=False, widget=TIME)
    break_minutes = forms.IntegerField(
        label="Unpaid break (minutes)", required=False, min_value=0, max_value=120, initial=30
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: object, templates: list[ShiftTemplate], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.templates = {str(t.pk): t for t in templates}
        self.fields["assignment"].choices = [  # type: ignore[attr-defined]
            ("", "— empty —"),
            *[(f"t{t.pk}", str(t)) for t in templates],
            ("custom", "Custom shift…"),
            (EntryKind.DAY_OFF, "Day off"),
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        choice = cleaned.get("assignment")
        if choice == "custom":
            starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
            if starts is None:
                self.add_error("starts_at", "A custom shift needs a start time.")
            if ends is None:
                self.add_error("ends_at", "A custom shift needs an end time.")
            if isinstance(starts, dt.time) and isinstance(ends, dt.time):
                minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
                if minutes <= 0:
                    self.add_error("ends_at", "The shift must end after it starts.")
                elif (cleaned.get("break_minutes") or 0) >= minutes:
                    self.add_error("break_minutes", "The break must be shorter than the shift.")
        return cleaned

    def template(self) -> ShiftTemplate | None:
        choice = self.cleaned_data["assignment"]
        return self.templates.get(choice[1:]) if choice.startswith("t") else None


class AssignForm(forms.Form):
    template = forms.ModelChoiceField(queryset=ShiftTemplate.objects.none(), label="Shift")
    associates = forms.ModelMultipleChoiceField(
        queryset=Associate.objects.none(), widget=forms.CheckboxSelectMultiple, label="People"
    )
    days = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Days")

    def __init__(
        self,
        *args: object,
        team: Team,
        days: list[dt.date],
        people: QuerySet[Associate],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["template"].queryset = ShiftTemplate.objects.filter(site_id=team.site_id)  # type: ignore[attr-defined]
        self.fields["associates"].queryset = people  # type: ignore[attr-defined]
        self.fields["associates"].label_from_instance = lambda a: a.name  # type: ignore[attr-defined]
        self.fields["days"].choices = [(d.isoformat(), f"{d:%a %-d}") for d in days]  # type: ignore[attr-defined]

    def chosen_days(self) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in self.cleaned_data["days"]]


class WeekForm(forms.Form):
    week = forms.DateField()

    def clean_week(self) -> dt.date:
        week: dt.date = self.cleaned_data["week"]
        if week.weekday() != 0:
            raise forms.ValidationError("A week starts on a Monday.")
        return check_date(week, past=WEEK_PAST, future=WEEK_FUTURE, what="a week")


class TimeOffForm(forms.ModelForm):
    """An associate's request. Policy: annual (paid) leave may not ask for more working
    days than are left in a year once every pending request is approved."""

    class Meta:
        model = TimeOffRequest
        fields = ["first_day", "first_day_part", "last_day", "last_day_part", "type", "note"]
        widgets = {"first_day": DATE, "last_day": DATE}
        labels = {
            "first_day": "First day off",
            "first_day_part": "On the first day",
            "last_day": "Last day off",
            "last_day_part": "On the last day",
        }

    def __init__(self, *args: object, associate: Associate, today: dt.date, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.associate = associate
        self.today = today
        self.summary: RequestSummary | None = None
        for name in ("first_day_part", "last_day_part"):
            self.fields[name].required = False  # left out: the whole day

    def clean_first_day_part(self) -> str:
        return self.cleaned_data.get("first_day_part") or DayPart.WHOLE

    def clean_last_day_part(self) -> str:
        return self.cleaned_data.get("last_day_part") or DayPart.WHOLE

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if not (isinstance(first, dt.date) and isinstance(last, dt.date)):
            return cleaned
        if first < self.today:
            self.add_error("first_day", "Time off cannot start in the past.")
        elif first > self.today + LEAVE_AHEAD:
            self.add_error("first_day", "Ask for time off at most 18 months ahead.")
            return cleaned
        if last < first:
            self.add_error("last_day", "The last day cannot be before the first day.")
            return cleaned
        if (last - first).days >= 60:
            self.add_error("last_day", "Ask for at most 60 days at once.")
            return cleaned
        first_part = cleaned.get("first_day_part") or DayPart.WHOLE
        last_part = cleaned.get("last_day_part") or DayPart.WHOLE
        if first == last and first_part == DayPart.AFTERNOON and last_part == DayPart.MORNING:
            self.add_error(
                "last_day_part", "One day is either the morning or the afternoon: choose one."
            )
            return cleaned
        probe = TimeOffRequest(
            associate=self.associate,
            first_day=first,
            last_day=last,
            first_day_part=first_part,
            last_day_part=last_part,
            type=cleaned.get("type") or TimeOffRequest.Type.ANNUAL,
        )
        self.summary = summary = request_summary(self.associate, self.today, probe)
        if not summary.working_days:
            self.add_error(
                "first_day",
                "These are days you do not work (weekends you are not rostered on, public "
                "holidays, days off): there is no working day to take off.",
            )
            return cleaned
        for balance, asked in summary.shortfalls():
            waiting = ""
            if balance.pending:
                waiting = f" ({_days(balance.pending)} more waiting for approval)"
            self.add_error(
                "last_day",
                f"That is {_days(asked)} of annual leave in {balance.year}, and you have "
                f"{_days(max(balance.available, 0))} left{waiting}. Choose fewer days, or "
                "ask for unpaid leave.",
            )
        if clashing_requests(probe):
            self.add_error(None, CLASH)
        return cleaned


def _days(count: float) -> str:
    number = f"{count:g}"
    return f"{number} working day{'' if count == 1 else 's'}"


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label="Note to the associate")


class CoverageRequirementForm(forms.ModelForm):
    class Meta:
        model = CoverageRequirement
        fields = ["day_kind", "template", "skill", "min_headcount"]

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.instance.team = team
        site: Site = team.site
        self.fields["template"].queryset = ShiftTemplate.objects.filter(site=site)  # type: ignore[attr-defined]
        self.fields["skill"].queryset = Skill.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        # The unique constraints include the team, which is not a form field, so
        # ModelForm would not check them: check here rather than fail on save.
        same = CoverageRequirement.objects.filter(
            team=self.instance.team,
            day_kind=cleaned.get("day_kind"),
            template=cleaned.get("template"),
            skill=cleaned.get("skill"),
        ).exclude(pk=self.instance.pk)
        template, day_kind = cleaned.get("template"), cleaned.get("day_kind")
        if (
            isinstance(template, ShiftTemplate)
            and template.applies_to != ShiftTemplate.Applies.ANY
            and template.applies_to != day_kind
        ):
            self.add_error("template", f"{template.name} is not a shift for these days.")
        if same.exists():
            raise forms.ValidationError(
                "There is already a requirement for these days, band and skill; "
                "remove it first to change the number."
            )
        return cleaned


def _shift_choices(shifts: list[PublishedEntry]) -> list[tuple[str, str]]:
    return [
        (
            e.on.isoformat(),
            f"{e.on:%a %-d %b} · {e.template.name + ' ' if e.template else ''}{e.label()}",
        )
        for e in shifts
    ]


class _MyShiftField(forms.DateField):
    """One of my shifts, picked from a list; a far date typed into the request is a
    field error. Whether it is really my published shift is the service's check."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(widget=forms.Select, **kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> dt.date:
        day: dt.date = super().clean(value)
        return check_date(day, past=YEAR, future=YEAR, what="a shift")


class SwapPickForm(forms.Form):
    """Step one of asking for a swap: which of my shifts (a GET, so the list of
    teammates can follow the pick, with or without JavaScript)."""

    mine = _MyShiftField(label="My shift")

    def __init__(self, *args: object, my_shifts: list[PublishedEntry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mine"].widget.choices = [
            ("", "— pick one of your shifts —"),
            *_shift_choices(my_shifts),
        ]
        self.my_days = {e.on for e in my_shifts}

    def clean_mine(self) -> dt.date:
        day: dt.date = self.cleaned_data["mine"]
        if day not in self.my_days:
            raise forms.ValidationError("Pick one of your upcoming published shifts.")
        return day


class SwapChoiceField(forms.CharField):
    """A teammate and their day from the short list ("<id>:<date>[:hand-over]")."""

    def clean(self, value: object) -> tuple[int, dt.date, bool]:
        text = super().clean(value)
        parsed = parse_choice(text)
        if parsed is None:
            raise forms.ValidationError("Pick a teammate and a day from the list.")
        check_date(parsed[1], past=YEAR, future=YEAR, what="a day")
        return parsed


class SwapRequestForm(forms.Form):
    """Step two: the teammate and day picked for my shift, and a note for them."""

    mine = _MyShiftField(label="My shift")
    theirs = SwapChoiceField(
        label="Swap with",
        error_messages={"required": "Pick a teammate and a day from the list."},
    )
    note = forms.CharField(
        required=False, max_length=300, label="Note for your teammate and lead (optional)"
    )


class SwapOfferForm(forms.Form):
    """Put one of my shifts on the team's swap board."""

    on = _MyShiftField(label="Shift to offer")
    note = forms.CharField(
        required=False, max_length=300, label="Note (optional; your whole team sees it)"
    )

    def __init__(self, *args: object, my_shifts: list[PublishedEntry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["on"].widget.choices = [
            ("", "— pick one of your shifts —"),
            *_shift_choices(my_shifts),
        ]


class TakeOfferForm(forms.Form):
    """What I give for a shift on the board: nothing (a hand-over) or one of mine."""

    theirs = SwapChoiceField(
        label="In return", error_messages={"required": "Pick what you give in return."}
    )


class RotaGenerateForm(forms.Form):
    first_day = forms.DateField(label="From (a Monday)", widget=DATE)
    weeks = forms.TypedChoiceField(
        choices=[(4, "4 weeks"), (8, "8 weeks"), (13, "13 weeks")], coerce=int, initial=4
    )

    def clean_first_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["first_day"]
        if day.weekday() != 0:
            raise forms.ValidationError("Start the rota on a Monday.")
        return check_date(day, past=YEAR, future=YEAR)


class RotaSettingsForm(forms.ModelForm):
    class Meta:
        model = RotaSettings
        fields = [
            "saturday_headcount",
            "sunday_headcount",
            "weekend_template",
            "max_consecutive_days",
            "comp_window_weeks",
            "comp_expiry_days",
            "back_to_back_for_volunteers_only",
        ]

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.instance.team = team
        self.fields["weekend_template"].queryset = ShiftTemplate.objects.filter(  # type: ignore[attr-defined]
            site_id=team.site_id
        )


class RotaWishForm(forms.Form):
    on = forms.DateField(label="Weekend day", widget=DATE)
    kind = forms.ChoiceField(
        choices=[*RotaWish.Kind.choices, ("clear", "No preference")], label="I am"
    )

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        if day.weekday() < 5:
            raise forms.ValidationError("Choose a Saturday or a Sunday.")
        if not in_range(day, past=YEAR, future=YEAR):
            raise forms.ValidationError("Choose a weekend day within the next year.")
        return day


class RotaPreferenceForm(forms.ModelForm):
    class Meta:
        model = RotaPreference
        fields = ["preferred_comp_weekday"]
        labels = {"preferred_comp_weekday": "Preferred weekday off"}


class ForecastOverrideForm(forms.Form):
    """The lead's correction of a forecast: a day (or part of it) scaled by a percentage."""

    queue = forms.ModelChoiceField(queryset=Queue.objects.none())
    on = forms.DateField(label="Day", widget=DATE)
    starts_at = forms.TimeField(
        label="From", required=False, widget=TIME, help_text="Empty: the whole day."
    )
    ends_at = forms.TimeField(label="Until", required=False, widget=TIME)
    percent = forms.IntegerField(
        label="Change (%)",
        min_value=-100,
        max_value=500,
        help_text="+30 for 30 % more contacts, -50 for half, -100 for none.",
    )
    reason = forms.CharField(max_length=200, help_text="e.g. Launch of the new card on Tuesday.")

    def __init__(self, *args: object, team: Team, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        self.fields["queue"].queryset = Queue.objects.active().for_team(team)  # type: ignore[attr-defined]

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        if day < self.today:
            raise forms.ValidationError("Choose today or a later day: the past is not forecast.")
        return check_date(
            day, past=dt.timedelta(0), future=dt.timedelta(weeks=8), today=self.today, what="a day"
        )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        refuse_control_characters(reason)
        return reason

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if (starts is None) != (ends is None):
            self.add_error(
                "ends_at", "Give both times for part of a day, or neither for all of it."
            )
        elif starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", "The part of the day must end after it starts.")
        if cleaned.get("percent") == 0:
            self.add_error("percent", "A change of 0 % changes nothing.")
        return cleaned


# Activities may be recorded up to a month back (what happened) and booked a year ahead.
ACTIVITY_PAST = dt.timedelta(days=31)
ACTIVITY_FUTURE = YEAR


class ActivityForm(forms.Form):
    """Protected time for people of one team. The form checks what it can see alone
    (the times, the day's range, who may be picked); the service checks the rest
    (leave, the plan) under the team's lock."""

    kind = forms.ChoiceField(choices=Activity.Kind.choices, label="What")
    title = forms.CharField(
        max_length=120,
        validators=[refuse_control_characters],
        help_text="Shown to the people booked, the team's leads and its manager.",
    )
    on = forms.DateField(label="Day", widget=DATE)
    starts_at = forms.TimeField(label="From", widget=TIME)
    ends_at = forms.TimeField(label="Until", widget=TIME)
    attendees = forms.ModelMultipleChoiceField(
        queryset=Associate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who",
        error_messages={"required": "Book at least one person."},
    )

    def __init__(
        self,
        *args: object,
        team: Team,
        today: dt.date,
        people: QuerySet[Associate],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.team = team
        self.today = today
        self.fields["attendees"].queryset = people  # type: ignore[attr-defined]
        self.fields["attendees"].label_from_instance = lambda a: a.name  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, object]:
        return {
            "kind": activity.kind,
            "title": activity.title,
            "on": activity.on,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "attendees": [a.pk for a in activity.attendees.all()],
        }

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        return check_date(
            day, past=ACTIVITY_PAST, future=ACTIVITY_FUTURE, today=self.today, what="a day"
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        on, starts, ends = cleaned.get("on"), cleaned.get("starts_at"), cleaned.get("ends_at")
        if isinstance(on, dt.date) and isinstance(starts, dt.time) and isinstance(ends, dt.time):
            for problem in time_problems(self.team.site, on, starts, ends):
                self.add_error("ends_at", problem)
        return cleaned


class ActivityRangeForm(forms.Form):
    """The days the activity list shows (`from`, `to`, site-local, inclusive); by
    default four weeks from today."""

    DEFAULT_DAYS = 28

    def __init__(self, data: object, *, today: dt.date) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["from"] = forms.DateField(label="From", required=False, widget=DATE)
        self.fields["to"] = forms.DateField(label="To", required=False, widget=DATE)
        self.today = today
        self.default = (today, today + dt.timedelta(days=self.DEFAULT_DAYS - 1))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first = cleaned.get("from") or self.default[0]
        if not isinstance(first, dt.date):
            return cleaned
        last = cleaned.get("to") or first + dt.timedelta(days=self.DEFAULT_DAYS - 1)
        if not isinstance(last, dt.date):
            return cleaned
        if not in_range(first, past=WEEK_PAST, future=WEEK_FUTURE, today=self.today):
            self.add_error("from", "Choose a day within five years of today.")
        elif last < first:
            self.add_error("to", "The last day cannot be before the first.")
        elif (last - first).days >= LIST_MAX_DAYS:
            self.add_error("to", f"Show at most {LIST_MAX_DAYS} days at once.")
        cleaned["span"] = (first, last)
        return cleaned

    def span(self) -> tuple[dt.date, dt.date]:
        """The days asked for, or the default when the form has errors."""
        if self.is_valid():
            first, last = self.cleaned_data["span"]
            return first, last
        return self.default


class QueueCellForm(forms.Form):
    """One cell of the queue plan: a person, an interval of the day, a queue or none."""

    associate = forms.TypedChoiceField(coerce=int, label="Who")
    index = forms.TypedChoiceField(coerce=int, label="When")
    queue = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Queue")

    def __init__(self, *args: object, current: "PlanDay", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["associate"].choices = [  # type: ignore[attr-defined]
            (p.associate.pk, p.associate.name) for p in current.people
        ]
        self.fields["index"].choices = [  # type: ignore[attr-defined]
            (i, interval.label) for i, interval in enumerate(current.intervals)
        ]
        self.fields["queue"].choices = [("", "Off the queues")] + [  # type: ignore[attr-defined]
            (q.pk, q.name) for q in current.queues
        ]


def _whole(what: str, low: int, high: int, unit: str = "") -> dict[str, str]:
    """Error messages for a number field, in words a lead reads without a manual."""
    span = f"{what} is a whole number from {low:,} to {high:,}{unit}."
    # Django fills the limit into min/max messages with %: a literal % is doubled.
    limit = span.replace("%", "%%")
    return {
        "required": f"{what} is missing.",
        "invalid": span,
        "min_value": limit,
        "max_value": limit,
    }


TARGET_UNITS = {"s": 1, "min": 60, "h": 3600}
LIVE_TARGET_MAX = 3600
DEFERRED_TARGET_MAX = 7 * 24 * 3600


def target_in_units(seconds: int) -> tuple[int, str]:
    """A target in the unit a lead would say it in (4 h, 20 min, 60 s)."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return seconds // 3600, "h"
    if seconds >= 120 and seconds % 60 == 0:
        return seconds // 60, "min"
    return seconds, "s"


class QueueForm(forms.ModelForm):
    """A team's queue: its channel, the skill it needs and the targets it is planned to.

    The target is typed as a number and a unit ("4" "hours"), stored in seconds. A
    queue's interval length is fixed once it has volume history (the stored intervals
    would no longer be its intervals)."""

    name = forms.CharField(
        max_length=Queue._meta.get_field("name").max_length,
        validators=[refuse_control_characters],
        help_text="As the team calls it, e.g. “Payments chat”.",
        error_messages={"required": "Give the queue a name."},
    )
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.none(),
        empty_label="Choose a skill",
        label="Skill needed",
        help_text="Who may work it: people at least capable in this skill.",
        error_messages={
            "required": "Choose the skill people need to work this queue.",
            "invalid_choice": "Choose one of the skills in the list.",
        },
    )
    service_level_percent = forms.IntegerField(
        label="Service level (%)",
        min_value=1,
        max_value=99,
        help_text="Live: the share answered within the target time (e.g. 80). Deferred: the "
        "share handled within the response time (e.g. 90).",
        error_messages=_whole("The service level", 1, 99, " %"),
    )
    target_value = forms.IntegerField(
        label="Target time",
        min_value=1,
        max_value=DEFERRED_TARGET_MAX,
        help_text="Live: answer within, e.g. 60 seconds. Deferred: respond within, e.g. 4 hours.",
        error_messages=_whole("The target time", 1, DEFERRED_TARGET_MAX),
    )
    target_unit = forms.ChoiceField(
        label="Target unit",
        choices=[("s", "seconds"), ("min", "minutes"), ("h", "hours")],
        error_messages={"invalid_choice": "Choose seconds, minutes or hours."},
    )
    handle_time_seconds = forms.IntegerField(
        label="Average handle time (seconds)",
        required=False,
        min_value=1,
        max_value=24 * 3600,
        help_text="Leave empty to take it from the volume history (its average is shown "
        "in the list of queues).",
        error_messages=_whole("The handle time", 1, 24 * 3600, " seconds (24 hours)"),
    )
    shrinkage_percent = forms.IntegerField(
        label="Shrinkage (%)",
        min_value=0,
        max_value=90,
        initial=30,
        help_text="Time on shift away from the queue (breaks excluded): leave, sickness, "
        "meetings, coaching. 30 % is usual.",
        error_messages=_whole("Shrinkage", 0, 90, " %"),
    )
    max_occupancy_percent = forms.IntegerField(
        label="Maximum occupancy (%)",
        min_value=50,
        max_value=100,
        initial=85,
        help_text="The busiest share of time an agent should spend handling contacts.",
        error_messages=_whole("The maximum occupancy", 50, 100, " %"),
    )

    field_order = [
        "name",
        "channel",
        "skill",
        "service_level_percent",
        "target_value",
        "target_unit",
        "handle_time_seconds",
        "shrinkage_percent",
        "max_occupancy_percent",
        "interval_minutes",
        "is_active",
    ]

    class Meta:
        model = Queue
        fields = [
            "name",
            "channel",
            "skill",
            "service_level_percent",
            "handle_time_seconds",
            "shrinkage_percent",
            "max_occupancy_percent",
            "interval_minutes",
            "is_active",
        ]
        labels = {"interval_minutes": "Interval", "is_active": "Active"}
        help_texts = {
            "channel": "Live queues are answered while the customer waits; deferred ones "
            "within a response time.",
            "interval_minutes": "The length of the intervals its volumes are counted in.",
            "is_active": "An inactive queue keeps its history but is not planned.",
        }
        error_messages = {
            "channel": {"invalid_choice": "Choose live or deferred."},
            "interval_minutes": {"invalid_choice": "Choose 30 or 15 minutes."},
        }

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.instance.team = team
        self.fields["skill"].queryset = Skill.objects.order_by("name")  # type: ignore[attr-defined]
        value, unit = target_in_units(self.instance.target_seconds)
        self.fields["target_value"].initial = value
        self.fields["target_unit"].initial = unit
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new queue is active

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the queue a name.")
        if name.isdigit():
            raise forms.ValidationError(
                "A queue name needs a letter: volume files name a queue by its name or "
                "its number, so a name of digits only would read as a number."
            )
        same = (
            Queue.objects.for_team(self.instance.team)
            .filter(name__iexact=name)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if same is not None:
            raise forms.ValidationError(f"This team already has a queue named “{same.name}”.")
        return name

    def clean_interval_minutes(self) -> int:
        minutes = int(self.cleaned_data["interval_minutes"])
        queue = self.instance
        if (
            queue.pk is not None
            and minutes != queue.interval_minutes
            and QueueVolume.objects.filter(queue=queue).exists()
        ):
            raise forms.ValidationError(
                f"This queue has volume history in {queue.interval_minutes}-minute "
                "intervals, so its interval cannot change; make a new queue instead."
            )
        return minutes

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        value, unit = cleaned.get("target_value"), cleaned.get("target_unit")
        if not isinstance(value, int) or unit not in TARGET_UNITS:
            return cleaned
        seconds = value * TARGET_UNITS[str(unit)]
        channel = cleaned.get("channel")
        minutes = cleaned.get("interval_minutes") or self.instance.interval_minutes
        if channel == Queue.Channel.LIVE and seconds > LIVE_TARGET_MAX:
            self.add_error(
                "target_value",
                "A live queue answers within seconds or minutes (at most 1 hour); for a "
                "response time in hours, make it a deferred queue.",
            )
        elif channel == Queue.Channel.DEFERRED and seconds < int(str(minutes)) * 60:
            self.add_error(
                "target_value",
                f"A deferred queue responds within at least one interval ({minutes} "
                "minutes); for answers in seconds, make it a live queue.",
            )
        elif seconds > DEFERRED_TARGET_MAX:
            self.add_error("target_value", "The target time is at most 7 days.")
        else:
            self.instance.target_seconds = seconds
        return cleaned


MAX_VOLUME_UPLOAD_BYTES = 20 * 1024 * 1024


class VolumeUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="One row per queue and interval; the columns are explained below.",
        error_messages={
            "required": "Choose the CSV file to upload.",
            "empty": "The file is empty: the first line names the columns.",
        },
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VOLUME_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 20 MB; split it into several files or use the API."
            )
        return upload
