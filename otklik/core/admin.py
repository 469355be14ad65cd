from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.core.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(ScopedAdmin):
    org_field = None
    list_display = ["name", "beat_at", "detail"]
