from django.utils import timezone

from otklik.core.models import Heartbeat


def heartbeat_beat(*, name: str, detail: str = "") -> None:
    """Record that the named process is alive now."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "detail": detail[:200]}
    )
