from otklik.orgs.models import Organization
from otklik.orgs.selectors import organization_ancestors, organization_subtree
from otklik.orgs.services import organization_save


def test_executor_sees_own_body_and_its_schools(client, personas):
    client.force_login(personas.executor_a)
    page = client.get("/staff/orgs/").content.decode()
    assert personas.body_a.name in page
    assert personas.school_a.name in page
    assert personas.body_b.name not in page
    assert personas.ministry.name not in page


def test_executor_of_other_body_gets_404(client, personas):
    client.force_login(personas.executor_a)
    assert client.get(f"/staff/orgs/{personas.school_a.code}/").status_code == 200
    for org in (personas.body_b, personas.school_b, personas.ministry):
        response = client.get(f"/staff/orgs/{org.code}/")
        assert response.status_code == 404
        assert org.name not in response.content.decode()


def test_ancestors_outside_the_scope_are_named_not_linked(client, personas):
    """A link the person may not follow would be a 404."""
    client.force_login(personas.executor_a)
    page = client.get(f"/staff/orgs/{personas.school_a.code}/").content.decode()
    assert f'href="/staff/orgs/{personas.body_a.code}/"' in page
    assert personas.ministry.name in page and f"/staff/orgs/{personas.ministry.code}/" not in page


def test_ministry_coordinator_sees_everything(client, personas):
    client.force_login(personas.coordinator)
    for org in (personas.body_a, personas.school_b):
        assert client.get(f"/staff/orgs/{org.code}/").status_code == 200


def test_anonymous_is_sent_to_login(client, personas):
    response = client.get(f"/staff/orgs/{personas.body_a.code}/")
    assert response.status_code == 302


def test_search_with_huge_query_is_fine(client, personas):
    client.force_login(personas.coordinator)
    assert client.get("/staff/orgs/", {"q": "ш" * 100_000, "page": "abc"}).status_code == 200


def test_tree_paths_and_moving_a_subtree(personas):
    p = personas
    assert set(organization_subtree(org=p.body_a)) == {p.body_a, p.school_a}
    assert organization_ancestors(org=p.school_a) == [p.ministry, p.body_a]
    p.body_a.parent = p.body_b
    organization_save(org=p.body_a)
    school = Organization.objects.get(pk=p.school_a.pk)
    assert organization_ancestors(org=school) == [p.ministry, p.body_b, p.body_a]
    assert set(organization_subtree(org=p.body_b)) == {p.body_b, p.body_a, p.school_a, p.school_b}


def test_cycle_is_refused(personas):
    import pytest
    from django.core.exceptions import ValidationError

    p = personas
    p.body_a.parent = p.school_a
    with pytest.raises(ValidationError):
        organization_save(org=p.body_a)


def test_the_page_gives_the_widget_codes_and_counts_appeals_that_came_through_them(
    client, personas, settings
):
    from html import unescape

    from otklik.appeals.services import appeal_submit
    from otklik.testing import APPEAL_TEXT

    settings.SITE_URL = "https://otklik.minobr.example"
    for _ in range(2):
        appeal_submit(
            region=personas.region, text=APPEAL_TEXT, channel="widget", widget_organization=personas.school_a
        )
    appeal_submit(
        region=personas.region, text=APPEAL_TEXT, channel="web", widget_organization=personas.school_a
    )
    client.force_login(personas.executor_a)
    page = unescape(client.get(f"/staff/orgs/{personas.school_a.code}/").content.decode())
    code = personas.school_a.code
    assert f'<iframe src="https://otklik.minobr.example/appeal/widget/?org={code}"' in page
    assert 'allow="geolocation"' in page
    assert (
        f'<script src="https://otklik.minobr.example/static/otklik/widget.js" data-org="{code}" defer>'
        in page
    )
    assert (
        "Обращений через виджет на сайте за 12 месяцев: <strong>2</strong>" in page
    )  # the web form's is not
    other = unescape(client.get(f"/staff/orgs/{personas.body_a.code}/").content.decode())
    assert "за 12 месяцев: <strong>0</strong>" in other and "последнее" not in other
