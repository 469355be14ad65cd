"""What the retention periods make due: appeals, chat conversations and incidents whose personal data
the purpose no longer needs (152-ФЗ art. 5 p. 7). Each returns a query set; callers walk it by id in
batches, never all at once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from otklik.appeals.models import Appeal
from otklik.appeals.statuses import OPEN_STATUSES, Status
from otklik.dialogue.models import Conversation
from otklik.incidents.models import Incident
from otklik.incidents.statuses import Status as IncidentStatus

# A depersonalised conversation keeps its row (the bot's user count) under this channel id.
REMOVED_CHAT_PREFIX = "обезличено-"
FINISHED_APPEAL = [s for s in Status if s not in OPEN_STATUSES]


def appeal_finished_at(appeal: Appeal) -> datetime | None:
    """When the appeal's purpose was fulfilled: closed (rated, redirected, merged) or, for an answer
    never rated, answered — nothing else closes such an appeal, and its data must not stay forever.
    None while the appeal is being considered (an escalation reopens it)."""
    if appeal.status in FINISHED_APPEAL:
        return appeal.closed_at
    if appeal.status == Status.ANSWERED:
        return appeal.answered_at
    return None


def _period(days: int | None) -> timedelta | None:
    return timedelta(days=days) if days else None


def appeal_period() -> timedelta | None:
    return _period(settings.PD_RETENTION_APPEAL_DAYS)


def chat_period() -> timedelta | None:
    return _period(settings.PD_RETENTION_CHAT_DAYS)


def incident_period() -> timedelta | None:
    return _period(settings.PD_RETENTION_INCIDENT_DAYS)


def appeals_due(*, now: datetime, region=None) -> QuerySet[Appeal]:
    """Finished appeals whose retention period has ended and whose data are still there."""
    period = appeal_period()
    if period is None:
        return Appeal.objects.none()
    cutoff = now - period
    qs = Appeal.objects.filter(depersonalised_at__isnull=True).filter(
        Q(status__in=FINISHED_APPEAL, closed_at__lte=cutoff)
        | Q(status=Status.ANSWERED, answered_at__lte=cutoff)
    )
    return qs.filter(region=region) if region is not None else qs


def conversations_due(*, now: datetime, region=None) -> QuerySet[Conversation]:
    """Conversations silent for the period, of citizens without an appeal under consideration, and not
    subscribed to news (a subscription is the citizen's standing wish to hear from the bot: its chat id
    is still needed; a blocked bot unsubscribes them)."""
    period = chat_period()
    if period is None:
        return Conversation.objects.none()
    open_appeal = Appeal.objects.filter(
        citizen_id=OuterRef("citizen_id"), citizen__isnull=False, status__in=OPEN_STATUSES
    )
    qs = (
        Conversation.objects.annotate(last_activity=Coalesce("last_seen_at", "updated_at"))
        .filter(last_activity__lte=now - period, subscriptions__isnull=True)
        .exclude(channel_user__startswith=REMOVED_CHAT_PREFIX)
        .exclude(Exists(open_appeal))
    )
    return qs.filter(region=region) if region is not None else qs


def incidents_due(*, now: datetime, region=None) -> QuerySet[Incident]:
    period = incident_period()
    if period is None:
        return Incident.objects.none()
    qs = Incident.objects.filter(
        depersonalised_at__isnull=True, status=IncidentStatus.CLOSED, closed_at__lte=now - period
    )
    return qs.filter(region=region) if region is not None else qs
