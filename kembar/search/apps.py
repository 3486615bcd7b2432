from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search over the records of the other apps (see kembar.search.registry)."""

    name = "kembar.search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kembar.search import sources

        sources.register_builtin_sources()
