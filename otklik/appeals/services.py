"""Every write to an appeal: intake, routing, work, answer, rating, escalation.

Each service owns its transaction, writes the history event in it, and schedules follow-up work
(deadline reminders and checks, deliveries to the citizen) to run after the commit.
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from otklik.appeals import events
from otklik.appeals.models import WIDGET_CHANNELS, Appeal, AppealSequence, Channel, Kind, Notification
from otklik.appeals.selectors import answer_rated, appeals_of_email
from otklik.appeals.statuses import DEADLINE_RUNNING, OPEN_STATUSES, Status, can_transition
from otklik.lib import geo
from otklik.lib.params import too_long
from otklik.orgs.models import Organization, Region, Territory
from otklik.routing.deadlines import answer_due, extended_due, redirect_due, registration_due, reminder_at
from otklik.routing.models import DeadlinePolicy, Topic
from otklik.routing.services import route

log = logging.getLogger("otklik.appeals")
MAX_TEXT = 20000
MIN_TEXT = 10
# Channels whose messages follow the ПОС-style short term; the rest are appeals under 59-ФЗ.
POS_CHANNELS = {Channel.TELEGRAM, Channel.WEBCHAT, Channel.WIDGET, Channel.POS, Channel.INCIDENT}


class AppealError(ValidationError):
    """A refused workflow step, with a Russian reason for the person who tried it."""


# --- helpers -------------------------------------------------------------------------------------


def _transition(appeal: Appeal, new: str) -> None:
    """The only writer of `Appeal.status`."""
    if appeal.status and not can_transition(appeal.status, new):
        raise AppealError(
            f"Нельзя перевести обращение из статуса «{Status(appeal.status).label}» в «{Status(new).label}»."
        )
    appeal.status = new


def _next_number(region: Region, year: int) -> str:
    sequence, _ = AppealSequence.objects.get_or_create(region=region, year=year)
    AppealSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db()
    return f"{region.appeal_prefix}-{year}-{sequence.last:06d}"


def _schedule_deadline(appeal: Appeal, start_at: datetime) -> None:
    """Reminder and missed-deadline tasks, run by the worker at the right moment."""
    if appeal.due_at is None:
        return
    from otklik.appeals import tasks

    due = appeal.due_at
    remind = reminder_at(policy=appeal.policy, due_at=due, start_at=start_at)

    def enqueue():
        tasks.appeal_deadline_reminder.using(run_after=remind).enqueue(appeal.pk, due.isoformat())
        tasks.appeal_deadline_check.using(run_after=due).enqueue(appeal.pk, due.isoformat())

    transaction.on_commit(enqueue)


def _schedule_retention(appeal: Appeal) -> None:
    """The appeal is finished (answered or closed): its personal data go when the retention period
    ends (`privacy`; imported here because `privacy` builds on this module)."""
    from otklik.privacy.services import appeal_schedule_retention

    appeal_schedule_retention(appeal)


def _await_coordinator(appeal: Appeal, start_at: datetime) -> None:
    """The appeal waits for a coordinator: set the registration term and schedule its check."""
    appeal.moderation_due_at = registration_due(
        policy=appeal.policy, start_at=start_at, tz_name=appeal.region.timezone
    )
    from otklik.appeals import tasks

    due = appeal.moderation_due_at
    transaction.on_commit(
        lambda: tasks.appeal_moderation_check.using(run_after=due).enqueue(appeal.pk, due.isoformat())
    )


def staff_email(*, users, subject: str, text: str, appeal: Appeal | None = None) -> int:
    """Queue an e-mail to each of `users` who has an address (delivered and retried by the worker)."""
    from otklik.appeals import tasks

    sent = 0
    for user in users:
        if not user.email:
            continue
        notification = Notification.objects.create(
            appeal=appeal, channel="email", recipient=user.email, subject=subject[:200], text=text
        )
        transaction.on_commit(lambda pk=notification.pk: tasks.notification_deliver.enqueue(pk))
        sent += 1
    return sent


# «Мои обращения» on the web: a link to the list of a citizen's appeals, sent to the e-mail they
# gave. The e-mail is the proof of who they are, as a password reset link is.
MINE_SALT = "otklik.appeals.mine"
MINE_LINK_AGE_S = 24 * 3600
MINE_RESEND_S = 10 * 60


def appeals_link_send(*, email: str) -> bool:
    """Queue an e-mail with a link to all appeals given with this address. Nothing is sent when there
    are none, or when a link went to the same address less than `MINE_RESEND_S` ago (a form posted
    in a loop must not flood a mailbox); the caller shows the same words either way, so the page
    does not tell who has appeals."""
    import hashlib

    from django.core import signing
    from django.core.cache import cache

    from otklik.appeals import tasks

    email = (email or "").strip().lower()
    if not appeals_of_email(email=email).exists():
        return False
    if not cache.add("appeals-mine:" + hashlib.sha256(email.encode()).hexdigest()[:32], 1, MINE_RESEND_S):
        return False
    link = f"{settings.SITE_URL}/appeal/mine/{signing.dumps(email, salt=MINE_SALT, compress=True)}/"
    text = (
        "Здравствуйте!\n\n"
        f"Ваши обращения, поданные с адресом {email}, — по ссылке:\n{link}\n\n"
        "Ссылка действует 24 часа. Если вы её не запрашивали, просто не открывайте её: без неё ваши "
        "обращения никто не увидит."
    )
    notification = Notification.objects.create(
        channel="email", recipient=email, subject="Ваши обращения", text=text
    )
    transaction.on_commit(lambda: tasks.notification_deliver.enqueue(notification.pk))
    return True


def appeals_link_email(token: str) -> str | None:
    """The e-mail a «Мои обращения» link was sent to, or None when it is forged, damaged or expired."""
    from django.core import signing

    try:
        return signing.loads((token or "")[:1000], salt=MINE_SALT, max_age=MINE_LINK_AGE_S)
    except signing.BadSignature:  # SignatureExpired is one of these
        return None


def coordinators_notify(*, region: Region, subject: str, text: str, appeal: Appeal | None = None) -> int:
    """E-mail every coordinator of the region who has an address (queued, retried)."""
    from otklik.accounts.models import Membership
    from otklik.accounts.roles import Role

    coordinators = Membership.objects.filter(
        role=Role.COORDINATOR, organization__region=region, user__email__gt=""
    ).select_related("user")
    return staff_email(users=[m.user for m in coordinators], subject=subject, text=text, appeal=appeal)


def _notify_coordinators(appeal: Appeal, subject: str, text: str) -> None:
    coordinators_notify(region=appeal.region, subject=subject, text=text, appeal=appeal)


def _notify_citizen(appeal: Appeal, subject: str, text: str, *, telegram_only: bool = False) -> bool:
    """Queue a message to the citizen on the channel the appeal came from (or e-mail). Minor news
    (`telegram_only`) goes to Telegram only: a chat message is welcome, an e-mail about it is noise.
    False when the citizen has neither Telegram nor e-mail (a letter or a visit with a postal address
    only): nothing is queued."""
    from otklik.appeals import tasks

    targets = []
    if appeal.citizen_id:
        for identity in appeal.citizen.identities.filter(channel__in=["telegram", "email"]):
            targets.append((identity.channel, identity.value))
    if appeal.contact_email and ("email", appeal.contact_email.lower()) not in targets:
        targets.append(("email", appeal.contact_email.lower()))
    if appeal.channel == Channel.TELEGRAM:
        targets.sort(key=lambda t: t[0] != "telegram")
    if telegram_only:
        targets = [t for t in targets if t[0] == "telegram"]
    if not targets:
        return False
    channel, recipient = targets[0]
    notification = Notification.objects.create(
        appeal=appeal, channel=channel, recipient=recipient, subject=subject[:200], text=text
    )
    transaction.on_commit(lambda: tasks.notification_deliver.enqueue(notification.pk))
    return True


def _status_url(appeal: Appeal) -> str:
    return f"{settings.SITE_URL}/appeal/{appeal.number}/?s={appeal.secret}"


def _policy_for(*, channel: str, topic: Topic | None, policy_code: str | None) -> DeadlinePolicy:
    if policy_code:
        return DeadlinePolicy.objects.get(code=policy_code)
    if topic is not None and (topic.urgent or (topic.parent_id and topic.parent.urgent)):
        return DeadlinePolicy.objects.get(code="fast_track")
    return DeadlinePolicy.objects.get(code="pos" if channel in POS_CHANNELS else "fz59")


def _route_to(
    appeal: Appeal, organization: Organization, *, automatic: bool, by_hand: bool = False, actor=None, at=None
) -> None:
    now = at or timezone.now()
    _transition(appeal, Status.ASSIGNED)
    appeal.organization = organization
    appeal.executor = None
    appeal.routed_automatically = automatic
    if appeal.due_at is None:
        appeal.due_at = answer_due(
            policy=appeal.policy, start_at=appeal.start_at, tz_name=appeal.region.timezone
        )
    events.routed(
        appeal,
        organization=organization,
        automatic=automatic,
        by_hand=by_hand,
        actor=actor,
        due_at=appeal.due_at,
        at=now,
    )


# --- intake --------------------------------------------------------------------------------------


_CONTACT_LIMITS = (
    ("author_name", 300, "Имя заявителя"),
    ("contact_email", 254, "Адрес электронной почты"),
    ("contact_phone", 40, "Телефон"),
    ("postal_address", 500, "Почтовый адрес"),
    ("external_id", 100, "Номер во внешней системе"),
    ("incoming_number", 100, "Входящий номер письма"),
    ("place", 300, "Место проблемы"),
)


def _refuse_long(**checks: tuple[str, int, str]) -> None:
    """`field=(value, limit, label)`: refuse every value over its limit, naming the limit."""
    problems = {field: problem for field, check in checks.items() if (problem := too_long(*check))}
    if problems:
        raise AppealError(problems)


def _check_contacts(**values: str) -> None:
    """Refuse, never cut: a cut e-mail is another address, and two long external ids cut to the same
    100 characters would make the second appeal a «repeat» of the first and lose it."""
    problems = {
        field: problem
        for field, limit, label in _CONTACT_LIMITS
        if (problem := too_long((values[field] or "").strip(), limit, label))
    }
    email = (values["contact_email"] or "").strip()
    if email and "contact_email" not in problems:
        try:
            validate_email(email)
        except ValidationError:
            problems["contact_email"] = "Укажите корректный адрес электронной почты."
    if problems:
        raise AppealError(problems)


@transaction.atomic
def appeal_submit(
    *,
    region: Region,
    text: str,
    channel: str,
    citizen=None,
    author_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    postal_address: str = "",
    territory: Territory | None = None,
    topic: Topic | None = None,
    citizen_topic: Topic | None = None,
    policy_code: str | None = None,
    external_source: str = "",
    external_id: str = "",
    widget_organization: Organization | None = None,
    actor=None,
    at: datetime | None = None,
    is_synthetic: bool = False,
    files: Sequence = (),
    kind: str = Kind.STATEMENT,
    received_at: datetime | None = None,
    incoming_number: str = "",
    incoming_date: date | None = None,
    place: str = "",
    location: tuple[float, float] | None = None,
) -> tuple[Appeal, bool]:
    """Register an appeal, suggest its topic and territory, route it or send it to moderation.

    Returns (appeal, created). Re-sending the same `external_id` from the same source returns the
    appeal registered the first time. `topic` is a topic staff confirmed; `citizen_topic` one the
    citizen chose among the suggestions: it routes the appeal like a confident suggestion but is not
    a confirmed label (the classifier does not learn from it). `widget_organization` is the
    organization whose site hosts the widget the appeal came through — the form's widget or the
    chat's (kept for appeals of those two channels and the same region only: it counts placed
    widgets, it does not route).

    `received_at` is when an appeal staff register reached the authority (a letter that came on
    Friday and is registered on Monday): the registration term (3 working days, 59-ФЗ art. 8) and the
    answer term count from it, and a registration later than its term is recorded in the history.
    `incoming_number` and `incoming_date` are the number and date written on a citizen's letter.
    `place` is where the problem is in the citizen's words, `location` the point (latitude, longitude,
    as `lib.geo.coordinates` reads it) a phone or the bot shared; the territory is also looked for in
    the place's words.
    """
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise AppealError({"text": f"Опишите вопрос подробнее (не короче {MIN_TEXT} символов)."})
    if len(text) > MAX_TEXT:
        raise AppealError({"text": f"Текст длиннее {MAX_TEXT} символов: сократите его или приложите файлом."})
    if channel not in Channel.values:
        raise AppealError({"channel": "Неизвестный канал поступления."})
    if kind not in Kind.values:
        raise AppealError({"kind": "Вид обращения — предложение, заявление или жалоба."})
    external_id = (external_id or "").strip()
    _check_contacts(
        author_name=author_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        postal_address=postal_address,
        external_id=external_id,
        incoming_number=incoming_number,
        place=place,
    )
    if location is not None:
        try:
            location = geo.coordinates(*location)
        except (TypeError, ValueError) as exc:
            raise AppealError(
                {"location": str(exc) if isinstance(exc, ValueError) else geo.PROBLEM}
            ) from None
    _check_receipt(received_at=received_at, incoming_date=incoming_date, tz_name=region.timezone)
    if external_id:
        existing = Appeal.objects.filter(
            region=region, external_source=external_source, external_id=external_id
        ).first()
        if existing:
            return existing, False
    now = at or timezone.now()
    start = received_at or now
    from otklik.appeals.classifier import find_territory, suggest_topic

    if topic:
        suggested, confidence = topic, 1.0
    elif citizen_topic and citizen_topic.region_id == region.pk:
        suggested, confidence = citizen_topic, 1.0
    else:
        suggested, confidence = suggest_topic(region_id=region.pk, text=text)
    place = (place or "").strip()
    if territory is None:
        territory, _ = find_territory(region_id=region.pk, text=f"{place}. {text}" if place else text)
    anonymous = citizen is None and not (author_name or contact_email or contact_phone or postal_address)
    appeal = Appeal(
        region=region,
        number=_next_number(region, timezone.localtime(now, ZoneInfo(region.timezone)).year),
        channel=channel,
        policy=_policy_for(channel=channel, topic=suggested, policy_code=policy_code),
        citizen=citizen,
        is_anonymous=anonymous or bool(citizen and citizen.is_anonymous),
        author_name=author_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        postal_address=postal_address.strip(),
        text=text,
        place=place,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
        territory=territory,
        topic_suggested=suggested,
        topic_confidence=confidence,
        topic=topic,
        registered_at=now,
        received_at=start,
        kind=kind,
        incoming_number=(incoming_number or "").strip(),
        incoming_date=incoming_date,
        external_source=external_source[:40],
        external_id=external_id,
        widget_organization=widget_organization
        if channel in WIDGET_CHANNELS and widget_organization and widget_organization.region_id == region.pk
        else None,
        is_synthetic=is_synthetic,
        status=Status.MODERATION,
    )
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:
        existing = Appeal.objects.filter(
            region=region, external_source=external_source, external_id=external_id
        ).first()
        if existing:
            return existing, False
        raise
    events.registered(appeal, actor=actor, at=now)
    if suggested is not None and topic is None:
        events.topic_suggested(
            appeal, topic=suggested, confidence=confidence, at=now, by_citizen=suggested == citizen_topic
        )
    if appeal.is_anonymous:
        events.record(
            appeal,
            "anonymous",
            public=False,
            at=now,
            text="Анонимное обращение: письменный ответ не направляется (59-ФЗ, ст. 11), "
            "оно учитывается и рассматривается по существу.",
        )
    threshold = settings.APPEAL_AUTO_ROUTE_CONFIDENCE
    target = route(region=region, topic=suggested, territory=territory) if suggested else None
    needs_territory = target is not None and target.rule is not None and target.rule.level == "municipal_body"
    registration_limit = registration_due(policy=appeal.policy, start_at=start, tz_name=region.timezone)
    if now > registration_limit:
        events.registered_late(appeal, limit=registration_limit, received_at=start, at=now)
    if target and target.organization and confidence >= threshold and (territory or not needs_territory):
        appeal.due_at = answer_due(policy=appeal.policy, start_at=start, tz_name=region.timezone)
        _route_to(appeal, target.organization, automatic=topic is None, actor=actor, at=now)
    else:
        reason = (
            "тематика определена неуверенно"
            if suggested is None or confidence < threshold
            else "не определена территория"
            if needs_territory and territory is None
            else "нет правила маршрутизации"
        )
        appeal.due_at = answer_due(policy=appeal.policy, start_at=start, tz_name=region.timezone)
        _await_coordinator(appeal, start)
        events.moderation(appeal, reason=f"На модерацию: {reason}.", at=now)
    appeal.save()
    for upload in files:
        # The citizen's own files, also when staff attach them (the scan of a letter): files not from
        # the citizen are the answer's, shown to the citizen as such.
        appeal_attach(appeal=appeal, upload=upload, from_citizen=True)
    _link_duplicates(appeal)
    _schedule_deadline(appeal, start)
    _notify_citizen(
        appeal,
        f"Обращение {appeal.number} зарегистрировано",
        f"Ваше обращение зарегистрировано под номером {appeal.number}. Ответ будет дан до "
        f"{timezone.localtime(appeal.due_at, timezone=_tz(appeal)):%d.%m.%Y}. "
        f"Следить за ходом рассмотрения: {_status_url(appeal)}",
    )
    return appeal, True


def _check_receipt(*, received_at: datetime | None, incoming_date: date | None, tz_name: str) -> None:
    """A receipt cannot be in the future, nor a letter dated after it reached us."""
    from zoneinfo import ZoneInfo

    problems = {}
    now = timezone.now()
    if received_at is not None and received_at > now:
        problems["received_at"] = "Дата поступления не может быть позже сегодняшнего дня."
    received_on = timezone.localtime(received_at or now, ZoneInfo(tz_name)).date()
    if incoming_date is not None and incoming_date > received_on:
        problems["incoming_date"] = "Дата письма не может быть позже даты его поступления."
    if problems:
        raise AppealError(problems)


def _tz(appeal: Appeal):
    from zoneinfo import ZoneInfo

    return ZoneInfo(appeal.region.timezone)


def _link_duplicates(appeal: Appeal) -> None:
    """Mark open appeals of the same person with a similar text as possible duplicates."""
    from otklik.nlp.cluster import cluster_texts

    same_person = Appeal.objects.filter(region=appeal.region, status__in=OPEN_STATUSES).exclude(pk=appeal.pk)
    if appeal.citizen_id and not appeal.is_anonymous:
        same_person = same_person.filter(citizen_id=appeal.citizen_id)
    elif appeal.contact_email:
        same_person = same_person.filter(contact_email=appeal.contact_email)
    else:
        return
    for other in same_person.order_by("-registered_at")[:20]:
        if cluster_texts([appeal.text, other.text], threshold=0.5) == [0, 0]:
            appeal.duplicate_of = other
            appeal.save(update_fields=["duplicate_of"])
            events.duplicate_found(appeal, other=other, similarity=0.5)
            return


# --- coordinator -----------------------------------------------------------------------------------


@transaction.atomic
def appeal_assign(
    *, appeal: Appeal, organization: Organization, actor, topic: Topic | None = None, executor=None
) -> Appeal:
    """A coordinator sends the appeal to an organization (and, optionally, a person there)."""
    if organization.region_id != appeal.region_id:
        raise AppealError("Организация из другого региона.")
    if topic is not None:
        appeal.topic = topic
    elif appeal.topic_id is None and appeal.topic_suggested_id:
        appeal.topic = appeal.topic_suggested
    appeal.coordinator = actor
    _route_to(appeal, organization, automatic=False, by_hand=True, actor=actor)
    if executor is not None:
        appeal.executor = executor
        events.assigned(appeal, executor=executor, actor=actor)
    appeal.save()
    return appeal


@transaction.atomic
def appeal_redirect(*, appeal: Appeal, actor, to: str, reason: str) -> Appeal:
    """Not within competence: sent to another body (outside the system) with notice to the citizen."""
    to, reason = (to or "").strip(), (reason or "").strip()
    if not to:
        raise AppealError({"to": "Укажите, куда переадресовано обращение."})
    _refuse_long(to=(to, 300, "Куда переадресовано"), reason=(reason, 2000, "Причина переадресации"))
    _transition(appeal, Status.REDIRECTED)
    appeal.closed_at = timezone.now()
    limit = redirect_due(policy=appeal.policy, start_at=appeal.registered_at, tz_name=appeal.region.timezone)
    late = appeal.closed_at > limit  # 59-ФЗ art. 8 part 3: within 7 days of registration
    events.redirected(appeal, actor=actor, to=to, reason=reason, late_after=limit if late else None)
    if late:
        events.record(
            appeal,
            "comment",
            public=False,
            text=f"Переадресовано позже срока ({timezone.localtime(limit, timezone=_tz(appeal)):%d.%m.%Y}).",
        )
    appeal.save()
    _schedule_retention(appeal)
    _notify_citizen(
        appeal,
        f"Обращение {appeal.number} переадресовано",
        f"Ваше обращение {appeal.number} не относится к компетенции органов образования и "
        f"направлено: {to}. {reason}".strip(),
    )
    return appeal


@transaction.atomic
def appeal_merge(*, appeal: Appeal, into: Appeal, actor) -> Appeal:
    if appeal.pk == into.pk or into.region_id != appeal.region_id:
        raise AppealError("Выберите другое обращение того же региона.")
    if into.status == Status.MERGED:
        raise AppealError(f"Обращение {into.number} само объединено с другим — укажите основное обращение.")
    _transition(appeal, Status.MERGED)
    appeal.duplicate_of = into
    appeal.closed_at = timezone.now()
    events.merged(appeal, into=into, actor=actor)
    appeal.save()
    _schedule_retention(appeal)
    return appeal


# --- executor --------------------------------------------------------------------------------------


def _take(appeal: Appeal, actor) -> None:
    _transition(appeal, Status.IN_WORK)
    appeal.executor = actor
    events.taken(appeal, actor=actor)
    appeal.save()


@transaction.atomic
def appeal_take(*, appeal: Appeal, actor) -> Appeal:
    """The executor starts work; the citizen hears that someone is on it."""
    _take(appeal, actor)
    _notify_citizen(
        appeal,
        f"Обращение {appeal.number} в работе",
        f"Ваше обращение {appeal.number} взято в работу: {appeal.organization or 'исполнитель назначен'}. "
        f"Ход рассмотрения: {_status_url(appeal)}",
        telegram_only=True,
    )
    return appeal


@transaction.atomic
def appeal_return(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """The executor sends the appeal back to the coordinator (wrong topic or organization)."""
    reason = (reason or "").strip()
    if not reason:
        raise AppealError({"reason": "Укажите причину возврата."})
    _refuse_long(reason=(reason, 2000, "Причина возврата"))
    _transition(appeal, Status.MODERATION)
    appeal.executor = None
    _await_coordinator(appeal, timezone.now())
    events.returned(appeal, actor=actor, reason=reason)
    appeal.save()
    return appeal


@transaction.atomic
def appeal_request_info(*, appeal: Appeal, actor, question: str) -> Appeal:
    question = (question or "").strip()
    if not question:
        raise AppealError({"question": "Напишите, что нужно уточнить."})
    _refuse_long(question=(question, 4000, "Вопрос заявителю"))
    _transition(appeal, Status.INFO_REQUESTED)
    events.info_requested(appeal, actor=actor, question=question)
    appeal.save()
    _notify_citizen(
        appeal,
        f"Уточнение по обращению {appeal.number} [код {appeal.reply_code}]",
        f"По вашему обращению {appeal.number} нужны уточнения: {question}",
    )
    return appeal


@transaction.atomic
def appeal_add_info(*, appeal: Appeal, text: str, files: Sequence = (), source_id: str = "") -> Appeal:
    """The citizen answers a request for details (with files, from a letter: `source_id` is its
    Message-ID)."""
    text = (text or "").strip()
    if not text:
        raise AppealError({"text": "Напишите уточнение."})
    _refuse_long(text=(text, MAX_TEXT, "Уточнение"))
    if appeal.status == Status.INFO_REQUESTED:
        _transition(appeal, Status.IN_WORK)
    event = events.info_received(appeal, text=text, source_id=source_id)
    appeal.save()
    for upload in files:
        appeal_attach(appeal=appeal, upload=upload, from_citizen=True, event=event)
    return appeal


@transaction.atomic
def appeal_extend(*, appeal: Appeal, actor, days: int, reason: str) -> Appeal:
    """One extension under 59-ФЗ, with notice to the citizen; other kinds cannot be extended."""
    policy = appeal.policy
    if appeal.extensions >= policy.max_extensions:
        raise AppealError("Срок этого обращения продлевать нельзя или он уже продлён.")
    if appeal.status not in DEADLINE_RUNNING:
        raise AppealError("Продлить можно только обращение в работе.")
    reason = (reason or "").strip()
    if not reason:
        raise AppealError({"reason": "Укажите причину продления — её увидит заявитель."})
    _refuse_long(reason=(reason, 2000, "Причина продления"))
    appeal.due_at = extended_due(
        policy=policy, due_at=appeal.due_at, days=days, tz_name=appeal.region.timezone
    )
    appeal.extensions += 1
    appeal.overdue = False
    events.extended(appeal, actor=actor, new_due=appeal.due_at, reason=reason)
    appeal.save()
    _schedule_deadline(appeal, timezone.now())
    _notify_citizen(
        appeal,
        f"Срок по обращению {appeal.number} продлён",
        f"Срок рассмотрения обращения {appeal.number} продлён до "
        f"{timezone.localtime(appeal.due_at, timezone=_tz(appeal)):%d.%m.%Y}. Причина: {reason}",
    )
    return appeal


OUTCOMES = ("supported", "explained", "refused")


@transaction.atomic
def appeal_set_kind(*, appeal: Appeal, actor, kind: str) -> Appeal:
    """Staff qualify the appeal as a proposal, statement or complaint (59-ФЗ art. 4); the half-year
    analysis counts complaints by it. The change is an internal event: it is the authority's
    qualification, not news for the citizen."""
    if kind not in Kind.values:
        raise AppealError({"kind": "Вид обращения — предложение, заявление или жалоба."})
    if kind == appeal.kind:
        raise AppealError(f"Вид обращения уже «{Kind(kind).label}».")
    previous = appeal.kind
    appeal.kind = kind
    appeal.save(update_fields=["kind", "updated_at"])
    events.kind_changed(appeal, actor=actor, old=previous, new=kind)
    return appeal


@transaction.atomic
def appeal_answer(
    *, appeal: Appeal, actor, text: str, files: Sequence = (), outcome: str = "", by_post: bool = False
) -> Appeal:
    """The answer (with up to 5 checked files) goes to the citizen through the channel the appeal
    came from; a refused file refuses the whole answer. `by_post`: the answer was also sent as a
    letter to the postal address of the appeal (recorded in the history the citizen sees). An answer
    that reaches a citizen with a postal address in no way (no e-mail, no Telegram, not by post) is
    noted for staff."""
    text = (text or "").strip()
    if len(text) < 20:
        raise AppealError({"text": "Ответ слишком короткий: ответьте по существу (не короче 20 символов)."})
    if len(text) > MAX_TEXT:
        raise AppealError({"text": f"Ответ длиннее {MAX_TEXT} символов."})
    if outcome and outcome not in OUTCOMES:
        raise AppealError({"outcome": "Выберите результат: поддержано, разъяснено или отказано."})
    if by_post and not appeal.postal_address:
        raise AppealError({"by_post": "В обращении нет почтового адреса: ответ почтой направить некуда."})
    if appeal.status == Status.ASSIGNED:
        _take(appeal, actor)  # answered at once: one message (the answer), not two
    _transition(appeal, Status.ANSWERED)
    now = timezone.now()
    appeal.answer_text = text
    appeal.outcome = outcome
    appeal.answered_at = now
    if appeal.due_at and now > appeal.due_at:
        appeal.overdue = True
    event = events.answered(appeal, actor=actor, text=text)
    appeal.save()
    _schedule_retention(appeal)
    for upload in list(files)[:5]:
        appeal_attach(appeal=appeal, upload=upload, from_citizen=False, event=event)
    if by_post:
        events.posted(appeal, actor=actor)
    with_files = "К ответу приложены файлы — они на странице обращения.\n" if files else ""
    sent = _notify_citizen(
        appeal,
        f"Ответ на обращение {appeal.number}",
        f"Ответ на ваше обращение {appeal.number}:\n\n{text}\n\n{with_files}Оцените ответ от 1 до 5: "
        f"{_status_url(appeal)}",
    )
    if not sent and not by_post and appeal.postal_address:
        events.not_delivered(appeal)
    return appeal


@transaction.atomic
def appeal_comment(*, appeal: Appeal, actor, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise AppealError({"text": "Комментарий пуст."})
    _refuse_long(text=(text, 4000, "Комментарий"))
    events.comment(appeal, actor=actor, text=text)


# --- citizen: rating and escalation --------------------------------------------------------------


@transaction.atomic
def appeal_rate(*, appeal: Appeal, rating: int, comment: str = "") -> Appeal:
    """The citizen rates the answer once; 1–2 escalates the appeal to the parent organization.

    A rating belongs to an answer: a second rating of the same answer is refused (a 5 changed to a 1
    would otherwise stay without escalation, or escalate an accepted answer), while the new answer
    of the parent organization after an escalation may be rated again."""
    try:
        rating = int(rating)
    except (TypeError, ValueError) as exc:
        raise AppealError({"rating": "Оценка — число от 1 до 5."}) from exc
    if not 1 <= rating <= 5:
        raise AppealError({"rating": "Оценка — число от 1 до 5."})
    comment = (comment or "").strip()
    _refuse_long(comment=(comment, 4000, "Комментарий к оценке"))
    # The row is locked so that two ratings sent at once (a double click, two chats) are one.
    list(Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk"))
    appeal.refresh_from_db()
    if appeal.depersonalised_at:
        raise AppealError("Срок хранения обращения истёк, его данные обезличены: оценить ответ уже нельзя.")
    if answer_rated(appeal=appeal):
        raise AppealError(
            f"Вы уже оценили этот ответ: {appeal.rating} из 5. Оценку можно поставить один раз; "
            "если придёт новый ответ, его тоже можно будет оценить."
        )
    if appeal.status not in (Status.ANSWERED, Status.CLOSED) or not appeal.answered_at:
        raise AppealError("Оценить можно только полученный ответ.")
    appeal.rating = rating
    appeal.rating_comment = comment
    events.rated(appeal, rating=rating, comment=appeal.rating_comment)
    parent = appeal.organization.parent if appeal.organization_id else None
    if rating <= 2 and parent is not None:
        _escalate(appeal, parent)
    else:
        if appeal.status != Status.CLOSED:
            _transition(appeal, Status.CLOSED)
            appeal.closed_at = timezone.now()
            events.closed(
                appeal,
                reason="Ответ оценён."
                if rating > 2
                else "Ответ оценён низко; вышестоящей организации нет — рассмотрение завершено.",
            )
            _schedule_retention(appeal)
        appeal.save()
    return appeal


def _escalate(appeal: Appeal, parent: Organization) -> None:
    now = timezone.now()
    _transition(appeal, Status.ASSIGNED)
    appeal.organization = parent
    appeal.executor = None
    appeal.escalation_level += 1
    appeal.closed_at = None
    appeal.due_at = answer_due(policy=appeal.policy, start_at=now, tz_name=appeal.region.timezone)
    appeal.overdue = False
    events.escalated(appeal, to=parent, due_at=appeal.due_at, at=now)
    appeal.save()
    _schedule_deadline(appeal, now)
    _notify_citizen(
        appeal,
        f"Обращение {appeal.number} передано в вышестоящую организацию",
        f"Вы оценили ответ низко. Обращение {appeal.number} передано на повторное рассмотрение: "
        f"{parent}. Новый срок ответа — "
        f"{timezone.localtime(appeal.due_at, timezone=_tz(appeal)):%d.%m.%Y %H:%M}.",
    )


# --- deadlines (called by tasks) -----------------------------------------------------------------


@transaction.atomic
def appeal_deadline_remind(*, appeal_id: int, due_at: str) -> bool:
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None or appeal.due_at is None or appeal.due_at.isoformat() != due_at:
        return False  # the deadline moved since the reminder was scheduled
    if appeal.status not in DEADLINE_RUNNING:
        return False
    events.reminder(appeal, due_at=appeal.due_at)
    return True


@transaction.atomic
def appeal_deadline_missed(*, appeal_id: int, due_at: str) -> bool:
    """Mark the appeal overdue and tell the coordinators, if the deadline is still the same."""
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None or appeal.due_at is None or appeal.due_at.isoformat() != due_at:
        return False
    if appeal.status not in DEADLINE_RUNNING:
        return False
    appeal.overdue = True
    appeal.save(update_fields=["overdue", "updated_at"])
    events.overdue(appeal, due_at=appeal.due_at)
    _notify_coordinators(
        appeal,
        f"Просрочено обращение {appeal.number}",
        f"Срок ответа на обращение {appeal.number} ({appeal.organization or 'без исполнителя'}) истёк.",
    )
    return True


@transaction.atomic
def appeal_moderation_missed(*, appeal_id: int, due_at: str) -> bool:
    """Still waiting for a coordinator when the registration term ends: record it and tell them."""
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None or appeal.moderation_due_at is None or appeal.moderation_due_at.isoformat() != due_at:
        return False
    if appeal.status != Status.MODERATION:
        return False
    events.moderation_overdue(appeal, due_at=appeal.moderation_due_at)
    _notify_coordinators(
        appeal,
        f"Обращение {appeal.number} ждёт направления",
        f"Обращение {appeal.number} не направлено исполнителю в срок регистрации "
        f"(до {timezone.localtime(appeal.moderation_due_at, timezone=_tz(appeal)):%d.%m.%Y %H:%M}). "
        f"Откройте очередь модерации: {settings.SITE_URL}/staff/appeals/?queue=moderation",
    )
    return True


@transaction.atomic
def appeal_attach(*, appeal: Appeal, upload, from_citizen: bool = True, event=None):
    """Store one checked file with the appeal (images and PDF only)."""
    from pathlib import Path

    from otklik.appeals.attachments import MAX_FILES, check_upload
    from otklik.appeals.models import Attachment

    if appeal.attachments.count() >= MAX_FILES * 2:
        raise AppealError("К обращению уже приложено слишком много файлов.")
    content_type, extension = check_upload(upload)
    name = Path(upload.name or "file").stem[:80] + extension
    attachment = Attachment(
        appeal=appeal,
        event=event,
        name=name,
        content_type=content_type,
        size=upload.size,
        from_citizen=from_citizen,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment
