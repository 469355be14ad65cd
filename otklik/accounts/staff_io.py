"""Import and export of a region's staff (people and their roles) as CSV or XLSX.

Columns (Russian, in any order; case, «ё» and extra spaces do not matter): фамилия, имя, отчество,
e-mail, телефон, должность, код организации, роль. One row is one role of one person; a person with
two roles takes two rows with the same e-mail. The file is checked whole before anything is
written, and a file with any bad row writes nothing. People are found by e-mail: a re-import updates
their data and adds the roles they lack, never duplicates a person and never removes a role.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from otklik.accounts import services
from otklik.accounts.models import Membership, User
from otklik.accounts.roles import Role, fold_words, role_from_text
from otklik.lib.params import too_long
from otklik.lib.spreadsheet import (
    NO_ROWS,
    FileProblems,
    UnreadableFile,
    csv_cell,
    csv_cell_read,
    csv_dicts,
    decode_csv,
    xlsx_append,
    xlsx_dicts,
)
from otklik.orgs.models import Organization, Region

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
EXTENSIONS = (".csv", ".xlsx")

# Field → the column header written on export, and the other headers accepted on import.
COLUMNS = {
    "last_name": ("фамилия", ["last_name"]),
    "first_name": ("имя", ["first_name"]),
    "patronymic": ("отчество", ["patronymic"]),
    "email": ("e-mail", ["email", "e-mail", "эл. почта", "электронная почта", "почта"]),
    "phone": ("телефон", ["phone"]),
    "position": ("должность", ["position"]),
    "organization": ("код организации", ["organization", "организация", "код"]),
    "role": ("роль", ["role"]),
}
REQUIRED = ("last_name", "first_name", "email", "organization", "role")
NAMES = ("last_name", "first_name")
EXPORT_ACTIVE = "активен"
LIMITS = {"last_name": 150, "first_name": 150, "patronymic": 150, "phone": 40, "position": 200}


class StaffImportError(FileProblems):
    """The staff file cannot be imported; `problems` lists every reason in Russian."""

    SHOWN = 5


@dataclass
class StaffImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    roles_added: int = 0
    dry_run: bool = False

    @property
    def invited(self) -> int:
        """Every new person is sent an invitation to set a password (queued with the import)."""
        return self.created

    def summary(self) -> str:
        head = (
            "Файл проверен, ошибок нет, ничего не записано. Будет" if self.dry_run else "Сотрудники загружены"
        )
        return (
            f"{head}: новых сотрудников {self.created}, обновлено {self.updated}, без изменений "
            f"{self.unchanged}, новых ролей {self.roles_added}, приглашений {self.invited}."
        )


@dataclass
class _Person:
    line: int
    email: str
    data: dict[str, str]
    user: User | None = None
    roles: list[tuple[Organization, str]] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, str]:
    """The file's own header for each field it has."""
    found = {}
    for name in header:
        folded = fold_words(name)
        for key, (title, others) in COLUMNS.items():
            if key not in found and folded in {fold_words(title), *map(fold_words, others)}:
                found[key] = name
    return found


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a phone or a code Excel stored as a number
        value = int(value)
    return str(csv_cell_read(value) if isinstance(value, str) else value).strip()


def staff_parse(*, content: bytes, filename: str) -> list[dict]:
    """The rows of an uploaded staff file as {field: text}, each with its line number in `line`;
    refuses with Russian reasons."""
    if not content:
        raise StaffImportError(["Файл пуст."])
    if len(content) > MAX_BYTES:
        raise StaffImportError(["Файл больше 5 МБ: разделите его на части."])
    lower = filename.lower()
    try:
        if lower.endswith(".xlsx"):
            header, table = xlsx_dicts(content)
        elif lower.endswith(".csv"):
            header, table = csv_dicts(decode_csv(content))
        else:
            raise StaffImportError(["Поддерживаются файлы .csv и .xlsx."])
    except UnreadableFile as exc:
        raise StaffImportError([str(exc)]) from exc
    columns = _header_map(header)
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns]
    if missing:
        raise StaffImportError(
            [f"В таблице нет обязательных столбцов: {', '.join(missing)} (первая строка — заголовок)."]
        )
    rows = []
    for n, raw in enumerate(table, 2):  # line 1 is the header
        row = {key: _cell(raw.get(name)) for key, name in columns.items()}
        if any(row.values()):
            rows.append({**dict.fromkeys(COLUMNS, ""), **row, "line": n})
    if not rows:
        raise StaffImportError([NO_ROWS])
    if len(rows) > MAX_ROWS:
        raise StaffImportError([f"В файле больше {MAX_ROWS} строк: разделите его на части."])
    return rows


def _check(*, region: Region, rows: list[dict], allowed: set[int] | None) -> list[_Person]:
    """The people the rows describe, or StaffImportError with every bad row."""
    problems: list[str] = []
    codes = {row["organization"] for row in rows if row["organization"]}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=codes).select_related("region")}
    emails = {row["email"].lower() for row in rows if row["email"]}
    existing: dict[str, list[User]] = {}
    # By the lower-cased address: accounts made in the Django admin may keep upper-case letters.
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .prefetch_related("memberships")
    ):
        existing.setdefault(user.email_lower, []).append(user)
    people: dict[str, _Person] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        where = f"Строка {row['line']}"
        bad = []
        email = row["email"].lower()
        # Names are needed to create a person; a known one (in the database or an earlier row) has them.
        known = email in existing or email in people
        for key in REQUIRED:
            if not row[key] and not (known and key in NAMES):
                bad.append(f"{where}: не заполнен столбец «{COLUMNS[key][0]}».")
        for key, limit in LIMITS.items():
            if refusal := too_long(row[key], limit, f"«{COLUMNS[key][0]}»"):
                bad.append(f"{where}: {refusal}")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(f"{where}: неверный e-mail «{row['email']}».")
        org = orgs.get(row["organization"])
        if row["organization"] and org is None:
            bad.append(f"{where}: организация с кодом «{row['organization']}» не найдена.")
        elif org is not None and org.region_id != region.pk:
            bad.append(
                f"{where}: организация «{row['organization']}» относится к другому региону ({org.region.name})."
            )
        elif org is not None and allowed is not None and org.pk not in allowed:
            bad.append(f"{where}: организация «{row['organization']}» вне ваших полномочий администратора.")
        role = role_from_text(row["role"])
        if row["role"] and role is None:
            names = ", ".join(f"{r.label} ({r.value})" for r in Role)
            bad.append(f"{where}: роль «{row['role']}» неизвестна. Возможные роли: {names}.")
        found = existing.get(email, [])
        if len(found) > 1:
            bad.append(
                f"{where}: e-mail {email} указан у нескольких учётных записей — исправьте в «Сотрудниках»."
            )
        elif found and allowed is not None:
            account = found[0]
            if account.is_superuser or any(
                m.organization_id not in allowed for m in account.memberships.all()
            ):
                bad.append(
                    f"{where}: сотрудник {email} работает и в организациях вне ваших полномочий; "
                    "его данные и роли меняет администратор системы."
                )
        key = (email, row["organization"], role or row["role"])
        if email and key in seen:
            bad.append(f"{where}: повторяет строку {seen[key]} (тот же e-mail, организация и роль).")
        seen.setdefault(key, row["line"])
        data = {k: row[k] for k in services.PERSON_FIELDS}
        person = people.get(email)
        if (
            email
            and person is not None
            and any(
                data[k] and person.data[k] and data[k] != person.data[k] for k in ("last_name", "first_name")
            )
        ):
            bad.append(f"{where}: e-mail {email} уже указан в строке {person.line} для другого человека.")
        problems += bad
        if bad or not email:
            continue
        if person is None:
            person = people[email] = _Person(row["line"], email, data, found[0] if found else None)
        else:  # a later row of the same person fills what the first one left empty
            person.data = {k: person.data[k] or data[k] for k in data}
        if (org, role) not in person.roles:
            person.roles.append((org, role))
    if problems:
        raise StaffImportError(problems)
    return list(people.values())


def staff_import(
    *,
    region: Region,
    rows: list[dict],
    actor: User | None,
    actor_label: str = "",
    allowed: set[int] | None = None,
    dry_run: bool = False,
    filename: str = "",
) -> StaffImportResult:
    """Create or update the people of `rows` in `region` (all or nothing) and give them the roles
    they lack; new people get an invitation to set their password. `allowed` limits the
    organizations (the ids an administrator manages; None: any of the region's). With `dry_run`
    the file is checked and counted, and nothing is written or sent."""
    people = _check(region=region, rows=rows, allowed=allowed)
    result = StaffImportResult(dry_run=dry_run)
    how = f"Импорт из файла {filename}." if filename else "Импорт из файла."
    who = {"actor": actor, "actor_label": actor_label, "how": how}
    with transaction.atomic():
        for person in people:
            if person.user is None:
                result.created += 1
                result.roles_added += len(person.roles)
                if not dry_run:
                    org, role = person.roles[0]
                    user = services.person_create(
                        email=person.email, organization=org, role=role, **who, **person.data
                    )
                    for org, role in person.roles[1:]:
                        services.membership_add(user=user, organization=org, role=role, **who)
                continue
            user = person.user
            held = {(m.organization_id, m.role) for m in user.memberships.all()}
            new_roles = [(org, role) for org, role in person.roles if (org.pk, role) not in held]
            # An empty cell keeps what is there: a short file never wipes a phone number.
            data = {k: v for k, v in person.data.items() if v}
            touched = bool(new_roles) or any(getattr(user, k) != v for k, v in data.items())
            result.updated += touched
            result.unchanged += not touched
            result.roles_added += len(new_roles)
            if not dry_run:
                services.person_update(user=user, **who, **data)
                for org, role in new_roles:
                    services.membership_add(user=user, organization=org, role=role, **who)
    return result


def staff_export_rows(*, region: Region, organizations=None) -> list[list[str]]:
    """The header and one row per role held in the region's organizations (or in `organizations`,
    those an administrator manages); the file imports back as it is."""
    memberships = Membership.objects.filter(organization__region=region)
    if organizations is not None:
        memberships = memberships.filter(organization__in=organizations)
    memberships = memberships.select_related("user", "organization").order_by(
        "user__last_name", "user__first_name", "user__email", "organization__path", "role"
    )
    rows = [[title for title, _ in COLUMNS.values()] + [EXPORT_ACTIVE]]
    for m in memberships:
        u = m.user
        rows.append(
            [u.last_name, u.first_name, u.patronymic, u.email, u.phone, u.position, m.organization.code]
            + [m.get_role_display(), "да" if u.is_active else "нет"]
        )
    return rows


def staff_export_csv(*, region: Region, organizations=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in staff_export_rows(region=region, organizations=organizations):
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def staff_export_xlsx(*, region: Region, organizations=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Сотрудники"
    for row in staff_export_rows(region=region, organizations=organizations):
        xlsx_append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
