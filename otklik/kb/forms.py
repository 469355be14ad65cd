from django import forms

from otklik.kb.models import Article, Category
from otklik.orgs.models import Organization

TEXT_LIMITS = {"question": 500, "answer": 20000, "legal_basis": 2000}


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "question",
            "answer",
            "legal_basis",
            "category",
            "scope_organization",
            "valid_from",
            "valid_to",
            "review_at",
        ]
        widgets = {
            "question": forms.TextInput(attrs={"maxlength": 500}),
            "answer": forms.Textarea(attrs={"rows": 10}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_at": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "question": {"required": "Впишите вопрос."},
            "answer": {"required": "Впишите ответ."},
            "category": {"required": "Выберите категорию.", "invalid_choice": "Такой категории нет."},
        }

    def __init__(self, *args, region, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(region=region).select_related("parent")
        self.fields["category"].label_from_instance = lambda c: (
            f"{c.parent.title} → {c.title}" if c.parent else c.title
        )
        self.fields["scope_organization"].queryset = organizations
        self.fields["scope_organization"].empty_label = "весь регион"
        for name in ("valid_from", "valid_to", "review_at"):
            self.fields[name].error_messages["invalid"] = "Дата в формате ДД.ММ.ГГГГ."
        self.fields[
            "answer"
        ].help_text = "Markdown: **жирный**, списки через «- », ссылки [текст](https://…)."

    def clean(self):
        data = super().clean()
        for name, limit in TEXT_LIMITS.items():
            value = data.get(name) or ""
            if len(value) > limit:
                self.add_error(name, f"Не длиннее {limit} символов (сейчас {len(value)}).")
        if data.get("valid_from") and data.get("valid_to") and data["valid_from"] > data["valid_to"]:
            self.add_error("valid_to", "Дата окончания раньше даты начала.")
        return data


class ParaphraseForm(forms.Form):
    text = forms.CharField(
        label="Новая формулировка",
        max_length=500,
        strip=True,
        error_messages={"required": "Впишите формулировку.", "max_length": "Не длиннее 500 символов."},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Файл базы знаний (.yaml, .csv, .xlsx)",
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст."},
    )
    status = forms.ChoiceField(
        label="Статус статей",
        choices=[("", "как в файле"), ("draft", "загрузить черновиками")],
        required=False,
    )


class ClusterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("paraphrases", ""), ("draft", ""), ("dismiss", "")],
        error_messages={"invalid_choice": "Неизвестное действие."},
    )
    article = forms.IntegerField(required=False, error_messages={"invalid": "Выберите статью."})
    category = forms.IntegerField(required=False, error_messages={"invalid": "Выберите категорию."})


def organizations_choice(queryset):
    return queryset.order_by("path") if queryset is not None else Organization.objects.none()
