"""Depersonalisation of personal data whose purpose has passed (152-ФЗ art. 5 p. 7, art. 21 p. 4) or
whose subject withdrew consent (art. 9 p. 2, art. 21 p. 5).

What identifies a person goes: contacts are blanked, the citizen link is dropped (the citizen row is
destroyed once nothing live needs it), free texts pass through `nlp.anonymize` after the known
contacts of the person are masked in them, files are deleted from storage. What the statistics and
the archival record need stays: topic, territory, organization, kind, channel, dates, deadlines,
status, outcome, rating value, and the attachment rows (type and size, without the file), so every
analytics figure is the same before and after. Each service locks its row, re-checks that the data
are due, and does nothing the second time.
"""

import re
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from otklik.accounts.models import Citizen
from otklik.appeals import events, mail_intake
from otklik.appeals.models import Appeal, AppealEvent, Attachment, Notification
from otklik.appeals.services import AppealError
from otklik.dialogue.models import Conversation
from otklik.incidents import events as incident_events
from otklik.incidents.models import Incident, IncidentEvent
from otklik.incidents.statuses import Status as IncidentStatus
from otklik.lib import geo
from otklik.lib.files import delete_on_commit
from otklik.lib.params import too_long
from otklik.nlp.anonymize import MARKERS, anonymize
from otklik.privacy import selectors

REMOVED_FILE = "файл удалён по сроку хранения"
REMOVED_URL = "https://removed.invalid/incident/{pk}"
# Keys of event data that hold codes, numbers and moments, never free text: everything else that is
# a string is treated as text and anonymised (so a future key with an address cannot slip through).
_DATA_KEYS_KEPT = {
    "channel",
    "policy",
    "kind",
    "received_at",
    "topic",
    "organization",
    "due_at",
    "into",
    "other",
    "limit",
    "old",
    "new",
    "network",
    "source",
    "by",
}
_MIN_NAME_PART = 3
# Shorter channel ids would mask ordinary numbers in texts (school numbers, dates).
_MIN_ID = 5


# --- text ----------------------------------------------------------------------------------------


def _known(values: list[tuple[str, str]]) -> list[tuple[re.Pattern, str]]:
    """Patterns for the person's own contacts and name parts: the anonymiser finds names by form and
    by a model, which can miss a surname alone; the values we hold cannot be missed."""
    patterns = []
    for kind, value in values:
        value = (value or "").strip()
        if not value:
            continue
        if kind == "name":
            for part in re.findall(r"\w+", value):
                if len(part) >= _MIN_NAME_PART and not part.isdigit():
                    patterns.append(
                        (re.compile(rf"(?<!\w){re.escape(part)}\w*", re.IGNORECASE), MARKERS["name"])
                    )
        elif kind == "phone":
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 5:
                # the same digits with any separators between them
                spaced = r"[\s()+\-]*".join(re.escape(d) for d in digits[-10:])
                patterns.append((re.compile(spaced), MARKERS["phone"]))
        elif kind == "nick":
            # a nickname as a whole: its words alone («Мама», «Школа») are ordinary words
            if len(value) >= _MIN_NAME_PART:
                patterns.append((re.compile(re.escape(value), re.IGNORECASE), MARKERS["name"]))
        elif len(value) >= _MIN_ID:
            marker = MARKERS.get(kind) or (MARKERS["email"] if "@" in value else "[идентификатор]")
            patterns.append((re.compile(re.escape(value), re.IGNORECASE), marker))
    return patterns


_REPEATED = re.compile(r"(\[[^\]]+\])(?:\s+\1)+")


def _clean(text: str, known: list[tuple[re.Pattern, str]]) -> str:
    """The anonymiser first (it masks a whole name or phone as one span), then whatever of the
    person's own values it left; a name masked word by word reads as one marker."""
    if not text:
        return text
    text = anonymize(text)
    for pattern, marker in known:
        text = pattern.sub(marker, text)
    return _REPEATED.sub(r"\1", text)


def _clean_data(data: dict, known) -> dict:
    return {
        key: _clean(value, known) if isinstance(value, str) and key not in _DATA_KEYS_KEPT else value
        for key, value in data.items()
    }


def _rewrite(rows_qs, fields: list[str], change) -> None:
    """Apply `change` to every row of `rows_qs` and write `fields` back in batches (one UPDATE per
    200 rows, not one per row); a `change` that returns False leaves its row out."""
    changed = [row for row in rows_qs.iterator(chunk_size=200) if change(row) is not False]
    rows_qs.model.objects.bulk_update(changed, fields, batch_size=200)


def _clean_events(events_qs, known) -> None:
    """Anonymise the text and the text-bearing data of a history (appeal or incident events)."""

    def clean(event) -> bool:
        text, data = _clean(event.text, known), _clean_data(event.data, known)
        if (text, data) == (event.text, event.data):
            return False
        event.text, event.data = text, data
        return True

    _rewrite(events_qs, ["text", "data"], clean)


def _citizen_release(citizen_id: int | None) -> bool:
    """Destroy the citizen (names, channel identities) once no appeal and no conversation refers to
    them any more; while one does, it still needs the person."""
    if citizen_id is None:
        return False
    if Appeal.objects.filter(citizen_id=citizen_id).exists():
        return False
    if Conversation.objects.filter(citizen_id=citizen_id).exists():
        return False
    return Citizen.objects.filter(pk=citizen_id).delete()[0] > 0


# --- appeals -------------------------------------------------------------------------------------


def appeal_schedule_retention(appeal: Appeal) -> None:
    """Queue the appeal's depersonalisation for the end of its retention period, after the commit. The
    task carries the moment the appeal was finished: if the appeal is reopened (escalated) or finished
    again later, that moment changes and the task does nothing; the new finish queues its own."""
    finished, period = selectors.appeal_finished_at(appeal), selectors.appeal_period()
    if finished is None or period is None:
        return
    from otklik.privacy import tasks

    appeal_id, run_after = appeal.pk, finished + period
    transaction.on_commit(
        lambda: tasks.appeal_retention_expire.using(run_after=run_after).enqueue(
            appeal_id, finished.isoformat()
        )
    )


def _appeal_known(appeal: Appeal) -> list:
    values = [
        ("name", appeal.author_name),
        ("email", appeal.contact_email),
        ("phone", appeal.contact_phone),
        ("address", appeal.postal_address),
    ]
    if appeal.citizen_id:
        citizen = appeal.citizen
        values += [("name", f"{citizen.last_name} {citizen.first_name} {citizen.patronymic}")]
        values += [("name", citizen.display_name)]
        for identity in citizen.identities.all():
            values.append(("phone" if identity.channel == "phone" else "id", identity.value))
    # An appeal made from a social-media post quotes its author's nickname and the post's link.
    for nickname, url in appeal.incidents.values_list("author_nickname", "url"):
        values += [("nick", nickname), ("id", url)]
    return _known(values)


@transaction.atomic
def appeal_depersonalise(
    *,
    appeal_id: int,
    actor=None,
    reason: str = "",
    finished_at: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Depersonalise one finished appeal. Returns True when it did, False when there was nothing to do.

    Without `actor` it is the retention period's work (the worker's task, `otklik pd_retention`): it
    acts only when the period has ended, and `finished_at` (the task's) must still be the appeal's
    finish, else the appeal was reopened since and the task is stale. With `actor` it is a citizen's
    demand (152-ФЗ art. 21 p. 5, consent withdrawn): any finished appeal, `reason` required; refusals
    raise `AppealError` with a Russian message and change nothing."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None:
        return False
    finished = selectors.appeal_finished_at(appeal)
    if actor is not None:
        reason = (reason or "").strip()
        if appeal.depersonalised_at:
            raise AppealError("Персональные данные этого обращения уже обезличены.")
        if finished is None:
            raise AppealError(
                "Обращение ещё рассматривается: обезличить данные можно после ответа или закрытия."
            )
        if not reason:
            raise AppealError({"reason": "Укажите основание: запрос гражданина (дата, номер, способ)."})
        if problem := too_long(reason, 2000, "Основание"):
            raise AppealError({"reason": problem})
    else:
        period = selectors.appeal_period()
        if appeal.depersonalised_at or finished is None or period is None:
            return False
        if finished_at is not None and finished.isoformat() != finished_at:
            return False
        if finished + period > now:
            return False
    known = _appeal_known(appeal)
    _appeal_strip(appeal, known=known, now=now)
    events.depersonalised(appeal, actor=actor, reason=_clean(reason, known) if actor else "", at=now)
    return True


def _appeal_strip(appeal: Appeal, *, known: list, now: datetime) -> None:
    citizen_id = appeal.citizen_id
    appeal.text = _clean(appeal.text, known)
    appeal.answer_text = _clean(appeal.answer_text, known)
    appeal.rating_comment = _clean(appeal.rating_comment, known)
    appeal.author_name = appeal.contact_email = appeal.contact_phone = appeal.postal_address = ""
    # The place of the problem stays for the map of problems, without the citizen's own data in its
    # words and with the point no finer than a kilometre (a phone's fix may be the citizen's home).
    appeal.place = _clean(appeal.place, known)[:300]  # a mask may be longer than what it hides
    appeal.latitude, appeal.longitude = geo.coarse(appeal.latitude, appeal.longitude)
    if appeal.external_source == mail_intake.SOURCE and not appeal.external_id.startswith("sha256:"):
        # Its hash still tells a letter read again from the same letter.
        appeal.external_id = mail_intake.hashed_id(appeal.external_id.encode())
    appeal.citizen = None
    appeal.depersonalised_at = now
    appeal.save(
        update_fields=[
            "text",
            "answer_text",
            "rating_comment",
            "author_name",
            "contact_email",
            "contact_phone",
            "postal_address",
            "place",
            "latitude",
            "longitude",
            "external_id",
            "citizen",
            "depersonalised_at",
            "updated_at",
        ]
    )
    _clean_events(AppealEvent.objects.filter(appeal=appeal), known)

    def remove_file(attachment) -> None:
        delete_on_commit(attachment.file.storage, attachment.file.name)
        attachment.file, attachment.name = "", REMOVED_FILE

    def clean_notification(notification) -> None:
        notification.recipient = ""
        notification.text = _clean(notification.text, known)
        if notification.state == Notification.State.PENDING:
            notification.state = Notification.State.SKIPPED
            notification.error = "персональные данные обезличены"

    _rewrite(Attachment.objects.filter(appeal=appeal).exclude(file=""), ["file", "name"], remove_file)
    _rewrite(
        Notification.objects.filter(appeal=appeal),
        ["recipient", "text", "state", "error"],
        clean_notification,
    )
    _citizen_release(citizen_id)


# --- chat conversations --------------------------------------------------------------------------


@transaction.atomic
def conversation_depersonalise(*, conversation_id: int, now: datetime | None = None) -> bool:
    """Forget who a silent conversation was with: its channel id (a Telegram chat id), its state (a
    draft appeal with contacts), its citizen link; the citizen's questions in the query log lose the
    channel id and are anonymised. The row stays so the bot's user count is kept; a citizen who comes
    back starts a new conversation."""
    now = now or timezone.now()
    conversation = (
        selectors.conversations_due(now=now)
        .select_for_update(of=("self",))
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return False
    from otklik.kb.models import Query, Suggestion

    known = _known([("id", conversation.channel_user)])
    mine = Q(channel=conversation.channel, channel_user=conversation.channel_user)

    def clean_query(query) -> None:
        query.text, query.normalized, query.channel_user = _clean(query.text, known)[:1000], "", ""

    def clean_suggestion(suggestion) -> None:
        suggestion.text, suggestion.channel_user = _clean(suggestion.text, known)[:2000], ""

    _rewrite(Query.objects.filter(mine), ["text", "normalized", "channel_user"], clean_query)
    _rewrite(Suggestion.objects.filter(mine), ["text", "channel_user"], clean_suggestion)
    citizen_id = conversation.citizen_id
    conversation.channel_user = f"{selectors.REMOVED_CHAT_PREFIX}{conversation.pk}"
    conversation.state = {}
    conversation.citizen = None
    conversation.save(update_fields=["channel_user", "state", "citizen", "updated_at"])
    _citizen_release(citizen_id)
    return True


# --- incidents -----------------------------------------------------------------------------------


def incident_schedule_retention(incident: Incident) -> None:
    """Queue the incident's depersonalisation for the end of its retention period (closing is final)."""
    period = selectors.incident_period()
    if incident.closed_at is None or period is None:
        return
    from otklik.privacy import tasks

    incident_id, closed = incident.pk, incident.closed_at
    transaction.on_commit(
        lambda: tasks.incident_retention_expire.using(run_after=closed + period).enqueue(
            incident_id, closed.isoformat()
        )
    )


@transaction.atomic
def incident_depersonalise(
    *, incident_id: int, closed_at: str | None = None, now: datetime | None = None
) -> bool:
    """The author's nickname and the link to the post go (the link leads to the author's page), texts
    are anonymised; network, topic, territory, organization, dates and status stay for the figures."""
    now = now or timezone.now()
    period = selectors.incident_period()
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None or incident.depersonalised_at or period is None:
        return False
    if incident.status != IncidentStatus.CLOSED or incident.closed_at is None:
        return False
    if closed_at is not None and incident.closed_at.isoformat() != closed_at:
        return False
    if incident.closed_at + period > now:
        return False
    known = _known([("nick", incident.author_nickname), ("id", incident.url)])
    incident.text = _clean(incident.text, known)
    incident.reply_text = _clean(incident.reply_text, known)
    incident.no_reaction_reason = _clean(incident.no_reaction_reason, known)
    incident.author_nickname = ""
    incident.url = REMOVED_URL.format(pk=incident.pk)
    incident.depersonalised_at = now
    incident.save(
        update_fields=[
            "text",
            "reply_text",
            "no_reaction_reason",
            "author_nickname",
            "url",
            "depersonalised_at",
            "updated_at",
        ]
    )
    _clean_events(IncidentEvent.objects.filter(incident=incident), known)
    incident_events.depersonalised(incident, at=now)
    return True


# --- the sweep -----------------------------------------------------------------------------------

BATCH = 500


def _due_ids(qs, batch: int):
    """Ids of `qs` in ascending batches: a region with a million rows is never loaded at once, and rows
    done (or skipped) in one batch are not seen again."""
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return
        yield ids
        last = ids[-1]


def retention_run(
    *, region=None, dry_run: bool = False, now: datetime | None = None, batch: int = BATCH
) -> dict:
    """Depersonalise everything due (or, `dry_run`, count it): {class: count}. The catch-up for data
    older than the scheduled tasks, for chats (whose period restarts with every message) and after
    the periods are shortened. Each row is its own transaction."""
    now = now or timezone.now()
    classes = {
        "appeals": (selectors.appeals_due, lambda pk: appeal_depersonalise(appeal_id=pk, now=now)),
        "conversations": (
            selectors.conversations_due,
            lambda pk: conversation_depersonalise(conversation_id=pk, now=now),
        ),
        "incidents": (selectors.incidents_due, lambda pk: incident_depersonalise(incident_id=pk, now=now)),
    }
    counts = {}
    for name, (due, act) in classes.items():
        qs = due(now=now, region=region)
        if dry_run:
            counts[name] = qs.count()
            continue
        counts[name] = sum(1 for ids in _due_ids(qs, batch) for pk in ids if act(pk))
    return counts


def retention_cutoffs(*, now: datetime) -> dict[str, datetime | None]:
    """The moment before which each class is due, None for a class kept forever (for the report)."""
    periods = {
        "appeals": selectors.appeal_period(),
        "conversations": selectors.chat_period(),
        "incidents": selectors.incident_period(),
    }
    return {name: (now - period if period else None) for name, period in periods.items()}
