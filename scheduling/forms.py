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
