from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    """Guidance and encouragement: templates and checklists, shared practices, recognition."""

    name = "kembar.guidance"
    label = "guidance"
    verbose_name = _("Guidance")

    def ready(self) -> None:
        # Registers the guidance rules with django-rules.
        from kembar.guidance import rules  # noqa: F401
