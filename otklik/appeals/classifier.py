"""The topic classifier and territory matcher of this process, per region, refreshed as data grows.

Trained from the topic tree's own words plus every appeal whose topic a person confirmed; retrained
when the number of confirmed appeals has grown by a tenth (checked at most once a minute).

Sentence vectors are the classifier's second view (`nlp.classify`: while a region's history is at
most 5,000 appeals); appeal texts' vectors stay in the process, never in the disk cache.
"""

from otklik.appeals.selectors import learning_history
from otklik.lib import sentence_vectors
from otklik.lib.per_region import per_region
from otklik.nlp.classify import TopicClassifier
from otklik.nlp.toponyms import ToponymMatcher
from otklik.orgs.models import Territory
from otklik.routing.models import Topic

HISTORY_LIMIT = 20000


def _labelled(region_id: int):
    return learning_history(region_id).filter(topic__isnull=False, topic__parent__isnull=False)


def _train(region_id: int) -> dict:
    topics = list(Topic.objects.filter(region_id=region_id, is_active=True, parent__isnull=False))
    descriptions = {t.pk: ". ".join([t.name, t.description, "; ".join(t.keywords)]) for t in topics}
    history = list(
        _labelled(region_id).order_by("-registered_at").values_list("text", "topic_id")[:HISTORY_LIMIT]
    )
    classifier = (
        TopicClassifier.from_descriptions(descriptions, history, vectors=sentence_vectors.enabled())
        if descriptions
        else None
    )
    territories = {t.pk: [t.name, *t.aliases] for t in Territory.objects.filter(region_id=region_id)}
    return {"classifier": classifier, "matcher": ToponymMatcher(territories), "history": len(history)}


_models = per_region(train=_train, history_size=lambda region_id: _labelled(region_id).count())
_current = _models.get


def suggest_topic(*, region_id: int, text: str) -> tuple[Topic | None, float]:
    """The likeliest topic of a text and its confidence, or (None, 0.0)."""
    best = suggest_topics(region_id=region_id, text=text, k=1)
    return best[0] if best else (None, 0.0)


def suggest_topics(*, region_id: int, text: str, k: int = 3) -> list[tuple[Topic, float]]:
    """The `k` likeliest topics of a text, best first (for a citizen to choose from)."""
    classifier = _current(region_id)["classifier"]
    if classifier is None:
        return []
    prediction = classifier.predict(text)
    ids = [label for label, _ in prediction.top[:k]]
    topics = Topic.objects.in_bulk(ids)
    return [(topics[label], p) for label, p in prediction.top[:k] if label in topics]


def find_territory(*, region_id: int, text: str) -> tuple[Territory | None, float]:
    found = _current(region_id)["matcher"].find(text)
    return (Territory.objects.filter(pk=found.code).first(), found.confidence) if found else (None, 0.0)


def reset() -> None:
    _models.reset()
