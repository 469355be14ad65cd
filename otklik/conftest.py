"""Shared personas for the whole suite: a small region with two municipal bodies A and B."""

import json
import os
import shutil
import threading
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

import pytest

from otklik.testing import PASSWORD, FakeApiHandler, Personas, fake_api, make_personas

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that check hashing ask for it explicitly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _models_refit_in_the_caller(settings):
    """Per-region models refit in a background thread in production; a test's data lives in its
    transaction, which such a thread cannot see, so tests refit in the caller."""
    settings.MODELS_REFIT_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def _no_real_vk(settings):
    """Tests never reach api.vk.com: unless a test starts the fake (`vk_api`), VK is a closed port."""
    settings.VK_API_BASE = "http://127.0.0.1:9/method"
    settings.VK_SERVICE_TOKEN = ""
    # No waiting between calls to the fake; the limiter itself is tested with a clock of its own.
    settings.VK_REQUESTS_PER_SECOND = 0


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _rate_limits_start_afresh(request, django_db_blocker):
    """Rate-limit counters (otklik/lib/ratelimit.py) live in the database cache table, so a test's
    rolled-back transaction forgets them; a transactional test (the browser and the bot's end-to-end
    tests) commits them and the flush after it keeps that table, so they are cleared here. Limits
    stay on for every test: a test never sends more than a person would, except those that test
    the limits."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def region(personas) -> Personas:
    """Personas plus a small topic tree and default routing (appeals, dialogue, analytics tests)."""
    from otklik.testing import make_topics_and_routing

    return make_topics_and_routing(personas)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory, so that a process the test starts (the
    real bot in the end-to-end test) can open the same database. Each xdist worker has its own."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.getbasetemp() / "test-otklik.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions_at_teardown(django_db_setup, django_db_blocker):
    """Threads of the live server and of async views may still hold a PostgreSQL session when the
    suite ends; end them so that the test database can be dropped (and the next run starts clean)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# Function-scoped on purpose: Playwright runs an event loop in this thread, and Django's connections
# inside it are other objects than the ones set up outside; the database fixtures (which restore the
# rows that migrations ship, see `otklik.testing.BROWSER_TEST`) must run before it starts.
@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`: no internet)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required for browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # synchronous all the same, so Django's guard against async use must stand aside here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def staff_page(browser, live_server):
    """`staff_page(user, path)`: a page of a fresh browser session (its own cookies) in which the
    person logged in through the login page and landed on `path`."""

    def _open(user, path: str):
        page = browser.new_context(base_url=live_server.url).new_page()
        page.goto(f"/accounts/login/?next={path}")
        page.get_by_label("Логин").fill(user.username)
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(f"{live_server.url}{path}")
        return page

    return _open


class _VkAPI(FakeApiHandler):
    """A stand-in for api.vk.com: records each call's form parameters and answers from `answers`
    in order (the last answer repeats). The reading methods (`wall.get`, `wall.getComments`,
    `utils.resolveScreenName`) serve `walls`, `comments` and `names` the way VK pages them, after
    any `faults` (answers given first, one per reading call: VK errors, `(500, {...})`, raw bytes).
    A wall photo goes through VK's three steps: `photos.getWallUploadServer` names an upload URL on
    this server, which takes the multipart file (kept in `uploads`) and answers server/photo/hash,
    and `photos.saveWallPhoto` checks them and returns photo 500+n; `photo_faults[step]` (the method,
    or "upload") are answered first."""

    answers: list = []
    received: list = []
    walls: dict = {}  # owner id → posts, newest first
    comments: dict = {}  # (owner id, post id) → comments, newest first
    names: dict = {}  # screen name → utils.resolveScreenName's answer
    people: list = []  # profiles and groups returned with every page (authors' names)
    faults: list = []
    uploads: list = []  # (file name, content type, bytes) of each uploaded photo
    photo_faults: dict = {}  # step → answers given before the normal ones
    released = threading.Event()
    READING = {"wall.get", "wall.getComments", "utils.resolveScreenName"}
    PHOTO = {"photos.getWallUploadServer", "photos.saveWallPhoto"}

    def do_POST(self):  # noqa: N802 - http.server's naming
        if self.path.startswith("/upload/"):
            return self.respond(self.photo_fault("upload") or self.upload())
        params = dict(parse_qsl(self.body().decode(), keep_blank_values=True))
        self.received.append((self.path, params))
        method = self.path.rstrip("/").rsplit("/", 1)[-1]
        if method in self.PHOTO:
            return self.respond(self.photo_fault(method) or self.photo(method, params))
        if method in self.READING:
            answer = self.faults.pop(0) if self.faults else self.read(method, params)
            if answer == "hang":  # accept the request and never answer (until the test ends)
                self.released.wait(30)
                return
        else:
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        self.respond(answer)

    def respond(self, answer):
        status, answer = answer if isinstance(answer, tuple) else (200, answer)
        if isinstance(answer, bytes):
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        self.reply(status, answer)

    def photo_fault(self, step: str):
        faults = self.photo_faults.get(step) or []
        return faults.pop(0) if faults else None

    def upload(self):
        length = int(self.headers["Content-Length"])
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.rfile.read(length))
        parts = [
            p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "photo"
        ]
        if not parts:
            return {"server": 0, "photo": "[]", "hash": ""}
        part = parts[0]
        self.uploads.append((part.get_filename(), part.get_content_type(), part.get_payload(decode=True)))
        self.received.append(("/upload/", {"file": part.get_filename()}))
        n = len(self.uploads)
        return {"server": 314, "photo": json.dumps([{"photo": f"p{n}"}]), "hash": f"hash{n}"}

    def photo(self, method: str, params: dict):
        group = int(params["group_id"])
        if method == "photos.getWallUploadServer":
            port = self.server.server_address[1]
            return {
                "response": {"upload_url": f"http://127.0.0.1:{port}/upload/?group={group}", "album_id": -14}
            }
        n = len(self.uploads)
        if (params.get("server"), params.get("hash"), params.get("photo")) != (
            "314",
            f"hash{n}",
            json.dumps([{"photo": f"p{n}"}]),
        ):
            return {"error": {"error_code": 121, "error_msg": "Invalid hash"}}
        return {"response": [{"id": 500 + n, "owner_id": -group, "album_id": -14}]}

    def read(self, method: str, params: dict):
        if method == "utils.resolveScreenName":
            return {"response": self.names.get(params["screen_name"], [])}
        owner = int(params["owner_id"])
        if method == "wall.get":
            items = self.walls.get(owner)
        else:
            items = self.comments.get((owner, int(params["post_id"])), [])
        if items is None:
            return {"error": {"error_code": 100, "error_msg": "One of the parameters specified was missing"}}
        offset, count = int(params.get("offset", 0)), int(params.get("count", 20))
        page = items[offset : offset + count]
        profiles = [p for p in self.people if p.get("first_name")]
        groups = [g for g in self.people if g.get("name")]
        return {"response": {"count": len(items), "items": page, "profiles": profiles, "groups": groups}}


@pytest.fixture
def vk_api(settings):
    """A fake VK API on 127.0.0.1 that `settings.VK_API_BASE` points to; it comments successfully
    (comment 789) unless a test sets `vk_api.answers`."""
    _VkAPI.received = []
    _VkAPI.answers = [{"response": {"comment_id": 789, "parents_stack": []}}]
    _VkAPI.walls, _VkAPI.comments, _VkAPI.names, _VkAPI.people, _VkAPI.faults = {}, {}, {}, [], []
    _VkAPI.uploads, _VkAPI.photo_faults = [], {}
    _VkAPI.released = threading.Event()
    with fake_api(_VkAPI) as base:
        settings.VK_API_BASE = f"{base}/method/"
        settings.VK_API_VERSION = "5.199"
        yield _VkAPI
        _VkAPI.released.set()
