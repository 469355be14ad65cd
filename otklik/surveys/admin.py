from django.contrib import admin

from otklik.core.admin_base import ScopedAdmin
from otklik.surveys.models import Answer, Option, Question, Response, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "text", "kind", "required"]
    show_change_link = True


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["position", "text", "description"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "option", "scale", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ["title", "kind", "organization", "status", "opens_at", "closes_at", "is_synthetic"]
    list_filter = ["kind", "status", "is_synthetic"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["key", "created_by", "created_at", "updated_at"]
    exclude = ["salt"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ScopedAdmin):
    org_field = "survey__organization"
    list_display = ["text", "survey", "kind", "required", "position"]
    list_filter = ["kind"]
    search_fields = ["text", "survey__title"]
    inlines = [OptionInline]


@admin.register(Response)
class ResponseAdmin(ScopedAdmin):
    """Read-only: answers are evidence and are never edited by hand."""

    org_field = "survey__organization"
    list_display = ["pk", "survey", "submitted_at", "age_group", "sex", "role", "territory", "is_synthetic"]
    list_filter = ["age_group", "sex", "role", "is_synthetic"]
    exclude = ["respondent_hash"]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
