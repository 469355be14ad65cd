from django import forms

from otklik.dialogue.services import MAX_BROADCAST
from otklik.kb.models import Category


class BroadcastForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Раздел",
        queryset=Category.objects.none(),
        help_text="Получат все, кто подписан на раздел в Telegram.",
    )
    text = forms.CharField(label="Текст", widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_BROADCAST)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        # Citizens subscribe to top-level sections only (see the bot's «Подписки»).
        self.fields["category"].queryset = Category.objects.filter(
            region=region, parent__isnull=True, is_active=True
        ).order_by("position")
