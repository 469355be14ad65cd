"""Background work of the knowledge base: embedding changed articles ahead of the first question.

Sentence vectors are the slow part of indexing (tens of milliseconds per text on one core). The
worker builds or updates its own index after every change, which fills the shared vector cache
(`NLP_VECTOR_CACHE`); the web server and the bot then find the vectors there instead of computing
them while a citizen waits.

A large knowledge base's «Похожие статьи» report (every article's question asked of the others) is
computed here too, when an editor asks for it (`kb_rivals`), and, once a day, what the query log
teaches without labels: which articles draw too many questions (`kb_hubs`, `engine.hubs_compute`).
"""

from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from otklik.lib import chains

TASK_PATH = "otklik.kb.tasks.kb_vectors_warm"
RIVALS_TASK_PATH = "otklik.kb.tasks.kb_rivals"


@task()
def kb_vectors_warm(region_id: int) -> int:
    from otklik.kb.engine import registry

    return len(registry.engine(region_id))


@task()
def kb_rivals(region_id: int) -> int:
    from otklik.kb.engine import rivals_compute

    return len(rivals_compute(region_id))


@task()
def kb_hubs(region_id: int) -> int:
    """Learn the region's hubs from its query log; queue the next run a day later."""
    from otklik.kb.engine import HUB_EVERY, hubs_compute
    from otklik.orgs.models import Region

    if not Region.objects.filter(pk=region_id).exists():
        return 0
    found = len(hubs_compute(region_id)["hubs"])
    chains.arm(kb_hubs, region_id, run_after=timezone.now() + HUB_EVERY)
    return found


# The first run after the worker starts waits for the start's warm-up of the index.
HUBS_FIRST_AFTER = timedelta(minutes=2)


def hubs_ensure() -> int:
    """Arm every region's daily chain (called by the worker at start)."""
    from otklik.orgs.models import Region

    at = timezone.now() + HUBS_FIRST_AFTER
    return sum(chains.arm(kb_hubs, pk, run_after=at) for pk in Region.objects.values_list("pk", flat=True))


def _queued(task_path: str, region_id: int, statuses: tuple[str, ...]) -> bool:
    """Whether a task of this path for the region is in the queue in one of `statuses`."""
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=task_path, status__in=statuses)
    return any(result.args_kwargs["args"][0] == region_id for result in pending)


def rivals_soon(region_id: int) -> bool:
    """Queue the report's computation unless one is already waiting or running."""
    if _queued(RIVALS_TASK_PATH, region_id, ("READY", "RUNNING")):
        return False
    kb_rivals.enqueue(region_id)
    return True


def warm_soon(region_id: int) -> bool:
    """Queue a warm-up for the region unless one is already waiting (called after every change)."""
    connection = transaction.get_connection()
    waiting = [getattr(item[1], "warm_region", None) for item in connection.run_on_commit]
    if region_id in waiting:  # already queued by an earlier change in this transaction
        return False
    if _queued(TASK_PATH, region_id, ("READY",)):
        return False

    def enqueue():
        kb_vectors_warm.enqueue(region_id)

    enqueue.warm_region = region_id
    transaction.on_commit(enqueue)
    return True
