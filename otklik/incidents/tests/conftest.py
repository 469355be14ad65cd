import pytest

from otklik.testing import Personas


@pytest.fixture
def incidents_region(region, settings) -> Personas:
    """The shared small region, with a coordinator who has an e-mail (escalations go there)."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    region.coordinator.email = "coordinator@example.ru"
    region.coordinator.save()
    return region


VK_TOKEN = "vk1.a.community-secret-0000"


@pytest.fixture
def vk_community(incidents_region):
    """Publishing to VK switched on for the region: community 1234 with a (fake) token."""
    from otklik.incidents.models import VkCommunity

    return VkCommunity.objects.create(region=incidents_region.region, group_id=1234, access_token=VK_TOKEN)
