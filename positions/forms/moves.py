"""Forms for moving a post under another and for deleting one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from positions.forms.editor import PositionRefInput, Searchable
from positions.models import Position

CANDIDATES_SHOWN = 30


class MoveForm(forms.Form):
    superior = forms.CharField(
        label=_("New direct superior"),
        required=False,
        max_length=40,
        help_text=_("A position code; empty to put the post at the top of the organisation."),
        widget=PositionRefInput(),
    )

    def __init__(self, *args, position, query="", **kwargs):
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
