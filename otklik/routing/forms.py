from django import forms

from otklik.routing.topics_io import MAX_IMPORT_BYTES


class TopicImportForm(forms.Form):
    file = forms.FileField(
        label="Файл классификатора (.csv, .yaml)",
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст.", "invalid": "Это не файл."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Файл больше 5 МБ: разделите его на части.")
        if not upload.name.lower().endswith((".csv", ".yaml", ".yml")):
            raise forms.ValidationError("Поддерживаются файлы .csv, .yaml и .yml.")
        return upload
