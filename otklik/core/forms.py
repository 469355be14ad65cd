from django import forms

from otklik.core.accessibility import LABELS, OPTIONS


class AccessibilityForm(forms.Form):
    """The settings of the version for people with low vision, one radio group each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, values in OPTIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=LABELS[name],
                choices=list(values.items()),
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Выберите: {LABELS[name].lower()}.",
                    "invalid_choice": f"Такого значения нет: {LABELS[name].lower()}.",
                },
            )
