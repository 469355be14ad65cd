"""The card shows the state of the VK publication and offers to publish again or paste the link;
the community's token is entered in the admin and never shown back."""

import pytest
from django.contrib.auth import get_user_model

from otklik.incidents import publishing, services
from otklik.incidents.models import ReplyPublication, VkCommunity
from otklik.incidents.tests.test_publishing import POST, REPLY, TOKEN, _incident
from otklik.routing.models import Topic
from otklik.testing import run_due_tasks

State = ReplyPublication.State


@pytest.fixture
def answered(incidents_region, vk_community, vk_api, django_capture_on_commit_callbacks):
    """A VK incident of body A whose reply VK refused (comments closed); the executor's client."""
    vk_api.answers = [
        {"error": {"error_code": 213, "error_msg": "Access denied"}},
        {"response": {"comment_id": 5}},
    ]
    incident = _incident(incidents_region)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_reply(incident=incident, actor=incidents_region.executor_a, text=REPLY)
    return incident


def _card(client, incident) -> str:
    return client.get(f"/staff/incidents/{incident.pk}/").content.decode()


def test_the_reply_form_says_who_will_publish_it(login, incidents_region, vk_api):
    VkCommunity.objects.create(region=incidents_region.region, group_id=1234, access_token=TOKEN)
    topic = Topic.objects.get(code="12.02")
    vk, _ = services.incident_register(
        region=incidents_region.region, url=POST, text="Течёт крыша школы.", topic=topic
    )
    other, _ = services.incident_register(
        region=incidents_region.region,
        url="https://ok.ru/group/1/topic/2",
        text="Течёт крыша школы.",
        topic=topic,
    )
    client = login(incidents_region.coordinator)
    assert "Отклик опубликует его во ВКонтакте от имени сообщества vk.com/club1234" in _card(client, vk)
    page = _card(client, other)
    assert "опубликуйте его от имени аккаунта органа" in page and "Отклик опубликует" not in page
    assert TOKEN not in _card(client, vk)


def test_the_card_shows_waiting_then_the_refusal_and_the_executor_publishes_again(
    login, incidents_region, answered, django_capture_on_commit_callbacks
):
    client = login(incidents_region.executor_a)
    assert "ожидает публикации" in _card(client, answered)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    page = _card(client, answered)
    assert "Комментарии к записи закрыты (код 213: Access denied)" in page
    assert 'value="publish"' in page and 'value="reply_link"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/incidents/{answered.pk}/action/", {"action": "publish"}, follow=True)
    assert response.status_code == 200 and 'value="publish"' not in response.content.decode()
    assert "поставлен в очередь на публикацию во ВКонтакте" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        run_due_tasks()
    page = _card(client, answered)
    assert "опубликован</span>" in page and "https://vk.com/wall-1234_56?reply=5" in page
    assert 'value="publish"' not in page and 'value="reply_link"' not in page


def test_after_a_refusal_the_link_of_a_reply_published_by_hand_is_saved(
    login, incidents_region, answered, django_capture_on_commit_callbacks
):
    run_due_tasks()
    client = login(incidents_region.executor_a)
    action = f"/staff/incidents/{answered.pk}/action/"
    bad = client.post(action, {"action": "reply_link", "reply_url": "javascript:alert(1)"}, follow=True)
    assert bad.status_code == 200 and "https://" in bad.content.decode()
    answered.refresh_from_db()
    assert answered.reply_url == ""
    client.post(action, {"action": "reply_link", "reply_url": "https://vk.com/wall-1234_56?reply=42"})
    answered.refresh_from_db()
    assert answered.reply_url == "https://vk.com/wall-1234_56?reply=42"
    assert answered.events.order_by("pk").last().kind == "reply_link"


def test_staff_of_another_organization_can_neither_publish_nor_paste_a_link(
    login, incidents_region, answered
):
    run_due_tasks()
    client = login(incidents_region.executor_b)
    for form in ({"action": "publish"}, {"action": "reply_link", "reply_url": f"{POST}?reply=1"}):
        assert client.post(f"/staff/incidents/{answered.pk}/action/", form).status_code == 404
    answered.refresh_from_db()
    assert answered.reply_url == "" and answered.publications.count() == 1
    assert publishing.latest(answered).state == State.FAILED


def test_the_token_is_written_in_the_admin_and_never_shown_back(client, incidents_region):
    client.force_login(incidents_region.admin)
    form = {
        "region": incidents_region.region.pk,
        "group_id": "1234",
        "access_token": TOKEN,
        "is_active": "on",
    }
    assert client.post("/admin/incidents/vkcommunity/add/", form).status_code == 302
    community = VkCommunity.objects.get()
    assert community.access_token == TOKEN
    for url in ("/admin/incidents/vkcommunity/", f"/admin/incidents/vkcommunity/{community.pk}/change/"):
        page = client.get(url).content.decode()
        assert TOKEN not in page and "community-secret" not in page
    assert "…0000" in client.get("/admin/incidents/vkcommunity/").content.decode()
    # saved again without a token: the stored one stays
    form.update(group_id="4321", access_token="")
    client.post(f"/admin/incidents/vkcommunity/{community.pk}/change/", form)
    community.refresh_from_db()
    assert (community.group_id, community.access_token) == (4321, TOKEN)


def test_a_new_community_needs_its_token_and_only_a_superuser_may_see_it(client, incidents_region):
    client.force_login(incidents_region.admin)
    form = {"region": incidents_region.region.pk, "group_id": "1234", "access_token": ""}
    response = client.post("/admin/incidents/vkcommunity/add/", form)
    assert response.status_code == 200 and "Вставьте ключ доступа сообщества" in response.content.decode()
    org_admin = get_user_model().objects.get(pk=incidents_region.admin.pk)
    org_admin.is_superuser = False
    org_admin.save()
    assert client.get("/admin/incidents/vkcommunity/").status_code == 403
    assert not VkCommunity.objects.exists()
