"""The monitoring operator registers and imports posts for the whole region and sees every incident
of it, but acts on neither incidents nor appeals; registering a post routed elsewhere names it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.accounts.roles import Role
from otklik.appeals.services import appeal_submit
from otklik.incidents import services
from otklik.incidents.models import Incident, IncidentEvent
from otklik.incidents.statuses import Status
from otklik.orgs.models import Organization
from otklik.routing.models import Topic
from otklik.testing import make_org, make_region, make_staff

TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."


@pytest.fixture
def monitor(incidents_region):
    # Held in a municipal body, yet the desk covers the region: posts are not sorted before they are read.
    return make_staff(incidents_region.body_a, Role.MONITOR, "p_monitor")


def _incident(region, url, **kw):
    kw = {"topic": Topic.objects.get(code="12.02"), "territory": region.territory_b, **kw}
    return services.incident_register(region=region.region, url=url, text=TEXT, **kw)[0]


def test_monitor_registers_a_post_and_opens_its_card_wherever_it_was_routed(login, incidents_region, monitor):
    client = login(monitor)
    form = {"url": "https://vk.com/wall-1_1", "text": TEXT, "territory": incidents_region.territory_b.pk}
    response = client.post("/staff/incidents/new/", form)
    incident = Incident.objects.get()
    assert incident.organization == incidents_region.body_b
    assert response.status_code == 302 and response["Location"] == f"/staff/incidents/{incident.pk}/"
    assert incident.events.get(kind="registered").actor == monitor
    assert client.get(f"/staff/incidents/{incident.pk}/").status_code == 200


def test_monitor_sees_every_incident_of_the_region_including_unrouted(login, incidents_region, monitor):
    routed_b = _incident(incidents_region, "https://vk.com/wall-1_2")
    unrouted = _incident(incidents_region, "https://ok.ru/group/1/topic/3")
    Incident.objects.filter(pk=unrouted.pk).update(organization=None)
    page = login(monitor).get("/staff/incidents/?queue=all").content.decode()
    assert f"/staff/incidents/{routed_b.pk}/" in page and f"/staff/incidents/{unrouted.pk}/" in page


def test_monitor_imports_an_export(login, incidents_region, monitor):
    content = f"url,text\nhttps://t.me/demo/5,{TEXT}\n".encode()
    response = login(monitor).post(
        "/staff/incidents/import/", {"file": SimpleUploadedFile("export.csv", content, "text/csv")}
    )
    incident = Incident.objects.get()
    assert response.status_code == 200 and f"инцидент №{incident.pk}" in response.content.decode()
    assert incident.source == "import"


@pytest.mark.parametrize("action", ["take", "reply", "dismiss", "convert", "correct", "comment"])
def test_monitor_does_not_act_on_incidents(login, incidents_region, monitor, action):
    incident = _incident(incidents_region, "https://vk.com/wall-1_4")
    events = IncidentEvent.objects.count()
    response = login(monitor).post(
        f"/staff/incidents/{incident.pk}/action/",
        {"action": action, "text": "Ответ опубликован в сообществе."},
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert (incident.status, incident.appeal_id, IncidentEvent.objects.count()) == (Status.NEW, None, events)
    card = login(monitor).get(f"/staff/incidents/{incident.pk}/").content.decode()
    assert 'value="take"' not in card


def test_monitor_has_no_access_to_appeals(login, incidents_region, monitor):
    appeal, _ = appeal_submit(
        region=incidents_region.region, text=TEXT, channel="web", territory=incidents_region.territory_a
    )
    client = login(monitor)
    assert client.get("/staff/appeals/").status_code == 403
    assert client.get(f"/staff/appeals/{appeal.number}/").status_code == 403
    assert client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "take"}).status_code == 403
    assert client.get("/staff/appeals/hotline/").status_code == 403


def test_monitor_of_another_region_gets_404(login, incidents_region):
    incident = _incident(incidents_region, "https://vk.com/wall-1_5")
    far_ministry = make_org(make_region(), Organization.Kind.MINISTRY)
    elsewhere = make_staff(far_ministry, Role.MONITOR, "p_monitor_far")
    client = login(elsewhere)
    assert client.get(f"/staff/incidents/{incident.pk}/").status_code == 404
    assert (
        f"/staff/incidents/{incident.pk}/" not in client.get("/staff/incidents/?queue=all").content.decode()
    )


def test_monitor_home_page_leads_to_the_incident_desk(login, incidents_region, monitor):
    page = login(monitor).get("/staff/").content.decode()
    assert "<h1>Оператор мониторинга</h1>" in page and 'href="/staff/incidents/new/"' in page
    # The menu leads only where the role may go: no appeals workspace, no analytics.
    assert 'href="/staff/incidents/"' in page
    assert 'href="/staff/appeals/"' not in page and 'href="/staff/analytics/"' not in page


def test_executor_registering_a_post_routed_elsewhere_is_told_its_number(login, incidents_region):
    client = login(incidents_region.executor_a)
    form = {"url": "https://vk.com/wall-1_6", "text": TEXT, "territory": incidents_region.territory_b.pk}
    response = client.post("/staff/incidents/new/", form, follow=True)
    incident = Incident.objects.get()
    assert incident.organization == incidents_region.body_b
    assert response.redirect_chain == [("/staff/incidents/new/", 302)]
    page = response.content.decode()
    assert (
        f"Инцидент №{incident.pk} зарегистрирован. Он вне вашей зоны ответственности: "
        f"передан в «Управление образования Б». Номер инцидента — №{incident.pk}."
    ) in page
    again = client.post("/staff/incidents/new/", form, follow=True).content.decode()
    assert f"Эта публикация уже зарегистрирована: инцидент №{incident.pk}. Он вне вашей зоны" in again
    assert client.get(f"/staff/incidents/{incident.pk}/").status_code == 404
    assert client.post(f"/staff/incidents/{incident.pk}/action/", {"action": "take"}).status_code == 404
    incident.refresh_from_db()
    assert (incident.status, incident.mentions) == (Status.NEW, 2)


def test_an_unrouted_post_tells_the_executor_a_coordinator_will_assign_it(login, incidents_region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 2.0  # nothing is confident enough: no automatic routing
    response = login(incidents_region.executor_a).post(
        "/staff/incidents/new/", {"url": "https://vk.com/wall-1_7", "text": TEXT}, follow=True
    )
    incident = Incident.objects.get()
    assert incident.organization is None
    assert "ответственную организацию назначит координатор. Номер инцидента" in response.content.decode()
