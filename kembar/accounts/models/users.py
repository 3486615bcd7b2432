from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.accounts import crypto
from kembar.accounts.models.organisations import Organisation


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    COOPERATION_OFFICER = "cooperation_officer", _("cooperation officer")
    AGENCY_OFFICER = "agency_officer", _("agency officer")
    LEADERSHIP = "leadership", _("leadership")
    COUNCIL_MEMBER = "council_member", _("council member")
    PARTNER_COUNTERPART = "partner_counterpart", _("partner counterpart")
    #: The governor's office of a province (its organisation's region is the province): supervises
    #: the kabupaten and kota of the province (PP 28/2018), sees their record read-only.
    PROVINCE_SUPERVISOR = "province_supervisor", _("province supervisor (governor's office)")
    #: The Ministry of Home Affairs: the national view of every region, read-only.
    MINISTRY = "ministry", _("Ministry of Home Affairs (national, read-only)")
    #: A resident who takes part (signs in by a code sent by e-mail, never a password);
    #: not staff: no rule in kembar.accounts.rules lets this role into the staff area.
    CITIZEN = "citizen", _("citizen")


class User(AbstractUser):
    """A person who signs in: one organisation, one role.

    What the role allows is decided by the rules in
    :mod:`kembar.accounts.rules`, at object level.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    #: The second-factor secret, encrypted (see :mod:`kembar.accounts.crypto`); read and
    #: written in plain through ``totp_secret``.
    totp_key = models.TextField(_("second-factor key (encrypted)"), blank=True, editable=False)
    totp_enabled = models.BooleanField(_("second factor on"), default=False)
    totp_last_step = models.BigIntegerField(
        _("last second-factor step used"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["password", "totp_key", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def totp_secret(self) -> str:
        """The second-factor secret in base32, ``""`` when none is stored."""
        return crypto.decrypt(self.totp_key) if self.totp_key else ""

    @totp_secret.setter
    def totp_secret(self, secret: str) -> None:
        self.totp_key = crypto.encrypt(secret) if secret else ""


class RecoveryCode(models.Model):
    """A one-time code that stands in for the second factor when the phone is lost.

    Only a keyed digest is stored (:func:`kembar.accounts.crypto.keyed_digests`);
    the code itself is shown once, when it is made.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="accounts_recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} #{self.pk}"


class Notification(models.Model):
    """A message to one user inside the application (reminders, approvals waiting)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="accounts_notification_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject
