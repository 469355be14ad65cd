from datetime import timedelta

from django.utils import timezone

from otklik.core.models import Heartbeat
from otklik.core.services import heartbeat_beat


def test_health_is_200_json_without_worker(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["worker"] == "absent"
    assert body["worker_heartbeat_age_s"] is None
    assert body["version"]


def test_health_reports_fresh_and_stale_worker(client, db):
    heartbeat_beat(name="worker", detail="pid 1")
    body = client.get("/health").json()
    assert body["worker"] == "ok"
    assert 0 <= body["worker_heartbeat_age_s"] < 5
    Heartbeat.objects.filter(name="worker").update(beat_at=timezone.now() - timedelta(minutes=10))
    body = client.get("/health").json()
    assert body["worker"] == "stale"
    assert body["worker_heartbeat_age_s"] >= 600


def test_health_refuses_post(client, db):
    assert client.post("/health").status_code == 405
