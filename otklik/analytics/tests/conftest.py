"""The personas' region with a small topic tree and default routing (as in the appeals tests)."""

import pytest

from otklik.routing.models import RoutingRule, Topic

TEXT = "Прошу разобраться: в школе № 1 Северного района с октября холодно в классах, дети сидят в куртках."


@pytest.fixture
def region(personas):
    p = personas
    parent = Topic.objects.create(
        region=p.region, code="12", name="Условия проведения образовательного процесса"
    )
    Topic.objects.create(
        region=p.region,
        code="12.01",
        parent=parent,
        name="Температурный режим и отопление",
        description="Холодно в классах, нет отопления",
        keywords=["холодно", "отопление"],
    )
    Topic.objects.create(
        region=p.region,
        code="12.02",
        parent=parent,
        name="Ремонт зданий",
        description="Ремонт, течёт крыша",
        keywords=["ремонт", "крыша"],
    )
    RoutingRule.objects.create(region=p.region, level="municipal_body", priority=200)
    RoutingRule.objects.create(region=p.region, level="ministry", priority=201)
    from otklik.appeals import classifier

    classifier.reset()
    return p
