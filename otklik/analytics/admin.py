from django.contrib import admin

from otklik.analytics.models import PainPoint
from otklik.core.admin_base import ScopedAdmin


@admin.register(PainPoint)
class PainPointAdmin(ScopedAdmin):
    org_field = None
    list_display = ["title", "priority", "volume", "previous_volume", "dissatisfied_share", "status", "owner"]
    list_filter = ["status"]
