from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.publics.models import (
    Assignment,
    AssignmentTarget,
    PictureTemplate,
    Post,
    PostTarget,
    PostTemplate,
    PublicsEvent,
)


class PostTargetInline(admin.TabularInline):
    model = PostTarget
    extra = 0
    fields = ["community", "state", "attempts", "url", "error", "published_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AssignmentTargetInline(admin.TabularInline):
    model = AssignmentTarget
    extra = 0
    fields = ["organization", "done_at", "done_url", "post"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ScopedAdmin):
    list_display = ["pk", "publish_at", "organization", "cancelled_at"]
    # The picture is checked by content on the staff screen only; here it is shown, not replaced.
    readonly_fields = [
        "region",
        "organization",
        "author",
        "publish_at",
        "cancelled_at",
        "image",
        "image_type",
        "picture",
    ]
    inlines = [PostTargetInline]


@admin.register(PostTemplate)
class PostTemplateAdmin(ScopedAdmin):
    list_display = ["name", "organization", "updated_at"]


@admin.register(PictureTemplate)
class PictureTemplateAdmin(ScopedAdmin):
    list_display = ["name", "organization", "updated_at"]
    # Backgrounds are checked by content on «Госпаблики → Картинки», so they are uploaded there.
    readonly_fields = ["background"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["title", "organization", "due_at"]
    readonly_fields = ["region", "organization", "author", "due_at"]
    inlines = [AssignmentTargetInline]


@admin.register(PublicsEvent)
class PublicsEventAdmin(ScopedAdmin):
    org_field = None
    list_display = ["at", "kind", "post", "assignment", "actor"]
    readonly_fields = ["post", "assignment", "kind", "actor", "text"]

    def _superuser(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_module_permission = has_view_permission = _superuser
