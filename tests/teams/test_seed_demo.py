import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from teams.management.commands.seed_demo import DEMO_PASSWORD
from teams.models import Associate, AssociateSkill, Site, Team, User
from tests import demo_data

pytestmark = pytest.mark.django_db


def state():
    return (
        list(User.objects.order_by("username").values_list("username", "first_name", "is_active")),
        list(
            Associate.objects.order_by("user__username").values_list(
                "user__username", "team__name", "level", "hired_on", "is_active", "weekly_hours"
            )
        ),
        sorted(
            AssociateSkill.objects.values_list("associate__user__username", "skill__name", "level")
        ),
    )


def test_seed_demo_builds_a_believable_center_and_is_idempotent(seeded_demo):
    first = state()  # after one run on an empty database (tests/demo_data.py)
    call_command("seed_demo")
    assert state() == first

    site = Site.objects.get()
    assert site.time_zone == "Europe/Dublin"
    teams = Team.objects.order_by("name")
    assert teams.count() == 3
    for team in teams:
        assert team.manager.username == "manager"
        # 10-12 each, and Payments Support's new joiner (seed_hiring).
        assert 10 <= team.associates.exclude(level=Associate.Level.LEAD).count() <= 13
    assert AssociateSkill.objects.count() > 3 * 10


def test_every_demo_persona_can_log_in(seeded_demo):
    # What one run printed, with SITE_URL as `make demo DEMO_ADDR=127.0.0.1:8123` sets it.
    printed = seeded_demo
    assert demo_data.SEED_SITE_URL == "http://127.0.0.1:8123"
    assert "Log in at http://127.0.0.1:8123/" in printed  # the address served
    # One associate count: the seed says what the home pages say (leads not counted).
    on_teams = Associate.objects.active().exclude(user__led_teams=F("team"))
    assert f"3 teams, {on_teams.count()} associates and 3 team leads" in printed
    lead = User.objects.get(username="lead")
    assert f"lead        {lead.get_full_name()}" in printed  # which person each persona is
    for username in ["associate", "associate2", "lead", "lead2", "manager", "admin", "newjoiner"]:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get("/").status_code == 200, username


def test_seed_demo_is_deterministic_across_databases(seeded_demo):
    first = state()  # after one run on an empty database (tests/demo_data.py)
    from performance.models import KpiEvent
    from scheduling.models import CompDay, WeekendDuty

    KpiEvent.objects.all().delete()  # protects the associates it belongs to
    from performance.models import Goal, OneOnOne

    # People records protect the associates and users they are about or by.
    OneOnOne.objects.all().delete()
    Goal.objects.all().delete()
    from performance.models import Idea, Procedure

    # The improvement boards' ideas (with their trials) and procedures protect their
    # authors (issue 16).
    Idea.objects.all().delete()
    Procedure.objects.all().delete()
    from teams.models import Candidate, Requisition

    Candidate.objects.all().delete()  # with their applications, interviews and scorecards
    Requisition.objects.all().delete()
    CompDay.objects.all().delete()
    WeekendDuty.objects.all().delete()
    Associate.objects.all().delete()
    User.objects.all().delete()
    call_command("seed_demo")
    assert state() == first


def test_large_center_for_benchmarks(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", associates=300)
    # 300 associates in teams of about 12, each team with a lead who is also on the roster.
    assert Team.objects.count() == 25
    # And seed_hiring's new joiner, hired through the pipeline.
    assert Associate.objects.exclude(level=Associate.Level.LEAD).count() == 300 + 1


@pytest.mark.django_db(transaction=True)
def test_building_the_demo_emails_nobody_even_with_a_celery_worker(settings, monkeypatch):
    """Each seed commits as it goes, as in `make demo`, so every on-commit task is
    queued. With a broker and a worker (docker compose), a queued email task would
    be sent by the worker over its own SMTP settings: nothing may be queued."""
    from celery.app.task import Task

    from sdc_ops.celery import app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    queued = []
    run_here = Task.apply_async

    def apply_async(task, *args, **kwargs):
        if not task.app.conf.task_always_eager:
            queued.append(task.name)  # would go to the broker
            return None
        return run_here(task, *args, **kwargs)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # as with a real worker
    try:
        call_command("seed_demo")
    finally:
        app.conf.task_always_eager = eager
    assert queued == []
    assert mail.outbox == []
