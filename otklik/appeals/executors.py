"""Which organizations a coordinator would likely choose for an appeal waiting in moderation.

An `nlp.routing.ExecutorRouter` per region and process, fitted on the region's appeals that have
an organization (text; topic, confirmed else suggested; the appeal's territory as a known one; when
it was registered, so that a practice that changed is followed) and refitted, like the topic classifier, when that history has grown by a tenth. Below `MIN_HISTORY`
appeals it suggests nothing: a router fitted on a handful of appeals would only echo them.
"""

from otklik.appeals.models import Appeal
from otklik.appeals.selectors import learning_history
from otklik.lib.per_region import per_region
from otklik.nlp.routing import ExecutorRouter
from otklik.orgs.models import Organization

MIN_HISTORY = 30
HISTORY_LIMIT = 20000
NO_TOPIC = 0  # a label for appeals without any topic (no primary key is 0)


def _history(region_id: int):
    return learning_history(region_id).filter(organization__isnull=False)


def _train(region_id: int) -> dict:
    rows = list(
        _history(region_id)
        .order_by("-registered_at")
        .values_list(
            "text",
            "organization_id",
            "topic_id",
            "topic__parent_id",
            "topic_suggested_id",
            "topic_suggested__parent_id",
            "territory_id",
            "registered_at",
        )[:HISTORY_LIMIT]
    )
    if len(rows) < MIN_HISTORY:
        return {"router": None, "history": len(rows)}
    topics, categories = [], []
    for _, _, topic, parent, suggested, suggested_parent, _, _ in rows:
        if not topic:  # not confirmed: the suggested one
            topic, parent = suggested or NO_TOPIC, suggested_parent
        topics.append(topic)
        categories.append(parent or topic)
    router = ExecutorRouter(k_top=3).fit(
        [r[0] for r in rows],
        [r[1] for r in rows],
        topics=topics,
        categories=categories,
        territories=[r[6] for r in rows],
        times=[r[7] for r in rows],
    )
    return {"router": router, "history": len(rows)}


_models = per_region(train=_train, history_size=lambda region_id: _history(region_id).count())


def suggest_executors(*, appeal: Appeal, k: int = 3) -> list[tuple[Organization, float]]:
    """The `k` likeliest organizations for the appeal with their probabilities, best first;
    nothing while the region's history is too short."""
    router = _models.get(appeal.region_id)["router"]
    if router is None:
        return []
    top = router.predict(appeal.text, territory=appeal.territory_id, at=appeal.registered_at).top[:k]
    orgs = Organization.objects.filter(is_active=True).in_bulk([pk for pk, _ in top])
    return [(orgs[pk], p) for pk, p in top if pk in orgs]


def warm(region_id: int) -> None:
    """Fit the region's router now (the web process's warm-up), not in a coordinator's request."""
    _models.get(region_id)


def reset() -> None:
    _models.reset()
