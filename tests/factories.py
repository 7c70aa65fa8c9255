import datetime as dt
from decimal import Decimal

import factory

from teams.models import Associate, AssociateSkill, AuditEvent, Site, Skill, Team, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    time_zone = "Europe/Dublin"
    country = "IE"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.leads.set(extracted)


class SkillFactory(factory.django.DjangoModelFactory[Skill]):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")


class AssociateFactory(factory.django.DjangoModelFactory[Associate]):
    class Meta:
        model = Associate

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    hired_on = dt.date(2024, 3, 1)
    weekly_hours = Decimal("39.0")


class AssociateSkillFactory(factory.django.DjangoModelFactory[AssociateSkill]):
    class Meta:
        model = AssociateSkill

    associate = factory.SubFactory(AssociateFactory)
    skill = factory.SubFactory(SkillFactory)
    level = AssociateSkill.Proficiency.PROFICIENT


class AuditEventFactory(factory.django.DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    actor_label = factory.LazyAttribute(lambda e: e.actor.username if e.actor else "system")
    action = AuditEvent.Action.LOGIN


# --- hiring and onboarding (teams)

from teams.models import (  # noqa: E402 -- one section per feature
    Application,
    Candidate,
    Competency,
    Decision,
    Interview,
    Offer,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTemplate,
    RampTarget,
    Rating,
    Requisition,
    Scorecard,
    StageChange,
    TemplateItem,
)


class RequisitionFactory(factory.django.DjangoModelFactory[Requisition]):
    class Meta:
        model = Requisition

    team = factory.SubFactory(TeamFactory)
    target_start_on = dt.date(2030, 2, 4)


class CompetencyFactory(factory.django.DjangoModelFactory[Competency]):
    class Meta:
        model = Competency

    requisition = factory.SubFactory(RequisitionFactory)
    name = factory.Sequence(lambda n: f"Competency {n}")


class CandidateFactory(factory.django.DjangoModelFactory[Candidate]):
    class Meta:
        model = Candidate

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    requisition = factory.SubFactory(RequisitionFactory)
    source = factory.LazyAttribute(lambda a: a.candidate.source)


class StageChangeFactory(factory.django.DjangoModelFactory[StageChange]):
    class Meta:
        model = StageChange

    application = factory.SubFactory(ApplicationFactory)
    to_stage = Application.Stage.APPLIED


class InterviewFactory(factory.django.DjangoModelFactory[Interview]):
    class Meta:
        model = Interview

    application = factory.SubFactory(ApplicationFactory)
    starts_at = dt.datetime(2030, 1, 8, 10, tzinfo=dt.UTC)


class ScorecardFactory(factory.django.DjangoModelFactory[Scorecard]):
    class Meta:
        model = Scorecard

    interview = factory.SubFactory(InterviewFactory)
    interviewer = factory.SubFactory(UserFactory)


class RatingFactory(factory.django.DjangoModelFactory[Rating]):
    class Meta:
        model = Rating

    scorecard = factory.SubFactory(ScorecardFactory)
    competency = factory.SubFactory(
        CompetencyFactory,
        requisition=factory.SelfAttribute("..scorecard.interview.application.requisition"),
    )
    score = 3


class DecisionFactory(factory.django.DjangoModelFactory[Decision]):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory)
    outcome = Application.Stage.OFFER
    reason = "Strong on every competency."


class OfferFactory(factory.django.DjangoModelFactory[Offer]):
    class Meta:
        model = Offer

    application = factory.SubFactory(ApplicationFactory, stage=Application.Stage.OFFER)
    start_on = dt.date(2030, 2, 4)


class OnboardingTemplateFactory(factory.django.DjangoModelFactory[OnboardingTemplate]):
    class Meta:
        model = OnboardingTemplate

    team = factory.SubFactory(TeamFactory)


class TemplateItemFactory(factory.django.DjangoModelFactory[TemplateItem]):
    class Meta:
        model = TemplateItem

    template = factory.SubFactory(OnboardingTemplateFactory)
    title = "Laptop and accounts ready"


class OnboardingPlanFactory(factory.django.DjangoModelFactory[OnboardingPlan]):
    class Meta:
        model = OnboardingPlan

    associate = factory.SubFactory(AssociateFactory, hired_on=dt.date(2030, 2, 4))
    starts_on = factory.SelfAttribute("associate.hired_on")


class OnboardingItemFactory(factory.django.DjangoModelFactory[OnboardingItem]):
    class Meta:
        model = OnboardingItem

    plan = factory.SubFactory(OnboardingPlanFactory)
    title = "Shadow a senior on live chat"
    due_on = factory.LazyAttribute(lambda i: i.plan.starts_on + dt.timedelta(days=3))


class RampTargetFactory(factory.django.DjangoModelFactory[RampTarget]):
    class Meta:
        model = RampTarget

    plan = factory.SubFactory(OnboardingPlanFactory)
    skill = factory.SubFactory(SkillFactory)


# --- scheduling

from scheduling.models import (  # noqa: E402 -- one section per app
    Activity,
    CalendarFeed,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    EntryKind,
    ForecastInterval,
    ForecastOverride,
    LeaveAllowance,
    PublicHoliday,
    PublishedEntry,
    Queue,
    QueueAssignment,
    QueueForecast,
    QueuePlan,
    QueueVolume,
    RotaPreference,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    ScheduleWeek,
    ShiftSwap,
    ShiftTemplate,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
    WeekendSkillNeed,
)

# A Monday well in the future, so "not in the past" rules never bite.
SCHEDULING_MONDAY = dt.date(2030, 1, 7)


class ShiftTemplateFactory(factory.django.DjangoModelFactory[ShiftTemplate]):
    class Meta:
        model = ShiftTemplate
        django_get_or_create = ("site", "name")

    site = factory.SubFactory(SiteFactory)
    name = "Early"
    code = "E"
    starts_at = dt.time(7)
    ends_at = dt.time(15, 30)
    break_minutes = 30
    applies_to = ShiftTemplate.Applies.WEEKDAY


class PublicHolidayFactory(factory.django.DjangoModelFactory[PublicHoliday]):
    class Meta:
        model = PublicHoliday

    site = factory.SubFactory(SiteFactory)
    on = factory.Sequence(lambda n: SCHEDULING_MONDAY + dt.timedelta(days=n))
    name = "Holiday"


class ScheduleEntryFactory(factory.django.DjangoModelFactory[ScheduleEntry]):
    """A 09:00–17:00 shift on the working plan; pass kind= and no times for other days."""

    class Meta:
        model = ScheduleEntry

    associate = factory.SubFactory(AssociateFactory)
    on = SCHEDULING_MONDAY
    kind = EntryKind.SHIFT
    starts_at = factory.LazyAttribute(lambda e: dt.time(9) if e.kind == EntryKind.SHIFT else None)
    ends_at = factory.LazyAttribute(lambda e: dt.time(17) if e.kind == EntryKind.SHIFT else None)


class PublishedEntryFactory(ScheduleEntryFactory):
    class Meta:
        model = PublishedEntry

    published_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class ScheduleWeekFactory(factory.django.DjangoModelFactory[ScheduleWeek]):
    class Meta:
        model = ScheduleWeek

    team = factory.SubFactory(TeamFactory)
    starts_on = SCHEDULING_MONDAY


class CoverageRequirementFactory(factory.django.DjangoModelFactory[CoverageRequirement]):
    class Meta:
        model = CoverageRequirement

    team = factory.SubFactory(TeamFactory)
    day_kind = "weekday"
    min_headcount = 2


class TimeOffRequestFactory(factory.django.DjangoModelFactory[TimeOffRequest]):
    class Meta:
        model = TimeOffRequest

    associate = factory.SubFactory(AssociateFactory)
    first_day = SCHEDULING_MONDAY
    last_day = factory.LazyAttribute(lambda r: r.first_day)
    type = TimeOffRequest.Type.ANNUAL


class LeaveAllowanceFactory(factory.django.DjangoModelFactory[LeaveAllowance]):
    class Meta:
        model = LeaveAllowance

    associate = factory.SubFactory(AssociateFactory)
    year = SCHEDULING_MONDAY.year


class CalendarFeedFactory(factory.django.DjangoModelFactory[CalendarFeed]):
    class Meta:
        model = CalendarFeed

    associate = factory.SubFactory(AssociateFactory)
    token = factory.LazyFunction(CalendarFeed.new_token)


class ShiftSwapFactory(factory.django.DjangoModelFactory[ShiftSwap]):
    class Meta:
        model = ShiftSwap

    requester = factory.SubFactory(AssociateFactory)
    partner = factory.SubFactory(AssociateFactory, team=factory.SelfAttribute("..requester.team"))
    requester_day = SCHEDULING_MONDAY
    partner_day = SCHEDULING_MONDAY + dt.timedelta(days=1)


class SwapOfferFactory(factory.django.DjangoModelFactory[SwapOffer]):
    class Meta:
        model = SwapOffer

    offerer = factory.SubFactory(AssociateFactory)
    on = SCHEDULING_MONDAY


class QueueFactory(factory.django.DjangoModelFactory[Queue]):
    class Meta:
        model = Queue

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Queue {n}")
    skill = factory.SubFactory(SkillFactory)
    channel = Queue.Channel.LIVE
    handle_time_seconds = 360


class QueueVolumeFactory(factory.django.DjangoModelFactory[QueueVolume]):
    class Meta:
        model = QueueVolume

    queue = factory.SubFactory(QueueFactory)
    starts_at = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
    offered = 20
    handled = 19
    handle_time_seconds = 350
    source = QueueVolume.Source.UPLOAD


class QueueForecastFactory(factory.django.DjangoModelFactory[QueueForecast]):
    class Meta:
        model = QueueForecast

    queue = factory.SubFactory(QueueFactory)
    made_at = dt.datetime(2030, 1, 6, 0, 20, tzinfo=dt.UTC)
    made_for = dt.date(2030, 1, 6)
    method = QueueForecast.Method.WEIGHTED_AVERAGE
    basis = "average of the last 6 Mondays"
    wmape = 0.08
    naive_wmape = 0.12
    history_days = 84
    first_day = dt.date(2030, 1, 6)
    last_day = dt.date(2030, 3, 2)


class ForecastIntervalFactory(factory.django.DjangoModelFactory[ForecastInterval]):
    class Meta:
        model = ForecastInterval

    queue = factory.SubFactory(QueueFactory)
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=30 * n)
    )
    contacts = 20.0
    handle_time_seconds = 360.0


class ForecastOverrideFactory(factory.django.DjangoModelFactory[ForecastOverride]):
    class Meta:
        model = ForecastOverride

    queue = factory.SubFactory(QueueFactory)
    on = dt.date(2030, 1, 8)
    percent = 30
    reason = "Launch"


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    team = factory.SubFactory(TeamFactory)
    kind = Activity.Kind.TRAINING
    title = "Refunds training"
    on = dt.date(2030, 1, 8)
    starts_at = dt.time(10)
    ends_at = dt.time(11)


class QueuePlanFactory(factory.django.DjangoModelFactory[QueuePlan]):
    class Meta:
        model = QueuePlan

    team = factory.SubFactory(TeamFactory)
    on = factory.Sequence(lambda n: dt.date(2030, 1, 7) + dt.timedelta(days=n))


class QueueAssignmentFactory(factory.django.DjangoModelFactory[QueueAssignment]):
    class Meta:
        model = QueueAssignment

    plan = factory.SubFactory(QueuePlanFactory)
    associate = factory.SubFactory(AssociateFactory, team=factory.SelfAttribute("..plan.team"))
    starts_at = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
    queue = factory.SubFactory(QueueFactory, team=factory.SelfAttribute("..plan.team"))


class RotaSettingsFactory(factory.django.DjangoModelFactory[RotaSettings]):
    class Meta:
        model = RotaSettings
        django_get_or_create = ("team",)

    team = factory.SubFactory(TeamFactory)


class WeekendSkillNeedFactory(factory.django.DjangoModelFactory[WeekendSkillNeed]):
    class Meta:
        model = WeekendSkillNeed

    settings = factory.SubFactory(RotaSettingsFactory)
    skill = factory.SubFactory(SkillFactory)


class RotaWishFactory(factory.django.DjangoModelFactory[RotaWish]):
    class Meta:
        model = RotaWish

    associate = factory.SubFactory(AssociateFactory)
    on = SCHEDULING_MONDAY + dt.timedelta(days=5)
    kind = RotaWish.Kind.VOLUNTEER


class RotaPreferenceFactory(factory.django.DjangoModelFactory[RotaPreference]):
    class Meta:
        model = RotaPreference

    associate = factory.SubFactory(AssociateFactory)
    preferred_comp_weekday = 0


class RotaProposalFactory(factory.django.DjangoModelFactory[RotaProposal]):
    class Meta:
        model = RotaProposal

    team = factory.SubFactory(TeamFactory)
    first_day = SCHEDULING_MONDAY
    last_day = SCHEDULING_MONDAY + dt.timedelta(days=27)


class WeekendDutyFactory(factory.django.DjangoModelFactory[WeekendDuty]):
    class Meta:
        model = WeekendDuty

    associate = factory.SubFactory(AssociateFactory)
    on = SCHEDULING_MONDAY + dt.timedelta(days=5)  # a Saturday


class CompDayFactory(factory.django.DjangoModelFactory[CompDay]):
    """The comp day a weekend duty earned: scheduled when given a day (on=), else owed."""

    class Meta:
        model = CompDay

    duty = factory.SubFactory(WeekendDutyFactory)
    associate = factory.SelfAttribute("duty.associate")
    on = None
    status = factory.LazyAttribute(
        lambda c: CompDay.Status.SCHEDULED if c.on else CompDay.Status.OWED
    )
    expires_on = factory.LazyAttribute(lambda c: c.duty.on + dt.timedelta(days=30))


class CompDayRequestFactory(factory.django.DjangoModelFactory[CompDayRequest]):
    class Meta:
        model = CompDayRequest

    comp_day = factory.SubFactory(
        CompDayFactory,
        on=factory.LazyAttribute(lambda c: c.duty.on + dt.timedelta(days=7 - c.duty.on.weekday())),
    )
    wanted_on = factory.LazyAttribute(lambda r: r.comp_day.duty.on + dt.timedelta(days=3))


# --- performance

from performance.models import (  # noqa: E402 -- one section per app
    ActionItem,
    AgendaItem,
    ApiToken,
    DailyKpi,
    Feedback,
    Goal,
    GoalCheckIn,
    Kpi,
    KpiDirtyDay,
    KpiEvent,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
    RatingChange,
    Review,
    ReviewCycle,
    ReviewReminder,
)
from performance.models.api_tokens import key_digest, key_prefix, new_key  # noqa: E402
from performance.models.one_on_ones import local_start  # noqa: E402

# A period well in the future, so "not in the past" rules never bite.
PERFORMANCE_START = dt.date(2030, 1, 1)


class KpiFactory(factory.django.DjangoModelFactory[Kpi]):
    """A KPI of its own; the usual ones (csat, aht, ...) are seeded by a migration,
    so tests that need those use Kpi.objects.get(key=...)."""

    class Meta:
        model = Kpi
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"kpi_{n}")
    name = factory.LazyAttribute(lambda k: k.key.replace("_", " ").title())
    aggregation = Kpi.Aggregation.SUM
    target = 10.0
    green_at = 10.0
    amber_at = 5.0


class KpiEventFactory(factory.django.DjangoModelFactory[KpiEvent]):
    class Meta:
        model = KpiEvent

    kpi = factory.SubFactory(KpiFactory)
    associate = factory.SubFactory(AssociateFactory)
    team = factory.SelfAttribute("associate.team")
    site = factory.SelfAttribute("team.site")
    occurred_at = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    local_date = factory.LazyAttribute(
        lambda e: e.occurred_at.astimezone(e.associate.team.site.zone).date()
    )
    value = 1.0
    source = "test"
    external_id = factory.Sequence(lambda n: f"event-{n}")


class ApiTokenFactory(factory.django.DjangoModelFactory[ApiToken]):
    """A live token with both scopes; pass `key=` to know the key it opens with
    (performance.models.api_tokens.new_key())."""

    class Meta:
        model = ApiToken

    class Params:
        key = factory.LazyFunction(new_key)

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    prefix = factory.LazyAttribute(lambda t: key_prefix(t.key))
    key_digest = factory.LazyAttribute(lambda t: key_digest(t.key))
    has_read_scope = True
    has_write_scope = True
    expires_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=90))


class KpiDirtyDayFactory(factory.django.DjangoModelFactory[KpiDirtyDay]):
    class Meta:
        model = KpiDirtyDay

    kpi = factory.SubFactory(KpiFactory)
    site = factory.SubFactory(SiteFactory)
    local_date = dt.date(2030, 1, 7)


class DailyKpiFactory(factory.django.DjangoModelFactory[DailyKpi]):
    """One associate's rollup for a day (scope, team and site follow the associate)."""

    class Meta:
        model = DailyKpi

    kpi = factory.SubFactory(KpiFactory)
    day = dt.date(2030, 1, 7)
    associate = factory.SubFactory(AssociateFactory)
    scope = DailyKpi.Scope.ASSOCIATE
    team = factory.SelfAttribute("associate.team")
    site = factory.SelfAttribute("team.site")
    value = 1.0
    numerator = factory.SelfAttribute("value")
    event_count = 1


class FeedbackFactory(factory.django.DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    associate = factory.SubFactory(AssociateFactory)
    author = factory.SubFactory(UserFactory)
    situation = "On Tuesday's escalation call"
    behaviour = "You summarised the customer's problem before proposing a fix"
    impact = "The customer calmed down and the ticket closed the same day"


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    """A personal goal, or a team goal when team=... is passed."""

    class Meta:
        model = Goal

    team = None
    associate = factory.Maybe(
        "team", yes_declaration=None, no_declaration=factory.SubFactory(AssociateFactory)
    )
    title = factory.Sequence(lambda n: f"Goal {n}")
    starts_on = PERFORMANCE_START
    ends_on = factory.LazyAttribute(lambda g: g.starts_on + dt.timedelta(days=89))
    kpi = None
    target_value = 10.0
    created_by = factory.SubFactory(UserFactory)


class GoalCheckInFactory(factory.django.DjangoModelFactory[GoalCheckIn]):
    class Meta:
        model = GoalCheckIn

    goal = factory.SubFactory(GoalFactory)
    author = factory.SelfAttribute("goal.created_by")
    status = Goal.Status.ON_TRACK
    note = "Steady progress"


class OneOnOneCadenceFactory(factory.django.DjangoModelFactory[OneOnOneCadence]):
    class Meta:
        model = OneOnOneCadence

    associate = factory.SubFactory(AssociateFactory)
    frequency = OneOnOneCadence.Frequency.FORTNIGHTLY
    first_on = PERFORMANCE_START
    starts_at_time = dt.time(10)


class OneOnOneFactory(factory.django.DjangoModelFactory[OneOnOne]):
    """A 1:1 at 10:00 site time on `on`."""

    class Meta:
        model = OneOnOne

    associate = factory.SubFactory(AssociateFactory)
    lead = factory.SubFactory(UserFactory)
    on = dt.date(2030, 1, 8)
    starts_at = factory.LazyAttribute(
        lambda m: local_start(m.on, dt.time(10), m.associate.team.site.zone)
    )


class PrivateNoteFactory(factory.django.DjangoModelFactory[PrivateNote]):
    class Meta:
        model = PrivateNote

    one_on_one = factory.SubFactory(OneOnOneFactory)
    author = factory.SelfAttribute("one_on_one.lead")
    text = "Seemed tired; ask about the night shifts"


class AgendaItemFactory(factory.django.DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    one_on_one = factory.SubFactory(OneOnOneFactory)
    added_by = factory.SelfAttribute("one_on_one.lead")
    text = factory.Sequence(lambda n: f"Agenda point {n}")


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    raised_in = factory.SubFactory(OneOnOneFactory)
    associate = factory.SelfAttribute("raised_in.associate")
    owner = factory.SelfAttribute("raised_in.lead")
    text = factory.Sequence(lambda n: f"Action {n}")


class PeopleReminderFactory(factory.django.DjangoModelFactory[PeopleReminder]):
    class Meta:
        model = PeopleReminder

    kind = PeopleReminder.Kind.ACTION_ITEM_DUE
    object_id = factory.Sequence(lambda n: n + 1)
    due_on = dt.date(2030, 1, 8)


class ReviewCycleFactory(factory.django.DjangoModelFactory[ReviewCycle]):
    class Meta:
        model = ReviewCycle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cycle {n}")
    period_start = PERFORMANCE_START
    period_end = factory.LazyAttribute(lambda c: c.period_start + dt.timedelta(days=180))
    self_review_due_on = factory.LazyAttribute(lambda c: c.period_end + dt.timedelta(days=7))
    lead_review_due_on = factory.LazyAttribute(lambda c: c.period_end + dt.timedelta(days=14))
    calibration_due_on = factory.LazyAttribute(lambda c: c.period_end + dt.timedelta(days=21))
    opened_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teams.set(extracted)


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    cycle = factory.SubFactory(ReviewCycleFactory)
    associate = factory.SubFactory(AssociateFactory)


class RatingChangeFactory(factory.django.DjangoModelFactory[RatingChange]):
    class Meta:
        model = RatingChange

    review = factory.SubFactory(ReviewFactory)
    from_rating = None
    to_rating = 3
    changed_by = factory.SubFactory(UserFactory)
    reason = "Lead review"


class ReviewReminderFactory(factory.django.DjangoModelFactory[ReviewReminder]):
    class Meta:
        model = ReviewReminder

    cycle = factory.SubFactory(ReviewCycleFactory)
    kind = ReviewReminder.Kind.SELF_REVIEW_DUE
    recipient = factory.SubFactory(UserFactory)


# --- issue 16: improvements, procedures
from performance.models import Idea, Procedure, Support, Trial  # noqa: E402


class IdeaFactory(factory.django.DjangoModelFactory[Idea]):
    class Meta:
        model = Idea

    team = factory.SubFactory(TeamFactory)
    author = factory.SubFactory(UserFactory)
    problem = "Customers wait for a first reply after the weekend."
    proposal = factory.Sequence(lambda n: f"Triage the weekend backlog first thing Monday ({n})")
    kpi = factory.LazyFunction(lambda: Kpi.objects.get(key="first_response_time"))
    direction = Idea.Direction.DOWN
    status = Idea.Status.NEW
    decided_at = factory.LazyAttribute(
        lambda i: None if i.status in ("new", "trial") else dt.datetime.now(dt.UTC)
    )


class SupportFactory(factory.django.DjangoModelFactory[Support]):
    class Meta:
        model = Support

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)


class TrialFactory(factory.django.DjangoModelFactory[Trial]):
    class Meta:
        model = Trial

    idea = factory.SubFactory(IdeaFactory, status=Idea.Status.TRIAL)
    starts_on = PERFORMANCE_START
    ends_on = factory.LazyAttribute(lambda t: t.starts_on + dt.timedelta(days=27))
    started_by = factory.SubFactory(UserFactory)


class ProcedureFactory(factory.django.DjangoModelFactory[Procedure]):
    class Meta:
        model = Procedure

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Procedure {n}")
    body = "## Steps\n\n1. Read the ticket.\n2. Reply within the hour.\n"
    updated_by = factory.SubFactory(UserFactory)


# issue 16: pulse and recognition
from performance.models import (  # noqa: E402 -- one section per feature
    BirthdayShare,
    PulseAnswer,
    PulseParticipation,
    PulseReminder,
    PulseResponse,
    PulseRound,
    PulseSettings,
    PulseTemplate,
    WelcomePost,
)
from performance.models.pulse import DEFAULT_QUESTIONS  # noqa: E402


class PulseSettingsFactory(factory.django.DjangoModelFactory[PulseSettings]):
    class Meta:
        model = PulseSettings

    team = factory.SubFactory(TeamFactory)


class PulseTemplateFactory(factory.django.DjangoModelFactory[PulseTemplate]):
    class Meta:
        model = PulseTemplate

    team = factory.SubFactory(TeamFactory)
    questions = factory.LazyFunction(lambda: list(DEFAULT_QUESTIONS))


class PulseRoundFactory(factory.django.DjangoModelFactory[PulseRound]):
    class Meta:
        model = PulseRound

    team = factory.SubFactory(TeamFactory)
    opens_on = factory.Sequence(lambda n: dt.date(2030, 1, 7) + dt.timedelta(weeks=4 * n))
    closes_on = factory.LazyAttribute(lambda r: r.opens_on + dt.timedelta(days=7))
    questions = factory.LazyFunction(lambda: list(DEFAULT_QUESTIONS))
    is_open = False


class PulseResponseFactory(factory.django.DjangoModelFactory[PulseResponse]):
    """A response with a score for each of its round's questions."""

    class Meta:
        model = PulseResponse
        skip_postgeneration_save = True

    round = factory.SubFactory(PulseRoundFactory)
    enps = 8
    comment = ""

    @factory.post_generation
    def scores(obj, create, extracted, **kwargs):
        if create:
            values = [4] * len(obj.round.questions) if extracted is None else extracted
            PulseAnswer.objects.bulk_create(
                PulseAnswer(response=obj, question=i, score=s) for i, s in enumerate(values)
            )


class PulseAnswerFactory(factory.django.DjangoModelFactory[PulseAnswer]):
    class Meta:
        model = PulseAnswer

    response = factory.SubFactory(PulseResponseFactory, scores=[])
    question = 0
    score = 4


class PulseParticipationFactory(factory.django.DjangoModelFactory[PulseParticipation]):
    class Meta:
        model = PulseParticipation

    round = factory.SubFactory(PulseRoundFactory)
    user = factory.SubFactory(UserFactory)


class PulseReminderFactory(factory.django.DjangoModelFactory[PulseReminder]):
    class Meta:
        model = PulseReminder

    round = factory.SubFactory(PulseRoundFactory)
    user = factory.SubFactory(UserFactory)


class BirthdayShareFactory(factory.django.DjangoModelFactory[BirthdayShare]):
    class Meta:
        model = BirthdayShare

    associate = factory.SubFactory(AssociateFactory)
    month = 3
    day = 14


class WelcomePostFactory(factory.django.DjangoModelFactory[WelcomePost]):
    class Meta:
        model = WelcomePost

    associate = factory.SubFactory(AssociateFactory)
    message = "Welcome aboard!"
    author = factory.SubFactory(UserFactory)


# --- issue 16: training (teams)

from teams.models import (  # noqa: E402 -- one section per feature
    Certification,
    SkillTarget,
    TrainingAssignment,
    TrainingModule,
)


class TrainingModuleFactory(factory.django.DjangoModelFactory[TrainingModule]):
    class Meta:
        model = TrainingModule

    title = factory.Sequence(lambda n: f"Module {n}")
    skill = factory.SubFactory(SkillFactory)
    length_minutes = 90
    team = factory.SubFactory(TeamFactory)


class TrainingAssignmentFactory(factory.django.DjangoModelFactory[TrainingAssignment]):
    class Meta:
        model = TrainingAssignment

    associate = factory.SubFactory(AssociateFactory)
    module = factory.SubFactory(
        TrainingModuleFactory, team=factory.SelfAttribute("..associate.team")
    )
    due_on = dt.date(2030, 3, 1)


class CertificationFactory(factory.django.DjangoModelFactory[Certification]):
    class Meta:
        model = Certification

    associate = factory.SubFactory(AssociateFactory)
    skill = factory.SubFactory(SkillFactory)
    certified_on = dt.date(2029, 4, 30)
    expires_on = dt.date(2030, 4, 30)


class SkillTargetFactory(factory.django.DjangoModelFactory[SkillTarget]):
    class Meta:
        model = SkillTarget

    associate = factory.SubFactory(AssociateFactory)
    skill = factory.SubFactory(SkillFactory)
    by_date = dt.date(2030, 6, 30)
