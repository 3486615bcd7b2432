from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class _Named(models.Model):
    name_id = models.TextField(_("name (Indonesian)"))
    name_en = models.TextField(_("name (English)"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language; English where no Indonesian text is published."""
        if (get_language() or "id").startswith("en") or not self.name_id:
            return self.name_en
        return self.name_id


class Sector(_Named):
    """One of the 17 sectors of the BPS Input-Output table, with its KBLI 2020 sections."""

    code = models.PositiveSmallIntegerField(_("IO code"), primary_key=True)
    kbli_sections = models.CharField(_("KBLI 2020 sections"), max_length=40)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]


class GovernmentAffair(_Named):
    """A government affair (urusan pemerintahan), coded 1.01 … 3.32."""

    class Group(models.TextChoices):
        BASIC_SERVICES = "wajib_pelayanan_dasar", _("mandatory, basic services")
        MANDATORY_OTHER = "wajib_non_pelayanan_dasar", _("mandatory, not basic services")
        OPTIONAL = "pilihan", _("optional")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    group = models.CharField(_("group"), max_length=30, choices=Group.choices)

    class Meta:
        verbose_name = _("government affair")
        verbose_name_plural = _("government affairs")
        ordering = ["code"]


class SdgGoal(_Named):
    code = models.PositiveSmallIntegerField(_("goal"), primary_key=True)

    class Meta:
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")
        ordering = ["code"]


class SdgTarget(_Named):
    """An SDG target (``1.1`` … ``17.19``), with its Indonesian text from ``sdg_targets_id.csv``."""

    code = models.CharField(_("target"), max_length=6, primary_key=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, related_name="targets")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["goal", "order"]
