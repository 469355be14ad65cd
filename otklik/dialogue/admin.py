from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.dialogue.models import Broadcast, Conversation, MenuOpen


@admin.register(Conversation)
class ConversationAdmin(ScopedAdmin):
    org_field = None
    list_display = ["channel", "channel_user", "citizen", "last_seen_at"]
    list_filter = ["channel"]
    search_fields = ["channel_user"]
    readonly_fields = ["state"]


@admin.register(Broadcast)
class BroadcastAdmin(ScopedAdmin):
    org_field = None
    list_display = ["created_at", "category", "sent_by", "recipients", "delivered", "failed", "unsubscribed"]
    readonly_fields = ["recipients", "delivered", "failed", "unsubscribed", "finished_at"]


@admin.register(MenuOpen)
class MenuOpenAdmin(ScopedAdmin):
    org_field = None
    list_display = ["at", "channel", "category", "article"]
    list_filter = ["channel"]
    date_hierarchy = "at"
