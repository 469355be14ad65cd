from datetime import UTC, datetime, timedelta

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


# --- VK monitoring ---

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
TOKEN = "vk-service-key-0000"
HEATING = "В школе № 1 холодно, отопление так и не включили, дети сидят в куртках. Безобразие!"
ROOF = "В Южном районе в школе течёт крыша, ремонт обещали ещё летом."
BIKE = "Продаю велосипед, почти новый, недорого."


def post(
    post_id: int, text: str, *, minutes: int = 10, author: int = 501, comments: int = 0, **extra
) -> dict:
    """A wall post as VK returns it, published `minutes` before NOW."""
    return {
        "id": post_id,
        "from_id": author,
        "date": int((NOW - timedelta(minutes=minutes)).timestamp()),
        "text": text,
        "comments": {"count": comments},
        **extra,
    }


@pytest.fixture
def watched(incidents_region, vk_api, settings):
    """Two sources: the «Подслушано» public of the Northern district (by its short name) and a
    regional news community by number, whose posts' territory comes from their text."""
    settings.VK_SERVICE_TOKEN = TOKEN
    vk_api.names = {"podslushano_sever": {"type": "page", "object_id": 111}}
    vk_api.people = [
        {"id": 501, "first_name": "Анна", "last_name": "Петрова"},
        {"id": 222, "name": "Новости области"},
    ]
    vk_api.walls = {
        -111: [
            post(10, "Правила группы: без рекламы.", minutes=60 * 24 * 30, is_pinned=1),
            post(12, HEATING, minutes=5),
            post(11, BIKE, minutes=20),
        ],
        -222: [post(7, ROOF, author=-222), post(6, "Концерт на площади в субботу.", author=-222)],
    }
    from otklik.incidents.models import VkSource

    region = incidents_region.region
    north = VkSource.objects.create(
        region=region,
        name="Подслушано Северный",
        screen_name="podslushano_sever",
        territory=incidents_region.territory_a,
    )
    news = VkSource.objects.create(region=region, name="Новости области", screen_name="club222")
    return incidents_region, north, news
