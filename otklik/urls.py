from django.contrib import admin
from django.urls import include, path

from otklik.channels.telegram import views as telegram_views
from otklik.core import views as core_views

admin.site.site_header = "Отклик — администрирование"
admin.site.site_title = "Отклик"
admin.site.index_title = "Справочники и настройки"

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("otklik.accounts.urls")),
    path("staff/orgs/", include("otklik.orgs.urls")),
    path("staff/people/", include("otklik.accounts.staff_urls")),
    path("staff/topics/", include("otklik.routing.urls")),
    path("staff/kb/", include("otklik.kb.urls")),
    path("chat/", include("otklik.dialogue.urls")),
    path("faq/", include("otklik.kb.faq_urls")),
    path("staff/analytics/", include("otklik.analytics.urls")),
    path("staff/broadcast/", include("otklik.dialogue.staff_urls")),
    path("staff/incidents/", include("otklik.incidents.urls")),
    path("staff/publics/", include("otklik.publics.urls")),
    path("api/v1/", include("otklik.appeals.api_urls")),
    path("api/v1/", include("otklik.incidents.api_urls")),
    path("telegram/webhook/", telegram_views.webhook, name="telegram_webhook"),
    path("", include("otklik.surveys.urls")),
    path("", include("otklik.appeals.urls")),
    path("", include("otklik.core.urls")),
]

handler400 = "otklik.core.views.error_400"
handler403 = "otklik.core.views.error_403"
handler404 = "otklik.core.views.error_404"
handler500 = "otklik.core.views.error_500"
