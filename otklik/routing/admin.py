from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.routing.deadlines import calendar_reset
from otklik.routing.models import (
    DeadlinePolicy,
    ProductionCalendarDay,
    RoutingRule,
    RoutingRuleChange,
    RuleSuggestionDismissal,
    Topic,
)
from otklik.routing.services import routing_rule_delete, routing_rule_save


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    org_field = None
    list_display = ["code", "name", "parent", "urgent", "consultative", "is_active"]
    list_filter = ["urgent", "consultative", "is_active", "region"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["parent"]


@admin.register(ProductionCalendarDay)
class ProductionCalendarDayAdmin(ScopedAdmin):
    org_field = None
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_reset()


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(ScopedAdmin):
    org_field = None
    list_display = ["name", "code", "answer_amount", "answer_unit", "extension_days", "redirect_days"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin):
    org_field = None
    list_display = ["__str__", "priority", "policy", "is_active", "changed_by", "updated_at"]
    list_filter = ["level", "is_active", "territory"]
    search_fields = ["topic__code", "topic__name"]
    autocomplete_fields = ["topic", "organization"]
    readonly_fields = ["changed_by"]

    def save_model(self, request, obj, form, change):
        routing_rule_save(rule=obj, user=request.user)

    def delete_model(self, request, obj):
        routing_rule_delete(rule=obj, user=request.user)


@admin.register(RoutingRuleChange)
class RoutingRuleChangeAdmin(ScopedAdmin):
    org_field = None
    list_display = ["at", "rule_id_ref", "action", "user"]
    readonly_fields = ["at", "rule_id_ref", "region", "user", "action", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RuleSuggestionDismissal)
class RuleSuggestionDismissalAdmin(RoutingRuleChangeAdmin):
    """Read-only like the rules' history; deleting a dismissal shows its suggestion again at once."""

    list_display = ["__str__", "appeals", "dismissed_by", "updated_at"]
    readonly_fields = ["region", "topic", "territory", "organization", "appeals", "dismissed_by"]
