from django.db import connection
from django.utils import timezone

from otklik.core.models import Heartbeat


def health_status(*, stale_after_s: int) -> dict:
    """Database reachability and the age of each process heartbeat, for /health."""
    status: dict = {"database": "ok", "processes": {}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beats = list(Heartbeat.objects.all())
    except Exception as exc:  # noqa: BLE001 - health must report, never raise
        status["database"] = f"error: {type(exc).__name__}"
        return status
    now = timezone.now()
    for beat in beats:
        age = (now - beat.beat_at).total_seconds()
        status["processes"][beat.name] = {"age_s": round(age, 1), "stale": age > stale_after_s}
    return status
