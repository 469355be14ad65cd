"""Plain factory functions and the personas every test module can use."""

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from otklik.accounts.models import Citizen, User
from otklik.accounts.roles import Role
from otklik.accounts.services import citizen_get_or_create, staff_user_create
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.services import organization_create

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixture
# Browser tests (fixtures `browser` and `staff_page` in otklik/conftest.py) are transactional like
# the bot's end-to-end test: whichever runs after another needs the rows that migrations ship
# (deadline policies, the calendar) restored after the other's flush.
BROWSER_TEST = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
_seq = itertools.count(1)


def make_region(**kw) -> Region:
    n = next(_seq)
    defaults = {
        "code": f"R{n}",
        "name": f"Тестовая область {n}",
        "timezone": "Asia/Yekaterinburg",
        "appeal_prefix": "TO",
    }
    return Region.objects.create(**{**defaults, **kw})


def make_territory(region: Region, **kw) -> Territory:
    n = next(_seq)
    defaults = {"code": f"T{n}", "name": f"Тестовый район {n}", "population": 10000, "pupils": 1200}
    return Territory.objects.create(region=region, **{**defaults, **kw})


def make_org(region: Region, kind: str, parent: Organization | None = None, **kw) -> Organization:
    n = next(_seq)
    return organization_create(
        region=region,
        code=kw.pop("code", f"ORG{n}"),
        name=kw.pop("name", f"Организация {n}"),
        kind=kind,
        parent=parent,
        **kw,
    )


def make_staff(org: Organization, role: str, username: str | None = None, **kw) -> User:
    return staff_user_create(
        username=username or f"user{next(_seq)}",
        password=PASSWORD,
        organization=org,
        role=role,
        validate=False,
        **kw,
    )


@dataclass
class Personas:
    region: Region
    territory_a: Territory
    territory_b: Territory
    ministry: Organization
    body_a: Organization
    body_b: Organization
    school_a: Organization
    school_b: Organization
    admin: User
    coordinator: User
    executor_a: User
    executor_b: User
    analyst: User
    editor: User
    citizen: Citizen


def make_personas() -> Personas:
    region = make_region()
    ta = make_territory(region, name="Северный район")
    tb = make_territory(region, name="Южный район")
    ministry = make_org(region, Organization.Kind.MINISTRY, name="Министерство образования")
    body_a = make_org(
        region, Organization.Kind.MUNICIPAL_BODY, ministry, territory=ta, name="Управление образования А"
    )
    body_b = make_org(
        region, Organization.Kind.MUNICIPAL_BODY, ministry, territory=tb, name="Управление образования Б"
    )
    school_a = make_org(region, Organization.Kind.SCHOOL, body_a, territory=ta, name="Школа № 1 (А)")
    school_b = make_org(region, Organization.Kind.SCHOOL, body_b, territory=tb, name="Школа № 2 (Б)")
    admin = make_staff(ministry, Role.ADMIN, "p_admin")
    admin.is_superuser = True
    admin.is_staff = True
    admin.save()
    citizen, _ = citizen_get_or_create(channel="telegram", value="100500", display_name="Анна")
    return Personas(
        region=region,
        territory_a=ta,
        territory_b=tb,
        ministry=ministry,
        body_a=body_a,
        body_b=body_b,
        school_a=school_a,
        school_b=school_b,
        admin=admin,
        coordinator=make_staff(ministry, Role.COORDINATOR, "p_coordinator"),
        executor_a=make_staff(body_a, Role.EXECUTOR, "p_executor_a"),
        executor_b=make_staff(body_b, Role.EXECUTOR, "p_executor_b"),
        analyst=make_staff(ministry, Role.ANALYST, "p_analyst"),
        editor=make_staff(ministry, Role.EDITOR, "p_editor"),
        citizen=citizen,
    )


def run_due_tasks(max_rounds: int = 10) -> int:
    """Run every queued task whose time has come, in this process and this transaction.

    The real worker (`otklik worker`) closes its database connection between tasks, which would
    end a test's transaction; this runs the same task functions the same way, minus that.
    Tasks enqueued by a task run in the next round. Returns how many tasks ran.
    """
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for _ in range(max_rounds):
        ready = list(DBTaskResult.objects.ready().order_by("run_after", "enqueued_at"))
        if not ready:
            break
        for result in ready:
            result.claim("test-runner")
            try:
                value = result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            except Exception as exc:
                result.set_failed(exc)
                raise
            result.set_successful(value)
            ran += 1
    return ran


APPEAL_TEXT = (
    "Прошу разобраться: в школе № 1 Северного района с октября холодно в классах, дети сидят в куртках."
)


def make_topics_and_routing(personas: Personas) -> Personas:
    """A small topic tree (12 → 12.01 heating, 12.02 repairs) and default routing: the territory's
    municipal body, else the ministry. Resets the classifier so it learns this tree, and the
    executor router so it learns this region's history."""
    from otklik.appeals import classifier, executors
    from otklik.routing.models import RoutingRule, Topic

    region = personas.region
    parent = Topic.objects.create(
        region=region, code="12", name="Условия проведения образовательного процесса"
    )
    Topic.objects.create(
        region=region,
        code="12.01",
        parent=parent,
        name="Температурный режим и отопление",
        description="Холодно в классах, нет отопления",
        keywords=["холодно", "отопление"],
    )
    Topic.objects.create(
        region=region,
        code="12.02",
        parent=parent,
        name="Ремонт зданий",
        description="Ремонт, течёт крыша",
        keywords=["ремонт", "крыша"],
    )
    RoutingRule.objects.create(region=region, level="municipal_body", priority=200)
    RoutingRule.objects.create(region=region, level="ministry", priority=201)
    classifier.reset()
    executors.reset()
    return personas


def make_week_of_incidents(personas: Personas):
    """Five incidents around the week 02–08.03.2026 (Asia/Yekaterinburg) of body A, for figures tests.
    Call inside `time_machine.travel(INCIDENT_WEEK_NOW)`. Found in the week: 4; answered: 2 (2 h in
    time, 24 h late); one open past its term; one older open past its term; one fresh and in term.
    Reaction median 13 h, in time 1 of 3 judged, overdue now 2."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from otklik.incidents.models import Incident
    from otklik.incidents.services import incident_register
    from otklik.incidents.statuses import Status
    from otklik.routing.models import Topic

    tz = ZoneInfo(personas.region.timezone)

    def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
        return datetime(2026, month, day, hour, minute, tzinfo=tz)

    rows = [
        ("https://vk.com/wall-1_1", at(3, 10), Status.ANSWERED, at(3, 12), at(3, 18)),
        ("https://vk.com/wall-1_2", at(4, 10), Status.ANSWERED, at(5, 10), at(4, 18)),
        ("https://t.me/demo/3", at(6, 10), Status.NEW, None, at(6, 18)),
        ("https://ok.ru/group/1/topic/4", at(20, 10, month=2), Status.IN_WORK, None, at(20, 18, month=2)),
        ("https://vk.com/wall-1_5", at(8, 23, 30), Status.NEW, None, at(8, 23, 30) + timedelta(hours=19)),
    ]
    incidents = []
    for url, found, status, answered, due in rows:
        incident, _ = incident_register(
            region=personas.region,
            url=url,
            text="В школе течёт крыша, ремонт не делали три года.",
            found_at=found,
            topic=Topic.objects.get(code="12.02"),
            territory=personas.territory_a,
        )
        Incident.objects.filter(pk=incident.pk).update(
            status=status, answered_at=answered, due_at=due, organization=personas.body_a
        )
        incidents.append(incident)
    return incidents


INCIDENT_WEEK_NOW = "2026-03-09T08:00:00+05:00"


class FakeApiHandler(BaseHTTPRequestHandler):
    """Base of the stand-ins for external HTTP APIs (Telegram Bot API, VK API) in tests: a subclass
    reads the request in `do_POST` and replies with `self.reply(status, payload)`."""

    def reply(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers["Content-Length"]))

    def log_message(self, *args):
        pass


@contextmanager
def fake_api(handler: type[FakeApiHandler]) -> Iterator[str]:
    """Serve `handler` on a free port of 127.0.0.1 (a real socket, a thread per request); yields
    its base URL `http://127.0.0.1:<port>`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
