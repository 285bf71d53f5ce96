from django.contrib import admin

from transfers.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Import and export jobs, for looking into; they are made and run from the portal's import page."""

    list_display = ["created_at", "kind", "file_name", "user", "status", "rows_read", "rows_written"]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "user__username"]
    exclude = ["data", "report"]
    readonly_fields = [f for f in ("kind", "status", "user", "language", "file_name", "file_sha256", "confirmed",
                                   "delete_missing", "state", "query", "rows_total", "rows_read", "rows_validated",
                                   "rows_written", "message")]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
