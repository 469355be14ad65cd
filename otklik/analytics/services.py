"""«Карта болей»: problems found by grouping appeals and unanswered questions, ranked by priority."""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from otklik.analytics.models import PainPoint
from otklik.appeals.models import Appeal
from otklik.kb.models import Query
from otklik.nlp.cluster import cluster_representative, cluster_texts
from otklik.nlp.pii import mask_personal_data

MIN_GROUP = 5  # fewer cases than this are not a pattern (and would not be anonymous)


def _priority(volume: int, previous: int, dissatisfied: float) -> float:
    """Volume, weighted up by growth against the previous period and by dissatisfaction."""
    growth = (volume - previous) / previous if previous else (1.0 if volume else 0.0)
    return round(volume * (1 + max(-0.5, min(growth, 3.0))) * (1 + dissatisfied), 2)


@transaction.atomic
def painmap_rebuild(*, region, days: int = 90) -> int:
    """Recompute the map for the last `days` (against the `days` before); keep measures already set."""
    now = timezone.now()
    start, previous_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    groups: dict[str, dict] = {}
    # 1) appeals by sub-topic: volume, previous volume, dissatisfaction
    appeals = Appeal.objects.filter(region=region, registered_at__gte=previous_start, topic__isnull=False)
    stats = appeals.values("topic_id", "topic__name").annotate(
        now=Count("pk", filter=Q(registered_at__gte=start)),
        before=Count("pk", filter=Q(registered_at__lt=start)),
        rated=Count("pk", filter=Q(registered_at__gte=start, rating__isnull=False)),
        unhappy=Count("pk", filter=Q(registered_at__gte=start, rating__lte=2)),
    )
    texts = defaultdict(list)
    for topic_id, text in appeals.filter(registered_at__gte=start).values_list("topic_id", "text")[:20000]:
        if len(texts[topic_id]) < 5:
            texts[topic_id].append(mask_personal_data(text)[:300])
    for row in stats:
        if row["now"] < MIN_GROUP:
            continue
        dissatisfied = row["unhappy"] / row["rated"] if row["rated"] else 0.0
        groups[f"topic:{row['topic_id']}"] = {
            "title": row["topic__name"],
            "topic_id": row["topic_id"],
            "volume": row["now"],
            "previous_volume": row["before"],
            "dissatisfied_share": round(dissatisfied, 3),
            "examples": texts[row["topic_id"]],
        }
    # 2) questions the bot could not answer, grouped by similar text
    unanswered = list(
        Query.objects.filter(region=region, created_at__gte=previous_start)
        .filter(Q(decision="abstained") | Q(feedback="not_helped"))
        .values_list("text", "created_at")[:20000]
    )
    labels = cluster_texts([t for t, _ in unanswered])
    members = defaultdict(list)
    for (text, at), label in zip(unanswered, labels, strict=True):
        if label >= 0:
            members[label].append((text, at))
    for items in members.values():
        current = [t for t, at in items if at >= start]
        if len(current) < MIN_GROUP:
            continue
        title = cluster_representative(current)
        groups[f"bot:{title[:100].lower()}"] = {
            "title": f"Нет ответа в боте: {title}"[:300],
            "topic_id": None,
            "volume": len(current),
            "previous_volume": len(items) - len(current),
            "dissatisfied_share": 0.0,
            "examples": [mask_personal_data(t)[:300] for t in current[:5]],
        }
    for key, g in groups.items():
        PainPoint.objects.update_or_create(
            region=region,
            key=key[:120],
            defaults={
                **{k: g[k] for k in ("title", "volume", "previous_volume", "dissatisfied_share", "examples")},
                "topic_id": g["topic_id"],
                "priority": _priority(g["volume"], g["previous_volume"], g["dissatisfied_share"]),
            },
        )
    PainPoint.objects.filter(region=region, status=PainPoint.Status.NEW).exclude(
        key__in=[k[:120] for k in groups]
    ).delete()
    return len(groups)


def painpoint_update(*, point: PainPoint, status: str, measures: str, owner, deadline) -> PainPoint:
    if status == PainPoint.Status.IN_PROGRESS and point.measure_started_at is None:
        point.measure_started_at = timezone.now()
    point.status, point.measures, point.owner, point.deadline = (
        status,
        measures.strip()[:4000],
        owner,
        deadline,
    )
    point.save()
    return point


def painpoint_effect(*, point: PainPoint, days: int = 30) -> dict | None:
    """Volume in equal windows before and after the measure started (the measure's effect)."""
    if point.measure_started_at is None or point.topic_id is None:
        return None
    started = point.measure_started_at
    qs = Appeal.objects.filter(region=point.region, topic_id=point.topic_id)
    before = qs.filter(registered_at__gte=started - timedelta(days=days), registered_at__lt=started).count()
    after = qs.filter(registered_at__gte=started, registered_at__lt=started + timedelta(days=days)).count()
    return {"days": days, "before": before, "after": after, "change": after - before}
