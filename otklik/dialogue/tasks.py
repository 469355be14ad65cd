"""Background work of the dialogue app."""

from django.tasks import task

from otklik.dialogue import services


@task()
def broadcast_deliver(broadcast_id: int) -> dict:
    broadcast = services.broadcast_run(broadcast_id=broadcast_id)
    return {
        "delivered": broadcast.delivered,
        "failed": broadcast.failed,
        "unsubscribed": broadcast.unsubscribed,
    }
