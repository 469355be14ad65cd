"""One function per kind of appeal event. The text is what people read in the timeline."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from otklik.appeals.models import Appeal, AppealEvent, Kind

LABELS = {
    "registered": "Обращение зарегистрировано",
    "anonymous": "Анонимное обращение",
    "topic_suggested": "Тематика определена автоматически",
    "moderation": "Передано координатору на модерацию",
    "routed": "Направлено исполнителю",
    "assigned": "Назначен исполнитель",
    "taken": "Взято в работу",
    "info_requested": "Запрошены уточнения у заявителя",
    "info_received": "Заявитель дополнил обращение",
    "returned": "Возвращено на координацию",
    "redirected": "Переадресовано по компетенции",
    "extended": "Срок рассмотрения продлён",
    "answered": "Дан ответ",
    "rated": "Заявитель оценил ответ",
    "escalated": "Передано в вышестоящую организацию",
    "closed": "Обращение закрыто",
    "merged": "Объединено с другим обращением",
    "duplicate_found": "Найдено похожее обращение",
    "comment": "Внутренний комментарий",
    "reminder": "Напоминание о сроке",
    "overdue": "Срок ответа нарушен",
    "moderation_overdue": "Срок направления исполнителю нарушен",
    "delivered": "Ответ доставлен заявителю",
    "delivery_failed": "Ответ не удалось доставить",
    "registered_late": "Зарегистрировано позже срока",
    "kind_changed": "Изменён вид обращения",
    "posted": "Ответ направлен почтой",
    "not_delivered": "Ответ некуда отправить электронно",
    "depersonalised": "Персональные данные обезличены",
}


def _local(appeal, moment):
    """A moment in the appeal's region time zone: event texts are written by the web and the worker
    alike, whatever zone the process runs in."""
    return timezone.localtime(moment, ZoneInfo(appeal.region.timezone))


def _actor_label(actor) -> str:
    if actor is None:
        return "Система"
    return str(actor)


def record(
    appeal: Appeal,
    kind: str,
    *,
    actor=None,
    text: str = "",
    public: bool = True,
    data: dict | None = None,
    at=None,
) -> AppealEvent:
    """Write one event. Use the named helpers below; this is their common core."""
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        actor_label=_actor_label(actor),
        public=public,
        text=text,
        data=data or {},
    )


def registered(appeal, *, actor=None, at=None):
    text = f"Номер {appeal.number}, канал: {appeal.get_channel_display()}."
    data = {"channel": appeal.channel, "policy": appeal.policy.code, "kind": appeal.kind}
    if appeal.received_at and appeal.received_at != appeal.registered_at:
        text += f" Поступило {_local(appeal, appeal.received_at):%d.%m.%Y}."
        data["received_at"] = appeal.received_at.isoformat()
    if appeal.incoming_number or appeal.incoming_date:
        letter = " ".join(
            part
            for part in (
                f"№ {appeal.incoming_number}" if appeal.incoming_number else "",
                f"от {appeal.incoming_date:%d.%m.%Y}" if appeal.incoming_date else "",
            )
            if part
        )
        text += f" Письмо {letter}."
    return record(appeal, "registered", actor=actor, at=at, text=text, data=data)


def topic_suggested(appeal, *, topic, confidence: float, at=None, by_citizen: bool = False):
    how = "выбрана заявителем из предложенных" if by_citizen else f"уверенность {confidence:.0%}"
    return record(
        appeal,
        "topic_suggested",
        public=False,
        at=at,
        text=f"{topic.code} {topic.name} ({how})",
        data={"topic": topic.code, "confidence": round(confidence, 3), "by_citizen": by_citizen},
    )


def moderation(appeal, *, reason: str, at=None):
    return record(appeal, "moderation", public=False, text=reason, at=at)


def routed(appeal, *, organization, automatic: bool, by_hand: bool = False, actor=None, due_at=None, at=None):
    """`by_hand`: a coordinator chose the organization (the routing history learns from it); a
    staff-confirmed topic routed by the rules at intake is neither automatic nor by hand."""
    who = "автоматически" if automatic else "координатором"
    return record(
        appeal,
        "routed",
        actor=actor,
        at=at,
        text=f"{organization} ({who}).",
        data={
            "organization": organization.code,
            "automatic": automatic,
            "by_hand": by_hand,
            "due_at": due_at.isoformat() if due_at else None,
        },
    )


def assigned(appeal, *, executor, actor=None, at=None):
    return record(
        appeal,
        "assigned",
        actor=actor,
        public=False,
        text=str(executor),
        at=at,
        data={"executor": executor.pk},
    )


def taken(appeal, *, actor, at=None):
    return record(appeal, "taken", actor=actor, at=at)


def info_requested(appeal, *, actor, question: str, at=None):
    return record(appeal, "info_requested", actor=actor, text=question, at=at)


def info_received(appeal, *, text: str, at=None, source_id: str = ""):
    """`source_id`: the letter the details came in (its Message-ID), so that it is added once."""
    return record(
        appeal, "info_received", text=text, at=at, data={"source_id": source_id} if source_id else None
    )


def returned(appeal, *, actor, reason: str, at=None):
    return record(appeal, "returned", actor=actor, public=False, text=reason, at=at)


def redirected(appeal, *, actor, to: str, reason: str, late_after=None, at=None):
    """`late_after`: the redirect deadline, when it has passed (recorded for deadline evidence)."""
    data = {"to": to}
    if late_after is not None:
        data |= {"late": True, "limit": late_after.isoformat()}
    return record(appeal, "redirected", actor=actor, text=f"{to}. {reason}".strip(), at=at, data=data)


def extended(appeal, *, actor, new_due, reason: str, at=None):
    return record(
        appeal,
        "extended",
        actor=actor,
        text=f"Новый срок: {_local(appeal, new_due):%d.%m.%Y}. {reason}",
        data={"due_at": new_due.isoformat()},
        at=at,
    )


def answered(appeal, *, actor, text: str, at=None):
    return record(appeal, "answered", actor=actor, text=text, at=at)


def rated(appeal, *, rating: int, comment: str, at=None):
    return record(
        appeal, "rated", text=f"Оценка {rating} из 5. {comment}".strip(), at=at, data={"rating": rating}
    )


def escalated(appeal, *, to, due_at, at=None):
    return record(
        appeal,
        "escalated",
        text=f"{to}: повторное рассмотрение до {_local(appeal, due_at):%d.%m.%Y %H:%M}.",
        at=at,
        data={"organization": to.code, "due_at": due_at.isoformat()},
    )


def closed(appeal, *, reason: str, actor=None, at=None):
    return record(appeal, "closed", actor=actor, text=reason, at=at)


def merged(appeal, *, into, actor, at=None):
    return record(
        appeal,
        "merged",
        actor=actor,
        text=f"Основное обращение: {into.number}.",
        at=at,
        data={"into": into.number},
    )


def duplicate_found(appeal, *, other, similarity: float, at=None):
    return record(
        appeal,
        "duplicate_found",
        public=False,
        at=at,
        text=f"Похоже на {other.number} (сходство {similarity:.0%}).",
        data={"other": other.number, "similarity": round(similarity, 3)},
    )


def comment(appeal, *, actor, text: str, at=None):
    return record(appeal, "comment", actor=actor, public=False, text=text, at=at)


def reminder(appeal, *, due_at, at=None):
    return record(
        appeal,
        "reminder",
        public=False,
        at=at,
        text=f"Срок ответа: {_local(appeal, due_at):%d.%m.%Y %H:%M}.",
    )


def overdue(appeal, *, due_at, at=None):
    return record(
        appeal,
        "overdue",
        public=False,
        at=at,
        text=f"Срок {_local(appeal, due_at):%d.%m.%Y %H:%M} истёк; сообщено координатору.",
    )


def moderation_overdue(appeal, *, due_at, at=None):
    return record(
        appeal,
        "moderation_overdue",
        public=False,
        at=at,
        text=f"Обращение не направлено исполнителю до {_local(appeal, due_at):%d.%m.%Y %H:%M}; "
        "сообщено координатору.",
    )


def delivered(appeal, *, channel: str, at=None):
    return record(appeal, "delivered", text=f"Канал: {channel}.", at=at, data={"channel": channel})


def delivery_failed(appeal, *, channel: str, error: str, at=None):
    return record(appeal, "delivery_failed", public=False, text=f"{channel}: {error}", at=at)


def registered_late(appeal, *, limit, received_at, at=None):
    """Registered after the 3 working days from receipt (59-ФЗ art. 8 part 2): deadline evidence."""
    return record(
        appeal,
        "registered_late",
        public=False,
        at=at,
        text=f"Поступило {_local(appeal, received_at):%d.%m.%Y}, зарегистрировать следовало до "
        f"{_local(appeal, limit):%d.%m.%Y}.",
        data={"received_at": received_at.isoformat(), "limit": limit.isoformat()},
    )


def kind_changed(appeal, *, actor, old: str, new: str, at=None):
    return record(
        appeal,
        "kind_changed",
        actor=actor,
        public=False,
        at=at,
        text=f"{Kind(old).label} → {Kind(new).label}.",
        data={"old": old, "new": new},
    )


def posted(appeal, *, actor, at=None):
    # The address stays out of the text: the status page shows public events to whoever holds the link.
    return record(
        appeal,
        "posted",
        actor=actor,
        at=at,
        text="Ответ направлен письмом на почтовый адрес, указанный в обращении.",
        data={"channel": "post"},
    )


def not_delivered(appeal, *, at=None):
    return record(
        appeal,
        "not_delivered",
        public=False,
        at=at,
        text="У заявителя нет электронной почты и Telegram, а отметки об ответе почтой нет: направьте "
        "ответ письмом по адресу из обращения или вручите его лично.",
    )


def depersonalised(appeal, *, actor=None, reason: str = "", at=None):
    """No personal data in it: the reason of a request is anonymised by the caller."""
    if actor is None:
        text = "Персональные данные обезличены по истечении срока хранения."
        by = "retention"
    else:
        text = f"Персональные данные обезличены по запросу гражданина (152-ФЗ, ст. 21). Основание: {reason}"
        by = "request"
    return record(appeal, "depersonalised", actor=actor, at=at, text=text, data={"by": by})
