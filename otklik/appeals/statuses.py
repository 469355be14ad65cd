"""Appeal statuses, what each means, and the only allowed transitions.

`appeals.services._transition` is the only writer of `Appeal.status`; it checks this table.
"""

from django.db import models


class Status(models.TextChoices):
    MODERATION = "moderation", "на модерации"
    ASSIGNED = "assigned", "направлено исполнителю"
    IN_WORK = "in_work", "в работе"
    INFO_REQUESTED = "info_requested", "запрошены уточнения"
    ANSWERED = "answered", "дан ответ"
    CLOSED = "closed", "закрыто"
    REDIRECTED = "redirected", "переадресовано (не по компетенции)"
    MERGED = "merged", "объединено с другим"


MEANING = {
    Status.MODERATION: "Ждёт координатора: тематика или исполнитель не определены уверенно, или обращение возвращено.",
    Status.ASSIGNED: "Направлено в организацию-исполнитель, ещё не взято в работу.",
    Status.IN_WORK: "Исполнитель готовит ответ.",
    Status.INFO_REQUESTED: "Исполнитель попросил заявителя уточнить; срок идёт.",
    Status.ANSWERED: "Ответ отправлен заявителю, ждём оценку.",
    Status.CLOSED: "Работа завершена: ответ принят или оценка не поступила вовремя.",
    Status.REDIRECTED: "Вопрос не относится к компетенции; направлено в другой орган с уведомлением заявителя.",
    Status.MERGED: "Повтор другого обращения; ответ будет дан в основном обращении.",
}

# What the applicant reads on their status page: no words of the workspace («координатор»,
# «исполнитель не определён уверенно»), only what happens to the appeal and what to expect.
FOR_APPLICANT = {
    Status.MODERATION: "Обращение принято. Специалист определяет, какая организация ответит по существу, "
    "и направит его туда.",
    Status.ASSIGNED: "Обращение направлено в организацию, которая подготовит ответ.",
    Status.IN_WORK: "Специалист готовит ответ.",
    Status.INFO_REQUESTED: "Специалисту нужны уточнения: его вопрос — в ходе рассмотрения ниже.",
    Status.ANSWERED: "Ответ дан. Пожалуйста, оцените его ниже.",
    Status.CLOSED: "Рассмотрение завершено.",
    Status.REDIRECTED: "Вопрос не относится к компетенции органов образования и направлен в орган, "
    "который может его решить.",
    Status.MERGED: "Такой же вопрос уже рассматривается в другом обращении: ответ будет дан в нём.",
}


class Kind(models.TextChoices):
    OPEN = "open", "открыто"
    WAITING = "waiting", "ожидание"
    CLOSED = "closed", "закрыто"


KIND = {
    Status.MODERATION: Kind.OPEN,
    Status.ASSIGNED: Kind.OPEN,
    Status.IN_WORK: Kind.OPEN,
    Status.INFO_REQUESTED: Kind.WAITING,
    Status.ANSWERED: Kind.WAITING,
    Status.CLOSED: Kind.CLOSED,
    Status.REDIRECTED: Kind.CLOSED,
    Status.MERGED: Kind.CLOSED,
}

TRANSITIONS: dict[str, set[str]] = {
    Status.MODERATION: {Status.ASSIGNED, Status.REDIRECTED, Status.MERGED},
    Status.ASSIGNED: {Status.IN_WORK, Status.MODERATION, Status.ASSIGNED, Status.REDIRECTED, Status.MERGED},
    Status.IN_WORK: {
        Status.ANSWERED,
        Status.INFO_REQUESTED,
        Status.MODERATION,
        Status.ASSIGNED,
        Status.MERGED,
    },
    Status.INFO_REQUESTED: {Status.IN_WORK, Status.ANSWERED, Status.MODERATION},
    Status.ANSWERED: {Status.CLOSED, Status.ASSIGNED},  # rated low → escalated: assigned to the parent
    Status.CLOSED: {Status.ASSIGNED},  # a late low rating can still escalate
    Status.REDIRECTED: set(),
    Status.MERGED: set(),
}

OPEN_STATUSES = [s for s, k in KIND.items() if k != Kind.CLOSED]
# Statuses in which the answer deadline is running.
DEADLINE_RUNNING = [Status.MODERATION, Status.ASSIGNED, Status.IN_WORK, Status.INFO_REQUESTED]


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())
