"""The «Сотрудники» screen: who may open it, adding a person, roles, switching off, history."""

from django.core import mail

from otklik.accounts.models import Membership, StaffEvent, User
from otklik.accounts.roles import Role
from otklik.accounts.tests.conftest import link_in
from otklik.testing import PASSWORD, run_due_tasks

NEW = {
    "last_name": "Петрова",
    "first_name": "Анна",
    "patronymic": "Ивановна",
    "email": "Petrova@Example.ru",
    "phone": "+7 900 000-00-01",
    "position": "Учитель",
    "role": "executor",
}


def _counts():
    return User.objects.count(), Membership.objects.count(), StaffEvent.objects.count()


def test_region_admin_sees_the_people_of_the_region_only(client, people):
    client.force_login(people.admin)
    response = client.get("/staff/people/")
    assert response.status_code == 200
    shown = {p.username for p in response.context["page"]}
    assert {"p_executor_a", "p_executor_b", "p_coordinator", "region_admin"} <= shown
    assert not shown & {"other_admin", "other_exec"}
    assert "Сотрудники" in response.content.decode()


def test_admin_of_another_region_gets_404_on_a_person(client, people):
    client.force_login(people.other_admin)
    before = _counts()
    person = people.p.executor_a
    assert client.get(f"/staff/people/{person.pk}/").status_code == 404
    assert client.post(f"/staff/people/{person.pk}/deactivate/").status_code == 404
    assert (
        client.post(
            f"/staff/people/{person.pk}/roles/", {"organization": people.other_school.pk, "role": "admin"}
        ).status_code
        == 404
    )
    person.refresh_from_db()
    assert person.is_active and _counts() == before


def test_executor_gets_403_and_changes_nothing(client, people):
    client.force_login(people.p.executor_a)
    before = _counts()
    assert client.get("/staff/people/").status_code == 403
    assert client.post("/staff/people/new/", {**NEW, "organization": people.p.school_a.pk}).status_code == 403
    assert client.post(f"/staff/people/{people.p.executor_b.pk}/deactivate/").status_code == 403
    assert _counts() == before and len(mail.outbox) == 0


def test_anonymous_is_sent_to_login(client, people):
    response = client.get("/staff/people/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/staff/people/"


def test_menu_shows_people_to_admins_only(client, people):
    client.force_login(people.admin)
    assert 'href="/staff/people/"' in client.get("/staff/").content.decode()
    client.force_login(people.p.executor_a)
    assert 'href="/staff/people/"' not in client.get("/staff/").content.decode()


def test_search_and_filters(client, people):
    client.force_login(people.admin)
    by_name = client.get("/staff/people/", {"q": "регионова"}).context["page"]
    assert [p.username for p in by_name] == ["region_admin"]
    by_org = client.get("/staff/people/", {"organization": people.p.body_a.pk}).context["page"]
    assert [p.username for p in by_org] == ["p_executor_a"]
    by_role = client.get("/staff/people/", {"role": "analyst"}).context["page"]
    assert [p.username for p in by_role] == ["p_analyst"]
    hostile = client.get(
        "/staff/people/", {"organization": "1e9", "role": "<x>", "q": "я" * 5000, "page": "-1"}
    )
    assert hostile.status_code == 200


def test_adding_a_person_sends_one_letter_whose_link_sets_the_password_and_logs_in(client, people):
    client.force_login(people.admin)
    response = client.post("/staff/people/new/", {**NEW, "organization": people.p.school_a.pk})
    person = User.objects.get(email="petrova@example.ru")
    assert response.status_code == 302 and response["Location"] == f"/staff/people/{person.pk}/"
    assert (person.username, person.last_name, person.phone, person.position) == (
        "petrova@example.ru",
        "Петрова",
        "+7 900 000-00-01",
        "Учитель",
    )
    assert not person.has_usable_password()
    assert [(m.organization, m.role) for m in person.memberships.all()] == [(people.p.school_a, "executor")]
    assert run_due_tasks() == 1
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["petrova@example.ru"]
    assert letter.subject == "Приглашение в «Отклик»: задайте пароль"
    assert "Здравствуйте, Анна Ивановна!" in letter.body and "Ваш логин: petrova@example.ru." in letter.body
    client.logout()
    form = client.get(link_in(letter), follow=True)
    assert form.status_code == 200 and form.context["validlink"] is True
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/staff/"
    assert int(client.session["_auth_user_id"]) == person.pk
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    kinds = list(person.staff_events.order_by("pk").values_list("kind", "actor_label"))
    assert kinds == [
        ("created", "Регионова"),
        ("role_added", "Регионова"),
        ("invited", "Регионова"),
        ("password_set", "Сам сотрудник"),
    ]
    # The link works once.
    client.logout()
    again = client.get(link_in(letter), follow=True)
    assert again.context["validlink"] is False and "Ссылка недействительна" in again.content.decode()


def test_adding_refuses_bad_input_in_russian_and_writes_nothing(client, people):
    client.force_login(people.admin)
    before = _counts()
    response = client.post(
        "/staff/people/new/",
        {**NEW, "email": "p_admin-not-an-email", "last_name": "", "organization": people.other_school.pk},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Введите правильный адрес электронной почты." in text
    assert "Заполните это поле." in text
    assert "Выберите организацию из списка." in text  # another region's school is no choice
    duplicate = client.post(
        "/staff/people/new/", {**NEW, "email": "RA@example.ru", "organization": people.p.school_a.pk}
    )
    assert duplicate.status_code == 400 and "Сотрудник с таким e-mail уже есть" in duplicate.content.decode()
    assert _counts() == before and run_due_tasks() == 0


def test_roles_are_added_and_removed_with_history(client, people):
    client.force_login(people.admin)
    person = people.p.executor_a
    added = client.post(
        f"/staff/people/{person.pk}/roles/", {"organization": people.p.school_a.pk, "role": "analyst"}
    )
    assert added.status_code == 302
    membership = Membership.objects.get(user=person, organization=people.p.school_a, role=Role.ANALYST)
    again = client.post(
        f"/staff/people/{person.pk}/roles/", {"organization": people.p.school_a.pk, "role": "analyst"}
    )
    assert again.status_code == 302
    assert Membership.objects.filter(user=person).count() == 2
    removed = client.post(f"/staff/people/{person.pk}/roles/{membership.pk}/remove/")
    assert removed.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    page = client.get(f"/staff/people/{person.pk}/").content.decode()
    assert "Роль назначена" in page and "Роль снята" in page and "аналитик — Школа № 1 (А)" in page
    bad = client.post(
        f"/staff/people/{person.pk}/roles/", {"organization": people.other_school.pk, "role": "boss"}
    )
    assert bad.status_code == 400 and Membership.objects.filter(user=person).count() == 1


def test_an_admin_cannot_remove_their_own_admin_role_or_switch_themselves_off(client, people):
    client.force_login(people.admin)
    own = people.admin.memberships.get()
    client.post(f"/staff/people/{people.admin.pk}/roles/{own.pk}/remove/")
    client.post(f"/staff/people/{people.admin.pk}/deactivate/")
    people.admin.refresh_from_db()
    assert people.admin.is_active and people.admin.memberships.count() == 1


def test_region_admin_cannot_touch_a_superuser_or_a_person_of_two_regions(client, people):
    client.force_login(people.admin)
    superuser = people.p.admin
    assert client.post(f"/staff/people/{superuser.pk}/deactivate/").status_code == 403
    Membership.objects.create(user=people.p.executor_b, organization=people.other_school, role=Role.EXECUTOR)
    assert client.post(f"/staff/people/{people.p.executor_b.pk}/deactivate/").status_code == 403
    people.p.executor_b.refresh_from_db()
    superuser.refresh_from_db()
    assert superuser.is_active and people.p.executor_b.is_active


def test_superuser_sees_everyone_of_the_served_region_and_people_without_roles(client, people):
    loose = User.objects.create_user("loose", email="loose@example.ru")
    client.force_login(people.p.admin)
    shown = {p.username for p in client.get("/staff/people/").context["page"]}
    assert {"loose", "p_executor_a", "region_admin"} <= shown and "other_exec" not in shown
    shown = {p.username for p in client.get("/staff/people/", {"region": "other"}).context["page"]}
    assert {"loose", "other_exec", "other_admin"} <= shown and "p_executor_a" not in shown
    assert loose.pk


def test_deactivation_warns_about_open_appeals_and_blocks_login(client, people, region):
    from otklik.appeals.models import Appeal
    from otklik.appeals.services import appeal_submit
    from otklik.testing import APPEAL_TEXT

    person = people.p.executor_a
    for _ in range(2):
        appeal, _ = appeal_submit(
            region=people.p.region, text=APPEAL_TEXT, channel="web", territory=people.p.territory_a
        )
        Appeal.objects.filter(pk=appeal.pk).update(executor=person, status="in_work")
    Appeal.objects.filter(pk=appeal.pk).update(status="closed")
    client.force_login(people.admin)
    page = client.get(f"/staff/people/{person.pk}/")
    assert page.context["open_appeals_count"] == 1
    assert "За сотрудником открытых обращений: <strong>1</strong>" in page.content.decode()
    response = client.post(f"/staff/people/{person.pk}/deactivate/", follow=True)
    assert (
        "За ним остаются открытые обращения (1): передайте их другому исполнителю."
        in response.content.decode()
    )
    person.refresh_from_db()
    assert not person.is_active
    assert Appeal.objects.filter(executor=person).count() == 2  # nothing is silently reassigned
    event = person.staff_events.get(kind="deactivated")
    assert (event.actor, event.data) == (people.admin, {"open_appeals": 1})
    client.logout()
    login = client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in client.session
    # A session opened before the switch-off stops working too.
    client.force_login(person)
    assert client.get("/staff/appeals/").status_code == 302
    client.force_login(people.admin)
    client.post(f"/staff/people/{person.pk}/reactivate/")
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": person.username, "password": PASSWORD}).status_code
        == 302
    )


def test_the_invitation_is_resent_from_the_person_page(client, people):
    client.force_login(people.admin)
    person = people.p.executor_a  # the persona has no e-mail
    response = client.post(f"/staff/people/{person.pk}/invite/", follow=True)
    assert "У сотрудника не указан e-mail." in response.content.decode()
    assert person.staff_events.count() == 0 and run_due_tasks() == 0
    person.email = "exa@example.ru"
    person.save()
    client.post(f"/staff/people/{person.pk}/invite/")
    assert person.staff_events.filter(kind="invited").count() == 1
    assert run_due_tasks() == 1
    assert [m.to for m in mail.outbox] == [["exa@example.ru"]]
    assert client.post(f"/staff/people/{person.pk}/explode/").status_code == 404


def test_the_history_is_also_in_the_django_admin_read_only(client, people):
    from otklik.accounts.services import person_deactivate

    person_deactivate(user=people.p.executor_a, actor=people.admin)
    client.force_login(people.p.admin)
    page = client.get(f"/admin/accounts/user/{people.p.executor_a.pk}/change/")
    assert page.status_code == 200
    assert "Учётная запись отключена" in page.content.decode() and "Регионова" in page.content.decode()


def test_personal_data_and_e_mail_are_edited_with_history(client, people):
    client.force_login(people.admin)
    person = User.objects.get(pk=people.p.executor_a.pk)
    data = {
        "last_name": "Орлова",
        "first_name": "Ольга",
        "patronymic": "",
        "phone": "+7 1",
        "position": "Специалист",
    }
    response = client.post(f"/staff/people/{person.pk}/edit/", {**data, "email": "Orlova@Example.ru"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.email, person.username, person.phone) == (
        "Орлова",
        "orlova@example.ru",
        "p_executor_a",
        "+7 1",
    )
    event = person.staff_events.get(kind="updated")
    assert event.data["e-mail"] == ["", "orlova@example.ru"] and event.data["фамилия"] == ["", "Орлова"]
    taken = client.post(f"/staff/people/{person.pk}/edit/", {**data, "email": "ra@example.ru"})
    assert taken.status_code == 400 and "Сотрудник с таким e-mail уже есть" in taken.content.decode()
    empty = client.post(f"/staff/people/{person.pk}/edit/", {"email": "x"})
    assert empty.status_code == 400
    person.refresh_from_db()
    assert person.email == "orlova@example.ru" and person.staff_events.count() == 1
    # A login that was the e-mail follows it.
    invited = client.post("/staff/people/new/", {**NEW, "organization": people.p.school_a.pk})
    new = User.objects.get(email="petrova@example.ru")
    client.post(f"/staff/people/{new.pk}/edit/", {**data, "email": "petrova2@example.ru"})
    new.refresh_from_db()
    assert invited.status_code == 302 and (new.username, new.email) == (
        "petrova2@example.ru",
        "petrova2@example.ru",
    )


def test_other_region_admin_cannot_edit(client, people):
    client.force_login(people.other_admin)
    response = client.post(
        f"/staff/people/{people.p.executor_a.pk}/edit/",
        {"last_name": "X", "first_name": "Y", "email": "x@y.ru"},
    )
    assert response.status_code == 404
    people.p.executor_a.refresh_from_db()
    assert people.p.executor_a.last_name == ""
