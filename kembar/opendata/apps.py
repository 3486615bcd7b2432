from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Open data: the public datasets as a Frictionless data package, DCAT and IATI."""

    name = "kembar.opendata"
    verbose_name = _("open data")
