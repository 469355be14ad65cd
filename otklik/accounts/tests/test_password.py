"""«Забыли пароль?» and the set-password link, end to end with the Django test client."""

import time

import pytest
import time_machine
from django.core import mail

from otklik.accounts.models import StaffEvent
from otklik.accounts.tests.conftest import link_in
from otklik.testing import PASSWORD, run_due_tasks

NEW_PASSWORD = "ветер-над-рекой-2026"
SENT = "Если этот адрес принадлежит действующему сотруднику"


@pytest.fixture
def person(people):
    return people.admin  # ra@example.ru, an ordinary account with a password


def test_login_page_links_to_password_recovery(client, db):
    assert 'href="/accounts/password/forgot/"' in client.get("/accounts/login/").content.decode()


def test_reset_end_to_end(client, person):
    response = client.post("/accounts/password/forgot/", {"email": "RA@example.ru"}, follow=True)
    assert SENT in response.content.decode()
    assert run_due_tasks() == 1 and len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["ra@example.ru"] and letter.subject == "«Отклик»: восстановление пароля"
    assert "Ссылка действует 3 сут. и только один раз." in letter.body
    form = client.get(link_in(letter), follow=True)
    assert form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and int(client.session["_auth_user_id"]) == person.pk
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "region_admin", "password": PASSWORD}).status_code == 200
    )
    assert (
        client.post("/accounts/login/", {"username": "region_admin", "password": NEW_PASSWORD}).status_code
        == 302
    )
    assert list(person.staff_events.values_list("kind", flat=True)) == ["reset_requested", "password_set"]


def test_unknown_and_inactive_addresses_get_the_same_page_and_no_letter(client, person, people):
    people.p.executor_b.email, people.p.executor_b.is_active = "gone@example.ru", False
    people.p.executor_b.save()
    known = client.post("/accounts/password/forgot/", {"email": "ra@example.ru"}, follow=True)
    for email in ("nobody@example.ru", "gone@example.ru"):
        other = client.post("/accounts/password/forgot/", {"email": email}, follow=True)
        assert other.redirect_chain == known.redirect_chain and SENT in other.content.decode()
    run_due_tasks()
    assert [m.to for m in mail.outbox] == [["ra@example.ru"]]


def test_repeated_requests_send_one_letter(client, person):
    for _ in range(3):
        client.post("/accounts/password/forgot/", {"email": "ra@example.ru"})
    assert run_due_tasks() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 300 + "@example.ru", "я" * 100_000])
def test_bad_addresses_get_a_russian_message(client, db, email):
    response = client.post("/accounts/password/forgot/", {"email": email})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Заполните это поле." in text or "Введите правильный адрес" in text or "символов" in text
    assert StaffEvent.objects.count() == 0


def test_a_nul_character_is_refused_before_the_form(client, db):
    assert client.post("/accounts/password/forgot/", {"email": "\x00@x.ru"}).status_code == 400
    assert StaffEvent.objects.count() == 0


def test_set_password_form_enforces_validators_in_russian(client, person):
    client.post("/accounts/password/forgot/", {"email": "ra@example.ru"})
    run_due_tasks()
    form = client.get(link_in(mail.outbox[0]), follow=True)
    url = form.redirect_chain[-1][0]
    cases = {
        "1234567890": "Введённый пароль состоит только из цифр.",
        "короткий": "Введённый пароль слишком короткий. Он должен состоять из как минимум 10 символов.",
        "password123": "Введённый пароль слишком широко распространён.",
    }
    for password, message in cases.items():
        response = client.post(url, {"new_password1": password, "new_password2": password})
        assert response.status_code == 200 and message in response.content.decode(), password
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"})
    assert "Пароли не совпадают." in mismatch.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and "_auth_user_id" not in client.session


def test_links_expire_after_the_timeout(client, person, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    client.post("/accounts/password/forgot/", {"email": "ra@example.ru"})
    run_due_tasks()
    path = link_in(mail.outbox[0])
    # A POSIX timestamp: Django's token clock is naive local time, which an aware datetime would shift.
    with time_machine.travel(time.time() + 3500):
        assert client.get(path, follow=True).context["validlink"] is True
    with time_machine.travel(time.time() + 3601):
        response = client.get(path, follow=True)
    assert response.context["validlink"] is False


def test_a_link_of_a_person_switched_off_since_is_dead(client, person):
    client.post("/accounts/password/forgot/", {"email": "ra@example.ru"})
    run_due_tasks()
    person.is_active = False
    person.save()
    response = client.get(link_in(mail.outbox[0]), follow=True)
    assert response.context["validlink"] is False


@pytest.mark.parametrize("path", ["/accounts/password/set/xx/yy/", "/accounts/password/set/MQ/bad-token/"])
def test_forged_links_are_refused(client, person, path):
    response = client.get(path)
    assert response.status_code == 200 and response.context["validlink"] is False


def test_an_e_mail_login_is_case_insensitive(client, people):
    from otklik.accounts.services import person_create

    person = person_create(
        email="Kim@School.ru", organization=people.p.school_a, role="executor", actor=None, last_name="Ким"
    )
    person.set_password(NEW_PASSWORD)
    person.save()
    response = client.post("/accounts/login/", {"username": "Kim@school.ru", "password": NEW_PASSWORD})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == person.pk


def test_a_letter_the_mail_server_refused_is_sent_again_later(client, person, monkeypatch):
    import smtplib
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from otklik.accounts import tasks

    refusals = iter([smtplib.SMTPServerDisconnected("down"), ConnectionRefusedError("refused")])
    real_send = tasks.send_mail

    def flaky_send(*args, **kwargs):
        error = next(refusals, None)
        if error is not None:
            raise error
        return real_send(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky_send)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.post("/accounts/password/forgot/", {"email": "ra@example.ru"})
        assert run_due_tasks() == 1 and mail.outbox == []
        [retry] = DBTaskResult.objects.filter(status="READY", task_path=tasks.staff_password_mail.module_path)
        assert retry.run_after == start + timedelta(minutes=2) and retry.args_kwargs["args"][2] == 2
        clock.shift(timedelta(minutes=2))
        assert run_due_tasks() == 1 and mail.outbox == []  # the second refusal: in 4 minutes
        clock.shift(timedelta(minutes=4))
        assert run_due_tasks() == 1
    [letter] = mail.outbox
    assert letter.to == ["ra@example.ru"] and link_in(letter)


def test_after_the_last_attempt_nothing_more_is_queued(person, monkeypatch):
    import smtplib

    from django_tasks_db.models import DBTaskResult

    from otklik.accounts import tasks

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(tasks, "send_mail", refuse)
    assert tasks.staff_password_mail.call(person.pk, tasks.RESET, tasks.MAX_ATTEMPTS) == "failed"
    assert not DBTaskResult.objects.filter(task_path=tasks.staff_password_mail.module_path).exists()
