"""Parsing of the госпаблики forms: types only; the services decide what is allowed and say why not.

Times are wall-clock times of the request's region (RegionMiddleware activates its zone)."""

from django import forms

from otklik.lib import vk

_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_MOMENT_ERRORS = {"required": "Укажите дату и время.", "invalid": "Дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ."}
_URL_ERRORS = {"invalid": "Ссылка должна начинаться с http:// или https://."}
_FILE_ERRORS = {"invalid": "Это не файл.", "missing": "Файл не получен: выберите его снова."}
_COLOR = forms.TextInput(attrs={"type": "color"})


def ids(values) -> list[int]:
    """Ids from a multiple choice: anything that is not one reads as a forged id (0), refused later."""
    from otklik.lib.params import parse_id

    return [parse_id(v) or 0 for v in values]


class PostForm(forms.Form):
    text = forms.CharField(label="Текст поста", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    link = forms.URLField(
        label="Ссылка (необязательно)", required=False, max_length=500, error_messages=_URL_ERRORS
    )
    publish_at = forms.DateTimeField(
        label="Время публикации",
        widget=_MOMENT,
        error_messages=_MOMENT_ERRORS,
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    image = forms.FileField(
        label="Изображение: JPEG или PNG до 10 МБ (необязательно)",
        required=False,
        # An empty file reaches the service, which says so in the words it uses for every upload.
        allow_empty_file=True,
        error_messages=_FILE_ERRORS,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = vk.POST_MAX_CHARS


class RescheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Новое время публикации",
        widget=_MOMENT,
        error_messages=_MOMENT_ERRORS,
        input_formats=["%Y-%m-%dT%H:%M"],
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label="Название", required=False, max_length=200)
    text = forms.CharField(label="Текст", required=False, widget=forms.Textarea(attrs={"rows": 8}))


class PictureTemplateForm(forms.Form):
    name = forms.CharField(label="Название", required=False, max_length=200)
    headline = forms.CharField(
        label="Заголовок на картинке", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    background_color = forms.CharField(label="Цвет фона", initial="#1f4e79", widget=_COLOR)
    text_color = forms.CharField(label="Цвет текста", initial="#ffffff", widget=_COLOR)
    background = forms.FileField(
        label="Фоновое изображение: JPEG или PNG до 10 МБ (необязательно)",
        required=False,
        allow_empty_file=True,
        error_messages=_FILE_ERRORS,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_background = forms.BooleanField(label="Убрать фоновое изображение", required=False)


class AssignmentForm(forms.Form):
    title = forms.CharField(label="Информационный повод", required=False, max_length=200)
    text = forms.CharField(
        label="Текст для публикации", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    link = forms.URLField(
        label="Ссылка для репоста", required=False, max_length=500, error_messages=_URL_ERRORS
    )
    due_at = forms.DateTimeField(
        label="Срок", widget=_MOMENT, error_messages=_MOMENT_ERRORS, input_formats=["%Y-%m-%dT%H:%M"]
    )
    subtree = forms.BooleanField(label="И всем подведомственным выбранных", required=False)


class AssignmentTermForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Новый срок", widget=_MOMENT, error_messages=_MOMENT_ERRORS, input_formats=["%Y-%m-%dT%H:%M"]
    )


class DoneForm(forms.Form):
    url = forms.URLField(
        label="Ссылка на вашу публикацию",
        max_length=500,
        error_messages={"required": "Вставьте ссылку на вашу публикацию.", **_URL_ERRORS},
    )
