"""The learning cycle: the reflection after an activity, and the follow-up of a lesson applied.

A completed activity asks its agency for a :class:`Reflection` (one per
activity); the cooperation office accepts it (it becomes a lesson) or
returns it with a note.  A lesson applied opens a :class:`FollowUp` that
moves plan → act → observe → reflect (and round again) until a policy is
adopted or the idea is dropped with a reason; each step keeps its note
(:class:`FollowUpStep`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.knowledge.models.common import Language
from kembar.programs.models import Activity


class ReflectionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned for changes")


class Reflection(models.Model):
    """The agency's short reflection on a completed activity, in the language it wrote it in.

    One text and its language, not an Indonesian/English pair: an agency
    writes it once, in one language; the lesson made from it is where the
    second language is added.
    """

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="reflection", verbose_name=_("activity")
    )
    learned = models.TextField(_("what we learned"))
    will_change = models.TextField(_("what we will change"))
    who_should_know = models.TextField(_("who should know"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.INDONESIAN
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReflectionStatus.choices,
        default=ReflectionStatus.SUBMITTED,
        editable=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    review_note = models.TextField(_("review note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.activity.reference}: {self.learned[:40]}"


class FollowUpStage(models.TextChoices):
    PLAN = "plan", _("plan")
    ACT = "act", _("act")
    OBSERVE = "observe", _("observe")
    REFLECT = "reflect", _("reflect")
    ADOPTED = "adopted", _("policy adopted")
    DROPPED = "dropped", _("dropped")


#: The stages a follow-up is still open in, in their order.
OPEN_STAGES = (
    FollowUpStage.PLAN,
    FollowUpStage.ACT,
    FollowUpStage.OBSERVE,
    FollowUpStage.REFLECT,
)


class FollowUp(models.Model):
    """A lesson being applied: one round after another of plan → act → observe → reflect."""

    lesson = models.ForeignKey(
        "knowledge.Lesson",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("lesson"),
    )
    stage = models.CharField(
        _("stage"), max_length=8, choices=FollowUpStage.choices, default=FollowUpStage.PLAN
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    dropped_reason = models.TextField(_("reason for dropping"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson"],
                condition=Q(stage__in=["plan", "act", "observe", "reflect"]),
                name="knowledge_followup_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(stage="dropped") | ~Q(dropped_reason=""),
                name="knowledge_followup_dropped_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.stage}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class FollowUpStep(models.Model):
    """One stage reached, with what was noted there."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=8, choices=FollowUpStage.choices)
    round = models.PositiveSmallIntegerField(_("round"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        ordering = ["follow_up", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.round}.{self.stage}"
