from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "kembar.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        # Registers the opportunity rules with django-rules.
        from kembar.participation import rules  # noqa: F401
