"""The JD template form: for each section of a job description, whether it is used and required."""

from django import forms

from positions.sections import SECTIONS, State


class JDTemplateForm(forms.Form):
    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        for section in SECTIONS:
            self.fields[section.key] = forms.ChoiceField(
                label=section.label,
                choices=State.choices,
                initial=template.state(section.key),
                help_text=section.help,
                widget=forms.RadioSelect,
            )

    def save(self):
        self.template.sections = {section.key: self.cleaned_data[section.key] for section in SECTIONS}
        self.template.save()
        return self.template
