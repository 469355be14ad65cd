"""Admin classes that respect object-level rights: a non-superuser sees only their subtree."""

from django.contrib import admin

from otklik.accounts.roles import Role
from otklik.accounts.selectors import scoped, user_roles


class ScopedAdmin(admin.ModelAdmin):
    """Administrators of an organization manage rows of their subtree; `org_field` names the link."""

    org_field: str | None = "organization"

    def _is_admin(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or Role.ADMIN in user_roles(user=request.user)
        )

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.org_field is None or request.user.is_superuser:
            return qs
        return scoped(qs, user=request.user, roles={Role.ADMIN}, org_field=self.org_field)
