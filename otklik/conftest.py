"""Shared personas for the whole suite: a small region with two municipal bodies A and B."""

import pytest

from otklik.testing import Personas, make_personas


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
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
