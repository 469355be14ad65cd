from django import forms
from django.urls import reverse_lazy

from otklik.kb.models import Article, Category
from otklik.kb.services import MAX_QUESTION

MAX_ANSWER = 20000  # the same cap services.article_create applies
TEXT_LIMITS = {"question": MAX_QUESTION, "answer": MAX_ANSWER, "legal_basis": 2000}
DATE_FIELDS = ("valid_from", "valid_to", "review_at")


def category_choices(region) -> list[tuple[int, str]]:
    """Categories in tree order (section, then its subsections), labelled with the section."""
    cats = list(Category.objects.filter(region=region).order_by("position", "title"))
    children: dict[int | None, list[Category]] = {}
    for c in cats:
        children.setdefault(c.parent_id, []).append(c)
    choices: list[tuple[int, str]] = []

    def walk(parent_id, prefix: str) -> None:
        for c in children.get(parent_id, []):
            label = f"{prefix}{c.title}" + ("" if c.is_active else " (скрыта)")
            choices.append((c.pk, label))
            walk(c.pk, f"{prefix}{c.title} → ")

    walk(None, "")
    return choices


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["question", "answer", "legal_basis", "category", "scope_organization", *DATE_FIELDS]
        widgets = {
            "question": forms.TextInput(attrs={"maxlength": MAX_QUESTION}),
            "answer": forms.Textarea(
                attrs={
                    "rows": 12,
                    "hx-post": reverse_lazy("kb:preview"),
                    "hx-trigger": "input changed delay:600ms",
                    "hx-target": "#preview",
                    "hx-swap": "innerHTML",
                }
            ),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in DATE_FIELDS},
        }
        error_messages = {
            "question": {"required": "Впишите вопрос."},
            "answer": {"required": "Впишите ответ."},
            "category": {"required": "Выберите категорию.", "invalid_choice": "Такой категории нет."},
            "scope_organization": {"invalid_choice": "Эта организация вам недоступна."},
        }

    def __init__(self, *args, region, organizations, region_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.queryset = Category.objects.filter(region=region)
        category.choices = [("", "— выберите —"), *category_choices(region)]
        scope = self.fields["scope_organization"]
        scope.queryset = organizations
        # An editor below the top of the tree may only write articles for their own organizations.
        scope.required = not region_wide
        scope.empty_label = "весь регион" if region_wide else "— выберите —"
        scope.error_messages["required"] = (
            "Выберите организацию: статьи для всего региона ведёт министерство."
        )
        self.fields[
            "answer"
        ].help_text = "Markdown: **жирный**, *курсив*, списки строками с «- », ссылки [текст](https://…)."
        for name in DATE_FIELDS:
            self.fields[name].error_messages["invalid"] = "Дата в формате ДД.ММ.ГГГГ, например 01.09.2026."

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
        max_length=MAX_QUESTION,
        strip=True,
        widget=forms.TextInput(attrs={"maxlength": MAX_QUESTION, "autocomplete": "off"}),
        error_messages={
            "required": "Впишите формулировку.",
            "max_length": f"Не длиннее {MAX_QUESTION} символов.",
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Файл базы знаний (.yaml, .csv или .xlsx)",
        error_messages={
            "required": "Выберите файл.",
            "empty": "Файл пуст.",
            "invalid": "Файл не получен: выберите его ещё раз.",
        },
    )
    status = forms.ChoiceField(
        label="Статус загружаемых статей",
        choices=[
            ("", "как указано в файле (без статуса — опубликована)"),
            ("draft", "все черновиками, в том числе уже существующие"),
        ],
        required=False,
        initial="",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Выберите один из вариантов статуса."},
    )


class ClusterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("paraphrases", ""), ("draft", ""), ("dismiss", "")],
        error_messages={"required": "Не выбрано действие.", "invalid_choice": "Неизвестное действие."},
    )
    article = forms.IntegerField(required=False, error_messages={"invalid": "Выберите статью из списка."})
    category = forms.IntegerField(required=False, error_messages={"invalid": "Выберите категорию из списка."})


FAQ_MAX_QUESTION = 4000  # the chat's limit for one message


class FaqSearchForm(forms.Form):
    """The question box of the public FAQ; every refusal says in Russian what to change."""

    q = forms.CharField(required=False, strip=True)

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if not text:
            raise forms.ValidationError("Введите вопрос, например: «Когда начинается запись в первый класс?»")
        if len(text) > FAQ_MAX_QUESTION:
            raise forms.ValidationError(
                f"Вопрос слишком длинный ({len(text)} знаков). Сократите его до {FAQ_MAX_QUESTION} знаков "
                "или задайте его официальным обращением."
            )
        if not any(ch.isalnum() for ch in text):
            raise forms.ValidationError("Напишите вопрос словами.")
        # Control characters come from no keyboard; the log keeps the question without them.
        return "".join(ch if ch.isprintable() else " " for ch in text)
