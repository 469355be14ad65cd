from django.contrib import admin

from otklik.appeals.models import ApiToken, Appeal, AppealEvent, Attachment, MailboxState, Notification
from otklik.core.admin_base import ScopedAdmin


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    fields = ["at", "kind", "actor_label", "public", "text"]
    readonly_fields = fields
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "content_type", "size", "from_citizen", "file"]
    readonly_fields = ["name", "content_type", "size", "from_citizen"]


@admin.register(Appeal)
class AppealAdmin(ScopedAdmin):
    list_display = [
        "number",
        "registered_at",
        "channel",
        "status",
        "organization",
        "topic",
        "due_at",
        "overdue",
    ]
    list_filter = ["status", "channel", "kind", "overdue", "is_anonymous", "policy"]
    search_fields = ["number", "text", "external_id", "incoming_number"]
    date_hierarchy = "registered_at"
    inlines = [EventInline, AttachmentInline]
    # The kind changes through `appeal_set_kind` (the workspace, the API), which records the event;
    # the receipt moment set at registration is deadline evidence.
    readonly_fields = [
        "number",
        "secret",
        "registered_at",
        "received_at",
        "kind",
        "status",
        "due_at",
        "answered_at",
        "closed_at",
        "depersonalised_at",  # set only by `privacy.services`, which does the work it records
    ]
    autocomplete_fields = ["organization", "topic", "topic_suggested", "citizen", "duplicate_of"]


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    org_field = "appeal__organization"
    list_display = ["created_at", "channel", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel"]


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["name", "prefix", "organization", "is_active", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]


@admin.register(MailboxState)
class MailboxStateAdmin(ScopedAdmin):
    """How far the appeals mailbox is read. Setting «последний прочитанный UID» back makes the next
    reading take those letters again (repeats are recognised by their Message-ID)."""

    org_field = None
    list_display = ["mailbox", "last_uid", "uidvalidity", "since", "updated_at"]
    readonly_fields = ["mailbox", "uidvalidity", "updated_at"]

    def has_add_permission(self, request):
        return False  # made by the first reading
