"""One function per kind of incident event. The text is what staff read in the timeline."""

from django.utils import timezone
from django.utils.text import capfirst

from otklik.incidents.models import Incident, IncidentEvent

LABELS = {
    "registered": "Инцидент зарегистрирован",
    "repeat": "Ссылка найдена повторно",
    "topic_suggested": "Тематика и территория определены автоматически",
    "routed": "Назначена ответственная организация",
    "corrected": "Карточка исправлена",
    "taken": "Взят в работу",
    "answered": "Опубликован ответ",
    "no_reaction": "Не требует реакции",
    "reopened": "Возвращён в работу",
    "closed": "Закрыт",
    "converted": "Оформлено обращение",
    "comment": "Комментарий",
    "reminder": "Напоминание о сроке реакции",
    "overdue": "Срок реакции нарушен",
    "publish_requested": "Публикация ответа во ВКонтакте запрошена",
    "published": "Ответ опубликован во ВКонтакте",
    "publish_failed": "Ответ не опубликован во ВКонтакте",
    "reply_link": "Ссылка на ответ указана вручную",
    "depersonalised": "Персональные данные обезличены",
    "detected": "Найден мониторингом ВКонтакте",
}


def record(incident: Incident, kind: str, *, actor=None, text: str = "", data: dict | None = None, at=None):
    """Write one event. Use the named helpers below; this is their common core."""
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        actor_label=str(actor) if actor is not None else "Система",
        text=text,
        data=data or {},
    )


def local_time(incident: Incident, moment) -> str:
    from zoneinfo import ZoneInfo

    return f"{timezone.localtime(moment, ZoneInfo(incident.region.timezone)):%d.%m.%Y %H:%M}"


def registered(incident, *, actor=None, at=None):
    due = f" Срок реакции: {local_time(incident, incident.due_at)}." if incident.due_at else ""
    return record(
        incident,
        "registered",
        actor=actor,
        at=at,
        text=f"{incident.get_network_display()}, {incident.get_source_display()}.{due}",
        data={"network": incident.network, "policy": incident.policy.code, "source": incident.source},
    )


def repeat(incident, *, actor=None):
    return record(incident, "repeat", actor=actor, text=f"Найден {incident.mentions}-й раз.")


def topic_suggested(incident, *, topic, confidence: float, territory, at=None):
    parts = [
        f"{topic.code} {topic.name} (уверенность {confidence:.0%})" if topic else "тематика не определена"
    ]
    parts.append(f"территория: {territory.name}" if territory else "территория не определена")
    return record(
        incident,
        "topic_suggested",
        at=at,
        text="; ".join(parts),
        data={"topic": topic.code if topic else None, "confidence": round(confidence, 3)},
    )


def routed(incident, *, organization, actor=None, at=None):
    return record(
        incident,
        "routed",
        actor=actor,
        at=at,
        text=str(organization),
        data={"organization": organization.code, "automatic": actor is None},
    )


def corrected(incident, *, actor, changes: list[str]):
    due = f" Срок реакции: {local_time(incident, incident.due_at)}." if incident.due_at else ""
    return record(incident, "corrected", actor=actor, text="; ".join(changes) + "." + due)


def taken(incident, *, actor):
    return record(incident, "taken", actor=actor)


def answered(incident, *, actor, at=None, publish: bool = False):
    late = " (позже срока)" if incident.overdue else ""
    where = "Будет опубликован во ВКонтакте от имени сообщества." if publish else incident.reply_url
    text = f"{where}{late}\n{incident.reply_text}".strip()
    return record(
        incident,
        "answered",
        actor=actor,
        at=at,
        text=text,
        data={"url": incident.reply_url, "publish": publish},
    )


def publish_requested(incident, *, actor):
    return record(incident, "publish_requested", actor=actor, text="Отклик опубликует ответ ещё раз.")


def published(incident, *, url: str, comment_id: int):
    return record(incident, "published", text=url, data={"url": url, "comment_id": comment_id})


def publish_failed(incident, *, error: str, code: int | None):
    return record(
        incident,
        "publish_failed",
        text=f"{capfirst(error)}. Опубликуйте ответ снова или вставьте ссылку на опубликованный вручную.",
        data={"code": code},
    )


def reply_link(incident, *, actor):
    return record(
        incident, "reply_link", actor=actor, text=incident.reply_url, data={"url": incident.reply_url}
    )


def no_reaction(incident, *, actor, reason: str):
    return record(incident, "no_reaction", actor=actor, text=reason)


def reopened(incident, *, actor):
    return record(incident, "reopened", actor=actor)


def closed(incident, *, actor):
    return record(incident, "closed", actor=actor)


def converted(incident, *, actor, appeal):
    return record(
        incident, "converted", actor=actor, text=f"Обращение {appeal.number}.", data={"appeal": appeal.number}
    )


def comment(incident, *, actor, text: str):
    return record(incident, "comment", actor=actor, text=text)


def reminder(incident):
    return record(incident, "reminder", text=f"Ответить до {local_time(incident, incident.due_at)}.")


def overdue(incident):
    return record(
        incident,
        "overdue",
        text=f"Срок {local_time(incident, incident.due_at)} истёк; сообщено координаторам.",
    )


def depersonalised(incident, *, at=None):
    return record(
        incident,
        "depersonalised",
        at=at,
        text="Ник автора и ссылка удалены, тексты обезличены по истечении срока хранения.",
    )


def detected(incident, *, source, keywords: list[str], complaint: list[str], danger: list[str], at=None):
    """Why the collector took the post: the source, the words that matched, the tone it heard."""
    parts = [f"Источник: {source.name} ({source.url})"]
    parts.append(f"ключевые слова: {', '.join(keywords)}" if keywords else "по тематике (классификатор)")
    if complaint:
        parts.append(f"похоже на жалобу: {', '.join(complaint)}")
    if danger:
        parts.append(f"угроза детям — срочно: {', '.join(danger)}")
    return record(
        incident,
        "detected",
        at=at,
        text="; ".join(parts) + ".",
        data={"source": source.pk, "keywords": keywords, "complaint": complaint, "danger": danger},
    )
