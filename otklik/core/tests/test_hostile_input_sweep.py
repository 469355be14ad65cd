"""Every URL of the installation, as a citizen and as staff of each kind, with hostile input.

The forms, the API and the imports have their own tests of bad input with the exact Russian
messages. This sweep guards what those tests cannot list: any page, any parameter, any role.
Each URL pattern is filled with ids that exist and ids that do not, and is requested with no
parameters, with junk in every usual parameter (NUL, huge, negative, SQL, markup, impossible
dates), with a junk form, with damaged files in every file field and with a broken JSON body. No
answer may be a server error.
"""

import itertools
import json
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from otklik.appeals import services as appeal_services
from otklik.kb import services as kb_services
from otklik.testing import APPEAL_TEXT, make_topics_and_routing

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    "0",
    "-1",
    "99999999999999999999",
    "abc",
    "\x00",
    "<script>alert(1)</script>",
    "'; DROP TABLE appeals_appeal;--",
    "%",
    "../../etc/passwd",
    "я" * 5000,
    "2026-13-45",
    "1e309",
    "[]",
    '{"a": 1}',
    "NaN",
]
PARAMS = [
    "page", "q", "format", "status", "org", "organization", "topic", "territory", "period", "from", "to",
    "date_from", "date_to", "sort", "order", "channel", "kind", "region", "s", "community", "template",
    "year", "month", "week", "days", "next", "tab", "queue", "search", "limit", "offset", "id",
]  # fmt: skip
FIELDS = [
    "text", "action", "email", "name", "title", "answer", "comment", "rating", "reason", "url", "due_at",
    "publish_at", "picture", "organizations", "communities", "question", "file", "phone", "consent",
]  # fmt: skip


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def _urls(pattern: str, known: dict[str, list[str]]) -> list[str]:
    """The pattern with its parameters filled by known values, small ids and an id that never exists."""
    if "(?P" in pattern or "\\" in pattern or pattern.startswith("^"):
        return []  # regex routes (static files, the admin's catch-all) take no ids of ours
    slots = re.findall(r"<(?:(\w+):)?(\w+)>", pattern)
    options = [["1", "2", "999999"] if conv == "int" else [*known.get(name, []), "x"] for conv, name in slots]
    urls = []
    for combo in itertools.product(*options):
        url = pattern
        for (_, name), value in zip(slots, combo, strict=True):
            url = re.sub(r"<(?:\w+:)?" + name + ">", value, url, count=1)
        urls.append("/" + url)
    return urls[:6]


def _junk(names: list[str], shift: int) -> dict[str, str]:
    return {name: JUNK[(i + shift) % len(JUNK)] for i, name in enumerate(names)}


# Every name a file field of ours has, each given a damaged file of another kind than it expects.
FILE_FIELDS = {
    "file": ("выгрузка.xlsx", b"PK\x03\x04 not really a workbook"),
    "files": ("скан.pdf", b"%PDF-1.4 \x00\xff broken"),
    "attachment": ("фото.png", b"\x89PNG\r\n\x1a\n truncated"),
    "image": ("картинка.jpg", b"\xff\xd8\xff not a jpeg"),
    "background": ("фон.png", b"GIF89a"),
    "voice": ("голос.ogg", b"OggS"),
}


def _with_junk_files(names: list[str]) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = _junk(names, 7)
    for name, (filename, data) in FILE_FIELDS.items():
        form[name] = SimpleUploadedFile(filename, data, content_type="application/octet-stream")
    return form


def _an_appeal(personas):
    """The region's topics and routes, and one appeal whose number and secret the URLs can carry."""
    make_topics_and_routing(personas)
    appeal, _ = appeal_services.appeal_submit(
        region=personas.region,
        text=APPEAL_TEXT,
        channel="web",
        author_name="Анна",
        contact_email="a@example.ru",
    )
    return appeal


def test_no_url_answers_a_server_error_to_anyone(personas, settings):
    settings.RATELIMIT_ENABLED = False  # thousands of requests from one address in a second
    appeal = _an_appeal(personas)
    kb_services.suggestion_submit(
        region=personas.region, text="Когда начинается запись в первый класс?", channel="web"
    )
    known = {"number": [appeal.number], "secret": [appeal.secret], "key": [], "token": []}
    urls = sorted({url for pattern in _patterns(get_resolver()) for url in _urls(pattern, known)})
    assert len(urls) > 300  # the sweep really walks the installation

    failures, codes = [], set()

    def check(response, what: str) -> None:
        codes.add(response.status_code)
        if response.status_code >= 500:
            failures.append(what)

    for user in (None, personas.admin, personas.coordinator, personas.executor_a, personas.analyst):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        who = user.username if user else "гость"
        for url in urls:
            if url.rstrip("/").endswith("logout"):
                continue
            for params in ({}, _junk(PARAMS, 0), _junk(PARAMS, 5)):
                check(client.get(url, params), f"GET {url} {who} {'junk' if params else ''}")
            for form in (_junk(PARAMS + FIELDS, 3), {"action": "x" * 100_000}, _with_junk_files(FIELDS)):
                check(client.post(url, form), f"POST {url} {who} {sorted(form)[:1]}")
            broken = client.post(url, b"\xff\xfe\x00{broken", content_type="application/json")
            check(broken, f"POST json {url} {who}")
    assert failures == []
    assert {200, 302, 400, 403, 404} <= codes and 429 not in codes  # pages answered, no limit hid them


HOSTILE_VALUES = [None, 0, -1, 10**30, 1.5, True, "", "\x00", "я" * 200_000, [], {}, ["a"], {"a": {"b": []}}]


def test_the_api_answers_hostile_json_with_a_client_error_to_a_token_holder(personas, settings):
    from otklik.appeals.api import token_create

    settings.RATELIMIT_ENABLED = False
    appeal = _an_appeal(personas)
    client = Client(
        raise_request_exception=False,
        HTTP_AUTHORIZATION=f"Bearer {token_create(organization=personas.ministry, name='ПОС')}",
    )
    keys = ["text", "channel", "territory", "topic", "contact", "external_id", "kind", "url", "network", "author",
            "published_at", "urgent", "action", "outcome", "status", "organization"]  # fmt: skip
    bodies = [[], "строка", 5, None]
    bodies += [{key: value} for key in keys for value in HOSTILE_VALUES]
    bodies += [{"action": action, "text": value} for action in ("answer", "return", "comment", "info", "kind", "x")
               for value in HOSTILE_VALUES]  # fmt: skip
    bodies += [{"action": "kind", "kind": value} for value in HOSTILE_VALUES]
    bodies += [
        {"text": APPEAL_TEXT, "contact": {"email": value, "phone": value, "name": value}}
        for value in HOSTILE_VALUES
    ]
    failures, codes = [], set()
    for url in (
        "/api/v1/appeals",
        f"/api/v1/appeals/{appeal.number}",
        "/api/v1/incidents",
        "/api/v1/incidents/1",
    ):
        for params in (_junk(PARAMS, 0), _junk(PARAMS, 9)):
            if client.get(url, params).status_code >= 500:
                failures.append(f"GET {url}")
        for body in bodies:
            response = client.post(url, json.dumps(body), content_type="application/json")
            if response.status_code >= 500:
                failures.append(f"POST {url} {json.dumps(body)[:80]}")
            codes.add(response.status_code)
    assert failures == []
    assert 201 in codes and 400 in codes  # the token was accepted: the bodies reached the checks
