import hashlib
import time

from django import forms
from django.core import signing

from otklik.orgs.models import Territory

MIN_FILL_SECONDS = 3


class OneSubmissionForm(forms.Form):
    """A form whose page carries its signed start time, so that the same page sent twice with the
    same text (a double click, a reload after sending) is one submission: `submission_key`."""

    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time())

    def submission_key(self) -> str:
        """Empty when the page sent no start time: then nothing tells two submissions apart."""
        if not self.cleaned_data.get("started"):
            return ""
        sent = f"{self.cleaned_data['started']}\n{self.cleaned_data['text']}"
        return hashlib.sha256(sent.encode()).hexdigest()[:40]


class PublicAppealForm(OneSubmissionForm):
    """The public web form: no login, consent required, a honeypot and a minimum fill time against bots."""

    author_name = forms.CharField(
        label="Фамилия, имя, отчество",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label="Электронная почта для ответа",
        required=False,
        error_messages={"invalid": "Проверьте адрес электронной почты."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # type="tel": the phone keyboard on a phone; the browser may fill in the contacts.
    contact_phone = forms.CharField(
        label="Телефон",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    territory = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Territory.objects.none(),
        required=False,
        empty_label="не знаю / не важно",
        error_messages={"invalid_choice": "Выберите муниципалитет из списка."},
    )
    text = forms.CharField(
        label="Суть обращения",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 20000}),
        max_length=20000,
        error_messages={
            "required": "Опишите ваш вопрос.",
            "max_length": "Текст длиннее 20 000 символов: сократите его.",
        },
    )
    attachment = forms.FileField(
        label="Файл: фото, PDF или голосовая запись, до 10 МБ (необязательно)",
        required=False,
        error_messages={"invalid": "Это не файл.", "empty": "Файл пуст."},
    )
    consent = forms.BooleanField(
        label="Я согласен(на) на обработку персональных данных для рассмотрения обращения (152-ФЗ)",
        error_messages={
            "required": "Без согласия на обработку персональных данных мы не можем принять обращение. "
            "Чтобы обратиться анонимно, оставьте поля ФИО и контактов пустыми и отметьте "
            "согласие."
        },
    )
    website = forms.CharField(
        required=False,
        label="Оставьте это поле пустым",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if region is not None:
            self.fields["territory"].queryset = Territory.objects.filter(region=region).order_by("name")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            from otklik.appeals.attachments import check_upload

            check_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("Обращение похоже на автоматическую рассылку и не принято.")
        try:
            started = signing.loads(data.get("started") or "", max_age=24 * 3600)
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                "Форма устарела: обновите страницу и отправьте обращение снова."
            ) from exc
        if time.time() - float(started) < MIN_FILL_SECONDS:
            raise forms.ValidationError(
                "Форма заполнена слишком быстро. Проверьте текст и отправьте ещё раз."
            )
        return data


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Оценка ответа",
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите оценку от 1 до 5.",
            "invalid_choice": "Оценка — число от 1 до 5.",
        },
    )
    comment = forms.CharField(
        label="Комментарий",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Комментарий длиннее 4000 символов."},
    )


class TextForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": "Поле пусто.", "max_length": "Слишком длинный текст."},
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=30,
        initial=30,
        error_messages={
            "invalid": "Число дней от 1 до 30.",
            "min_value": "Не меньше 1 дня.",
            "max_value": "Не больше 30 дней.",
        },
    )
    text = forms.CharField(max_length=2000, error_messages={"required": "Укажите причину продления."})


class HotlineForm(OneSubmissionForm):
    """A hotline operator registers a phone call on behalf of the caller."""

    author_name = forms.CharField(label="ФИО звонящего", max_length=300, required=False)
    contact_phone = forms.CharField(label="Телефон для ответа", max_length=40, required=False)
    contact_email = forms.EmailField(
        label="Электронная почта",
        required=False,
        error_messages={"invalid": "Проверьте адрес электронной почты."},
    )
    territory = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Territory.objects.none(),
        required=False,
        empty_label="не назван",
        error_messages={"invalid_choice": "Выберите муниципалитет из списка."},
    )
    topic = forms.ModelChoiceField(
        label="Тематика",
        queryset=None,
        required=False,
        empty_label="определить автоматически",
        error_messages={"invalid_choice": "Выберите тематику из списка."},
    )
    text = forms.CharField(
        label="Суть звонка",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": "Запишите суть звонка.", "max_length": "Текст длиннее 20 000 символов."},
    )
    consent = forms.BooleanField(
        label="Звонящий устно согласился на обработку персональных данных", required=False
    )

    def __init__(self, *args, region, **kwargs):
        from otklik.routing.models import Topic

        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.filter(region=region).order_by("name")
        self.fields["topic"].queryset = Topic.objects.filter(region=region, parent__isnull=False).order_by(
            "code"
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("author_name") or data.get("contact_phone") or data.get("contact_email")
        ) and not data.get("consent"):
            self.add_error(
                "consent",
                "Без согласия звонящего нельзя записывать его ФИО и контакты: "
                "очистите их (обращение станет анонимным) или отметьте согласие.",
            )
        return data


class ImportFileForm(forms.Form):
    source = forms.ChoiceField(
        label="Откуда выгрузка",
        choices=[
            ("pos", "ПОС «Госуслуги. Решаем вместе»"),
            ("incident", "Инцидент-менеджмент"),
            ("import", "другая система"),
        ],
    )
    file = forms.FileField(
        label="Файл CSV или XLSX", error_messages={"required": "Выберите файл.", "empty": "Файл пуст."}
    )
