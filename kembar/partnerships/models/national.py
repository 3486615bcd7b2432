"""The rows of the national record that need a person: towns no region was matched to."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.geo.models import TwinReviewRow

#: ``TwinReviewRow.source`` of the national record's rows to review (the world network's
#: own rows to review have ``kembar.geo.services.TWIN_SOURCE``).
NATIONAL_REVIEW_SOURCE = "national-record"


class NationalReviewRowManager(models.Manager["NationalReviewRow"]):
    def get_queryset(self) -> models.QuerySet[NationalReviewRow]:
        return super().get_queryset().filter(source=NATIONAL_REVIEW_SOURCE)


class NationalReviewRow(TwinReviewRow):
    """A row of the world twin-town list whose Indonesian town matched no region, or several.

    Stored with the world network's rows to review (one table, its own
    ``source``); this proxy shows only the national record's to administrators.
    """

    objects: ClassVar[NationalReviewRowManager] = NationalReviewRowManager()

    class Meta:
        proxy = True
        verbose_name = _("national record row to review")
        verbose_name_plural = _("national record rows to review")
