"""Roles: the monitoring operator holds incident intake only, never appeal rights."""

from otklik.accounts.roles import Role
from otklik.accounts.selectors import user_primary_role
from otklik.analytics.selectors import ANALYTICS_ROLES
from otklik.appeals.selectors import STAFF_ROLES as APPEAL_ROLES
from otklik.incidents.selectors import INTAKE_ROLES, STAFF_ROLES, WORK_ROLES
from otklik.testing import make_staff


def test_the_monitoring_operator_is_a_role_of_its_own():
    assert Role("monitor").label == "оператор мониторинга"
    assert Role.MONITOR in INTAKE_ROLES and Role.MONITOR in STAFF_ROLES
    assert Role.MONITOR not in WORK_ROLES | APPEAL_ROLES | set(ANALYTICS_ROLES)


def test_home_is_the_monitor_desk_only_when_nothing_weightier_is_held(personas):
    monitor = make_staff(personas.ministry, Role.MONITOR, "p_monitor")
    assert user_primary_role(user=monitor) == Role.MONITOR
    from otklik.accounts.services import membership_grant

    membership_grant(user=monitor, organization=personas.body_a, role=Role.EXECUTOR)
    monitor._otklik_memberships = None
    assert user_primary_role(user=monitor) == Role.EXECUTOR
