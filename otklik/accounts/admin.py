from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from otklik.accounts.models import Citizen, CitizenIdentity, Membership, StaffEvent, User
from otklik.core.admin_base import ScopedAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


class StaffEventInline(admin.TabularInline):
    """The account's history as the «Сотрудники» screen wrote it: read-only evidence."""

    model = StaffEvent
    fk_name = "person"
    extra = 0
    fields = readonly_fields = ["at", "actor_label", "event", "text"]
    can_delete = False

    @admin.display(description="событие")
    def event(self, obj):
        return obj.get_label()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline, StaffEventInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "last_login"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Служебное", {"fields": ("patronymic", "phone", "position")}),)

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_add_permission = lambda self, request, obj=None: (
        request.user.is_superuser
    )


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "organization"]


class IdentityInline(admin.TabularInline):
    model = CitizenIdentity
    extra = 0


@admin.register(Citizen)
class CitizenAdmin(ScopedAdmin):
    org_field = None
    list_display = ["__str__", "is_anonymous", "territory", "created_at"]
    list_filter = ["is_anonymous"]
    search_fields = ["last_name", "first_name", "display_name", "identities__value"]
    inlines = [IdentityInline]
