from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.incidents.models import Incident, IncidentEvent, IncidentExternalId


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    fields = ["at", "kind", "actor_label", "text"]
    readonly_fields = fields
    can_delete = False


class ExternalIdInline(admin.TabularInline):
    model = IncidentExternalId
    extra = 0
    fields = ["source", "external_id", "at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(ScopedAdmin):
    list_display = [
        "pk",
        "found_at",
        "network",
        "status",
        "urgent",
        "organization",
        "topic",
        "due_at",
        "overdue",
    ]
    list_filter = ["status", "network", "urgent", "overdue", "source"]
    search_fields = ["url", "text", "author_nickname"]
    date_hierarchy = "found_at"
    inlines = [EventInline, ExternalIdInline]
    readonly_fields = [
        "url",
        "found_at",
        "status",
        "due_at",
        "answered_at",
        "closed_at",
        "mentions",
        "appeal",
    ]
    autocomplete_fields = ["organization", "topic", "topic_suggested", "territory"]
