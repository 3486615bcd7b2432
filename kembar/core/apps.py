from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kembar.core"
    label = "core"
    verbose_name = "Kembar core"

    def ready(self) -> None:
        # Cached public answers go when the data behind them changes (kembar.common.public_cache).
        from kembar.common.public_cache import connect_signals

        connect_signals()
