"""Fixtures of the bot tests: a recording Bot and a region with a small knowledge base."""

import pytest
from aiogram import Bot

from otklik.channels.telegram.tests.fakes import RecordingSession
from otklik.kb.engine import registry
from otklik.kb.tests.test_kb_core import _load


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session) -> Bot:
    return Bot(token="123:ABC", session=session)


@pytest.fixture
def kb_region(region):
    """The shared region plus a small knowledge base (two categories with answers)."""
    _load(region.region)
    registry.reset()
    return region
