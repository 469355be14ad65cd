from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from otklik.orgs.models import Territory
from otklik.surveys.models import AgeGroup, Question, RespondentRole, Sex, Survey
from otklik.surveys.services import MAX_TEXT

CHOICE_ERRORS = {
    "required": "Ответьте на этот вопрос.",
    "invalid_choice": "Выберите вариант из предложенных.",
    "invalid_pk_value": "Выберите вариант из предложенных.",
    "list": "Выберите варианты из предложенных.",
}
PROFILE_ERRORS = {"invalid_choice": "Выберите вариант из списка или оставьте поле пустым."}
SCALE_CHOICES = [(i, str(i)) for i in range(1, 6)]


def _optional(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=[("", "не указывать"), *choices], required=False, error_messages=PROFILE_ERRORS
    )


class AnswerForm(forms.Form):
    """The respondent's form, built from the survey's questions; fields are `q<question id>`."""

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.prefetch_related("options"))
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._field(question)
        if survey.asks_profile:
            self.fields["age_group"] = _optional("Возраст", AgeGroup.choices)
            self.fields["sex"] = _optional("Пол", Sex.choices)
            self.fields["role"] = _optional("Вы отвечаете как", RespondentRole.choices)
            self.fields["territory"] = forms.ModelChoiceField(
                label="Территория",
                queryset=Territory.objects.filter(region_id=survey.region_id).order_by("name"),
                required=False,
                empty_label="не указывать",
                error_messages={**PROFILE_ERRORS, "invalid_pk_value": PROFILE_ERRORS["invalid_choice"]},
            )

    @staticmethod
    def _field(question: Question) -> forms.Field:
        common = {"label": question.text, "required": question.required, "error_messages": CHOICE_ERRORS}
        options = question.options.all()
        if question.kind == Question.Kind.SINGLE:
            return forms.ModelChoiceField(
                queryset=options, widget=forms.RadioSelect, empty_label=None, **common
            )
        if question.kind == Question.Kind.MULTIPLE:
            return forms.ModelMultipleChoiceField(
                queryset=options, widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == Question.Kind.SCALE:
            return forms.TypedChoiceField(
                choices=SCALE_CHOICES, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
            )
        return forms.CharField(
            label=question.text,
            required=question.required,
            max_length=MAX_TEXT,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
            error_messages={
                "required": "Ответьте на этот вопрос.",
                "max_length": f"Ответ длиннее {MAX_TEXT} символов — сократите его.",
            },
        )

    def question_fields(self):
        return [(q, self[f"q{q.pk}"]) for q in self.questions]

    def profile_fields(self):
        return [self[name] for name in ("age_group", "sex", "role", "territory") if name in self.fields]

    def answers(self) -> dict[int, object]:
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            out[question.pk] = list(value) if question.kind == Question.Kind.MULTIPLE else value
        return out

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("age_group", "sex", "role", "territory")}


class SurveyForm(forms.ModelForm):
    """Staff: the survey itself. Dates are entered in the region's time zone (the view activates it)."""

    class Meta:
        model = Survey
        fields = [
            "title",
            "description",
            "organization",
            "kind",
            "opens_at",
            "closes_at",
            "asks_profile",
            "results_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].error_messages["invalid_choice"] = "Выберите организацию из списка."

    def clean(self):
        data = super().clean()
        organization = data.get("organization")
        if organization is not None:
            # The dates are wall-clock times of the survey's region, whatever zone the page runs in
            # (a new survey's page cannot know the organization before it is chosen).
            zone = ZoneInfo(organization.region.timezone)
            for name in ("opens_at", "closes_at"):
                if data.get(name):
                    data[name] = timezone.make_aware(timezone.make_naive(data[name]), zone)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", "Окончание должно быть позже начала.")
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label="Вопрос", max_length=500, error_messages={"required": "Напишите вопрос."})
    kind = forms.ChoiceField(label="Вид", choices=Question.Kind.choices)
    required = forms.BooleanField(label="Обязательный", required=False, initial=True)
    options = forms.CharField(
        label="Варианты — по одному в строке; для проекта описание после «|»",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def option_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data.get("options", "").splitlines():
            text, _, description = line.partition("|")
            pairs.append((text[:300], description))
        return pairs


DATE_ERRORS = {"invalid": "Дата — в формате ГГГГ-ММ-ДД."}


class PeriodForm(forms.Form):
    """The range of submission dates of the results (`?from=&to=`, both days inclusive, in the
    survey region's calendar); both empty means the whole survey."""

    def __init__(self, data, *, zone: ZoneInfo):
        super().__init__(data)
        self.zone = zone
        for name, label in (("from", "С"), ("to", "по")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                error_messages=DATE_ERRORS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", "Конец периода раньше начала.")
        return data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[since, until) moments of a valid form; (None, None) for the whole survey."""
        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        since = datetime.combine(start, time.min, self.zone) if start else None
        until = datetime.combine(end + timedelta(days=1), time.min, self.zone) if end else None
        return since, until

    def label(self) -> str:
        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        if not (start or end):
            return "весь опрос"
        return f"{f'{start:%d.%m.%Y}' if start else '…'} — {f'{end:%d.%m.%Y}' if end else '…'}"
