from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A correction to Indonesia's days off, entered by an administrator.

    The national holidays and the joint leave days (cuti bersama) come from the
    ``holidays`` package (:class:`kembar.common.calendar.IndonesianDaysOff`);
    a row here adds a day off the package does not know yet (a new or revised
    joint decree, SKB 3 Menteri) or makes a day a working day again (a holiday
    the decree removed or moved).  Deadlines in working days read both.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        JOINT_LEAVE = "joint_leave", _("joint leave day (cuti bersama)")
        WORKING_DAY = "working_day", _("working day (a holiday removed or moved)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("The decree that sets this day, e.g. SKB 3 Menteri No. … of 2026."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def name(self) -> str:
        english = (get_language() or "id").startswith("en")
        return (self.name_en or self.name_id) if english else self.name_id

    @property
    def day_off(self) -> bool:
        return self.kind != self.Kind.WORKING_DAY
