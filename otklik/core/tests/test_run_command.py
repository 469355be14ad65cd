"""`otklik run` starts the web server and the worker, and Ctrl-C stops every process it started."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    pairs = [tuple(map(int, line.split())) for line in out.splitlines() if line.strip()]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in pairs if parent in frontier} - found
        found |= frontier
    return found


def test_run_serves_health_with_a_live_worker_and_stops_all_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"OTKLIK_VAR_DIR": str(tmp_path), "OTKLIK_LOG_LEVEL": "WARNING"})
    otklik = [sys.executable, "-m", "otklik.cli"]
    subprocess.run([*otklik, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    # `migrate` alone makes the database cache's table: without it every login fails.
    with sqlite3.connect(tmp_path / "otklik.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'otklik_cache'").fetchone()
    port = _free_port()
    proc = subprocess.Popen(
        [*otklik, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    body = json.loads(response.read())
                if body["worker"] == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert body is not None and body["database"] == "ok"
        assert body["worker"] == "ok"
        children = _children(proc.pid)
        assert len(children) >= 2
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Все процессы остановлены" in output
        assert f"http://127.0.0.1:{port}/" in output
        time.sleep(0.5)
        assert [c for c in children if os.path.exists(f"/proc/{c}")] == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_banner_lists_every_demo_login_including_the_monitoring_operator(db):
    from io import StringIO

    from otklik.accounts.demo import ACCOUNTS
    from otklik.accounts.models import User
    from otklik.core.management.commands.run import Command

    for login, *_ in ACCOUNTS:
        User.objects.create_user(username=login)
    out = StringIO()
    Command(stdout=out)._banner("127.0.0.1", 8000, ["веб-сервер"])
    listed = [line.split()[0] for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert listed == [login for login, *_ in ACCOUNTS] and "monitor" in listed
