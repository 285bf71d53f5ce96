"""The job-description editor: a header form and one formset per list section, turned into a document.

The forms only shape what the browser sends; every rule (numbers, references, loops,
grades, publishing) is checked once, by services/editing.py, whose errors come back to
the field or row they name (`attach_errors`).
"""

from dataclasses import dataclass

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from assessments.models import KPI
from org_tree.models import Department, Grade, JobFamily
from positions.models import Position
from positions.sections import SECTION_KEYS

BASE_SALT = "positions.editor.base"
LINE_MAX = 2000


class PositionRefInput(forms.TextInput):
    """A position code; editor.js turns it into a searchable picker."""

    def __init__(self, multiple=False):
        super().__init__(
            attrs={"class": "position-ref", "data-multiple": "1" if multiple else "", "autocomplete": "off"}
        )


class MultiLineField(forms.CharField):
    """Text of several lines, with its line breaks as LF before max_length counts them.

    Browsers send a line break as CRLF but count it as one character for maxlength, and the
    API counts after normalising, so the editor must count the same way.
    """

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


# The single-value sections: JD template section -> title, the header fields it holds. The header
# form has a section's fields only when the template uses it, and the page draws them all.
HEADER_SECTIONS = (
    ("purpose", _("Purpose"), ("purpose",)),
    ("education", _("Education, major and experience"), ("education", "major", "experience_years")),
    ("work_environment", _("Work environment"), ("work_environment",)),
    ("career", _("Career paths"), ("promotes_to", "rotates_with")),
)


class HeaderForm(forms.Form):
    """The header and the single-value sections. Codes refer to positions; menus to departments, families, grades."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Position code"), max_length=40)
    title = forms.CharField(label=_("Position title"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("tree_id", "lft"),
        required=False,
        to_field_name="code",
    )
    reports_to = forms.CharField(
        label=_("Direct superior"), required=False, max_length=40, widget=PositionRefInput(),
        help_text=_("The superior's position code; empty for the top of the organisation."),
    )  # fmt: skip
    dotted_reports_to = forms.CharField(
        label=_("Dotted-line superiors"), required=False, max_length=2000, widget=PositionRefInput(multiple=True),
        help_text=_("Position codes, separated by commas."),
    )  # fmt: skip
    job_family = forms.ModelChoiceField(
        label=_("Job family"),
        queryset=JobFamily.objects.select_related("category"),
        required=False,
        to_field_name="code",
    )
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.all(), required=False, to_field_name="code")
    headcount = forms.CharField(label=_("Headcount"), max_length=10, widget=forms.NumberInput(attrs={"min": 0}))
    status = forms.ChoiceField(label=_("Status"), choices=Position.Status.choices)
    review_months = forms.CharField(
        label=_("Review interval (months)"), max_length=4, widget=forms.NumberInput(attrs={"min": 1, "max": 120})
    )
    purpose = MultiLineField(
        label=_("Purpose"), required=False, max_length=LINE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    education = forms.ChoiceField(
        label=_("Minimum education"), required=False, choices=[("", "—"), *Position.Education.choices]
    )
    major = forms.CharField(label=_("Major"), required=False, max_length=200)
    experience_years = forms.CharField(
        label=_("Minimum years of experience"), required=False, max_length=10,
        widget=forms.NumberInput(attrs={"min": 0, "max": 60, "step": 1}),
    )  # fmt: skip
    work_environment = MultiLineField(
        label=_("Work environment"), required=False, max_length=LINE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    promotes_to = forms.CharField(
        label=_("Can be promoted to"), required=False, max_length=2000, widget=PositionRefInput(multiple=True)
    )
    rotates_with = forms.CharField(
        label=_("Can rotate with"), required=False, max_length=2000, widget=PositionRefInput(multiple=True)
    )

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None:
            for section, _title, names in HEADER_SECTIONS:
                if not template.uses(section):
                    for name in names:
                        del self.fields[name]

    def base_document(self):
        """The document the editor was opened on (signed, so it cannot be forged), or None."""
        try:
            return signing.loads(self.cleaned_data.get("base") or "", salt=BASE_SALT)
        except signing.BadSignature:
            return None

    def document(self):
        data = self.cleaned_data
        document = {
            "code": data["code"],
            "title": data["title"],
            "department": data["department"].code if data.get("department") else None,
            "reports_to": data.get("reports_to") or None,
            "dotted_reports_to": data.get("dotted_reports_to", ""),
            "job_family": data["job_family"].code if data.get("job_family") else None,
            "grade": data["grade"].code if data.get("grade") else None,
            "headcount": data.get("headcount"),
            "review_months": data.get("review_months"),
            "status": data["status"],
        }
        for name in ("purpose", "education", "major", "experience_years", "work_environment"):
            if name in self.fields:
                document[name] = data.get(name)
        if "promotes_to" in self.fields:
            document["career"] = {
                "promotes_to": data.get("promotes_to", ""),
                "rotates_with": data.get("rotates_with", ""),
            }
        return document


def sign_base(document):
    return signing.dumps(document, salt=BASE_SALT, compress=True)


def initial_header(document):
    """Initial values of the header form from a document."""
    initial = {key: document.get(key) for key in ("code", "title", "department", "reports_to", "job_family", "grade",
                                                   "headcount", "review_months", "status", "purpose", "education", "major",
                                                   "experience_years", "work_environment")}  # fmt: skip
    initial["dotted_reports_to"] = ", ".join(document.get("dotted_reports_to") or [])
    career = document.get("career") or {}
    initial["promotes_to"] = ", ".join(career.get("promotes_to") or [])
    initial["rotates_with"] = ", ".join(career.get("rotates_with") or [])
    return initial


class RowForm(forms.Form):
    id = forms.IntegerField(label=_("Row identifier"), widget=forms.HiddenInput, required=False)

    def has_changed(self):
        """Whether the row says something: a new row whose only change is its place (the order number
        editor.js gives every row) or the Remove box is still the empty row at the end of a section."""
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class LineForm(RowForm):
    text = MultiLineField(
        label=_("Text"), max_length=LINE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def row(self):
        return {"id": self.cleaned_data.get("id"), "text": self.cleaned_data.get("text", "")}


class DutyForm(LineForm):
    share = forms.CharField(
        label=_("Time share (%)"), required=False, max_length=12,
        widget=forms.NumberInput(attrs={"min": "0.01", "max": "100", "step": "0.01", "class": "share"}),
    )  # fmt: skip

    def row(self):
        return {**super().row(), "share": self.cleaned_data.get("share")}


class KPIForm(RowForm):
    responsibility = MultiLineField(
        label=_("Key responsibility"), max_length=LINE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    weight = forms.CharField(
        label=_("Weight (%)"), required=False, max_length=12,
        widget=forms.NumberInput(attrs={"min": "0.01", "max": "100", "step": "0.01", "class": "weight"}),
    )  # fmt: skip
    standard = MultiLineField(
        label=_("Performance standard"), max_length=LINE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    cycle = forms.ChoiceField(label=_("Assessment cycle"), required=False, choices=[("", "—"), *KPI.Cycle.choices])

    def row(self):
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "responsibility": data.get("responsibility", ""),
            "weight": data.get("weight"),
            "standard": data.get("standard", ""),
            "cycle": data.get("cycle", ""),
        }


LineFormSet = forms.formset_factory(LineForm, extra=1, can_order=True, can_delete=True, max_num=500, absolute_max=500)
DutyFormSet = forms.formset_factory(DutyForm, extra=1, can_order=True, can_delete=True, max_num=500, absolute_max=500)
KPIFormSet = forms.formset_factory(KPIForm, extra=1, can_order=True, can_delete=True, max_num=500, absolute_max=500)

# Document key -> (formset class, JD template section that decides whether it is shown, title).
LIST_SECTIONS = (
    ("internal_relations", LineFormSet, "relations", _("Internal relations")),
    ("external_relations", LineFormSet, "relations", _("External relations")),
    ("duties", DutyFormSet, "duties", _("Duties")),
    ("authorities", LineFormSet, "authorities", _("Authorities")),
    ("qualifications", LineFormSet, "qualifications", _("Qualifications")),
    ("training", LineFormSet, "training", _("Training requirements")),
    ("kpis", KPIFormSet, "kpis", _("Assessment standards (KPIs)")),
)


@dataclass
class FieldGroup:
    """A single-value section of the header, drawn as a fieldset of its own."""

    key: str
    title: str
    fields: list
    required: bool


class Editor:
    """The whole editor: the header form and the formsets the JD template uses, validated together."""

    def __init__(self, data=None, *, document=None, template, base=None, version=None):
        self.template = template
        header_initial = None
        if document is not None:
            header_initial = {**initial_header(document), "version": version, "base": sign_base(base) if base else ""}
        self.header = HeaderForm(data, initial=header_initial, template=template, prefix="h")
        self.formsets = []
        for key, formset_class, section, title in LIST_SECTIONS:
            if not template.uses(section):
                continue
            initial = None
            if document is not None:
                initial = [_row_initial(row) for row in document.get(key) or []]
            formset = formset_class(data, initial=initial, prefix=key.replace("_", "-"))
            formset.key, formset.title, formset.section = key, title, section
            formset.section_errors = []
            formset.required = section in template.required
            self.formsets.append(formset)
        self.row_forms = {}

    @property
    def sections(self):
        """What the page draws below the basic information, in the JD template's order: ("fields",
        FieldGroup) for a single-value section, ("rows", formset) for a list. Each section the template
        uses is here on its own, whatever other sections are turned off."""
        parts = {}
        for key, title, names in HEADER_SECTIONS:
            if self.template.uses(key):
                group = FieldGroup(key, title, [self.header[name] for name in names], key in self.template.required)
                parts.setdefault(key, []).append(("fields", group))
        for formset in self.formsets:
            parts.setdefault(formset.section, []).append(("rows", formset))
        return [part for key in SECTION_KEYS for part in parts.get(key, [])]

    def is_valid(self):
        return all([self.header.is_valid(), *(formset.is_valid() for formset in self.formsets)])

    def document(self):
        """The document the forms describe; call after is_valid()."""
        document = self.header.document()
        for formset in self.formsets:
            kept = []
            for index, form in enumerate(formset.forms):
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE") or (not data.get("id") and not form.has_changed()):
                    continue
                kept.append((data.get("ORDER") if data.get("ORDER") is not None else 10**6 + index, index, form))
            kept.sort(key=lambda item: (item[0], item[1]))
            self.row_forms[formset.key] = [form for _, _, form in kept]
            document[formset.key] = [form.row() for form in self.row_forms[formset.key]]
        return document

    def attach_errors(self, errors):
        """Show the service's errors at the field, row or section they name."""
        by_key = {formset.key: formset for formset in self.formsets}
        for key, messages in errors.items():
            parts = key.split(".")
            if parts[0] in by_key:
                formset = by_key[parts[0]]
                if len(parts) >= 2 and parts[1].isdigit():
                    forms_in_order = self.row_forms.get(parts[0], [])
                    number = int(parts[1])
                    if 1 <= number <= len(forms_in_order):
                        form = forms_in_order[number - 1]
                        name = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
                        for message in messages:
                            form.add_error(name, message)
                        continue
                formset.section_errors.extend(messages)
                continue
            field = {
                "career.promotes_to": "promotes_to",
                "career.rotates_with": "rotates_with",
                "career": "promotes_to",
            }.get(key, key)
            if field == "relations":
                field = None
            if field in self.header.fields:
                for message in messages:
                    self.header.add_error(field, message)
            else:
                section = next((f for f in self.formsets if f.section == key), None)
                if section is not None:
                    section.section_errors.extend(messages)
                else:
                    for message in messages:
                        self.header.add_error(None, message)


def _row_initial(row):
    if isinstance(row, str):
        return {"text": row}
    return {key: value for key, value in row.items()}
