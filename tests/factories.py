import datetime as dt
from decimal import Decimal

import factory

from teams.models import Associate, AssociateSkill, Site, Skill, Team, User

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


# --- scheduling

from scheduling.models import (  # noqa: E402 -- one section per app
    CalendarFeed,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    EntryKind,
    LeaveAllowance,
    PublicHoliday,
    PublishedEntry,
    RotaPreference,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    ScheduleWeek,
    ShiftSwap,
    ShiftTemplate,
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
