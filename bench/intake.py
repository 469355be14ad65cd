"""Appeal intake throughput over HTTP on PostgreSQL, beside a trivial view on the same server.

    DATABASE_URL=postgres://user:pass@127.0.0.1:5432/otklik_bench .venv/bin/python bench/intake.py [--seconds 15] [--clients 8]

Prepares the database (migrate, a small region with routing and a token), starts uvicorn on a free
port of 127.0.0.1, then drives POST /api/v1/appeals and GET /health with concurrent clients for the
same time each and prints JSON (requests/s, p50/p99 ms, errors). Only loopback traffic; bounded time.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from otklik.appeals.api import token_create
    from otklik.orgs.models import Region
    from otklik.testing import make_personas, make_topics_and_routing

    region = Region.objects.filter(code="BENCH").first()
    personas = make_topics_and_routing(make_personas()) if region is None else None
    if personas is not None:
        Region.objects.filter(pk=personas.region.pk).update(code="BENCH")
        org = personas.ministry
    else:
        from otklik.orgs.models import Organization

        org = Organization.objects.filter(region=region, parent__isnull=True).first()
    return token_create(organization=org, name="bench")


def _drive(port: int, seconds: float, clients: int, request) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while time.monotonic() < stop:
            method, path, body, headers = request(n, i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors[0],
        "per_s": round(n / seconds, 1),
        "p50_ms": round(latencies[n // 2], 1) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))], 1) if n else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Укажите DATABASE_URL=postgres://… (бенчмарк меряет PostgreSQL; см. .ci/run, как запустить свой)."
        )
    token = _prepare()
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "otklik.asgi:application",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        # A load test from one address and one token: the rate limits (120 a minute per token)
        # would measure the limiter, not the intake.
        env={**os.environ, "OTKLIK_LOG_LEVEL": "WARNING", "OTKLIK_RATELIMIT": "0"},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.2)
        run = str(int(time.time()))
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def create(n, i):
            body = json.dumps(
                {
                    "text": f"Холодно в классах школы, прошу проверить отопление ({run}-{n}-{i})",
                    "external_id": f"{run}-{n}-{i}",
                }
            )
            return "POST", "/api/v1/appeals", body, headers

        def health(n, i):
            return "GET", "/health", None, {}

        report = {
            "clients": args.clients,
            "seconds": args.seconds,
            "api_create_appeal": _drive(port, args.seconds, args.clients, create),
            "trivial_view_health": _drive(port, args.seconds, args.clients, health),
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
