"""The job-description editor: a header form and one formset per list section, turned into a document.

The forms only shape what the browser sends; every rule (numbers, references, loops,
grades, publishing, the length of texts) is checked once, by services/editing.py, whose
errors come back to the field or row they name (`attach_errors`).
"""

import re
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.models import KPI
from org_tree.forms import department_menu
from org_tree.models import Grade, JobFamily
from positions.lookup import Choices, find_positions, search_term
from positions.models import Position
from positions.sections import SECTION_KEYS
from positions.services.editing import CODE_LIMIT, NAME_LIMIT, TEXT_LIMIT
from positions.templatetags.position_tags import kpi_target

BASE_SALT = "positions.editor.base"

# ---------------------------------------------------------------------------------------------
# Pickers: a field that names positions (or people) by code is searched by code or title. With
# JavaScript, editor.js asks `data-search` as one types and offers a list (an ARIA combobox);
# without it, a "Find" button sends the form (find=<the field's name>) and the page shows the
# matches under the field as radio buttons of the field's own name. They come after the text box,
# so a checked one is the value the form reads (a QueryDict gives a name's last value), and what
# was typed stays in the box when none is checked.

PICKER_TEXTS = {
    "data-found": _("{count} matches: choose one with the up and down arrow keys and Enter."),
    "data-none": _("Nothing matches."),
}
CODE_SEPARATORS = re.compile(r"\s*[,，;；、]\s*")


class PositionRefInput(forms.TextInput):
    """A position code (or several, comma-separated), searchable by code or title."""

    def __init__(self, multiple=False):
        self.multiple = multiple
        super().__init__(
            attrs={
                "class": "position-ref",
                "data-multiple": "1" if multiple else "",
                "data-search": reverse_lazy("positions:lookup-positions"),
                "autocomplete": "off",
                "spellcheck": "false",
                **PICKER_TEXTS,
            }
        )


class PersonRefInput(forms.TextInput):
    """A person, by 工号 or name."""

    def __init__(self):
        self.multiple = False
        super().__init__(
            attrs={
                "class": "person-ref",
                "data-search": reverse_lazy("positions:lookup-people"),
                "autocomplete": "off",
                "spellcheck": "false",
                **PICKER_TEXTS,
            }
        )


def position_choices(text, user, *, multiple=False, exclude=(), unknown_only=False):
    """The positions a field's text may mean, each as the field's whole new value.

    The first part of the text that is not a position code is searched for (several codes, when
    `multiple`), and each match replaces that part, the others kept: "DPT-YW-02, 客户" gives
    "DPT-YW-02, DPT-YW-03". When every part is a code, the last is searched, or nothing with
    `unknown_only` (choices offered after a refusal are for text that names no position).
    """
    parts = [part for part in CODE_SEPARATORS.split(text.strip()) if part] if multiple else [text.strip()]
    parts = [search_term(part) for part in parts]
    known = set(Position.objects.filter(code__in=parts).values_list("code", flat=True))
    index = next((i for i, part in enumerate(parts) if part not in known), None)
    if index is None and not unknown_only:
        index = len(parts) - 1
    if index is None or not parts[index]:
        return Choices(term="")
    matches = find_positions(user, parts[index], exclude=exclude)
    for match in matches:
        match.value = ", ".join([*parts[:index], match.value, *parts[index + 1 :]])
    return Choices(term=parts[index], matches=matches)


class Searchable:
    """A form whose reference fields (`searchable`) may be searched without JavaScript: `found` holds
    the choices shown under a field (templates/includes/field.html draws them and the Find button)."""

    searchable = ()

    @property
    def found(self):
        if not hasattr(self, "_found"):
            self._found = {}
        return self._found

    def text_of(self, name):
        return self.data.get(self.add_prefix(name), "") if self.is_bound else ""

    def find(self, name, user, exclude=()):
        """Show the positions the field's text may mean under it."""
        widget = self.fields[name].widget
        self.found[name] = position_choices(self.text_of(name), user, multiple=widget.multiple, exclude=exclude)

    def find_only(self, name, user=None, exclude=()):
        """A search, not a submission: the form as sent, without complaints, and the matches under `name`."""
        if self.is_bound:
            self.is_valid()
            self.errors.clear()
        self.find(name, user, exclude)

    def offer_choices(self, names, user, exclude=()):
        """After a refusal: choices under each of these fields whose text names no position."""
        for name in names:
            if name in self.fields and name not in self.found:
                multiple = self.fields[name].widget.multiple
                choices = position_choices(
                    self.text_of(name), user, multiple=multiple, exclude=exclude, unknown_only=True
                )
                if choices.matches:
                    self.found[name] = choices

    def find_for_errors(self, user, exclude=()):
        self.offer_choices([name for name in self.searchable if name in self.errors], user, exclude)


# ---------------------------------------------------------------------------------------------
# Text: limited by the service, never cut by the browser.


class LimitedText(forms.CharField):
    """Text whose length services/editing.py checks, with its message at the field.

    Django would render a max_length as maxlength, and the browser then cuts a longer paste at the
    limit without a word. The limit is rendered as data-limit instead (editor.js counts as one
    types) and, with `show_limit`, said under the field. Line breaks are LF, as the API counts them:
    a browser sends CRLF but counts one character.
    """

    def __init__(self, *, limit, multiline=False, show_limit=False, **kwargs):
        self.limit, self.multiline = limit, multiline
        if show_limit:
            kwargs.setdefault(
                "help_text", lazy(lambda: gettext("At most %(limit)d characters.") % {"limit": limit}, str)()
            )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-limit": str(self.limit)}

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if self.multiline else text


class MultiLineField(LimitedText):
    """Text of several lines (TEXT_LIMIT characters unless told), its line breaks kept."""

    def __init__(self, *, limit=TEXT_LIMIT, **kwargs):
        super().__init__(limit=limit, multiline=True, **kwargs)


# The single-value sections: JD template section -> title, the header fields it holds. The header
# form has a section's fields only when the template uses it, and the page draws them all.
HEADER_SECTIONS = (
    ("purpose", _("Purpose"), ("purpose",)),
    ("education", _("Education, major and experience"), ("education", "major", "experience_years")),
    ("work_environment", _("Work environment"), ("work_environment",)),
    ("career", _("Career paths"), ("promotes_to", "rotates_with")),
)


class HeaderForm(Searchable, forms.Form):
    """The header and the single-value sections. Codes refer to positions; menus to departments, families, grades."""

    searchable = ("reports_to", "dotted_reports_to", "promotes_to", "rotates_with")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    code = LimitedText(label=_("Position code"), limit=CODE_LIMIT)
    title = LimitedText(label=_("Position title"), limit=NAME_LIMIT)
    # Codes as values, labels indented in tree order with the path where names repeat (set in __init__).
    department = forms.ChoiceField(label=_("Department"), required=False)
    reports_to = forms.CharField(
        label=_("Direct superior"), required=False, widget=PositionRefInput(),
        help_text=_("A position code; type part of a title to find one."),
    )  # fmt: skip
    # The top is a choice of its own: an empty superior is never taken for it (a cleared field would
    # otherwise detach the post and everything under it).
    top = forms.BooleanField(label=_("Top of the organisation (no direct superior)"), required=False)
    dotted_reports_to = forms.CharField(
        label=_("Dotted-line superiors"), required=False, widget=PositionRefInput(multiple=True),
        help_text=_("Position codes, separated by commas; type part of a title to find one."),
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
        label=_("Purpose"), required=False, show_limit=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    education = forms.ChoiceField(
        label=_("Minimum education"), required=False, choices=[("", "—"), *Position.Education.choices]
    )
    major = LimitedText(label=_("Major"), required=False, limit=NAME_LIMIT)
    experience_years = forms.CharField(
        label=_("Minimum years of experience"), required=False, max_length=10,
        widget=forms.NumberInput(attrs={"min": 0, "max": 60, "step": 1}),
    )  # fmt: skip
    work_environment = MultiLineField(
        label=_("Work environment"), required=False, show_limit=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    promotes_to = forms.CharField(label=_("Can be promoted to"), required=False, widget=PositionRefInput(multiple=True))
    rotates_with = forms.CharField(label=_("Can rotate with"), required=False, widget=PositionRefInput(multiple=True))

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *((code, label) for _pk, code, label in department_menu())]
        if template is not None:
            for section, _title, names in HEADER_SECTIONS:
                if not template.uses(section):
                    for name in names:
                        del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("top") and data.get("reports_to"):
            self.add_error("top", _("A post at the top has no direct superior: clear the superior, or untick this."))
        elif not data.get("top") and not data.get("reports_to") and "reports_to" not in self.errors:
            self.add_error(
                "reports_to",
                _("Give the direct superior, or tick “Top of the organisation” for a post that reports to nobody."),
            )
        return data

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
            "department": data.get("department") or None,
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
    # A post on file without a superior is at the top; a new one starts with neither chosen.
    initial["top"] = bool(document.get("code")) and not document.get("reports_to")
    initial["dotted_reports_to"] = ", ".join(document.get("dotted_reports_to") or [])
    career = document.get("career") or {}
    initial["promotes_to"] = ", ".join(career.get("promotes_to") or [])
    initial["rotates_with"] = ", ".join(career.get("rotates_with") or [])
    return initial


class RowForm(forms.Form):
    id = forms.IntegerField(label=_("Row identifier"), widget=forms.HiddenInput, required=False)
    folded = ()  # fields drawn folded under the row (a KPI's target and scoring)

    def has_changed(self):
        """Whether the row says something: a new row whose only change is its place (the order number
        editor.js gives every row) or the Remove box is still the empty row at the end of a section."""
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class LineForm(RowForm):
    # A pasted list may be split into rows (editor.js); without JavaScript its line breaks are kept.
    text = MultiLineField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 1, "data-split": "1"}))

    def row(self):
        return {"id": self.cleaned_data.get("id"), "text": self.cleaned_data.get("text", "")}


class DutyForm(LineForm):
    share = forms.CharField(
        label=_("Time share (%)"), required=False, max_length=12,
        widget=forms.NumberInput(attrs={"min": "0.01", "max": "100", "step": "0.01", "class": "share"}),
    )  # fmt: skip

    def row(self):
        return {**super().row(), "share": self.cleaned_data.get("share")}


def _number_input(css_class):
    return forms.NumberInput(attrs={"step": "any", "class": css_class})


class KPIForm(RowForm):
    responsibility = MultiLineField(
        label=_("Key responsibility"), required=False, widget=forms.Textarea(attrs={"rows": 1, "data-split": "1"})
    )
    weight = forms.CharField(
        label=_("Weight (%)"), required=False, max_length=12,
        widget=forms.NumberInput(attrs={"min": "0.01", "max": "100", "step": "0.01", "class": "weight"}),
    )  # fmt: skip
    standard = MultiLineField(label=_("Performance standard"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    cycle = forms.ChoiceField(label=_("Assessment cycle"), required=False, choices=[("", "—"), *KPI.Cycle.choices])
    # The target and its scoring: drawn folded under the row ("目标与计分"), open when set or in error.
    metric = LimitedText(label=_("Metric name (指标名称)"), limit=KPI.METRIC_LIMIT, required=False)
    unit = LimitedText(
        label=_("Unit (单位)"), limit=KPI.UNIT_LIMIT, required=False, widget=forms.TextInput(attrs={"size": 6})
    )
    direction = forms.ChoiceField(
        label=_("Direction (方向)"), required=False, choices=[("", "—"), *KPI.Direction.choices]
    )
    target = forms.CharField(
        label=_("Target value (目标值)"), required=False, max_length=40, widget=_number_input("target")
    )
    floor = forms.CharField(label=_("Floor (门槛值)"), required=False, max_length=40, widget=_number_input("floor"))
    rule = forms.ChoiceField(
        label=_("Scoring rule (计分规则)"),
        required=False,
        choices=KPI.Rule.choices,
        initial=KPI.Rule.DIRECT,  # so the empty row at the end, which sends it, still counts as unchanged
        help_text=_(
            "Scored directly: the rater gives 0–100 (the only rule without a target). Linear: 100 at the target, "
            "0 at the floor, in proportion between. Target met or not: 100 or 0. Deduction: 100 less the points "
            "per occurrence, never below 0."
        ),
    )
    points = forms.CharField(
        label=_("Points per occurrence (每次扣分)"), required=False, max_length=40, widget=_number_input("points")
    )
    folded = KPI.TARGET_FIELDS
    folded_title = _("Target and scoring (目标与计分)")

    def row(self):
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "responsibility": data.get("responsibility", ""),
            "weight": data.get("weight"),
            "standard": data.get("standard", ""),
            "cycle": data.get("cycle", ""),
            **{name: data.get(name, "") for name in KPI.TARGET_FIELDS},
        }

    @property
    def folded_fields(self):
        return [self[name] for name in self.folded]

    @property
    def folded_open(self):
        """Whether the row's target fields are drawn open: some are set, or in error."""
        if any(self[name].errors for name in self.folded):
            return True
        return any(str(self[name].value() or "") not in ("", KPI.Rule.DIRECT) for name in self.folded)

    @property
    def folded_summary(self):
        """The target as the card says it, beside the folded fields' title (for the row as it was opened)."""
        if self.is_bound:
            return ""
        return kpi_target(self.initial)


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


BASIC_FIELDS = (
    "code", "title", "department", "reports_to", "top", "dotted_reports_to", "job_family", "grade", "headcount", "status",
    "review_months",
)  # fmt: skip


@dataclass
class Problem:
    """One line of the error summary: where (as the page names it), what, and the id of the field to go to."""

    where: str
    message: str
    target: str


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

    @property
    def basic_fields(self):
        return [self.header[name] for name in BASIC_FIELDS]

    def is_valid(self):
        valid = all([self.header.is_valid(), *(formset.is_valid() for formset in self.formsets)])
        self._rows_in_their_order()
        return valid

    def _rows_in_their_order(self):
        """Rows in the order the user gave them (their order numbers, which editor.js keeps as on screen),
        so the page sent back shows them as they were and "row 2" means the second row there."""

        def place(item):
            index, form = item
            try:
                return (int(form.data.get(form.add_prefix("ORDER"), "")), index)
            except ValueError:
                return (10**6, index)

        for formset in self.formsets:
            formset.forms[:] = [form for _index, form in sorted(enumerate(formset.forms), key=place)]

    def quiet(self):
        """The form as sent, without complaints: for a search, which saves nothing."""
        self.is_valid()
        for form in [self.header, *(form for formset in self.formsets for form in formset.forms)]:
            form.errors.clear()
        for formset in self.formsets:
            formset.non_form_errors().clear()

    def find(self, html_name, user, own_code=None):
        """The positions the text of a header field (by its name in the form) may mean, shown under it."""
        name = html_name.removeprefix(self.header.prefix + "-")
        if name in self.header.searchable and name in self.header.fields:
            self.header.find(name, user, exclude=[own_code] if own_code else ())

    def offer_choices(self, user, own_code=None):
        """After a refused save: choices under each position field in error whose text is not a code."""
        self.header.find_for_errors(user, exclude=[own_code] if own_code else ())

    def problems(self):
        """Every error on the page, in page order, for the summary at its top."""
        found = [Problem("", message, "") for message in self.header.non_field_errors()]
        groups = [self.basic_fields, *(part.fields if kind == "fields" else part for kind, part in self.sections)]
        for group in groups:
            if not isinstance(group, list):
                found.extend(self._row_problems(group))
                continue
            for field in group:
                found.extend(Problem(str(field.label), message, field.auto_id) for message in field.errors)
        return found

    def _row_problems(self, formset):
        title = str(formset.title)
        found = [
            Problem(title, message, f"section-{formset.key}")
            for message in [*formset.section_errors, *formset.non_form_errors()]
        ]
        for number, form in enumerate(formset.forms, start=1):
            first = next(iter(form.visible_fields()), None)
            for name, messages in form.errors.items():
                field = form[name] if name in form.fields else None
                if field is None or field.is_hidden:
                    field = None
                    where = gettext("%(section)s, row %(row)s") % {"section": title, "row": number}
                else:
                    where = gettext("%(section)s, row %(row)s, %(field)s") % {
                        "section": title,
                        "row": number,
                        "field": field.label,
                    }
                target = field or first
                found.extend(Problem(where, message, target.auto_id if target else "") for message in messages)
        return found

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
