from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from django.conf import settings

        from assessments.scoring import InvalidInput, check_bands

        # settings.py reads the form of ASSESSMENT_BANDS; whether the table makes sense is scoring's rule.
        try:
            check_bands(settings.ASSESSMENT_BANDS)
        except InvalidInput as error:
            raise ImproperlyConfigured(f"ASSESSMENT_BANDS is not a usable band table: {error.english}") from None
