"""What the knowledge records share: the two languages and where a record belongs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


def in_language(record: object, field: str) -> str:
    """``record.<field>_en`` when English is active and it is filled, else ``<field>_id``.

    A record written in English only (``<field>_id`` empty) shows its English
    text in both languages rather than nothing.
    """
    indonesian = str(getattr(record, f"{field}_id", "") or "")
    english = str(getattr(record, f"{field}_en", "") or "")
    if (get_language() or "id").startswith("en") and english:
        return english
    return indonesian or english
