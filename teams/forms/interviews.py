import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from ..models import Competency, Interview, Scorecard, Team, User
from ..services.interviews import RatingInput
from ..text import refuse_control_characters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PAST_DAYS, FUTURE_DAYS = 366, 2 * 366


def team_interviewers(team: Team) -> QuerySet[User]:
    """Whom a lead picks from by default: the team's leads and its associates who
    have an active login."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(led_teams=team) | Q(associate__team=team, associate__is_active=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class InterviewForm(forms.Form):
    """An interview's time in the team site's local time; the interviewers only when
    it is scheduled (a change of time or place keeps the panel)."""

    title = forms.CharField(
        max_length=100, initial="Interview", validators=[refuse_control_characters]
    )
    on = forms.DateField(label="Day", widget=DATE)
    at = forms.TimeField(label="Starts at", widget=TIME)
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=10, max_value=480, initial=45
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        help_text="A room or a call link.",
        validators=[refuse_control_characters],
    )
    interviewers = PeopleField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The team's leads and associates with a login.",
    )
    others = forms.CharField(
        label="Other interviewers",
        required=False,
        max_length=500,
        help_text="Anyone else with a login: usernames or e-mail addresses, comma-separated.",
    )
    sequence = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self,
        *args: Any,
        team: Team,
        today: dt.date,
        interview: Interview | None = None,
        **kwargs: Any,
    ) -> None:
        if interview is not None:
            local = interview.starts_at.astimezone(team.site.zone)
            kwargs.setdefault(
                "initial",
                {
                    "title": interview.title,
                    "on": local.date(),
                    "at": local.time().replace(second=0, microsecond=0),
                    "duration_minutes": interview.duration_minutes,
                    "location": interview.location,
                    "sequence": interview.sequence,
                },
            )
        super().__init__(*args, **kwargs)
        self.team, self.today, self.interview = team, today, interview
        if interview is not None:
            del self.fields["interviewers"]
            del self.fields["others"]
        else:
            del self.fields["sequence"]
            picker = self.fields["interviewers"]
            if isinstance(picker, forms.ModelMultipleChoiceField):
                picker.queryset = team_interviewers(team)

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        if not (
            self.today - dt.timedelta(days=PAST_DAYS)
            <= on
            <= self.today + dt.timedelta(days=FUTURE_DAYS)
        ):
            raise forms.ValidationError("Pick a day within a year back and two years ahead.")
        return on

    def clean_others(self) -> list[User]:
        text: str = self.cleaned_data.get("others", "")
        names = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if len(names) > 8:
            raise forms.ValidationError("At most 8 other interviewers.")
        found: list[User] = []
        unknown: list[str] = []
        for name in names:
            user = User.objects.filter(
                Q(username__iexact=name) | Q(email__iexact=name), is_active=True
            ).first()
            if user is None:
                unknown.append(name[:40])
            else:
                found.append(user)
        if unknown:
            raise forms.ValidationError("No active login for: " + ", ".join(unknown)[:80] + ".")
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, at = cleaned.get("on"), cleaned.get("at")
        if isinstance(on, dt.date) and isinstance(at, dt.time):
            zone = self.team.site.zone
            starts = dt.datetime.combine(on, at.replace(second=0, microsecond=0), tzinfo=zone)
            if _wall_time_missing(starts, zone):
                self.add_error(
                    "at", "That time does not exist on that day (the clocks go forward)."
                )
            else:
                cleaned["starts_at"] = starts
        if self.interview is None and "interviewers" in cleaned and "others" in cleaned:
            people = list(cleaned["interviewers"]) + list(cleaned["others"])
            if not people:
                self.add_error("interviewers", "Pick at least one interviewer.")
            cleaned["people"] = people
        return cleaned


def _wall_time_missing(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    back = moment.astimezone(dt.UTC).astimezone(zone)
    return back.replace(tzinfo=None) != moment.replace(tzinfo=None)


SCORES = [(str(n), str(n)) for n in range(1, 5)]
SCORE_HELP = "1 weak · 2 mixed · 3 good · 4 strong"


class ScorecardForm(forms.Form):
    """A row per competency (a score 1–4 and evidence), a recommendation and a
    summary. "Save draft" keeps it to its interviewer; "Submit" needs every score
    and the recommendation."""

    action = forms.ChoiceField(
        choices=[("draft", "Save draft"), ("submit", "Submit")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose Save draft or Submit."},
    )
    recommendation = forms.ChoiceField(
        choices=Scorecard.Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, competencies: list[Competency], scorecard: Scorecard, **kwargs: Any
    ) -> None:
        current = {rating.competency_id: rating for rating in scorecard.ratings.all()}
        initial = {"recommendation": scorecard.recommendation, "summary": scorecard.summary}
        for competency in competencies:
            rating = current.get(competency.pk)
            if rating is not None:
                initial[f"score_{competency.pk}"] = str(rating.score)
                initial[f"evidence_{competency.pk}"] = rating.evidence
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for competency in competencies:
            self.fields[f"score_{competency.pk}"] = forms.ChoiceField(
                label=competency.name,
                choices=SCORES,
                required=False,
                widget=forms.RadioSelect,
                help_text=SCORE_HELP,
            )
            self.fields[f"evidence_{competency.pk}"] = forms.CharField(
                label=f"Evidence: {competency.name}",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @property
    def rows(self) -> list[tuple[Competency, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"evidence_{c.pk}"]) for c in self.competencies]

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for competency in self.competencies:
            score = cleaned.get(f"score_{competency.pk}")
            evidence = cleaned.get(f"evidence_{competency.pk}") or ""
            if not score and evidence.strip():
                self.add_error(f"score_{competency.pk}", "Give a score with the evidence.")
            elif not score and cleaned.get("action") == "submit":
                self.add_error(f"score_{competency.pk}", "Rate this competency to submit.")
        if cleaned.get("action") == "submit" and not cleaned.get("recommendation"):
            self.add_error("recommendation", "Give your recommendation to submit.")
        return cleaned

    def ratings(self) -> dict[int, RatingInput]:
        out = {}
        for competency in self.competencies:
            score = self.cleaned_data.get(f"score_{competency.pk}")
            out[competency.pk] = RatingInput(
                int(score) if score else None,
                self.cleaned_data.get(f"evidence_{competency.pk}") or "",
            )
        return out
