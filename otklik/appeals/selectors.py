from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from otklik.accounts.models import CitizenIdentity
from otklik.accounts.roles import Role
from otklik.accounts.selectors import scoped, user_roles
from otklik.appeals.models import Appeal, AppealEvent
from otklik.appeals.statuses import DEADLINE_RUNNING, OPEN_STATUSES, Status

STAFF_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.ANALYST}
QUEUES = {
    "moderation": "На модерации",
    "returned": "Возвращённые исполнителями",
    "new": "Новые",
    "mine": "Мои в работе",
    "due_soon": "Срок истекает",
    "overdue": "Просроченные",
    "answered": "Ждут оценки",
    "all": "Все",
}


def appeals_for_staff(*, user, region=None) -> QuerySet[Appeal]:
    """Appeals of the organizations in the user's subtrees; coordinators also see unrouted ones.
    The views pass the request's `region`: a region's staff never see another region's appeals."""
    qs = Appeal.objects.select_related(
        "organization", "topic", "topic_suggested", "territory", "policy", "executor"
    )
    if region is not None:
        qs = qs.filter(region=region)
    roles = user_roles(user=user)
    visible = scoped(qs, user=user, roles=STAFF_ROLES, org_field="organization")
    if user.is_superuser or Role.COORDINATOR in roles or Role.ADMIN in roles:
        unrouted = qs.filter(organization__isnull=True)
        return (visible | unrouted).distinct()
    return visible


def open_appeals_of_executor(*, executor, region) -> QuerySet[Appeal]:
    """Appeals of `region` not yet closed whose executor is `executor`: what is left behind when a
    person is switched off (the «Сотрудники» screen warns with them)."""
    return (
        Appeal.objects.filter(region=region, executor=executor, status__in=OPEN_STATUSES)
        .select_related("organization")
        .order_by("due_at", "pk")
    )


def answer_rated(*, appeal: Appeal) -> bool:
    """Whether the citizen has rated the current answer: a rating is given once per answer, and an
    escalation's new answer (a later `answered_at`) may be rated again."""
    if appeal.answered_at is None or appeal.rating is None:
        return False
    rated = appeal.events.filter(kind="rated")
    # By event order, not time: an escalation's answer may come within the same clock tick.
    answered = appeal.events.filter(kind="answered").order_by("-pk").values_list("pk", flat=True).first()
    if answered is None:  # an answer recorded without its event (imported history)
        return rated.filter(at__gte=appeal.answered_at).exists()
    return rated.filter(pk__gt=answered).exists()


FILTERS = ("channel", "kind", "topic", "territory", "organization")


def topic_q(topic_id: int) -> Q:
    """Rows of a topic or of its sub-topics, confirmed or (while unconfirmed) suggested."""
    return (
        Q(topic_id=topic_id)
        | Q(topic__parent_id=topic_id)
        | Q(topic__isnull=True, topic_suggested_id=topic_id)
        | Q(topic__isnull=True, topic_suggested__parent_id=topic_id)
    )


def appeal_queue(
    *, user, queue: str, region=None, search: str = "", filters: dict | None = None
) -> QuerySet[Appeal]:
    """One queue of the workspace in `region`, narrowed by search and by `filters` (ids, a
    channel or kind code; a topic group also matches its sub-topics, suggested or confirmed)."""
    qs = appeals_for_staff(user=user, region=region)
    now = timezone.now()
    filters = filters or {}
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("topic"):
        qs = qs.filter(topic_q(filters["topic"]))
    if filters.get("territory"):
        qs = qs.filter(territory_id=filters["territory"])
    if filters.get("organization"):
        qs = qs.filter(organization_id=filters["organization"])
    if queue == "moderation":
        qs = qs.filter(status=Status.MODERATION)
    elif queue == "returned":
        qs = qs.filter(status=Status.MODERATION, events__kind="returned").distinct()
    elif queue == "new":
        qs = qs.filter(status=Status.ASSIGNED)
    elif queue == "mine":
        qs = qs.filter(executor=user, status__in=DEADLINE_RUNNING)
    elif queue == "due_soon":
        qs = qs.filter(status__in=DEADLINE_RUNNING, due_at__gte=now, due_at__lte=now + timedelta(days=3))
    elif queue == "overdue":
        qs = qs.filter(Q(overdue=True) | Q(due_at__lt=now), status__in=DEADLINE_RUNNING)
    elif queue == "answered":
        qs = qs.filter(status=Status.ANSWERED)
    if search:
        qs = qs.filter(
            Q(number__icontains=search) | Q(text__icontains=search) | Q(author_name__icontains=search)
        )
    order = "due_at" if queue in {"due_soon", "overdue", "new", "mine"} else "-registered_at"
    return qs.order_by(order)


def appeal_timeline(*, appeal: Appeal, public_only: bool) -> QuerySet:
    events = appeal.events.select_related("actor").order_by("at", "pk")
    return events.filter(public=True) if public_only else events


# A coordinator chose where the appeal goes: assigned from moderation, reassigned, or redirected
# «не по компетенции». Rules routing an appeal (automatically or on a staff-confirmed topic) are not.
HAND_CHOICE = Q(kind="routed", data__by_hand=True) | Q(kind="redirected")


def appeal_coordinator(*, appeal: Appeal):
    """Who coordinates the appeal, for the card's contacts: the coordinator who assigned it; else
    (routed automatically, or that person has left) the nearest active coordinator up the
    organization tree (one query over the organization's path)."""
    from otklik.accounts.models import Membership

    if appeal.coordinator_id and appeal.coordinator.is_active:
        return appeal.coordinator
    if appeal.organization_id is None:
        return None
    chain = appeal.organization.lineage_ids
    found = {}
    for m in (
        Membership.objects.filter(organization_id__in=chain, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ):
        found.setdefault(m.organization_id, m.user)
    return next((found[pk] for pk in reversed(chain) if pk in found), None)


@dataclass(frozen=True)
class HandChoice:
    appeal_id: int
    topic_id: int | None  # confirmed, else suggested
    territory_id: int | None
    organization_id: int | None  # None: redirected outside the region's organizations
    outside: str = ""  # where it was redirected, when outside


def appeal_hand_choices(*, region) -> list[HandChoice]:
    """The last organization a coordinator chose by hand for each (real) appeal of the region.

    A redirect names the body in free text: when the text is the name of one of the region's
    organizations it counts as that organization, otherwise as a destination outside the system.
    """
    from otklik.orgs.models import Organization

    rows = (
        AppealEvent.objects.filter(HAND_CHOICE, appeal__region=region, appeal__is_synthetic=False)
        .order_by("appeal_id", "at", "pk")
        .values_list(
            "appeal_id",
            "kind",
            "data",
            "appeal__topic_id",
            "appeal__topic_suggested_id",
            "appeal__territory_id",
        )
    )
    last = {row[0]: row for row in rows}
    orgs = Organization.objects.filter(region=region).values_list("pk", "code", "name", "short_name")
    by_code = {code: pk for pk, code, _, _ in orgs}
    by_name = {n.casefold(): pk for pk, _, name, short in orgs for n in (name, short) if n}
    choices = []
    for appeal_id, kind, data, topic_id, suggested_id, territory_id in last.values():
        if kind == "routed":
            organization_id, outside = by_code.get(data.get("organization")), ""
        else:
            outside = (data.get("to") or "").strip()
            organization_id = by_name.get(outside.casefold())
        choices.append(
            HandChoice(
                appeal_id,
                topic_id or suggested_id,
                territory_id,
                organization_id,
                "" if organization_id else outside,
            )
        )
    return choices


def learning_history(region_id: int) -> QuerySet[Appeal]:
    """The appeals a region's models learn from: real ones only — unless the region has none at all
    (a demo installation), where the labelled synthetic history stands in, so that the demo shows
    the learned suggestions working."""
    appeals = Appeal.objects.filter(region_id=region_id)
    if appeals.filter(is_synthetic=False).exists():
        return appeals.filter(is_synthetic=False)
    return appeals


def appeals_of_email(*, email: str) -> QuerySet[Appeal]:
    """A citizen's appeals found by the e-mail they gave (in the form, or as a channel identity),
    newest first, in every region of the installation.

    Case does not matter. Each side is one lookup on an index of the lower-cased address
    (migrations appeals 0011, accounts 0005), so the page stays fast with millions of appeals."""
    email = (email or "").strip().lower()
    if not email:
        return Appeal.objects.none()
    by_contact = list(
        Appeal.objects.alias(email_lower=Lower("contact_email"))
        .filter(email_lower=email)
        .order_by()
        .values_list("pk", flat=True)
    )
    citizens = list(
        CitizenIdentity.objects.alias(value_lower=Lower("value"))
        .filter(value_lower=email, channel=CitizenIdentity.Channel.EMAIL)
        .values_list("citizen_id", flat=True)
    )
    return (
        Appeal.objects.filter(Q(pk__in=by_contact) | Q(citizen_id__in=citizens))
        .select_related("region", "topic")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class WidgetUse:
    """Appeals that came through the widget on one organization's site (the ПОС «виджеты
    размещены» counts an organization whose widget brought appeals)."""

    last_year: int
    last_at: object  # datetime | None


def widget_use(*, organization) -> WidgetUse:
    since = timezone.now() - timedelta(days=365)
    figures = Appeal.objects.filter(widget_organization=organization).aggregate(
        last_year=Count("pk", filter=Q(registered_at__gte=since)), last_at=Max("registered_at")
    )  # one query for both
    return WidgetUse(figures["last_year"], figures["last_at"])
