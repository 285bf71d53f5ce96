from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = _("Positions")

    def ready(self):
        from django.urls import register_converter

        from positions.converters import PositionCodeConverter
        from positions.services import facts

        # Before any URLconf is read: the org chart's URLs take position codes too.
        register_converter(PositionCodeConverter, "poscode")
        facts.connect()
