from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceLoad(models.Model):
    """The last successful load of one reference dataset.

    ``fingerprint`` is a digest of the source files and the loader version: a
    later run with the same fingerprint has nothing to do.  ``stats`` keeps
    what the load measured (counts, match rates) for reports and the API.
    """

    dataset = models.CharField(_("dataset"), max_length=40, primary_key=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    stats = models.JSONField(_("statistics"), default=dict)

    class Meta:
        verbose_name = _("reference data load")
        verbose_name_plural = _("reference data loads")

    def __str__(self) -> str:
        return f"{self.dataset} @ {self.loaded_at:%Y-%m-%d %H:%M}"
