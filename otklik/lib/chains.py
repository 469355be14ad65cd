"""Periodic work as a chain of one task: each run queues the next (with `run_after`), and the worker
arms the chain when it starts. Both go through `arm`, which queues the task only when none of it (with
the same arguments) is waiting: restarts never fork a second chain, and two chains that still came
about — two workers starting at once, or a worker starting while a link runs and has not yet queued
its successor — become one again at the next link, whose successor finds the other waiting."""


def arm(task, *args, run_after=None) -> bool:
    """Queue `task(*args)` (at `run_after`, else now) unless one with the same arguments is already
    waiting. True when queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").values_list(
        "args_kwargs", flat=True
    )
    if any(list((stored or {}).get("args") or []) == list(args) for stored in waiting):
        return False
    (task.using(run_after=run_after) if run_after is not None else task).enqueue(*args)
    return True
