"""The named cast every test speaks in.

Two teams on one site: `team` (led by `lead`, managed by `manager`, with
`associate` and `teammate` on it) and `other_team` (led by `other_lead`,
managed by `other_manager`). `admin` is an ops admin (superuser).
"""

import copy
import os
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tests import demo_data
from tests.factories import PASSWORD, AssociateFactory, SiteFactory, TeamFactory, UserFactory
from tests.shared import TEST_SETTINGS, as_in_a_test, run_tasks_here

# CI runs the same examples every time (a red build is then reproducible);
# local runs explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Test files whose tests take seconds each: a demo seed, a browser, processes, a crawl
# of every URL as every persona. They are collected first (after this hook,
# pytest-django still puts the tests that use the database first, the transactional
# ones after them), so that with `pytest -n 2 --dist worksteal` (make test) they start
# early, and neither worker ends alone with a long test while the other is idle. The
# order changes nothing else: every test starts from the same database.
SLOW_FIRST = (
    "tests/performance/kpis/test_seed.py",
    "tests/teams/test_seed_demo.py",
    "tests/test_production_stack.py",
    "tests/e2e/",
    "tests/test_backup.py",
    "tests/performance/reviews/test_seed.py",
    "tests/test_privacy.py",
    "tests/performance/test_privacy.py",
    "tests/test_security_headers.py",
    "tests/test_settings.py",
    "tests/performance/test_api_fuzz.py",
    "tests/scheduling/test_solver.py",
    "tests/test_redis_outage.py",
)


@pytest.hookimpl(tryfirst=True)  # before pytest-django's own (stable) sort
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next(
            (n for n, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)  # stable: collection order within each rank


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
    for name, value in TEST_SETTINGS.items():  # fast hashing, local mail (tests/shared.py)
        setattr(settings, name, value)
    run_tasks_here()


@pytest.fixture(scope="session")
def _demo_copy(django_db_setup, django_db_blocker, tmp_path_factory) -> demo_data.Copy | None:
    """One run of `seed_demo` per test run, copied (PostgreSQL only); the processes
    of `pytest -n` share it through their run's temporary directory."""
    if connection.vendor != "postgresql":
        return None
    shared = None
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "seeded-demo"
    with django_db_blocker.unblock():
        return demo_data.made_once(shared)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        if "seeded_demo" in getattr(item, "fixturenames", ()):
            # The copy's content types were rolled back (or flushed) with the test:
            # this process must not keep their ids.
            ContentType.objects.clear_cache()


@pytest.fixture
def seeded_demo(db, _demo_copy) -> str:
    """The demo center as `seed_demo` builds it, in this test's database; returns what
    the seed printed. A copy of the process's one run (tests/demo_data.py), or a run
    of its own where there is no copy of today's."""
    if _demo_copy is None or _demo_copy.day != demo_data.today():
        return demo_data.seed()
    _demo_copy.put()
    return _demo_copy.output


# The cast, one maker each, so that the fixtures below and `shared_cast` build it alike.
def make_site():
    return SiteFactory(name="Dublin", time_zone="Europe/Dublin", country="IE")


STAFF: dict[str, dict[str, object]] = {
    "lead": {"first_name": "Lena", "last_name": "Lead"},
    "other_lead": {"first_name": "Otto", "last_name": "Other"},
    "manager": {"first_name": "Mona", "last_name": "Manager"},
    "other_manager": {"first_name": "Omar", "last_name": "Othermgr"},
    "admin": {"is_staff": True, "is_superuser": True},
}
ON_TEAMS = {
    "associate": ("Ada", "Associate"),
    "teammate": ("Tim", "Teammate"),
    "other_associate": ("Oona", "Outside"),
}


def make_staff(username: str):
    return UserFactory(username=username, **STAFF[username])


def make_team(name: str, site, lead, manager):
    return TeamFactory(site=site, name=name, leads=[lead], manager=manager)


def make_on_team(username: str, team):
    first_name, last_name = ON_TEAMS[username]
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    return AssociateFactory(user=user, team=team)


@pytest.fixture
def site(db):
    return make_site()


@pytest.fixture
def lead(db):
    return make_staff("lead")


@pytest.fixture
def other_lead(db):
    return make_staff("other_lead")


@pytest.fixture
def manager(db):
    return make_staff("manager")


@pytest.fixture
def other_manager(db):
    return make_staff("other_manager")


@pytest.fixture
def admin(db):
    return make_staff("admin")


@pytest.fixture
def team(site, lead, manager):
    return make_team("Payments", site, lead, manager)


@pytest.fixture
def other_team(site, other_lead, other_manager):
    return make_team("Connect", site, other_lead, other_manager)


@pytest.fixture
def associate(team):
    return make_on_team("associate", team)


@pytest.fixture
def teammate(team):
    return make_on_team("teammate", team)


@pytest.fixture
def other_associate(other_team):
    return make_on_team("other_associate", other_team)


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
    return everyone_in(
        {
            "associate": associate,
            "teammate": teammate,
            "lead": lead,
            "other_lead": other_lead,
            "manager": manager,
            "other_manager": other_manager,
            "admin": admin,
        }
    )


def everyone_in(made: dict[str, Any]) -> dict[str, Any]:
    """Each persona's user (None for anonymous) among made cast objects."""
    return {
        "anonymous": None,
        **{name: made[name].user for name in ("associate", "teammate")},
        **{name: made[name] for name in ("lead", "other_lead", "manager", "other_manager")},
        "admin": made["admin"],
    }


def make_cast() -> dict[str, Any]:
    """The whole cast at once, in the order the `cast` fixture makes it."""
    made: dict[str, Any] = {"site": make_site()}
    for name in ("lead", "manager"):
        made[name] = make_staff(name)
    made["team"] = make_team("Payments", made["site"], made["lead"], made["manager"])
    for name in ("associate", "teammate"):
        made[name] = make_on_team(name, made["team"])
    for name in ("other_lead", "other_manager", "admin"):
        made[name] = make_staff(name)
    made["other_team"] = make_team(
        "Connect", made["site"], made["other_lead"], made["other_manager"]
    )
    made["other_associate"] = make_on_team("other_associate", made["other_team"])
    return made


def shared_cast() -> dict[str, Any]:
    """Fixtures for a test module of many tests that each need the cast and change
    only rows (tests/test_access_matrix.py), as Django's TestCase.setUpTestData: the
    cast is made once for the module in a transaction that each test's own nests in
    (a savepoint, rolled back after the test), and that is rolled back after the
    module. Each test gets its own deep copies of the objects, so what one test sets
    on them in memory no other sees. In the module: `globals().update(shared_cast())`.
    """

    @pytest.fixture(scope="module")
    def _cast_made_once(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            module = transaction.atomic()
            module.__enter__()
        try:
            with django_db_blocker.unblock(), as_in_a_test():
                made = make_cast()
            yield made
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                module.__exit__(None, None, None)

    @pytest.fixture
    def _cast_copies(db, _cast_made_once):
        return copy.deepcopy(_cast_made_once)  # one memo: copies refer to each other

    def one(name: str):
        @pytest.fixture(name=name)
        def fixture(_cast_copies):
            return _cast_copies[name]

        return fixture

    @pytest.fixture(name="cast")
    def everyone(_cast_copies):
        return everyone_in(_cast_copies)

    names = ("site", *STAFF, "team", "other_team", *ON_TEAMS)
    return {
        "_cast_made_once": _cast_made_once,
        "_cast_copies": _cast_copies,
        "_shared_cast": everyone,
        **{f"_shared_{name}": one(name) for name in names},
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
