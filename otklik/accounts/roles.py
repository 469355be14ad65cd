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
