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
