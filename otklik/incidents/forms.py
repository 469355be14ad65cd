from django import forms

from otklik.incidents.models import MonitoringKeywords, Network
from otklik.orgs.models import Territory
from otklik.routing.models import Topic


class IncidentForm(forms.Form):
    """A monitoring operator registers a post found in a social network."""

    url = forms.CharField(
        label="Ссылка на публикацию или комментарий",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://vk.com/wall-000000_123"}),
        error_messages={
            "required": "Вставьте ссылку на публикацию.",
            "max_length": "Адрес длиннее 500 символов.",
        },
    )
    network = forms.ChoiceField(
        label="Социальная сеть",
        choices=[("", "определить по ссылке"), *Network.choices],
        required=False,
        error_messages={"invalid_choice": "Выберите социальную сеть из списка."},
    )
    author_nickname = forms.CharField(
        label="Автор — публичный ник (без ФИО и контактов)", max_length=200, required=False
    )
    text = forms.CharField(
        label="Текст публикации",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={
            "required": "Вставьте текст публикации.",
            "max_length": "Текст длиннее 20 000 символов.",
        },
    )
    published_at = forms.DateTimeField(
        label="Опубликовано (ДД.ММ.ГГГГ ЧЧ:ММ)",
        required=False,
        input_formats=["%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ."},
    )
    territory = forms.ModelChoiceField(
        label="Территория",
        queryset=Territory.objects.none(),
        required=False,
        empty_label="определить по тексту",
        error_messages={"invalid_choice": "Выберите территорию из списка."},
    )
    topic = forms.ModelChoiceField(
        label="Тематика",
        queryset=Topic.objects.none(),
        required=False,
        empty_label="определить автоматически",
        error_messages={"invalid_choice": "Выберите тематику из списка."},
    )
    urgent = forms.BooleanField(label="Срочно: угроза жизни и здоровью детей, резонанс", required=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.filter(region=region).order_by("name")
        self.fields["topic"].queryset = Topic.objects.filter(region=region, parent__isnull=False).order_by(
            "code"
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Выгрузка системы мониторинга: CSV или XLSX",
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст."},
    )


class VkSourceForm(forms.Form):
    """A VK page or community the collector watches."""

    address = forms.CharField(
        label="Адрес страницы или сообщества ВКонтакте",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "https://vk.com/podslushano_gorod или club123456"}),
        error_messages={
            "required": "Укажите адрес страницы ВКонтакте: ссылку, короткое имя или номер сообщества.",
            "max_length": "Адрес длиннее 200 символов.",
        },
    )
    name = forms.CharField(
        label="Название (как его узнают сотрудники)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Название длиннее 200 символов."},
    )
    territory = forms.ModelChoiceField(
        label="Территория, о которой пишет источник",
        queryset=Territory.objects.none(),
        required=False,
        empty_label="определять по тексту публикации",
        error_messages={"invalid_choice": "Выберите территорию из списка."},
    )
    read_comments = forms.BooleanField(label="Читать и комментарии под свежими записями", required=False)
    is_active = forms.BooleanField(label="Опрашивать", required=False, initial=True)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.filter(region=region).order_by("name")


class MonitoringKeywordsForm(forms.Form):
    """The region's words and phrases that make a post worth a look, one per line."""

    phrases = forms.CharField(
        label="Ключевые слова и фразы — по одной в строке",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=40000,
        error_messages={
            "required": "Укажите хотя бы одно слово или фразу.",
            "max_length": "Список длиннее 40 000 символов.",
        },
    )
    rule = forms.ChoiceField(
        label="Публикация подходит, если",
        choices=MonitoringKeywords.Rule.choices,
        error_messages={"invalid_choice": "Выберите правило из списка."},
    )
    threshold = forms.CharField(label="Уверенность классификатора не ниже (от 0,05 до 1)", max_length=10)

    def clean_threshold(self):
        raw = self.cleaned_data["threshold"].strip().replace(",", ".")
        try:
            return float(raw)
        except ValueError as exc:
            raise forms.ValidationError("Уверенность — число от 0,05 до 1, например 0,6.") from exc
