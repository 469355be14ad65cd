"""Periodic work as a chain of one task: each run queues the next (with `run_after`), and the worker
arms the chain when it starts. `arm` is that start: it queues the task only when none of it is
waiting, so restarts never fork a second chain."""


def arm(task, *, run_after=None) -> bool:
    """Queue `task` (at `run_after`, else now) unless one is already waiting. True when queued."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        return False
    (task.using(run_after=run_after) if run_after is not None else task).enqueue()
    return True
