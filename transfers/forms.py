"""The upload form: one file, checked for type and size before it is stored (a file over the size limit is
not even read: transfers/uploads.py)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ACCEPTED = (".xlsx", ".csv", ".txt")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook or CSV file"),
        help_text=_("An .xlsx workbook in the portal's format, a roster (花名册), or a CSV of positions."),
    )
    delete_missing = forms.BooleanField(
        label=_("Delete positions that the file's positions sheet does not list"),
        required=False,
        help_text=_("The preview lists every position this would delete."),
    )

    def __init__(self, *args, may_delete=False, refused_over=None, **kwargs):
        """`refused_over`: the limit (bytes) an upload went past, which the upload handler stopped reading
        (transfers/uploads.py): the file never arrived, and the form says why."""
        super().__init__(*args, **kwargs)
        self.refused_over = refused_over
        if refused_over is not None:
            self.fields["file"].required = False
        if not may_delete:
            del self.fields["delete_missing"]

    def clean_file(self):
        if self.refused_over is not None:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB, the most an import takes: it was not uploaded.")
                % {"limit": f"{self.refused_over / 1024 / 1024:.0f}"},
                code="too_large",
            )
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(
                _("%(name)s is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.") % {"name": name}
            )
        limit = settings.TRANSFER_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
