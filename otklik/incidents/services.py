"""Every write to an incident: registration, correction, work, public reply, deadlines, conversion.

Each service owns its transaction, writes the history event in it and schedules the deadline
tasks (reminder, missed-deadline check) to run after the commit.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from otklik.appeals.models import Appeal, Channel
from otklik.incidents import events
from otklik.incidents.models import Incident, IncidentExternalId, Network, ReplyPublication, Source
from otklik.incidents.statuses import DEADLINE_RUNNING, Status, can_transition
from otklik.lib.params import too_long
from otklik.orgs.models import Region, Territory
from otklik.routing.deadlines import answer_due, reminder_at
from otklik.routing.models import DeadlinePolicy, Topic
from otklik.routing.services import route

MAX_TEXT = 20000
MIN_REPLY = 10
POLICY = "incident"
POLICY_URGENT = "incident_urgent"
# Clocks of monitoring systems drift: a moment a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
# Host → network, for a URL registered without naming its network.
HOSTS = {
    "vk.com": Network.VK,
    "vk.ru": Network.VK,
    "t.me": Network.TELEGRAM,
    "telegram.me": Network.TELEGRAM,
    "ok.ru": Network.OK,
}


class IncidentError(ValidationError):
    """A refused step, with a Russian reason for the person who tried it."""


# --- helpers -------------------------------------------------------------------------------------


def normalize_url(raw: str, *, field: str = "url") -> str:
    """The canonical form of a post's address, so that the same post is one incident: https, host
    in lower case without `www.`/`m.`, no fragment, no trailing slash (the query is kept: VK puts
    the post id there)."""
    raw = (raw or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(raw)
    except ValidationError as exc:
        raise IncidentError({field: "Укажите адрес публикации целиком: https://…"}) from exc
    if len(raw) > 500:
        raise IncidentError({field: "Адрес длиннее 500 символов."})
    parts = urlsplit(raw)
    host = parts.netloc.lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    return urlunsplit(("https", host, parts.path.rstrip("/"), parts.query, ""))


def network_of(url: str) -> str:
    return HOSTS.get(urlsplit(url).netloc, Network.OTHER)


def _transition(incident: Incident, new: str) -> None:
    """The only writer of `Incident.status`."""
    if incident.status and not can_transition(incident.status, new):
        raise IncidentError(
            f"Нельзя перевести инцидент из статуса «{Status(incident.status).label}» в «{Status(new).label}»."
        )
    incident.status = new


def _policy(*, urgent: bool) -> DeadlinePolicy:
    return DeadlinePolicy.objects.get(code=POLICY_URGENT if urgent else POLICY)


def _is_urgent_topic(topic: Topic | None) -> bool:
    return topic is not None and (topic.urgent or (topic.parent_id is not None and topic.parent.urgent))


def _set_deadline(incident: Incident) -> None:
    """Compute the reaction deadline from the moment monitoring found the post; schedule its tasks."""
    incident.due_at = answer_due(
        policy=incident.policy, start_at=incident.found_at, tz_name=incident.region.timezone
    )
    incident.overdue = False
    incident_schedule_deadline(incident)


def incident_schedule_deadline(incident: Incident) -> None:
    """Reminder and missed-deadline tasks, run by the worker at their moment (after the commit).

    A task carries the deadline it was scheduled for; if the deadline has moved or the incident
    has been answered since, it does nothing."""
    if incident.due_at is None:
        return
    from otklik.incidents import tasks

    due = incident.due_at
    remind = reminder_at(policy=incident.policy, due_at=due, start_at=incident.found_at)

    def enqueue():
        tasks.incident_deadline_reminder.using(run_after=remind).enqueue(incident.pk, due.isoformat())
        tasks.incident_deadline_check.using(run_after=due).enqueue(incident.pk, due.isoformat())

    transaction.on_commit(enqueue)


def _check_moment(value: datetime | None, field: str, now: datetime) -> None:
    if value is not None and value > now + CLOCK_SKEW:
        raise IncidentError({field: "Дата в будущем."})


# --- intake --------------------------------------------------------------------------------------


@transaction.atomic
def incident_register(
    *,
    region: Region,
    url: str,
    text: str,
    network: str = "",
    author_nickname: str = "",
    published_at: datetime | None = None,
    found_at: datetime | None = None,
    territory: Territory | None = None,
    topic: Topic | None = None,
    urgent: bool = False,
    source: str = Source.FORM,
    actor=None,
    is_synthetic: bool = False,
    external_source: str = "",
    external_id: str = "",
    vk_source=None,
) -> tuple[Incident, bool]:
    """Register a post found by monitoring; suggest its topic and territory; route it; start the clock.

    Returns (incident, created). The same post (same address after `normalize_url`) is never a
    second incident: the existing one is returned and the repeat is written to its history.
    `topic` and `territory` are what staff chose; otherwise they are suggested from the text.
    An `external_id` already received from `external_source` is a retry: the same incident comes
    back and nothing is counted; the same id for another post is refused. `vk_source` is the
    monitored VK page the collector found the post on.
    """
    url = normalize_url(url)
    external_id = (external_id or "").strip()
    if len(external_id) > 100:  # cut, two ids would be one: a new sighting taken for a retry or a 409
        raise IncidentError({"external_id": "Номер в системе мониторинга — не длиннее 100 символов."})
    external = (external_source[:40], external_id)
    existing = Incident.objects.select_for_update().filter(url=url).first()
    if external[1] and (retried := _retried(existing, url, *external)) is not None:
        return retried, False
    if existing is not None:
        return _repeat(existing, actor=actor, external=external), False
    text = (text or "").strip()
    author_nickname = (author_nickname or "").strip()
    fields = {}
    if problem := too_long(author_nickname, 200, "Ник автора"):
        fields["author_nickname"] = problem
    if not text:
        fields["text"] = "Вставьте текст публикации или комментария."
    elif len(text) > MAX_TEXT:
        fields["text"] = f"Текст длиннее {MAX_TEXT} символов."
    network = network or network_of(url)
    if network not in Network.values:
        fields["network"] = f"Социальная сеть — одна из: {', '.join(Network.values)}."
    if fields:
        raise IncidentError(fields)
    now = timezone.now()
    found = found_at or now
    _check_moment(found, "found_at", now)
    _check_moment(published_at, "published_at", now)
    if published_at and published_at > found:
        raise IncidentError({"published_at": "Дата публикации позже даты, когда её нашли."})
    from otklik.appeals.classifier import find_territory, suggest_topic

    suggested, confidence = (topic, 1.0) if topic else suggest_topic(region_id=region.pk, text=text)
    if territory is None:
        territory, _ = find_territory(region_id=region.pk, text=text)
    urgent = urgent or _is_urgent_topic(topic or suggested)
    incident = Incident(
        region=region,
        network=network,
        url=url,
        author_nickname=author_nickname,
        text=text,
        published_at=published_at,
        found_at=found,
        source=source,
        territory=territory,
        topic_suggested=suggested,
        topic_confidence=confidence,
        topic=topic,
        status=Status.NEW,
        urgent=urgent,
        policy=_policy(urgent=urgent),
        is_synthetic=is_synthetic,
        vk_source=vk_source,
    )
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError:  # registered by a concurrent request a moment ago
        existing = Incident.objects.select_for_update().get(url=url)
        if external[1] and (retried := _retried(existing, url, *external)) is not None:
            return retried, False
        return _repeat(existing, actor=actor, external=external), False
    _remember(incident, external)
    _set_deadline(incident)
    events.registered(incident, actor=actor, at=now)
    if topic is None:
        events.topic_suggested(incident, topic=suggested, confidence=confidence, territory=territory, at=now)
    confident = topic is not None or confidence >= settings.APPEAL_AUTO_ROUTE_CONFIDENCE
    target = route(region=region, topic=topic or suggested, territory=territory) if suggested else None
    if confident and target is not None and target.organization is not None:
        incident.organization = target.organization
        events.routed(incident, organization=target.organization, at=now)
    incident.save()
    return incident, True


def _retried(existing: Incident | None, url: str, source: str, external_id: str) -> Incident | None:
    """The incident a retried `external_id` registered (None if the id is new)."""
    known = IncidentExternalId.objects.select_related("incident").filter(
        source=source, external_id=external_id
    )
    known = known.first()
    if known is None:
        return None
    if known.incident.url != url:
        raise IncidentError(
            f"Номер {external_id} уже получен для другой публикации (инцидент №{known.incident_id})."
        )
    return existing or known.incident


def _remember(incident: Incident, external: tuple[str, str]) -> None:
    if external[1]:
        IncidentExternalId.objects.create(incident=incident, source=external[0], external_id=external[1])


def _repeat(incident: Incident, *, actor, external: tuple[str, str] = ("", "")) -> Incident:
    _remember(incident, external)
    incident.mentions += 1
    incident.save(update_fields=["mentions", "updated_at"])
    events.repeat(incident, actor=actor)
    return incident


# --- staff work ----------------------------------------------------------------------------------


_UNSET = object()


@transaction.atomic
def incident_update(
    *, incident: Incident, actor, topic=_UNSET, territory=_UNSET, urgent=_UNSET, organization=_UNSET
) -> Incident:
    """Staff correct the topic, territory, urgency or responsible organization. A change of urgency
    changes the reaction term: the deadline is recomputed from `found_at` and rescheduled."""
    changes = []
    if topic is not _UNSET and topic != incident.topic:
        if topic is not None and topic.region_id != incident.region_id:
            raise IncidentError({"topic": "Тематика из другого региона."})
        incident.topic = topic
        changes.append(f"тематика: {topic or '—'}")
    if territory is not _UNSET and territory != incident.territory:
        if territory is not None and territory.region_id != incident.region_id:
            raise IncidentError({"territory": "Территория из другого региона."})
        incident.territory = territory
        changes.append(f"территория: {territory.name if territory else '—'}")
    if organization is not _UNSET and organization is not None and organization != incident.organization:
        if organization.region_id != incident.region_id:
            raise IncidentError({"organization": "Организация из другого региона."})
        incident.organization = organization
        incident.executor = None
        events.routed(incident, organization=organization, actor=actor)
    if urgent is not _UNSET and bool(urgent) != incident.urgent:
        incident.urgent = bool(urgent)
        incident.policy = _policy(urgent=incident.urgent)
        changes.append("срочный" if incident.urgent else "не срочный")
        if incident.status in DEADLINE_RUNNING:
            _set_deadline(incident)
    if changes:
        events.corrected(incident, actor=actor, changes=changes)
    incident.save()
    return incident


@transaction.atomic
def incident_take(*, incident: Incident, actor) -> Incident:
    _transition(incident, Status.IN_WORK)
    incident.executor = actor
    events.taken(incident, actor=actor)
    incident.save()
    return incident


@transaction.atomic
def incident_reply(*, incident: Incident, actor, text: str, reply_url: str = "") -> Incident:
    """Record the public reply: its text and, if it was published by hand, its address. Without an
    address, a reply to a VK wall post in a region with a configured community is queued for
    publishing by the worker (`publishing.py`). Late if after the reaction deadline."""
    from otklik.incidents.publishing import reply_publication_plan

    text = (text or "").strip()
    if len(text) < MIN_REPLY:
        raise IncidentError({"text": f"Ответ слишком короткий (не короче {MIN_REPLY} символов)."})
    if len(text) > MAX_TEXT:
        raise IncidentError({"text": f"Ответ длиннее {MAX_TEXT} символов."})
    reply_url = normalize_url(reply_url, field="reply_url") if (reply_url or "").strip() else ""
    _transition(incident, Status.ANSWERED)
    now = timezone.now()
    incident.executor = incident.executor or actor
    incident.reply_text = text
    incident.reply_url = reply_url
    incident.answered_at = now
    if incident.due_at and now > incident.due_at:
        incident.overdue = True
    incident.save()
    publication = None if reply_url else reply_publication_plan(incident)
    events.answered(incident, actor=actor, at=now, publish=publication is not None)
    return incident


@transaction.atomic
def incident_reply_link(*, incident: Incident, actor, reply_url: str) -> Incident:
    """The reply was published by hand: record its link. A publication still waiting is cancelled."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status not in (Status.ANSWERED, Status.CLOSED) or not incident.reply_text:
        raise IncidentError("Ссылку можно указать только для инцидента с сохранённым ответом.")
    if incident.reply_url:
        raise IncidentError("Ссылка на ответ уже сохранена.")
    if not (reply_url or "").strip():
        raise IncidentError({"reply_url": "Вставьте ссылку на опубликованный ответ."})
    incident.reply_url = normalize_url(reply_url, field="reply_url")
    incident.publications.filter(state=ReplyPublication.State.PENDING).update(
        state=ReplyPublication.State.CANCELLED, updated_at=timezone.now()
    )
    incident.save(update_fields=["reply_url", "updated_at"])
    events.reply_link(incident, actor=actor)
    return incident


@transaction.atomic
def incident_dismiss(*, incident: Incident, actor, reason: str) -> Incident:
    """Not a matter for an education body (advertising, another authority's topic, no question…)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise IncidentError({"reason": "Укажите, почему публикация не требует реакции."})
    if problem := too_long(reason, 2000, "Причина «не требует реакции»"):
        raise IncidentError({"reason": problem})
    _transition(incident, Status.NO_REACTION)
    incident.no_reaction_reason = reason
    events.no_reaction(incident, actor=actor, reason=incident.no_reaction_reason)
    incident.save()
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, actor) -> Incident:
    """A dismissal reconsidered: back in work under the original deadline."""
    _transition(incident, Status.IN_WORK)
    incident.executor = actor
    incident.no_reaction_reason = ""
    if incident.due_at and timezone.now() > incident.due_at:
        incident.overdue = True
    events.reopened(incident, actor=actor)
    incident.save()
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, actor) -> Incident:
    _transition(incident, Status.CLOSED)
    incident.closed_at = timezone.now()
    events.closed(incident, actor=actor)
    incident.save()
    from otklik.privacy.services import incident_schedule_retention  # privacy builds on this app

    incident_schedule_retention(incident)
    return incident


@transaction.atomic
def incident_comment(*, incident: Incident, actor, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise IncidentError({"text": "Комментарий пуст."})
    if problem := too_long(text, 4000, "Комментарий"):
        raise IncidentError({"text": problem})
    events.comment(incident, actor=actor, text=text)


@transaction.atomic
def incident_convert(*, incident: Incident, actor) -> Appeal:
    """Register a formal appeal from the incident (channel «Инцидент-менеджмент (соцсети)») and link
    both. The appeal has no contacts: a nickname is not a name, so it is anonymous under 59-ФЗ until
    the author writes in."""
    from otklik.appeals import events as appeal_events
    from otklik.appeals.services import appeal_submit

    if incident.appeal_id:
        raise IncidentError(f"Инцидент уже оформлен как обращение {incident.appeal.number}.")
    if incident.status == Status.CLOSED:
        raise IncidentError("Закрытый инцидент нельзя оформить как обращение.")
    author = f"Автор: {incident.author_nickname}. " if incident.author_nickname else ""
    text = (
        f"{incident.text}\n\n[Публикация в соцсети: {incident.get_network_display()}, {incident.url}. {author}"
        f"Найдена {events.local_time(incident, incident.found_at)}.]"
    )
    appeal, _ = appeal_submit(
        region=incident.region,
        text=text,
        channel=Channel.INCIDENT,
        territory=incident.territory,
        topic=incident.topic,
        external_source="incident",
        external_id=str(incident.pk),
        actor=actor,
    )
    appeal_events.comment(appeal, actor=actor, text=f"Оформлено из инцидента №{incident.pk}: {incident.url}")
    incident.appeal = appeal
    events.converted(incident, actor=actor, appeal=appeal)
    incident.save()
    return appeal


# --- deadlines (called by tasks) -----------------------------------------------------------------


def _still_due(incident_id: int, due_at: str) -> Incident | None:
    incident = Incident.objects.select_for_update().select_related("region").filter(pk=incident_id).first()
    if incident is None or incident.due_at is None or incident.due_at.isoformat() != due_at:
        return None  # the deadline moved since the task was scheduled
    if incident.status not in DEADLINE_RUNNING:
        return None  # answered or dismissed in time
    return incident


def card_url(incident: Incident) -> str:
    return f"{settings.SITE_URL}/staff/incidents/{incident.pk}/"


@transaction.atomic
def incident_deadline_remind(*, incident_id: int, due_at: str) -> bool:
    """Record the reminder and e-mail the person working on it (or nobody yet: the event remains)."""
    from otklik.appeals.services import staff_email

    incident = _still_due(incident_id, due_at)
    if incident is None:
        return False
    events.reminder(incident)
    if incident.executor_id:
        staff_email(
            users=[incident.executor],
            subject=f"Инцидент №{incident.pk}: срок реакции скоро истекает",
            text=f"Опубликуйте ответ до {events.local_time(incident, incident.due_at)}: {card_url(incident)}",
        )
    return True


@transaction.atomic
def incident_deadline_missed(*, incident_id: int, due_at: str) -> bool:
    """Mark the incident overdue and escalate to the region's coordinators."""
    from otklik.appeals.services import coordinators_notify

    incident = _still_due(incident_id, due_at)
    if incident is None:
        return False
    incident.overdue = True
    incident.save(update_fields=["overdue", "updated_at"])
    events.overdue(incident)
    coordinators_notify(
        region=incident.region,
        subject=f"Просрочена реакция на инцидент №{incident.pk}",
        text=f"Срок реакции на публикацию {incident.url} ({incident.organization or 'организация не назначена'}) "
        f"истёк {events.local_time(incident, incident.due_at)}. Карточка: {card_url(incident)}",
    )
    return True
