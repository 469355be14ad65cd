"""The dialogue core as a Telegram chat over a region with a small knowledge base."""

import pytest

from otklik.dialogue.core import Incoming, handle
from otklik.kb.engine import registry
from otklik.kb.tests.test_kb_core import _load


@pytest.fixture
def bot(region):
    _load(region.region)
    registry.reset()

    def say(kind, value="", user="42", **extra):
        return handle(
            region=region.region,
            channel="telegram",
            channel_user=user,
            incoming=Incoming(kind, value, **extra),
            display_name="Анна",
        )

    return say
