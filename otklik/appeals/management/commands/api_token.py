from django.core.management.base import BaseCommand, CommandError

from otklik.appeals.api import token_create
from otklik.appeals.models import ApiToken
from otklik.orgs.models import Organization


class Command(BaseCommand):
    help = "Токены REST API для интеграций: create, list, revoke."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--organization", help="код организации (для create)")
        parser.add_argument("--name", help="название интеграции (для create)")
        parser.add_argument("--prefix", help="начало токена (для revoke)")

    def handle(self, *args, action, organization=None, name=None, prefix=None, **options):
        if action == "create":
            if not organization or not name:
                raise CommandError("Укажите --organization КОД и --name НАЗВАНИЕ.")
            org = Organization.objects.filter(code=organization).first()
            if org is None:
                raise CommandError(f"Организация с кодом {organization} не найдена.")
            self.stdout.write(token_create(organization=org, name=name))
            self.stderr.write("Сохраните токен: он показывается один раз.")
        elif action == "list":
            for token in ApiToken.objects.select_related("organization").order_by("pk"):
                state = "действует" if token.is_active else "отозван"
                self.stdout.write(f"{token.prefix}…  {token.organization.code}  {token.name}  {state}")
        else:
            updated = ApiToken.objects.filter(prefix=prefix or "", is_active=True).update(is_active=False)
            if not updated:
                raise CommandError("Действующий токен с таким началом не найден.")
            self.stdout.write("Токен отозван.")
