"""One function per kind of change to a staff account. The text is what admins read in the
person's history."""

from django.utils import timezone

from otklik.accounts.models import Membership, StaffEvent, User

LABELS = {
    "created": "Сотрудник добавлен",
    "updated": "Данные изменены",
    "role_added": "Роль назначена",
    "role_removed": "Роль снята",
    "deactivated": "Учётная запись отключена",
    "reactivated": "Учётная запись включена",
    "invited": "Отправлено приглашение",
    "reset_requested": "Запрошено восстановление пароля",
    "password_set": "Пароль задан по ссылке",
}
CONSOLE = "Консоль сервера"


def record(person: User, kind: str, *, actor=None, label: str = "", text: str = "", data=None) -> StaffEvent:
    """Write one event. Use the named helpers below; this is their common core."""
    return StaffEvent.objects.create(
        person=person,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        actor_label=label or (str(actor) if actor is not None else "Система"),
        text=text,
        data=data or {},
    )


def _role(membership: Membership) -> str:
    return f"{membership.get_role_display()} — {membership.organization}"


def created(person, *, actor=None, label="", how: str = ""):
    return record(person, "created", actor=actor, label=label, text=how)


def updated(person, *, changes: dict[str, tuple[str, str]], actor=None, label="", how: str = ""):
    text = "; ".join(f"{field}: «{old}» → «{new}»" for field, (old, new) in changes.items())
    return record(
        person,
        "updated",
        actor=actor,
        label=label,
        text=" ".join(p for p in (text, how) if p),
        data={k: list(v) for k, v in changes.items()},
    )


def role_added(person, *, membership: Membership, actor=None, label="", how: str = ""):
    data = {"role": membership.role, "organization": membership.organization.code}
    text = " ".join(p for p in (_role(membership), how) if p)
    return record(person, "role_added", actor=actor, label=label, text=text, data=data)


def role_removed(person, *, membership: Membership, actor=None):
    data = {"role": membership.role, "organization": membership.organization.code}
    return record(person, "role_removed", actor=actor, text=_role(membership), data=data)


def deactivated(person, *, actor=None, open_appeals: int = 0):
    text = f"Открытых обращений у исполнителя: {open_appeals}." if open_appeals else ""
    return record(person, "deactivated", actor=actor, text=text, data={"open_appeals": open_appeals})


def reactivated(person, *, actor=None):
    return record(person, "reactivated", actor=actor)


def invited(person, *, actor=None, label=""):
    return record(person, "invited", actor=actor, label=label, text=f"На адрес {person.email}.")


def reset_requested(person):
    return record(person, "reset_requested", label="Сам сотрудник", text=f"На адрес {person.email}.")


def password_set(person):
    return record(person, "password_set", label="Сам сотрудник")
