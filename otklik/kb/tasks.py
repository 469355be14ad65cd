"""Background work of the knowledge base: embedding changed articles ahead of the first question.

Sentence vectors are the slow part of indexing (tens of milliseconds per text on one core). The
worker builds or updates its own index after every change, which fills the shared vector cache
(`NLP_VECTOR_CACHE`); the web server and the bot then find the vectors there instead of computing
them while a citizen waits.

A large knowledge base's «Похожие статьи» report (every article's question asked of the others) is
computed here too, when an editor asks for it (`kb_rivals`).
"""

from django.db import transaction
from django.tasks import task

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
