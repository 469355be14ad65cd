from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.services import organization_save


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    org_field = None
    list_display = ["name", "code", "timezone", "appeal_prefix", "hosts"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Territory)
class TerritoryAdmin(ScopedAdmin):
    org_field = None
    list_display = ["name", "code", "kind", "population", "pupils", "children_preschool"]
    list_filter = ["region", "kind"]
    search_fields = ["name", "code"]


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    org_field = ""
    list_display = ["name", "code", "kind", "territory", "parent", "is_active"]
    list_filter = ["kind", "territory", "is_active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        organization_save(org=obj)
