"""Changes made to staff in the Django admin go into the person's history, like the screen's."""

from html.parser import HTMLParser

import pytest

from otklik.accounts.models import Membership, StaffEvent
from otklik.accounts.roles import Role

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would send for the admin's change form, as it is rendered."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _form(client, url) -> dict:
    parser = _Form()
    parser.feed(client.get(url).content.decode())
    return {k: (v if len(v) != 1 else v[0]) for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.ru", "x-long-password-2026")


def test_a_change_of_data_and_a_switch_off_in_the_admin_are_in_the_history(client, personas, superuser):
    client.force_login(superuser)
    person = personas.executor_a
    url = f"/admin/accounts/user/{person.pk}/change/"
    data = _form(client, url)
    data.update({"last_name": "Новикова", "phone": "+7 900 000-00-01"})
    data.pop("is_active", None)  # unticked
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    events = list(person.staff_events.order_by("pk").values_list("kind", "actor_id", "text"))
    assert events[0][:2] == ("updated", superuser.pk)
    assert (
        "фамилия:" in events[0][2] and "«Новикова»" in events[0][2] and "В администрировании." in events[0][2]
    )
    assert events[1][:2] == ("deactivated", superuser.pk)
    assert len(events) == 2


def test_a_role_given_and_taken_in_the_admin_is_in_the_history(client, personas, superuser):
    client.force_login(superuser)
    person = personas.executor_a
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": person.pk, "organization": personas.ministry.pk, "role": Role.ANALYST},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, role=Role.ANALYST)
    response = client.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    assert list(person.staff_events.order_by("pk").values_list("kind", "data")) == [
        ("role_added", {"role": "analyst", "organization": personas.ministry.code}),
        ("role_removed", {"role": "analyst", "organization": personas.ministry.code}),
    ]


def test_saving_the_admin_form_unchanged_writes_nothing(client, personas, superuser):
    client.force_login(superuser)
    url = f"/admin/accounts/user/{personas.executor_a.pk}/change/"
    assert client.post(url, _form(client, url)).status_code == 302
    assert StaffEvent.objects.count() == 0
