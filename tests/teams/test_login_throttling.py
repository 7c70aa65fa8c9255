"""Login throttling (django-axes) and a rate-limited, task-sent password reset."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    cache.clear()  # the reset counters


def _try(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_username_with_a_message(lead, monkeypatch):
    client = Client()
    statuses = [_try(client, "lead", "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form with its error, then locked
    hashed: list[str] = []

    def verify(self, password, encoded):
        hashed.append(password)
        return True

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    locked = _try(client, "lead", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert hashed == []  # refused before any password is checked
    assert "_auth_user_id" not in client.session
    # From another address, the username stays locked.
    assert _try(Client(), "lead", PASSWORD, address="10.0.0.2").status_code == 429


def test_one_address_trying_many_usernames_is_locked(lead, manager):
    client = Client()
    for n in range(5):
        _try(client, f"nobody{n}", "wrong")
    assert _try(client, "manager", PASSWORD).status_code == 429
    # Someone else, elsewhere, still logs in.
    assert _try(Client(), "manager", PASSWORD, address="10.0.0.9").status_code == 302


def test_a_success_before_the_limit_starts_the_count_afresh(lead):
    client = Client()
    for _ in range(4):
        _try(client, "lead", "wrong")
    assert _try(client, "lead", PASSWORD).status_code == 302
    for _ in range(4):
        _try(Client(), "lead", "wrong")
    assert _try(Client(), "lead", PASSWORD).status_code == 302


def test_an_ops_admin_unlocks_someone(lead, admin):
    for _ in range(5):
        _try(Client(), "lead", "wrong")
    assert _try(Client(), "lead", PASSWORD).status_code == 429
    page = client_for_admin(admin).get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "lead" in page.content.decode()
    call_command("axes_reset_username", "lead")
    assert not AccessAttempt.objects.filter(username="lead").exists()
    assert _try(Client(), "lead", PASSWORD, address="10.0.0.3").status_code == 302


def client_for_admin(admin):
    client = Client()
    client.force_login(admin)
    return client


# --- Password reset -------------------------------------------------------------------


def _reset(client, email, address="10.1.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_a_reset_is_mailed_by_a_task_for_a_known_address(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _reset(Client(), lead.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(callbacks) == 1  # queued after the request, not sent in it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [lead.email]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_known_and_unknown_addresses_get_the_same_answer_for_the_same_work(
    lead, django_assert_num_queries, django_capture_on_commit_callbacks
):
    answers: list[tuple[int, str, int]] = []
    for email in (lead.email, "nobody@example.com"):
        with django_assert_num_queries(0), django_capture_on_commit_callbacks() as queued:
            response = _reset(Client(), email, address=f"10.1.0.{len(answers) + 2}")
        answers.append((response.status_code, response["Location"], len(queued)))
    assert answers[0] == answers[1]


def test_one_address_gets_at_most_three_reset_mails_an_hour(
    lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            _reset(Client(), lead.email, address=f"10.2.0.{n}").status_code for n in range(5)
        ]
    assert statuses == [302] * 5  # the page never tells a busy address apart
    assert len(mail.outbox) == 3


def test_one_client_asking_too_often_is_told_to_wait(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_reset(client, f"person{n}@example.com").status_code for n in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    page = _reset(client, "another@example.com")
    assert "Too many reset requests" in page.content.decode()


def test_an_inactive_user_gets_no_reset_mail(django_capture_on_commit_callbacks):
    gone = UserFactory(username="gone", email="gone@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _reset(Client(), gone.email)
    assert mail.outbox == []


def test_the_reset_page_still_answers_when_the_broker_is_down(
    lead, monkeypatch, django_capture_on_commit_callbacks
):
    from teams import tasks

    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_password_reset, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = _reset(Client(), lead.email)
    assert response.status_code == 302
