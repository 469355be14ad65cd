"""Publishing the public reply to an incident through the network's API — VK for now.

When the reply is saved for a VK wall post in a region with a configured community, a
`ReplyPublication` is queued and the worker comments under the post on the community's behalf
(`wall.createComment`), retrying VK's rate limits and network failures with backoff. A refusal is
explained in Russian on the card, which offers to publish again or to paste the link of a reply
published by hand. Any other network, or a region without a community, keeps the manual path only.
Kept in a module of its own (like `routing/suggestions.py`): it reads, writes and talks to VK.
"""

from django.db import transaction
from django.utils import timezone

from otklik.incidents import events
from otklik.incidents.models import Incident, ReplyPublication, VkCommunity
from otklik.incidents.statuses import Status
from otklik.lib import vk

State = ReplyPublication.State


def community(incident: Incident) -> VkCommunity | None:
    """The community that would publish the reply, if the incident is a VK wall post and its region
    has publishing switched on."""
    if vk.parse_wall_url(incident.url) is None:
        return None
    return (
        VkCommunity.objects.filter(region_id=incident.region_id, organization__isnull=True, is_active=True)
        .exclude(access_token="")
        .first()
    )


def latest(incident: Incident) -> ReplyPublication | None:
    return incident.publications.first()


def _queue(incident: Incident) -> ReplyPublication:
    from otklik.incidents import tasks

    publication = ReplyPublication.objects.create(incident=incident)
    transaction.on_commit(lambda: tasks.incident_reply_deliver.enqueue(publication.pk))
    return publication


def reply_publication_plan(incident: Incident) -> ReplyPublication | None:
    """Called by `incident_reply` when no link was given: queue the publication if it is possible."""
    return _queue(incident) if community(incident) is not None else None


@transaction.atomic
def incident_reply_publish(*, incident: Incident, actor) -> ReplyPublication:
    """Publish the saved reply again (after a refusal, or once publishing has been configured)."""
    from otklik.incidents.services import IncidentError

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != Status.ANSWERED or not incident.reply_text:
        raise IncidentError(
            f"Опубликовать можно только сохранённый ответ инцидента в статусе «{Status.ANSWERED.label}»."
        )
    if incident.reply_url:
        raise IncidentError("Ответ уже опубликован: ссылка на него сохранена.")
    last = latest(incident)
    if last is not None and last.state == State.PENDING:
        raise IncidentError("Ответ уже ожидает публикации.")
    if community(incident) is None:
        raise IncidentError(
            "Публикация во ВКонтакте недоступна: публикация не является записью ВКонтакте "
            "или для региона не настроено сообщество. Опубликуйте ответ вручную и вставьте ссылку."
        )
    events.publish_requested(incident, actor=actor)
    return _queue(incident)


def reply_publication_deliver(*, publication_id: int) -> str:
    """One attempt of the worker. The call to VK happens outside any transaction."""
    publication = ReplyPublication.objects.select_related("incident").filter(pk=publication_id).first()
    if publication is None or publication.state != State.PENDING:
        return "nothing"
    incident = publication.incident
    post = vk.parse_wall_url(incident.url)
    group = community(incident)
    try:
        if post is None:
            raise vk.VkError("адрес публикации не указывает на запись ВКонтакте", transient=False)
        if group is None:
            raise vk.VkError("для региона больше не настроена публикация во ВКонтакте", transient=False)
        comment_id = vk.create_comment(
            token=group.access_token,
            post=post,
            message=incident.reply_text,
            from_group=group.group_id,
            # The same id on every attempt: a retry after a lost answer must not comment twice.
            guid=f"otklik-reply-{publication.pk}",
        )
    except vk.VkError as exc:
        return _failed(publication_id, exc)
    return _published(publication_id, url=post.comment_url(comment_id), comment_id=comment_id)


@transaction.atomic
def _published(publication_id: int, *, url: str, comment_id: int) -> str:
    publication = ReplyPublication.objects.select_for_update().get(pk=publication_id)
    incident = Incident.objects.select_for_update().get(pk=publication.incident_id)
    publication.state, publication.comment_id = State.PUBLISHED, comment_id
    publication.attempts += 1
    publication.published_at = timezone.now()
    publication.error, publication.error_code = "", None
    publication.save()
    # A link pasted by hand meanwhile stays; the event still tells that VK has our comment too.
    if not incident.reply_url:
        incident.reply_url = url
        incident.save(update_fields=["reply_url", "updated_at"])
    events.published(incident, url=url, comment_id=comment_id)
    return "published"


@transaction.atomic
def _failed(publication_id: int, error: vk.VkError) -> str:
    from otklik.appeals.services import staff_email
    from otklik.incidents import tasks
    from otklik.incidents.services import card_url

    publication = (
        ReplyPublication.objects.select_for_update().select_related("incident").get(pk=publication_id)
    )
    if publication.state != State.PENDING:
        return "nothing"  # the link was pasted by hand meanwhile
    publication.attempts += 1
    publication.error, publication.error_code = str(error)[:1000], error.code or None
    retry_at = vk.retry_at(error, attempts=publication.attempts, now=timezone.now())
    if retry_at is not None:
        publication.save()
        transaction.on_commit(
            lambda: tasks.incident_reply_deliver.using(run_after=retry_at).enqueue(publication_id)
        )
        return "retry"
    publication.state = State.FAILED
    publication.save()
    incident = publication.incident
    events.publish_failed(incident, error=publication.error, code=publication.error_code)
    if incident.executor_id:
        staff_email(
            users=[incident.executor],
            subject=f"Инцидент №{incident.pk}: ответ не опубликован во ВКонтакте",
            text=f"Причина: {publication.error}.\nОпубликуйте ответ снова или вставьте ссылку: {card_url(incident)}",
        )
    return "failed"
