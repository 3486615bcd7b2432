"""A job: long work the request starts and a worker runs, with its lease, progress and result."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    ACTIVITY_IMPORT = "activity_import", _("spreadsheet import")
    REPORT = "report", _("report")


class JobState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """One piece of background work, from the request that asks for it to its result.

    A worker may run a job only while it holds its lease (``lease_until``,
    renewed while it works); ``attempts`` counts the runs and is the fencing
    token: a worker whose lease was taken over can no longer write. ``input_data``
    holds the uploaded file until the job has finished.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=JobKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("sent to the queue"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_name = models.CharField(_("file"), max_length=200, blank=True)
    input_size = models.PositiveBigIntegerField(_("file size"), default=0)
    input_data = models.BinaryField(_("input"), blank=True, editable=False)
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    progress = models.JSONField(
        _("progress"),
        default=dict,
        blank=True,
        help_text=_('Per stage: {"checking": {"done": 10, "total": 50}, ...}'),
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "lease_until"], name="jobs_state_lease")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class JobEvent(models.Model):
    """The history of a job nobody edits: queued, started, taken over, finished, failed."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("queued")
        STARTED = "started", _("started")
        REQUEUED = "requeued", _("sent to the queue again")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")
        UNDONE = "undone", _("changes undone")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("job event")
        verbose_name_plural = _("job events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.kind} #{self.attempt}"
