import hashlib
import time
from datetime import datetime, timedelta
from datetime import time as day_time
from zoneinfo import ZoneInfo

from django import forms
from django.core import signing
from django.utils import timezone

from otklik.appeals.attachments import MAX_FILES
from otklik.appeals.models import STAFF_CHANNELS, Channel, Kind
from otklik.lib import geo
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


def _place_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=300,
        required=False,
        error_messages={"max_length": "Место — не длиннее 300 символов."},
    )


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
    place = _place_field("Где это: адрес, школа или детский сад (необязательно)")
    # Filled by the page's «Указать моё местоположение» (static/otklik/place.js) when the citizen allows.
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
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
        label="Файл: фото, короткое видео, документ (PDF, Word) или голосовая запись, до 10 МБ (необязательно)",
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
        try:
            data["location"] = geo.coordinates(data.get("latitude"), data.get("longitude"))
        except ValueError as exc:
            self.add_error(None, f"{exc} Нажмите «Указать моё местоположение» ещё раз или «Убрать точку».")
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe): a list of uploads, each cleaned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


# A phone call and a visit are oral: staff write down what the citizen says, so the citizen's consent
# to keep their name and contacts is asked and noted. A letter or an e-mail is the citizen's own
# written appeal under 59-ФЗ, whose data are processed to answer it (152-ФЗ art. 6 part 1 item 2).
ORAL_CHANNELS = {Channel.HOTLINE, Channel.VISIT}
DATE_INPUTS = ["%Y-%m-%d", "%d.%m.%Y"]


def _date_field(label: str, name: str) -> forms.DateField:
    """An optional date typed as ДД.ММ.ГГГГ or picked in the browser's date input."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"{name} — в формате ДД.ММ.ГГГГ."},
    )


class StaffAppealForm(OneSubmissionForm):
    """Staff register an appeal that reached the authority outside the platform: a call to the
    hotline, a letter, a personal visit, an e-mail to the office. The hotline page preselects the call."""

    channel = forms.TypedChoiceField(
        label="Как поступило",
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        required=False,
        error_messages={"invalid_choice": "Выберите канал поступления из списка."},
    )
    received_on = _date_field("Дата поступления (от неё считаются сроки)", "Дата поступления")
    incoming_number = forms.CharField(
        label="Входящий номер письма",
        max_length=100,
        required=False,
        error_messages={"max_length": "Номер письма длиннее 100 символов."},
    )
    incoming_date = _date_field("Дата письма", "Дата письма")
    kind = forms.ChoiceField(
        label="Вид обращения",
        choices=Kind.choices,
        initial=Kind.STATEMENT,
        required=False,
        error_messages={"invalid_choice": "Вид обращения — предложение, заявление или жалоба."},
    )
    author_name = forms.CharField(label="ФИО заявителя", max_length=300, required=False)
    contact_phone = forms.CharField(label="Телефон для ответа", max_length=40, required=False)
    contact_email = forms.EmailField(
        label="Электронная почта",
        required=False,
        error_messages={"invalid": "Проверьте адрес электронной почты."},
    )
    postal_address = forms.CharField(
        label="Почтовый адрес для ответа",
        max_length=500,
        required=False,
        error_messages={"max_length": "Почтовый адрес длиннее 500 символов."},
    )
    territory = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Territory.objects.none(),
        required=False,
        empty_label="не назван",
        error_messages={"invalid_choice": "Выберите муниципалитет из списка."},
    )
    place = _place_field("Место проблемы: адрес, школа, детский сад")
    topic = forms.ModelChoiceField(
        label="Тематика",
        queryset=None,
        required=False,
        empty_label="определить автоматически",
        error_messages={"invalid_choice": "Выберите тематику из списка."},
    )
    text = forms.CharField(
        label="Суть обращения",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={
            "required": "Запишите суть обращения.",
            "max_length": "Текст длиннее 20 000 символов.",
        },
    )
    files = MultipleFileField(
        label=f"Сканы письма и приложений: фото, PDF или документы, до {MAX_FILES} файлов по 10 МБ",
        required=False,
        error_messages={"invalid": "Это не файл.", "empty": "Файл пуст."},
    )
    consent = forms.BooleanField(
        label="Заявитель согласился на обработку персональных данных (звонок, личный приём)",
        required=False,
    )

    def __init__(self, *args, region, channel: str = Channel.HOTLINE, **kwargs):
        from otklik.routing.models import Topic

        super().__init__(*args, **kwargs)
        self.region = region
        self.default_channel = channel
        self.fields["channel"].initial = channel
        self.fields["territory"].queryset = Territory.objects.filter(region=region).order_by("name")
        self.fields["topic"].queryset = Topic.objects.filter(region=region, parent__isnull=False).order_by(
            "code"
        )

    def clean_channel(self):
        return self.cleaned_data.get("channel") or self.default_channel

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Kind.STATEMENT

    def clean_files(self):
        from otklik.appeals.attachments import check_upload

        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(f"Не больше {MAX_FILES} файлов.")
        for upload in uploads:
            check_upload(upload)
        return uploads

    def clean(self):
        data = super().clean()
        tz = ZoneInfo(self.region.timezone)
        today = timezone.localdate(timezone=tz)
        received_on = data.get("received_on")
        if received_on and received_on > today:
            self.add_error("received_on", "Дата поступления не может быть позже сегодняшнего дня.")
        elif received_on and received_on < today:
            # A day in the past: its start counts (deadlines end at the end of a local day anyway).
            data["received_at"] = datetime.combine(received_on, day_time.min, tz)
        else:
            data["received_at"] = None  # today: the moment of registration
        incoming = data.get("incoming_date")
        if incoming and incoming > (received_on or today):
            self.add_error("incoming_date", "Дата письма не может быть позже даты его поступления.")
        personal = data.get("author_name") or data.get("contact_phone") or data.get("contact_email")
        personal = personal or data.get("postal_address")
        if data.get("channel") in ORAL_CHANNELS and personal and not data.get("consent"):
            self.add_error(
                "consent",
                "Без согласия заявителя нельзя записывать его ФИО и контакты: "
                "очистите их (обращение станет анонимным) или отметьте согласие.",
            )
        return data


EXTERNAL_SOURCES = [
    ("pos", "ПОС «Госуслуги. Решаем вместе»"),
    ("incident", "Инцидент-менеджмент"),
    ("import", "другая система"),
]
MAX_EXPORT_DAYS = 366
DAY_ERRORS = {"required": "Укажите дату.", "invalid": "Дата в формате ГГГГ-ММ-ДД."}


class ImportFileForm(forms.Form):
    source = forms.ChoiceField(label="Откуда выгрузка", choices=EXTERNAL_SOURCES)
    file = forms.FileField(
        label="Файл CSV или XLSX", error_messages={"required": "Выберите файл.", "empty": "Файл пуст."}
    )


class AnswersExportForm(forms.Form):
    """Which answers go back to the system the appeals came from: its name and the days of the
    answers (both inclusive, in the region's calendar)."""

    source = forms.ChoiceField(
        label="Куда выгрузить ответы",
        choices=EXTERNAL_SOURCES,
        error_messages={"invalid_choice": "Выберите систему из списка."},
    )
    since = forms.DateField(
        label="Ответы с", error_messages=DAY_ERRORS, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="по", error_messages=DAY_ERRORS, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(label="Формат", choices=[("xlsx", "XLSX"), ("csv", "CSV")], initial="xlsx")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", "Конец периода раньше начала.")
            elif (until - since).days >= MAX_EXPORT_DAYS:
                self.add_error("until", "Период не длиннее года.")
        return data

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[since, until) moments of a valid form."""
        start = datetime.combine(self.cleaned_data["since"], day_time.min, zone)
        end = datetime.combine(self.cleaned_data["until"] + timedelta(days=1), day_time.min, zone)
        return start, end


class MyAppealsForm(forms.Form):
    email = forms.EmailField(
        label="Адрес электронной почты, указанный в обращении",
        max_length=254,
        error_messages={
            "required": "Укажите адрес электронной почты.",
            "invalid": "Это не похоже на адрес электронной почты: проверьте, нет ли опечатки.",
            "max_length": "Адрес электронной почты длиннее 254 символов.",
        },
    )
