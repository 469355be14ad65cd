from otklik.orgs.models import Region
from otklik.routing.models import Topic


def topic_tree(*, region: Region) -> list[tuple[Topic, list[Topic]]]:
    """Top-level topics with their sub-topics, in display order (two queries' worth of data)."""
    topics = list(Topic.objects.filter(region=region).order_by("position", "code"))
    children: dict[int, list[Topic]] = {}
    for t in topics:
        if t.parent_id:
            children.setdefault(t.parent_id, []).append(t)
    return [(t, children.get(t.pk, [])) for t in topics if t.parent_id is None]
