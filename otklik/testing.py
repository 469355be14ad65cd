"""Plain factory functions and the personas every test module can use."""

import itertools
from dataclasses import dataclass

from otklik.accounts.models import Citizen, User
from otklik.accounts.roles import Role
from otklik.accounts.services import citizen_get_or_create, staff_user_create
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.services import organization_create

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixture
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
    municipal body, else the ministry. Resets the classifier so it learns this tree."""
    from otklik.appeals import classifier
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
    return personas
