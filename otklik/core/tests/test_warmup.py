"""The background warm-up builds the answer index and the topic classifier of every region, and
loads the names model of the depersonaliser."""

import pytest

from otklik.core import warmup


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_warm_up_builds_the_engine_and_the_classifier(region, monkeypatch):
    from otklik.appeals import classifier
    from otklik.kb.engine import registry
    from otklik.kb.tests.test_kb_core import _load
    from otklik.nlp.anonymize import NER_MODEL

    _load(region.region)
    registry.reset()
    classifier.reset()
    monkeypatch.setattr(NER_MODEL, "_model", None)
    warmup.start().join(timeout=120)
    assert region.region.pk in registry._regions and registry._regions[region.region.pk].engine is not None
    assert region.region.pk in classifier._models._state
    assert NER_MODEL._model is not None  # loaded by the warm-up, not by this check
