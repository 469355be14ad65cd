"""One demo staff account per role (and a second executor in another municipal body)."""

from otklik.accounts.roles import Role
from otklik.accounts.services import staff_user_create
from otklik.core.demo import DEMO_PASSWORD

ORDER = 20

# login, role, organization: the ministry ("MIN") or the n-th municipal body
ACCOUNTS = [
    ("admin", Role.ADMIN, "ministry", ("Админова", "Ольга", "Сергеевна"), "Администратор системы"),
    (
        "coordinator",
        Role.COORDINATOR,
        "ministry",
        ("Координатова", "Мария", "Юрьевна"),
        "Координатор обращений",
    ),
    ("executor", Role.EXECUTOR, 0, ("Исполнителев", "Андрей", "Петрович"), "Главный специалист"),
    ("executor2", Role.EXECUTOR, 1, ("Ответова", "Елена", "Игоревна"), "Ведущий специалист"),
    ("analyst", Role.ANALYST, "ministry", ("Аналитиков", "Игорь", "Васильевич"), "Аналитик"),
    ("editor", Role.EDITOR, "ministry", ("Редакторова", "Анна", "Михайловна"), "Редактор базы знаний"),
    (
        "monitor",
        Role.MONITOR,
        "ministry",
        ("Мониторова", "Дарья", "Олеговна"),
        "Оператор мониторинга соцсетей",
    ),
]


def seed(ctx) -> None:
    ministry = next(o for o in ctx.orgs.values() if o.kind == "ministry")
    bodies = [o for o in ctx.orgs.values() if o.kind == "municipal_body"]
    for login, role, where, (last, first, middle), position in ACCOUNTS:
        org = ministry if where == "ministry" else bodies[where]
        user = staff_user_create(
            username=login,
            password=DEMO_PASSWORD,
            organization=org,
            role=role,
            last_name=last,
            first_name=first,
            patronymic=middle,
            position=position,
            email=f"{login}@demo-obr.ru",
            validate=False,
        )
        if role == Role.ADMIN:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        ctx.users[login] = user
        ctx.logins.append((login, role.label, str(org)))
    ctx.say(f"Демонстрационные учётные записи (пароль для всех: {DEMO_PASSWORD}):")
    for login, role, org in ctx.logins:
        ctx.say(f"  {login:<12} {role} — {org}")
