"""The named cast every test speaks in.

Two teams on one site: `team` (led by `lead`, managed by `manager`, with
`associate` and `teammate` on it) and `other_team` (led by `other_lead`,
managed by `other_manager`). `admin` is an ops admin (superuser).
"""

import os

import pytest
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from sdc_ops.celery import app as celery_app
from tests import demo_data
from tests.factories import PASSWORD, AssociateFactory, SiteFactory, TeamFactory, UserFactory

# CI runs the same examples every time (a red build is then reproducible);
# local runs explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PERSONAS = (
    "anonymous",
    "associate",
    "teammate",
    "lead",
    "other_lead",
    "manager",
    "other_manager",
    "admin",
)


@pytest.fixture(autouse=True)
def _fast_and_local(settings):
    # Dashboards render from the rollups on every request unless a test turns
    # their cache on (tests/performance/test_dashboards.py does).
    settings.KPI_DASHBOARD_CACHE_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Django's test client logs in without a request, which django-axes needs; the
    # throttling tests turn it on (tests/teams/test_login_throttling.py).
    settings.AXES_ENABLED = False
    # Tasks run in-process so a test sees their effect; the broker itself is
    # exercised by the health check tests against the real Redis.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(scope="session")
def _demo_copy(django_db_setup, django_db_blocker) -> demo_data.Copy | None:
    """One run of `seed_demo` per test process, copied (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    with django_db_blocker.unblock():
        return demo_data.made_outside_the_tests()


@pytest.fixture
def seeded_demo(db, _demo_copy) -> str:
    """The demo center as `seed_demo` builds it, in this test's database; returns what
    the seed printed. A copy of the process's one run (tests/demo_data.py), or a run
    of its own where there is no copy of today's."""
    if _demo_copy is None or _demo_copy.day != demo_data.today():
        return demo_data.seed()
    _demo_copy.put()
    return _demo_copy.output


@pytest.fixture
def site(db):
    return SiteFactory(name="Dublin", time_zone="Europe/Dublin", country="IE")


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", first_name="Lena", last_name="Lead")


@pytest.fixture
def other_lead(db):
    return UserFactory(username="other_lead", first_name="Otto", last_name="Other")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", first_name="Mona", last_name="Manager")


@pytest.fixture
def other_manager(db):
    return UserFactory(username="other_manager", first_name="Omar", last_name="Othermgr")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def team(site, lead, manager):
    return TeamFactory(site=site, name="Payments", leads=[lead], manager=manager)


@pytest.fixture
def other_team(site, other_lead, other_manager):
    return TeamFactory(site=site, name="Connect", leads=[other_lead], manager=other_manager)


@pytest.fixture
def associate(team):
    user = UserFactory(username="associate", first_name="Ada", last_name="Associate")
    return AssociateFactory(user=user, team=team)


@pytest.fixture
def teammate(team):
    user = UserFactory(username="teammate", first_name="Tim", last_name="Teammate")
    return AssociateFactory(user=user, team=team)


@pytest.fixture
def other_associate(other_team):
    user = UserFactory(username="other_associate", first_name="Oona", last_name="Outside")
    return AssociateFactory(user=user, team=other_team)


@pytest.fixture
def cast(
    associate,
    teammate,
    lead,
    other_lead,
    manager,
    other_manager,
    admin,
    other_team,
    other_associate,
):
    """Everyone, with their user for logging in (None for anonymous)."""
    return {
        "anonymous": None,
        "associate": associate.user,
        "teammate": teammate.user,
        "lead": lead,
        "other_lead": other_lead,
        "manager": manager,
        "other_manager": other_manager,
        "admin": admin,
    }


def needs(is_there: bool, what: str) -> None:
    """Skip a test that lacks `what` (a program, PostgreSQL) on a developer's machine;
    in CI (CI=true, as .ci/run sets) fail instead, so it cannot quietly stop running."""
    if is_there:
        return
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI must provide {what} (.ci/run installs it)")
    pytest.skip(f"needs {what}")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def login():
    return client_for
