from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "kembar.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # Registers the knowledge rules with django-rules.
        from kembar.knowledge import rules  # noqa: F401
        from kembar.knowledge.search_sources import register_knowledge_sources

        register_knowledge_sources()
