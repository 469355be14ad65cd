from django.conf import settings
from django.db import connection
from django.utils import timezone

from otklik.core.models import Heartbeat

# Beats that are not processes: the last reading of the appeals mailbox (`appeals.tasks`).
MAIL_INTAKE_BEAT = "mail_intake"


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
        if beat.name == MAIL_INTAKE_BEAT:
            continue
        age = (now - beat.beat_at).total_seconds()
        status["processes"][beat.name] = {"age_s": round(age, 1), "stale": age > stale_after_s}
    return status


def mail_intake_state() -> dict:
    """For /health: whether the appeals mailbox is read, and how long ago it was (no details: the
    error itself is in the worker's log)."""
    if not settings.MAIL_INTAKE:
        return {"mail_intake": "off", "mail_intake_age_s": None}
    try:
        beat = Heartbeat.objects.filter(name=MAIL_INTAKE_BEAT).first()
    except Exception:  # noqa: BLE001 - health must report, never raise
        return {"mail_intake": "unknown", "mail_intake_age_s": None}
    if beat is None:
        return {"mail_intake": "absent", "mail_intake_age_s": None}
    age = int((timezone.now() - beat.beat_at).total_seconds())
    if beat.detail.startswith("failed"):
        state = "failed"
    else:
        state = "stale" if age > 3 * settings.MAIL_INTAKE_INTERVAL_S + 60 else "ok"
    return {"mail_intake": state, "mail_intake_age_s": age}
