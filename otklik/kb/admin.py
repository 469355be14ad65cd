from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.kb.models import Article, ArticleRevision, Category, Paraphrase, Query, QueryCluster, Suggestion


class KbAdmin(ScopedAdmin):
    org_field = None

    def _is_admin(self, request) -> bool:
        from otklik.accounts.roles import Role
        from otklik.accounts.selectors import user_roles

        return request.user.is_active and (
            request.user.is_superuser or bool({Role.ADMIN, Role.EDITOR} & user_roles(user=request.user))
        )


@admin.register(Category)
class CategoryAdmin(KbAdmin):
    list_display = ["title", "slug", "parent", "position", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["title", "slug"]


class ParaphraseInline(admin.TabularInline):
    model = Paraphrase
    extra = 1
    fields = ["text", "source"]


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ["created_at", "editor", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Article)
class ArticleAdmin(KbAdmin):
    list_display = ["question", "category", "status", "review_at", "updated_at"]
    list_filter = ["status", "category"]
    search_fields = ["question", "answer", "slug", "paraphrases__text"]
    inlines = [ParaphraseInline, RevisionInline]
    autocomplete_fields = ["scope_organization"]


@admin.register(Query)
class QueryAdmin(KbAdmin):
    list_display = [
        "created_at",
        "channel",
        "text",
        "decision",
        "confidence",
        "article",
        "feedback",
        "became_appeal",
    ]
    list_filter = ["decision", "feedback", "channel", "became_appeal", "is_synthetic"]
    search_fields = ["text"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(QueryCluster)
class QueryClusterAdmin(KbAdmin):
    list_display = ["label", "size", "suggestions", "status", "last_seen_at"]
    list_filter = ["status"]


@admin.register(Suggestion)
class SuggestionAdmin(KbAdmin):
    list_display = ["created_at", "text", "channel", "status"]
    list_filter = ["status", "channel"]
    search_fields = ["text"]
