"""Import and export jobs: an upload kept as a record with its status, progress and report (NetBox-style)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One import (preview, then apply) or export, run by the worker; the page polls its progress."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        READING = "reading", _("Reading the file")
        VALIDATING = "validating", _("Checking every row")
        WRITING = "writing", _("Writing")
        PREVIEWED = "previewed", _("Preview ready: confirm to import")
        REFUSED = "refused", _("Refused: nothing was written")
        STALE = "stale", _("The organisation changed since the preview")
        APPLIED = "applied", _("Imported")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.QUEUED, Status.READING, Status.VALIDATING, Status.WRITING)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    file_name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file"), editable=False, default=b"")
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    confirmed = models.BooleanField(_("confirmed"), default=False)  # an import: preview done, apply asked for
    delete_missing = models.BooleanField(_("delete positions not in the file"), default=False)
    state = models.CharField(max_length=64, blank=True, editable=False)  # organisation_state() at the preview
    query = models.JSONField(_("filters"), default=dict, blank=True)  # an export's filters
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("import or export job")
        verbose_name_plural = _("import and export jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("transfers:job", args=[self.pk])

    @property
    def is_running(self):
        return self.status in self.RUNNING

    def progress(self, **counts):
        """Save progress now (outside any transaction the task holds, so the page sees it)."""
        for name, value in counts.items():
            setattr(self, name, value)
        Job.objects.filter(pk=self.pk).update(**counts)
