from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "otklik.kb"
    label = "kb"
    verbose_name = "База знаний"

    def ready(self):
        from otklik.accounts.roles import Role
        from otklik.core.staff_home import register_panel
        from otklik.kb.views import editor_home_panel

        register_panel(Role.EDITOR, Role.ADMIN)(editor_home_panel)
