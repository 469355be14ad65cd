from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from otklik.accounts import events, services
from otklik.accounts.models import Citizen, CitizenIdentity, Membership, StaffEvent, User
from otklik.core.admin_base import ScopedAdmin

# The «Сотрудники» screen and the import write the staff history through their services; changes
# made here are recorded too, so the person's history has no gaps.
ADMIN_HOW = "В администрировании."
AUDITED = {**services.PERSON_FIELDS, "email": "e-mail", "username": "логин"}


def _role_events(request, formset) -> None:
    """History events for memberships added or removed in an inline or on their own admin page."""
    for membership in formset.new_objects:
        events.role_added(membership.user, membership=membership, actor=request.user, how=ADMIN_HOW)
    for membership in formset.deleted_objects:
        events.role_removed(membership.user, membership=membership, actor=request.user)


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

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            events.created(obj, actor=request.user, how=ADMIN_HOW)
            return
        changes = {
            label: (getattr(before, name), getattr(obj, name))
            for name, label in AUDITED.items()
            if getattr(before, name) != getattr(obj, name)
        }
        if changes:
            events.updated(obj, changes=changes, actor=request.user, how=ADMIN_HOW)
        if before.is_active and not obj.is_active:
            events.deactivated(obj, actor=request.user)
        elif obj.is_active and not before.is_active:
            events.reactivated(obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Membership:
            _role_events(request, formset)

    has_view_permission = has_change_permission = has_add_permission = lambda self, request, obj=None: (
        request.user.is_superuser
    )


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        before = (
            Membership.objects.select_related("organization").filter(pk=obj.pk).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if before is not None and (before.role, before.organization_id, before.user_id) == (
            obj.role,
            obj.organization_id,
            obj.user_id,
        ):
            return
        if before is not None:
            events.role_removed(before.user, membership=before, actor=request.user)
        events.role_added(obj.user, membership=obj, actor=request.user, how=ADMIN_HOW)

    def delete_model(self, request, obj):
        events.role_removed(obj.user, membership=obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organization"):
            events.role_removed(membership.user, membership=membership, actor=request.user)
        super().delete_queryset(request, queryset)


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
