from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.routing.models import Topic


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    org_field = None
    list_display = ["code", "name", "parent", "urgent", "consultative", "is_active"]
    list_filter = ["urgent", "consultative", "is_active", "region"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["parent"]
