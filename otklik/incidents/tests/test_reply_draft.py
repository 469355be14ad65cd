"""The reply form of an incident offers its topic's short public-reply template, filled in."""

from otklik.incidents import services
from otklik.incidents.selectors import incident_reply_draft
from otklik.routing.models import Topic

TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."
SECTION = "Здравствуйте! Это {organization}. По теме «{topic}» разбираемся. Официально: {link}"


def _incident(region, **kw):
    kw = {"topic": Topic.objects.get(code="12.02"), "territory": region.territory_a, **kw}
    incident, _ = services.incident_register(
        region=region.region, url="https://vk.com/wall-000000_1", text=TEXT, author_nickname="demo_mom", **kw
    )
    return incident


def test_the_reply_form_offers_the_filled_section_template(login, incidents_region, settings):
    settings.SITE_URL = "https://otklik.example"
    Topic.objects.filter(code="12").update(reply_template=SECTION)
    incident = _incident(incidents_region)
    page = login(incidents_region.executor_a).get(f"/staff/incidents/{incident.pk}/").content.decode()
    expected = (
        "Здравствуйте! Это Управление образования А. По теме «Ремонт зданий» разбираемся. "
        "Официально: https://otklik.example/appeal/new/"
    )
    assert f'aria-describedby="reply-hint">{expected}</textarea>' in page
    assert "demo_mom" not in incident_reply_draft(incident=incident)
    assert f"№{incident.pk}" not in incident_reply_draft(incident=incident)


def test_the_sub_topics_own_template_wins_and_an_unrouted_incident_speaks_for_the_ministry(incidents_region):
    Topic.objects.filter(code="12").update(reply_template=SECTION)
    Topic.objects.filter(code="12.02").update(reply_template="{organization}: ремонт проверим.")
    incident = _incident(incidents_region)
    incident.organization = None
    assert incident_reply_draft(incident=incident) == "Министерство образования: ремонт проверим."


def test_no_template_means_an_empty_form_and_a_hint(login, incidents_region):
    incident = _incident(incidents_region)
    assert incident_reply_draft(incident=incident) == ""
    page = login(incidents_region.executor_a).get(f"/staff/incidents/{incident.pk}/").content.decode()
    assert 'aria-describedby="reply-hint"></textarea>' in page
    assert "У тематики нет шаблона публичного ответа." in page
