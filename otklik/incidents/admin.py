from django import forms
from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentExternalId,
    MonitoringKeywords,
    ReplyPublication,
    VkCommunity,
    VkSource,
)


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    fields = ["at", "kind", "actor_label", "text"]
    readonly_fields = fields
    can_delete = False


class ExternalIdInline(admin.TabularInline):
    model = IncidentExternalId
    extra = 0
    fields = ["source", "external_id", "at"]
    readonly_fields = fields
    can_delete = False


class PublicationInline(admin.TabularInline):
    model = ReplyPublication
    extra = 0
    fields = ["created_at", "network", "state", "attempts", "comment_id", "error", "published_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ScopedAdmin):
    list_display = [
        "pk",
        "found_at",
        "network",
        "status",
        "urgent",
        "organization",
        "topic",
        "due_at",
        "overdue",
    ]
    list_filter = ["status", "network", "urgent", "overdue", "source", "vk_source"]
    search_fields = ["url", "text", "author_nickname"]
    date_hierarchy = "found_at"
    inlines = [EventInline, PublicationInline, ExternalIdInline]
    readonly_fields = [
        "url",
        "found_at",
        "status",
        "due_at",
        "answered_at",
        "closed_at",
        "mentions",
        "appeal",
        "depersonalised_at",  # set only by `privacy.services`
        "vk_source",
    ]
    autocomplete_fields = ["organization", "topic", "topic_suggested", "territory"]


class VkCommunityForm(forms.ModelForm):
    """The token is written, never shown back: the field is always empty, and left empty on a change
    it keeps the stored token."""

    access_token = forms.CharField(
        label="ключ доступа сообщества",
        required=False,
        strip=True,
        max_length=512,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Управление сообществом → Работа с API → Ключи доступа: ключ с правами «управление "
        "сообществом» и «стена». Оставьте пустым, чтобы не менять сохранённый.",
    )

    class Meta:
        model = VkCommunity
        fields = ["region", "organization", "name", "group_id", "access_token", "is_active"]

    def clean_access_token(self):
        return self.cleaned_data["access_token"] or (self.instance.access_token if self.instance.pk else "")

    def clean(self):
        data = super().clean()
        organization = data.get("organization")
        # An organization's госпаблик may wait for its key (listed before its administrator issued
        # one); the region's replying community exists only to publish, so it needs one.
        if organization is None and not data.get("access_token"):
            self.add_error("access_token", "Вставьте ключ доступа сообщества.")
        if organization is not None and data.get("region") and organization.region_id != data["region"].pk:
            self.add_error("organization", "Организация из другого региона.")
        return data


@admin.register(VkCommunity)
class VkCommunityAdmin(ScopedAdmin):
    """Secrets: superusers only, like the regions themselves."""

    org_field = None
    form = VkCommunityForm
    list_display = ["region", "organization", "group_id", "token_hint", "is_active", "updated_at"]
    autocomplete_fields = ["organization"]

    @admin.display(description="ключ")
    def token_hint(self, obj):
        return obj.token_hint

    def _superuser(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_module_permission = has_view_permission = has_add_permission = _superuser
    has_change_permission = has_delete_permission = _superuser


class VkSourceForm(forms.ModelForm):
    class Meta:
        model = VkSource
        fields = ["region", "name", "screen_name", "territory", "is_active", "read_comments"]

    def clean_screen_name(self):
        from otklik.lib.vk import parse_source_address

        try:
            return parse_source_address(self.cleaned_data["screen_name"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(VkSource)
class VkSourceAdmin(ScopedAdmin):
    """What the collector watches. Saved through the same service as the staff screen, so that an
    active source is scheduled and a stopped one resumed; the collector's state is read-only."""

    org_field = None
    form = VkSourceForm
    list_display = [
        "name",
        "screen_name",
        "region",
        "territory",
        "is_active",
        "last_polled_at",
        "blocked_reason",
    ]
    list_filter = ["region", "is_active", "read_comments"]
    search_fields = ["name", "screen_name"]
    readonly_fields = [
        "owner_id",
        "last_post_id",
        "next_poll_at",
        "last_polled_at",
        "last_read",
        "total_read",
        "failures",
        "last_error",
        "last_error_at",
        "blocked_reason",
        "blocked_code",
        "state",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A source belongs to its region for good: its incidents and cursor are that region's.
        return [*self.readonly_fields, "region"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        from otklik.incidents.monitoring import vk_source_save

        saved = vk_source_save(
            region=obj.region,
            source=obj if change else None,
            address=obj.screen_name,
            name=obj.name,
            territory=obj.territory,
            read_comments=obj.read_comments,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk


@admin.register(MonitoringKeywords)
class MonitoringKeywordsAdmin(ScopedAdmin):
    org_field = None
    list_display = ["region", "rule", "threshold", "updated_by", "updated_at"]
    readonly_fields = ["updated_by"]
