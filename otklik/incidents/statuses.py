"""Incident statuses, what each means, and the only allowed transitions.

`incidents.services._transition` is the only writer of `Incident.status`; it checks this table.
"""

from django.db import models


class Status(models.TextChoices):
    NEW = "new", "новый"
    IN_WORK = "in_work", "в работе"
    ANSWERED = "answered", "дан публичный ответ"
    NO_REACTION = "no_reaction", "не требует реакции"
    CLOSED = "closed", "закрыт"


MEANING = {
    Status.NEW: "Найден мониторингом, ещё никто не взял в работу; срок реакции идёт.",
    Status.IN_WORK: "Сотрудник готовит публичный ответ.",
    Status.ANSWERED: "Ответ опубликован в социальной сети от имени органа образования или ждёт публикации.",
    Status.NO_REACTION: "Публикация не требует реакции органа образования (причина записана).",
    Status.CLOSED: "Работа завершена.",
}

TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.IN_WORK, Status.ANSWERED, Status.NO_REACTION},
    Status.IN_WORK: {Status.ANSWERED, Status.NO_REACTION},
    Status.ANSWERED: {Status.CLOSED},
    Status.NO_REACTION: {Status.CLOSED, Status.IN_WORK},  # a dismissal can be reconsidered
    Status.CLOSED: set(),
}

# Statuses in which the reaction deadline is running.
DEADLINE_RUNNING = [Status.NEW, Status.IN_WORK]


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())
