"""Every non-trivial read of incidents: what a person may see, the workspace queues, the figures."""

import statistics
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from otklik.accounts.roles import Role
from otklik.accounts.selectors import scoped, user_memberships, user_roles
from otklik.appeals.selectors import topic_q
from otklik.incidents.models import Incident, Network, VkSource
from otklik.incidents.statuses import DEADLINE_RUNNING, Status
from otklik.orgs.selectors import subtree_q

STAFF_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.ANALYST, Role.MONITOR}
WORK_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR}
# Who may register posts by the form and import monitoring exports.
INTAKE_ROLES = WORK_ROLES | {Role.MONITOR}
COORDINATION_ROLES = {Role.ADMIN, Role.COORDINATOR}
# Who sees and edits what the VK collector watches: the region's monitoring operators and admins.
MONITORING_ROLES = {Role.ADMIN, Role.MONITOR}
QUEUES = {
    "new": "Новые",
    "mine": "Мои в работе",
    "due_soon": "Срок истекает",
    "overdue": "Просроченные",
    "answered": "С ответом",
    "all": "Все",
}
DUE_SOON = timedelta(hours=2)
FILTERS = ("network", "territory", "topic", "status", "source")


def incidents_for_staff(*, user, region=None) -> QuerySet[Incident]:
    """Incidents of the organizations in the user's subtrees; coordinators also see unrouted ones;
    a monitoring operator sees every incident of the regions he works in, routed anywhere or not.
    The views pass the request's `region`: nothing of another region shows."""
    qs = Incident.objects.select_related(
        "region", "organization", "topic", "topic_suggested", "territory", "policy", "executor", "appeal"
    )
    if region is not None:
        qs = qs.filter(region=region)
    visible = scoped(qs, user=user, roles=STAFF_ROLES - {Role.MONITOR}, org_field="organization")
    if user.is_superuser or user_roles(user=user) & COORDINATION_ROLES:
        visible = visible | qs.filter(organization__isnull=True)
    regions = {m.organization.region_id for m in user_memberships(user=user) if m.role == Role.MONITOR}
    if regions:
        visible = visible | qs.filter(region_id__in=regions)
    return visible.distinct()


def incident_queue(
    *, user, queue: str, region=None, search: str = "", filters: dict | None = None
) -> QuerySet[Incident]:
    """One queue of the workspace in `region`, narrowed by search and `filters` (network and status
    codes, how it came in (`source`: the form, an import, the API, the VK collector), territory and topic ids; a topic group also matches its sub-topics, suggested or confirmed)."""
    qs = incidents_for_staff(user=user, region=region)
    now = timezone.now()
    filters = filters or {}
    if filters.get("network"):
        qs = qs.filter(network=filters["network"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("territory"):
        qs = qs.filter(territory_id=filters["territory"])
    if filters.get("topic"):
        qs = qs.filter(topic_q(filters["topic"]))
    if queue == "new":
        qs = qs.filter(status=Status.NEW)
    elif queue == "mine":
        qs = qs.filter(executor=user, status__in=DEADLINE_RUNNING)
    elif queue == "due_soon":
        qs = qs.filter(status__in=DEADLINE_RUNNING, due_at__gte=now, due_at__lte=now + DUE_SOON)
    elif queue == "overdue":
        qs = qs.filter(Q(overdue=True) | Q(due_at__lt=now), status__in=DEADLINE_RUNNING)
    elif queue == "answered":
        qs = qs.filter(status__in=[Status.ANSWERED, Status.CLOSED], answered_at__isnull=False)
    if search:
        qs = qs.filter(
            Q(text__icontains=search) | Q(url__icontains=search) | Q(author_nickname__icontains=search)
        )
    if queue in {"new", "mine", "due_soon", "overdue"}:
        return qs.order_by("-urgent", "due_at")
    return qs.order_by("-found_at")


def incident_reply_draft(*, incident: Incident) -> str:
    """The public-reply template of the incident's topic (or its section), filled in: the
    responsible body (the region's top body while unrouted), the topic and where to write a formal
    appeal. Empty when the topic has no template."""
    from django.conf import settings
    from django.urls import reverse

    from otklik.routing.replies import reply_fill
    from otklik.routing.services import ministry_of

    topic = incident.topic or incident.topic_suggested
    template = topic.reply_template_or_parent if topic is not None else ""
    if not template:
        return ""
    organization = incident.organization or ministry_of(incident.region)
    return reply_fill(
        template,
        organization=str(organization) if organization else "орган управления образованием",
        topic=topic.name,
        link=f"{settings.SITE_URL}{reverse('appeals:new')}",
    )


def incident_timeline(*, incident: Incident) -> QuerySet:
    return incident.events.select_related("actor").order_by("at", "pk")


def _labelled_counts(qs: QuerySet, field: str, labels: dict) -> list[tuple[str, int]]:
    rows = qs.values(field).annotate(n=Count("pk")).order_by("-n")
    return [(labels.get(row[field], "не определено"), row["n"]) for row in rows]


def incident_figures(
    *,
    user=None,
    region=None,
    since: datetime,
    until: datetime,
    territory_id: int | None = None,
    topic_id: int | None = None,
    organization_id: int | None = None,
) -> dict:
    """Figures of the incidents of `region` found in [since, until) that the user may see (with no
    user: every incident of `region`, for the weekly report), narrowed like the dashboard's appeals
    to a territory, a topic group (its sub-topics too, suggested while unconfirmed) and an
    organization's subtree: counts by network, topic and territory, the median reaction time
    (found → reply published), the share of replies in time among incidents whose term has ended or
    that were answered, and how many are overdue now whenever they were found."""
    visible = incidents_for_staff(user=user) if user is not None else Incident.objects.filter(region=region)
    if region is not None:
        visible = visible.filter(region=region)
    if territory_id:
        visible = visible.filter(territory_id=territory_id)
    if topic_id:
        visible = visible.filter(topic_q(topic_id))
    if organization_id:
        visible = visible.filter(subtree_q(organization_id=organization_id))
    qs = visible.filter(found_at__gte=since, found_at__lt=until)
    now = timezone.now()
    from otklik.orgs.models import Territory
    from otklik.routing.models import Topic

    topic_ids = set(qs.values_list("topic_id", flat=True)) | set(
        qs.values_list("topic_suggested_id", flat=True)
    )
    topics = {t.pk: str(t) for t in Topic.objects.filter(pk__in=topic_ids - {None})}
    territories = dict(Territory.objects.filter(incidents__in=qs).values_list("pk", "name").distinct())
    by_topic: dict[str, int] = {}
    for topic_id, suggested_id in qs.values_list("topic_id", "topic_suggested_id"):
        label = topics.get(topic_id or suggested_id, "не определена")
        by_topic[label] = by_topic.get(label, 0) + 1
    answered = list(qs.filter(answered_at__isnull=False).values_list("found_at", "answered_at", "due_at"))
    hours = [(a - f).total_seconds() / 3600 for f, a, _ in answered]
    in_time = sum(1 for _, a, due in answered if due is None or a <= due)
    late_open = qs.filter(status__in=DEADLINE_RUNNING, due_at__lt=now).count()
    judged = len(answered) + late_open
    return {
        "total": qs.count(),
        "by_network": _labelled_counts(qs, "network", dict(Network.choices)),
        "by_status": _labelled_counts(qs, "status", dict(Status.choices)),
        "by_topic": sorted(by_topic.items(), key=lambda item: -item[1]),
        "by_territory": _labelled_counts(qs, "territory", territories),
        "answered": len(answered),
        "median_reaction_hours": round(statistics.median(hours), 1) if hours else None,
        "in_time": in_time,
        "judged": judged,
        "in_time_share": round(100 * in_time / judged) if judged else None,
        "overdue_open": late_open,
        "overdue_now": visible.filter(status__in=DEADLINE_RUNNING, due_at__lt=now).count(),
        "no_reaction": qs.filter(no_reaction_reason__gt="").count(),
        "converted": qs.filter(appeal__isnull=False).count(),
    }


def vk_sources_overview(*, region) -> QuerySet[VkSource]:
    """The region's watched VK pages with the incidents each gave in the last seven days."""
    since = timezone.now() - timedelta(days=7)
    return (
        VkSource.objects.filter(region=region)
        .select_related("territory")
        .annotate(found_week=Count("incidents", filter=Q(incidents__created_at__gte=since)))
        .order_by("name", "pk")
    )
