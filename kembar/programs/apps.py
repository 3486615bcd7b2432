from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "kembar.programs"
    label = "programs"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # Registers the activity rules with django-rules.
        from kembar.programs import rules  # noqa: F401
