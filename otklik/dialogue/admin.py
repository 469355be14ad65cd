from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.dialogue.models import Conversation


@admin.register(Conversation)
class ConversationAdmin(ScopedAdmin):
    org_field = None
    list_display = ["channel", "channel_user", "citizen", "last_seen_at"]
    list_filter = ["channel"]
    search_fields = ["channel_user"]
    readonly_fields = ["state"]
