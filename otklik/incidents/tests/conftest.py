import pytest

from otklik.testing import Personas


@pytest.fixture
def incidents_region(region, settings) -> Personas:
    """The shared small region, with a coordinator who has an e-mail (escalations go there)."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    region.coordinator.email = "coordinator@example.ru"
    region.coordinator.save()
    return region
