"""Forms for moving a post under another and for deleting one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from positions.forms.editor import PositionRefInput, Searchable
from positions.models import Position

CANDIDATES_SHOWN = 30


class MoveForm(forms.Form):
    """Where a post goes: under a superior chosen by search, or, as a choice of its own (the "put at
    the top" button), to the top of the organisation. An empty superior is never taken for the top."""

    TOP = "top"

    superior = forms.CharField(
        label=_("New direct superior"),
        required=False,
        max_length=40,
        help_text=_("Search by code or title and choose the new superior."),
        widget=PositionRefInput(),
    )
    where = forms.ChoiceField(choices=[("under", "under"), (TOP, "top")], required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, position, query="", **kwargs):
        kwargs.setdefault("initial", {"version": position.version})
        super().__init__(*args, **kwargs)
        self.position = position
        self.query = query.strip()[:100]

    def candidates(self):
        """Positions matching the search that the post may move under: not itself, nothing under it."""
        if not self.query:
            return []
        p = self.position
        return list(
            Position.objects.search(self.query)
            .exclude(tree_id=p.tree_id, lft__gte=p.lft, lft__lte=p.rght)
            .order_by("tree_id", "lft")
            .values_list("code", "title")[:CANDIDATES_SHOWN]
        )

    def clean_superior(self):
        return self.cleaned_data["superior"].strip()

    def clean(self):
        data = super().clean()
        if data.get("where") != self.TOP and not data.get("superior"):
            self.add_error(
                "superior",
                _(
                    "Choose the new superior (search by code or title), or choose “Put at the top” to make it a top-level post."
                ),
            )
        return data

    @property
    def to_top(self):
        return self.cleaned_data.get("where") == self.TOP

    @property
    def new_superior(self):
        """The code of the superior chosen, or None for the top."""
        return None if self.to_top else self.cleaned_data["superior"]


class DeleteForm(Searchable, forms.Form):
    searchable = ("reports_go_to",)

    version = forms.IntegerField(widget=forms.HiddenInput)
    reports_go_to = forms.CharField(
        label=_("Its direct reports will report to"),
        required=False,
        max_length=40,
        widget=PositionRefInput(),
    )

    def __init__(self, *args, position, **kwargs):
        initial = {"version": position.version, "reports_go_to": position.superior_code or ""}
        super().__init__(*args, initial=initial, **kwargs)
