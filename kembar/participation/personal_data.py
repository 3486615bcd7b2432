"""A resident's rights over their personal data (UU PDP 27/2022) and its retention.

- :func:`resident_export`: everything kept about one person, as JSON-ready data
  (the right to see and to take a copy);
- :func:`consent_withdraw`: withdraw the consent for one purpose;
- :func:`resident_erase`: delete the person (the right to erasure);
- :func:`purge_personal_data`: the daily retention job (``manage.py
  purge_personal_data`` and the task queue's ``personal_data_purge``).

What stays after withdrawal, erasure and purging is anonymous: the
participant counts a check-in made (``programs.ParticipantCount``,
``Activity.participants_registered`` and the reach summary), the survey's
closed answers with their group and kecamatan, and the audit log
(:class:`RegistrationEvent`: registration number and kind, no name or
contact).  A registration number is shown in published results; without
the registration it names nobody.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kembar.accounts.models import Role, User
from kembar.participation.models import (
    Consent,
    ConsentPurpose,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    Resident,
    SurveyResponse,
)
from kembar.participation.registrations import registration_cancel

__all__ = [
    "consent_withdraw",
    "purge_personal_data",
    "resident_erase",
    "resident_export",
]

#: A registration whose contact was never confirmed is deleted after this long.
PENDING_DAYS = 1

#: Registrations that still hold or wait for a place (cancelling one frees it).
_CANCELLABLE = (
    RegistrationStatus.PENDING,
    RegistrationStatus.APPLIED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _region(region: Any) -> dict[str, str] | None:
    return None if region is None else {"kode": region.kode, "name": region.name}


# --- see and download --------------------------------------------------------------------


def _consent_data(consent: Consent) -> dict[str, Any]:
    registration = consent.registration
    return {
        "purpose": consent.purpose,
        "purpose_label": str(ConsentPurpose(consent.purpose).label),
        "call": registration.opportunity.title if registration is not None else None,
        "registration_number": registration.number if registration is not None else None,
        "version": consent.version,
        "language": consent.language,
        "text": consent.text,
        "given_at": _when(consent.given_at),
        "withdrawn_at": _when(consent.withdrawn_at),
    }


def _survey_data(survey: SurveyResponse) -> dict[str, Any]:
    return {
        "call": survey.opportunity.title,
        "gained": list(survey.gained),
        "satisfaction": survey.satisfaction,
        "again": survey.again,
        "comment": survey.comment,
        "submitted_at": _when(survey.submitted_at),
    }


def _registration_data(registration: Registration) -> dict[str, Any]:
    opportunity = registration.opportunity
    return {
        "call": opportunity.title,
        "activity": opportunity.activity.reference,
        "activity_start": opportunity.activity.start_date.isoformat(),
        "activity_end": opportunity.activity.end_date.isoformat(),
        "number": registration.number,
        "status": registration.status,
        "status_label": str(RegistrationStatus(registration.status).label),
        "name": registration.name,
        "phone": registration.phone,
        "home_kelurahan": _region(registration.home_kelurahan),
        "home_kecamatan": _region(registration.home_kecamatan),
        "group": registration.group,
        "gender": registration.gender,
        "age_band": registration.age_band,
        "answers": dict(registration.answers),
        "language": registration.language,
        "place": registration.place,
        "order": registration.rank,
        "panel_scores": dict(registration.scores),
        "checkin_code": registration.checkin_code,
        "registered_at": _when(registration.created_at),
        "confirmed_at": _when(registration.confirmed_at),
        "cancelled_at": _when(registration.cancelled_at),
        "checked_in_at": _when(registration.checked_in_at),
        "reminded_at": _when(registration.reminded_at),
        "survey_sent_at": _when(registration.survey_sent_at),
        # Who did it (an officer) is the officer's data, not the resident's: left out.
        "events": [
            {"event": event.kind, "detail": event.detail, "at": _when(event.at)}
            for event in registration.events.all()
        ],
    }


def resident_export(resident: Resident) -> dict[str, Any]:
    """Everything Kembar keeps about ``resident``, and nothing about anyone else.

    The officer who checked a person in or cancelled a registration is left
    out (that is the officer's data); the person's own check-in code and
    panel scores are in.
    """
    registrations = list(
        resident.registrations.select_related(
            "opportunity__activity", "home_kelurahan", "home_kecamatan"
        )
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    consents = resident.consents.select_related("registration__opportunity").order_by(
        "given_at", "pk"
    )
    surveys = SurveyResponse.objects.select_related("opportunity").filter(
        registration__resident=resident
    )
    return {
        "exported_at": _when(timezone.now()),
        "resident": {
            "email": resident.email,
            "language": resident.language,
            "created_at": _when(resident.created_at),
            "signed_in_account": resident.user_id is not None,
        },
        "registrations": [_registration_data(r) for r in registrations],
        "consents": [_consent_data(c) for c in consents],
        "survey_answers": [_survey_data(s) for s in surveys.order_by("submitted_at", "pk")],
    }


# --- withdraw ------------------------------------------------------------------------------


def _activity_over(registration: Registration, today: Any) -> bool:
    return bool(registration.opportunity.activity.end_date < today)


def consent_withdraw(
    *, resident: Resident, purpose: str, registration: Registration | None = None
) -> int:
    """Withdraw ``resident``'s consent for ``purpose``; the number of consents withdrawn.

    Taking part: the registrations not yet attended are cancelled (a freed
    place goes to the next one waiting) and their consents withdrawn; with
    ``registration`` only that one.  A registration already attended stays
    (it is counted) until its retention ends or the person deletes it.  The
    other purposes only stop from now on: counts already made stay.
    Withdrawing twice changes nothing.
    """
    if purpose not in ConsentPurpose.values:
        raise ValueError(purpose)
    now = timezone.now()
    with transaction.atomic():
        consents = resident.consents.filter(purpose=purpose, withdrawn_at__isnull=True)
        if purpose == ConsentPurpose.TAKING_PART:
            registrations = resident.registrations.filter(status__in=_CANCELLABLE)
            if registration is not None:
                consents = consents.filter(registration=registration)
                registrations = registrations.filter(pk=registration.pk)
            today = timezone.localdate()
            for held in registrations.select_related("opportunity__activity"):
                # After the activity nobody can use the place: nobody is moved up for it.
                if not _activity_over(held, today):
                    registration_cancel(registration=held, reason="consent withdrawn", mail=False)
            for consent in consents.select_related("registration"):
                if consent.registration is not None:
                    RegistrationEvent.objects.create(
                        opportunity_id=consent.registration.opportunity_id,
                        registration=consent.registration,
                        number=consent.registration.number,
                        kind=RegistrationEvent.Kind.CONSENT_WITHDRAWN,
                        detail=purpose,
                    )
        return consents.update(withdrawn_at=now)


# --- erase ---------------------------------------------------------------------------------


def _registration_erase(registration: Registration, kind: str, reason: str, today: Any) -> None:
    """Delete one registration, leaving an anonymous event and the anonymous counts.

    A place still held for an activity to come is cancelled first, so that it
    moves up the waiting list; for an activity that is over nobody is moved up.
    """
    if registration.status in _CANCELLABLE and not _activity_over(registration, today):
        registration_cancel(registration=registration, reason=reason[:200], mail=False)
    RegistrationEvent.objects.create(
        opportunity_id=registration.opportunity_id,
        registration=None,
        number=registration.number,
        kind=kind,
    )
    # The closed answers stay for the survey's aggregate (group and kecamatan were copied).
    SurveyResponse.objects.filter(registration=registration).update(comment="", registration=None)
    registration.delete()  # its consents go with it (CASCADE); its events keep their number


def resident_erase(*, resident: Resident, reason: str = "erased") -> dict[str, int]:
    """Delete ``resident`` and all their personal data; the anonymous counts stay.

    Their citizen account (sign-in) goes too; a staff account linked by
    mistake is never deleted, only unlinked.  Returns what was deleted.
    """
    today = timezone.localdate()
    with transaction.atomic():
        resident = (
            Resident.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=resident.pk)
        )
        registrations = list(
            resident.registrations.select_related("opportunity__activity").order_by("pk")
        )
        consents = resident.consents.count()
        for registration in registrations:
            _registration_erase(registration, RegistrationEvent.Kind.ERASED, reason, today)
        user = resident.user
        resident.delete()  # the person-level consents go with it (CASCADE)
        accounts = 0
        if (
            user is not None
            and user.role == Role.CITIZEN
            and not (user.is_staff or user.is_superuser)
        ):
            user_pk = user.pk
            user.delete()
            # The account's history (simple_history, with its e-mail) goes with it, including
            # the record of this deletion: nothing of the person outlives their erasure.
            User.history.filter(id=user_pk).delete()
            accounts = 1
    return {"registrations": len(registrations), "consents": consents, "accounts": accounts}


# --- retention -----------------------------------------------------------------------------


def purge_personal_data(now: datetime | None = None) -> dict[str, int]:
    """Delete personal data past its retention (``KEMBAR_RETENTION_*``); idempotent.

    - registrations never confirmed, after a day;
    - registrations, ``KEMBAR_RETENTION_TAKING_PART_DAYS`` after their activity
      ended (an anonymous ``purged`` event stays, and the counts);
    - consents to hear of future calls, ``KEMBAR_RETENTION_FUTURE_CALLS_DAYS``
      after they were given;
    - residents with nothing left (no registration, no consent to hear of
      future calls); a sign-in account stays (kembar.accounts keeps it).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended_before = today - timedelta(days=settings.KEMBAR_RETENTION_TAKING_PART_DAYS)
    with transaction.atomic():
        pending = Registration.objects.filter(
            status=RegistrationStatus.PENDING, created_at__lt=now - timedelta(days=PENDING_DAYS)
        )
        _total, deleted = pending.delete()
        pending_deleted = deleted.get(Registration._meta.label, 0)
        expired = list(
            Registration.objects.select_related("opportunity__activity")
            .filter(opportunity__activity__end_date__lt=ended_before)
            .order_by("pk")
        )
        for registration in expired:
            _registration_erase(registration, RegistrationEvent.Kind.PURGED, "retention", today)
        future_calls = Consent.objects.filter(
            purpose=ConsentPurpose.FUTURE_CALLS,
            given_at__lt=now - timedelta(days=settings.KEMBAR_RETENTION_FUTURE_CALLS_DAYS),
        )
        future_calls_deleted, _by_model = future_calls.delete()
        empty = Resident.objects.filter(created_at__lt=now - timedelta(days=PENDING_DAYS)).exclude(
            Q(registrations__isnull=False)
            | Q(consents__purpose=ConsentPurpose.FUTURE_CALLS, consents__withdrawn_at__isnull=True)
        )
        residents = list(empty.values_list("pk", flat=True).distinct())
        Resident.objects.filter(pk__in=residents).delete()
    return {
        "pending_registrations": pending_deleted,
        "registrations": len(expired),
        "future_calls_consents": future_calls_deleted,
        "residents": len(residents),
    }
