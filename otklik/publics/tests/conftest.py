import pytest

from otklik.testing import Personas

TOKEN = "vk1.a.publics-secret-0000"


@pytest.fixture
def publics(personas) -> Personas:
    """Personas with official communities: the ministry (101) and body A (202) with keys, school A
    (303) still without one. Body B has none."""
    from otklik.incidents.models import VkCommunity

    for org, group, token in [
        (personas.ministry, 101, TOKEN),
        (personas.body_a, 202, TOKEN),
        (personas.school_a, 303, ""),
    ]:
        VkCommunity.objects.create(
            region=personas.region,
            organization=org,
            group_id=group,
            access_token=token,
            name=f"Паблик {group}",
        )
    personas.coordinator.email = "coordinator@example.ru"
    personas.coordinator.save()
    return personas


def community(org):
    from otklik.incidents.models import VkCommunity

    return VkCommunity.objects.get(organization=org)


@pytest.fixture
def vk_api(vk_api):
    """The shared fake VK API, answering `wall.post` with post 77 unless a test says otherwise."""
    vk_api.answers = [{"response": {"post_id": 77}}]
    return vk_api


def stored_files() -> list[str]:
    """The files under MEDIA_ROOT (each test has its own), relative to it."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
