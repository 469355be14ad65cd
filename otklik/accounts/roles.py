"""Staff roles. A role is held per organization and covers that organization's subtree."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "администратор"
    COORDINATOR = "coordinator", "координатор"
    EXECUTOR = "executor", "исполнитель"
    ANALYST = "analyst", "аналитик"
    EDITOR = "editor", "редактор базы знаний"


# When a person holds several roles, the home page shows the first of these they have.
HOME_PRIORITY = [Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.EDITOR, Role.ANALYST]
