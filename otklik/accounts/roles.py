"""Staff roles. A role is held per organization and covers that organization's subtree."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "администратор"
    COORDINATOR = "coordinator", "координатор"
    EXECUTOR = "executor", "исполнитель"
    ANALYST = "analyst", "аналитик"
    EDITOR = "editor", "редактор базы знаний"
    # Registers and imports social-media incidents for the whole region and sees all of them;
    # holds no rights over appeals (the ЦУР «Инцидент Менеджмент» operator's desk).
    MONITOR = "monitor", "оператор мониторинга"


# When a person holds several roles, the home page shows the first of these they have.
HOME_PRIORITY = [Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.EDITOR, Role.ANALYST, Role.MONITOR]


# Other ways people write a role in a spreadsheet (lower case, «ё» as «е»), besides its code and name.
ROLE_ALIASES = {
    "админ": Role.ADMIN,
    "редактор": Role.EDITOR,
    "мониторинг": Role.MONITOR,
    "оператор": Role.MONITOR,
}


def fold_words(text) -> str:
    """A cell or header as people type it compared as words: case, «ё», «_» and spacing ignored."""
    return " ".join(str(text or "").lower().replace("ё", "е").replace("_", " ").split())


def role_from_text(text: str) -> str | None:
    """The role a cell names by its code («executor») or its Russian name («Исполнитель»); None if
    it names none."""
    value = fold_words(text)
    for role in Role:
        if value in {role.value, fold_words(role.label)}:
            return role.value
    found = ROLE_ALIASES.get(value)
    return found.value if found else None
