"""People of two regions for the «Сотрудники» tests: the personas' region with a region
administrator who is not a superuser, and a second region with its own administrator and school."""

import re
from dataclasses import dataclass

import pytest

from otklik.accounts.models import User
from otklik.accounts.roles import Role
from otklik.orgs.models import Organization
from otklik.testing import Personas, make_org, make_region, make_staff


@dataclass
class People:
    p: Personas
    admin: User  # the region's administrator (in the ministry, so the whole region)
    other_region: object
    other_admin: User
    other_school: Organization
    other_executor: User


@pytest.fixture
def people(personas) -> People:
    other = make_region(code="other", name="Другая область")
    other_ministry = make_org(
        other, Organization.Kind.MINISTRY, code="OMIN", name="Министерство Другой области"
    )
    other_school = make_org(
        other, Organization.Kind.SCHOOL, other_ministry, code="OSCH1", name="Школа Другой области"
    )
    personas.body_a.code, personas.school_a.code, personas.school_b.code = "UO-A", "SCH-A1", "SCH-B2"
    for org in (personas.body_a, personas.school_a, personas.school_b):
        org.save(update_fields=["code"])
    return People(
        p=personas,
        admin=make_staff(
            personas.ministry, Role.ADMIN, "region_admin", last_name="Регионова", email="ra@example.ru"
        ),
        other_region=other,
        other_admin=make_staff(other_ministry, Role.ADMIN, "other_admin", email="oa@example.ru"),
        other_school=other_school,
        other_executor=make_staff(other_school, Role.EXECUTOR, "other_exec", email="oe@example.ru"),
    )


LINK = re.compile(r"http://[^/\s]+(/accounts/password/set/[^\s]+/)")


def link_in(message) -> str:
    """The path of the set-password link in a letter."""
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)
