"""Residents register for a call, get a place or wait, cancel, and are checked in and counted.

The rules, in one place:

* **One registration per verified contact and call** (a unique constraint
  over resident and call; the resident is one verified e-mail address).
* **No overbooking.** Every placement and every freed place runs under one
  lock per call: an ``UPDATE`` of the call's ``sequence`` (a row lock on
  PostgreSQL, the write lock on SQLite), whose new value is the arrival
  order (``rank``).  Under it, first come gives a reserved place to a person
  it is reserved for, then a general place, else the waiting list; a lottery
  or a panel collects applications and :func:`opportunity_select` runs
  :func:`kembar.analytics.allocation.allocate` after the call closes.
* **Freed places** go to the first one waiting (by ``rank``); a reserved
  place, while the call is open, only to a person it is reserved for.  When a
  first-come call closes, reserved places nobody claimed go to the waiting
  list (:func:`places_release`).
* **Counted once.** A check-in adds the person to the activity's participant
  counts (source ``registrations``) and to the reach summary in the same
  transaction; undoing it takes them out of the same cell.  Officers type
  only the people who did not register (``kembar.programs``).  Gender and
  age band go into the counts only with the consent to anonymous statistics,
  otherwise as "not stated".
* **Mail** (confirmation, waiting list, moved up, cancellation, results) is
  sent by the task queue after the transaction commits
  (:mod:`kembar.participation.tasks`); the one-time code is sent at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.analytics import allocation as alloc
from kembar.common.text import check_text
from kembar.geo.models import Region, RegionLevel
from kembar.participation.models import (
    ACTIVE_STATUSES,
    Allocation,
    Consent,
    ConsentPurpose,
    Opportunity,
    OpportunityStatus,
    PersonalDataAccess,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    ReservationDimension,
    Resident,
)
from kembar.programs.models import (
    Activity,
    AgeBand,
    CountSource,
    Gender,
    ParticipantCount,
    ParticipantSide,
    StakeholderGroup,
)
from kembar.programs.rollup import (
    RollupDeltas,
    activity_rollup_key,
    rollup_add,
    rollup_count_deltas,
)

__all__ = [
    "CONSENT_TEXTS",
    "CheckInResult",
    "RegistrationData",
    "RegistrationRefused",
    "check_in",
    "check_in_undo",
    "consent_text",
    "is_open",
    "log_personal_data_access",
    "opportunity_select",
    "places_release",
    "registration_cancel",
    "registration_confirm",
    "registration_resend_code",
    "registration_start",
    "send_code",
    "waiting_position",
]

#: The consent texts shown, per purpose: (version, text).  A new text needs a new version.
CONSENT_TEXTS: dict[str, tuple[str, Any]] = {
    ConsentPurpose.TAKING_PART: (
        "2026-12",
        gettext_lazy(
            "I agree that the city government keeps my name, contact, home kelurahan, group, "
            "gender, age band and answers to run this call: to give places, tell me the "
            "result, check me in and send me the survey. They are deleted one year after the "
            "activity, or sooner when I ask."
        ),
    ),
    ConsentPurpose.FUTURE_CALLS: (
        "2026-12",
        gettext_lazy(
            "I would like to hear by e-mail about future calls of the city's sister-city "
            "cooperation (for at most three years; I can stop it with the link in every e-mail)."
        ),
    ),
    ConsentPurpose.STATISTICS: (
        "2026-12",
        gettext_lazy(
            "My gender and age band may be counted in anonymous statistics of who took part "
            "(only totals of five people or more are published)."
        ),
    ),
}

_CHECKIN_CLEAN = re.compile(r"[\s\-]")


def consent_text(purpose: str, language: str) -> tuple[str, str]:
    """The (version, text) of ``purpose`` in ``language``."""
    version, text = CONSENT_TEXTS[purpose]
    with translation.override(language):
        return version, str(text)


class RegistrationRefused(Exception):
    """A registration step that cannot be done, with a message for the person.

    ``code``: ``closed``, ``duplicate``, ``rate_limited``, ``code_wrong``,
    ``code_expired``, ``code_tries``, ``state``, ``unknown``, ``not_confirmed``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class RegistrationData:
    """What a call asks of a person (only this; everything else is not collected)."""

    name: str
    group: str
    home_kelurahan: Region | None = None
    gender: str = Gender.UNSPECIFIED
    age_band: str = AgeBand.UNKNOWN
    phone: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    consents: set[str] = field(default_factory=set)
    language: str = "id"


@dataclass
class CheckInResult:
    registration: Registration
    already: bool


# --- checks ------------------------------------------------------------------------------


def is_open(opportunity: Opportunity, now: datetime | None = None) -> bool:
    """Whether the call takes registrations now: published and before its deadline."""
    now = now or timezone.now()
    return opportunity.status == OpportunityStatus.PUBLISHED and (
        opportunity.deadline is None or now < opportunity.deadline
    )


def _closed_message(opportunity: Opportunity) -> str:
    if opportunity.status == OpportunityStatus.DRAFT:
        return _("This call is not open yet.")
    return _("This call is closed: registrations are no longer taken.")


def city_kelurahan(opportunity: Opportunity) -> Any:
    """The kelurahan of the call's city (a person's home is one of them, or outside)."""
    local = opportunity.activity.partnership.local_region_id
    return Region.objects.filter(level=RegionLevel.VILLAGE, kode__startswith=local + ".")


def _problems(opportunity: Opportunity, email: str, data: RegistrationData) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    try:
        validate_email(email)
    except ValidationError:
        add("email", _("Give a valid e-mail address, for example nama@contoh.id."))
    name = data.name.strip()
    if not name:
        add("name", _("Give your name."))
    elif (refused := check_text(name, _("Name"))) is not None:
        add("name", refused)
    elif len(name) > 120:
        add("name", _("A name may have at most 120 characters."))
    if data.phone and not re.fullmatch(r"\+?[0-9 ]{6,20}", data.phone):
        add("phone", _("Give a phone number of digits only, for example 0812 3456 7890."))
    if data.group not in StakeholderGroup.values:
        add("group", _("Choose your group."))
    if data.gender not in Gender.values:
        add("gender", _("Choose a gender, or “prefer not to say”."))
    if data.age_band not in AgeBand.values:
        add("age_band", _("Choose an age band, or “prefer not to say”."))
    kelurahan = data.home_kelurahan
    local = opportunity.activity.partnership.local_region_id
    if kelurahan is not None and not (
        kelurahan.level == RegionLevel.VILLAGE and kelurahan.kode.startswith(local + ".")
    ):
        add("home_kelurahan", _("Choose a kelurahan of the city, or “outside the city”."))
    kecamatan_code = kelurahan.parent_id if kelurahan is not None else None
    allowed = set(opportunity.eligible_kecamatan.values_list("kode", flat=True))
    if allowed and kecamatan_code not in allowed:
        add("home_kelurahan", _("This call is only for people living in the kecamatan it names."))
    if opportunity.eligible_groups and data.group not in opportunity.eligible_groups:
        add("group", _("This call is not open to your group."))
    if opportunity.eligible_age_bands and data.age_band not in opportunity.eligible_age_bands:
        add("age_band", _("This call is only for the age bands it names."))
    questions = {str(q.get("key")): q for q in opportunity.questions if isinstance(q, dict)}
    for key in data.answers:
        if key not in questions:
            add("answers", _("“%(key)s” is not a question of this call.") % {"key": key})
    for key, question in questions.items():
        answer = str(data.answers.get(key, "")).strip()
        label = question.get("text_id") or key
        if question.get("required") and not answer:
            add("answers", _("Answer the question “%(question)s”.") % {"question": label})
        elif answer and len(answer) > 1000:
            add("answers", _("An answer may have at most 1,000 characters."))
        elif answer and (refused := check_text(answer, str(label), multiline=True)) is not None:
            add("answers", refused)
    unknown = set(data.consents) - set(ConsentPurpose.values)
    if unknown:
        add("consents", _("Unknown consent: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if ConsentPurpose.TAKING_PART not in data.consents:
        add(
            "consents",
            _("To take part, agree that your data is used to run this call (the first box)."),
        )
    return problems


def _limit(kind: str, key: str, limit: int, window: int = 3600) -> bool:
    """Count one more ``kind`` for ``key`` in the shared cache; False once over ``limit``."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"participation:limit:{kind}:{digest}"
    if cache.add(name, 1, window):
        return True
    try:
        return cache.incr(name) <= limit
    except ValueError:  # expired between add and incr
        cache.add(name, 1, window)
        return True


def address_allowed(address: str | None) -> bool:
    """One more registration from ``address`` (the client's IP), within the hourly limit."""
    if not address:
        return True
    return _limit("address", address, settings.KEMBAR_REGISTRATION_PER_ADDRESS_HOUR)


def _refuse_rate() -> RegistrationRefused:
    return RegistrationRefused(
        _("Too many registrations from you in the last hour: try again later."), "rate_limited"
    )


# --- starting and confirming -----------------------------------------------------------


def _event(
    registration: Registration, kind: str, actor: Any = None, detail: str = ""
) -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        opportunity_id=registration.opportunity_id,
        registration=registration,
        number=registration.number,
        kind=kind,
        detail=detail[:200],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _resident(email: str, language: str) -> Resident:
    try:
        with transaction.atomic():
            resident, _created = Resident.objects.get_or_create(
                email=email, defaults={"language": language}
            )
    except IntegrityError:  # created by a concurrent request
        resident = Resident.objects.get(email=email)
    return resident


def _record_consents(registration: Registration, data: RegistrationData) -> None:
    now = timezone.now()
    resident = registration.resident
    for purpose in data.consents:
        version, text = consent_text(purpose, data.language)
        per_registration = purpose == ConsentPurpose.TAKING_PART
        if (
            not per_registration
            and resident.consents.filter(
                purpose=purpose, version=version, withdrawn_at__isnull=True
            ).exists()
        ):
            continue
        Consent.objects.create(
            resident=resident,
            registration=registration if per_registration else None,
            purpose=purpose,
            version=version,
            language=data.language,
            text=text,
            given_at=now,
        )


def registration_start(
    *,
    opportunity: Opportunity,
    email: str,
    data: RegistrationData,
    verified: bool = False,
    address: str | None = None,
) -> Registration:
    """Start a registration; send the one-time code, or place it at once when ``verified``.

    ``verified``: the contact is already confirmed (a resident signed in by a
    code sent to ``email``).  Invalid data raises ``ValidationError`` by field;
    a closed call, a second registration of the same contact or too many
    attempts raise :class:`RegistrationRefused`.
    """
    email = email.strip().lower()
    problems = _problems(opportunity, email, data)
    if problems:
        raise ValidationError(problems)
    if not is_open(opportunity):
        raise RegistrationRefused(_closed_message(opportunity), "closed")
    if not _limit("contact", email, settings.KEMBAR_REGISTRATION_PER_CONTACT_HOUR):
        raise _refuse_rate()
    resident = _resident(email, data.language)
    kelurahan = data.home_kelurahan
    values = {
        "name": data.name.strip(),
        "phone": data.phone.strip(),
        "home_kelurahan": kelurahan,
        "home_kecamatan_id": kelurahan.parent_id if kelurahan is not None else None,
        "group": data.group,
        "gender": data.gender,
        "age_band": data.age_band,
        "answers": {key: str(value).strip() for key, value in data.answers.items()},
        "language": data.language,
    }
    try:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update()
                .filter(opportunity=opportunity, resident=resident)
                .first()
            )
            if registration is not None and registration.status in ACTIVE_STATUSES:
                raise RegistrationRefused(
                    _("You are already registered for this call (number %(number)s).")
                    % {"number": registration.number},
                    "duplicate",
                )
            if registration is None:
                registration = Registration(opportunity=opportunity, resident=resident)
            for name, value in values.items():
                setattr(registration, name, value)
            registration.status = RegistrationStatus.PENDING
            registration.place = ""
            registration.cancelled_at = None
            registration.confirmed_at = None
            registration.save()
            registration.consents.all().delete()
            _record_consents(registration, data)
            _event(registration, RegistrationEvent.Kind.STARTED)
    except IntegrityError as error:  # the same contact, at the same moment
        raise RegistrationRefused(
            _("You are already registered for this call."), "duplicate"
        ) from error
    if verified:
        return _confirmed(registration)
    send_code(registration)
    return registration


def _hotp(registration: Registration) -> tuple[pyotp.HOTP, int]:
    assert registration.code_sent_at is not None  # noqa: S101
    return pyotp.HOTP(registration.code_secret, digits=6), int(
        registration.code_sent_at.timestamp()
    )


def send_code(registration: Registration) -> None:
    """Make a new one-time code (pyotp HOTP) and e-mail it now; earlier codes stop working."""
    registration.code_secret = pyotp.random_base32()
    registration.code_sent_at = timezone.now()
    registration.code_attempts = 0
    registration.save(update_fields=["code_secret", "code_sent_at", "code_attempts"])
    hotp, counter = _hotp(registration)
    minutes = settings.KEMBAR_REGISTRATION_CODE_SECONDS // 60
    with translation.override(registration.language):
        subject = _("[Kembar] Your code: %(code)s") % {"code": hotp.at(counter)}
        body = _(
            "Your code to confirm your registration for “%(title)s” is %(code)s.\n\n"
            "It works for %(minutes)s minutes. If you did not register, ignore this e-mail: "
            "nothing is kept unless the code is given."
        ) % {"title": registration.opportunity.title, "code": hotp.at(counter), "minutes": minutes}
    send_mail(subject, body, None, [registration.resident.email])


def registration_resend_code(*, registration: Registration) -> None:
    """A new code for a registration still waiting for one (limited per contact)."""
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationRefused(_("This registration is already confirmed."), "state")
    if not _limit(
        "contact", registration.resident.email, settings.KEMBAR_REGISTRATION_PER_CONTACT_HOUR
    ):
        raise _refuse_rate()
    send_code(registration)


def registration_confirm(*, registration: Registration, code: str) -> Registration:
    """Check the one-time code; once right, place the registration (or put it on the list)."""
    code = re.sub(r"\s", "", str(code or ""))
    refused: RegistrationRefused | None = None
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != RegistrationStatus.PENDING:
            # Nothing about it is told to whoever names it: the code is spent.
            raise RegistrationRefused(_("This registration needs no code any more."), "state")
        if locked.code_sent_at is None or not locked.code_secret:
            raise RegistrationRefused(_("No code was sent: ask for a new one."), "code_expired")
        age = (timezone.now() - locked.code_sent_at).total_seconds()
        if locked.code_attempts >= settings.KEMBAR_REGISTRATION_CODE_TRIES:
            refused = RegistrationRefused(
                _("Too many wrong codes: ask for a new code."), "code_tries"
            )
        elif age > settings.KEMBAR_REGISTRATION_CODE_SECONDS:
            refused = RegistrationRefused(
                _("This code has expired: ask for a new one."), "code_expired"
            )
        else:
            hotp, counter = _hotp(locked)
            if not (code.isdigit() and hotp.verify(code, counter)):
                locked.code_attempts += 1
                locked.save(update_fields=["code_attempts"])
                left = settings.KEMBAR_REGISTRATION_CODE_TRIES - locked.code_attempts
                refused = RegistrationRefused(
                    _("That code is not right. Tries left: %(left)s.") % {"left": left}
                    if left > 0
                    else _("That code is not right. Ask for a new code."),
                    "code_wrong",
                )
    if refused is not None:
        raise refused
    return _confirmed(locked)


def _confirmed(registration: Registration) -> Registration:
    with transaction.atomic():
        registration.code_secret = ""
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["code_secret", "confirmed_at"])
        _event(registration, RegistrationEvent.Kind.CONFIRMED)
        _place(registration)
    return registration


# --- places ----------------------------------------------------------------------------


def _lock(opportunity: Opportunity) -> Opportunity:
    """Take the call's placement lock; the call as it is now, with the new sequence."""
    Opportunity.objects.filter(pk=opportunity.pk).update(sequence=F("sequence") + 1)
    return Opportunity.objects.select_related("activity__partnership").get(pk=opportunity.pk)


def _reservation_code(dimension: str, value: str) -> str:
    return f"reserved:{dimension}:{value}"


def _matches(registration: Registration, dimension: str, value: str) -> bool:
    if dimension == ReservationDimension.KECAMATAN:
        return registration.home_kecamatan_id == value
    return registration.group == value


def _holding(opportunity: Opportunity) -> Any:
    return Registration.objects.filter(
        opportunity=opportunity,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
    )


def _reservations(opportunity: Opportunity) -> list[tuple[str, str, int]]:
    return [
        (
            r.dimension,
            str(r.kecamatan_id if r.dimension == ReservationDimension.KECAMATAN else r.group),
            r.places,
        )
        for r in opportunity.reservations.all()
    ]


def _free_place(opportunity: Opportunity, registration: Registration) -> str | None:
    """The place first come gives ``registration`` now: a reserved one, a general one, none."""
    held: dict[str, int] = {}
    for place in _holding(opportunity).values_list("place", flat=True):
        held[place] = held.get(place, 0) + 1
    reservations = _reservations(opportunity)
    for dimension, value, places in reservations:
        code = _reservation_code(dimension, value)
        if _matches(registration, dimension, value) and held.get(code, 0) < places:
            return code
    general = opportunity.places - sum(places for _d, _v, places in reservations)
    if held.get("general", 0) < general:
        return "general"
    return None


def _place(registration: Registration) -> None:
    opportunity = _lock(registration.opportunity)
    if not is_open(opportunity):
        raise RegistrationRefused(_closed_message(opportunity), "closed")
    registration.rank = opportunity.sequence
    if opportunity.allocation == Allocation.FIRST_COME:
        place = _free_place(opportunity, registration)
        if place is not None:
            registration.status = RegistrationStatus.CONFIRMED
            registration.place = place
            kind = RegistrationEvent.Kind.PLACED
        else:
            registration.status = RegistrationStatus.WAITING
            kind = RegistrationEvent.Kind.WAITING
    else:
        registration.status = RegistrationStatus.APPLIED
        kind = RegistrationEvent.Kind.APPLIED
    registration.save(update_fields=["rank", "status", "place"])
    _event(registration, kind, detail=registration.place)
    _mail_on_commit(registration.pk, registration.status)


def _mail_on_commit(registration_id: int, kind: str) -> None:
    from kembar.participation.tasks import registration_mail

    transaction.on_commit(lambda: registration_mail(registration_id, kind))


def waiting_position(registration: Registration) -> int | None:
    """The person's place on the waiting list (1 = next), None when not waiting."""
    if registration.status != RegistrationStatus.WAITING or registration.rank is None:
        return None
    ahead = Registration.objects.filter(
        opportunity_id=registration.opportunity_id,
        status=RegistrationStatus.WAITING,
        rank__lt=registration.rank,
    ).count()
    return ahead + 1


def _promote(opportunity: Opportunity, freed: str, actor: Any = None) -> Registration | None:
    """Give a freed place to the first one waiting who may have it (None: nobody)."""
    waiting = Registration.objects.filter(
        opportunity=opportunity, status=RegistrationStatus.WAITING
    ).order_by("rank", "pk")
    place = freed
    if freed.startswith("reserved:") and is_open(opportunity):
        _tag, dimension, value = freed.split(":", 2)
        if dimension == ReservationDimension.KECAMATAN:
            waiting = waiting.filter(home_kecamatan_id=value)
        else:
            waiting = waiting.filter(group=value)
    chosen = waiting.first()
    if chosen is None:
        return None
    if freed.startswith("reserved:"):
        _tag, dimension, value = freed.split(":", 2)
        if not _matches(chosen, dimension, value):
            place = "general"  # a released reserved place
    chosen.status = RegistrationStatus.CONFIRMED
    chosen.place = place
    chosen.save(update_fields=["status", "place"])
    _event(chosen, RegistrationEvent.Kind.PROMOTED, actor, detail=place)
    _mail_on_commit(chosen.pk, "promoted")
    return chosen


def registration_cancel(
    *, registration: Registration, actor: Any = None, reason: str = "", mail: bool = True
) -> Registration:
    """Cancel a registration (by the person or an officer); a freed place moves up the list.

    A registration already checked in cannot be cancelled (it is counted).
    """
    with transaction.atomic():
        opportunity = _lock(registration.opportunity)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == RegistrationStatus.CANCELLED:
            return locked
        if locked.status == RegistrationStatus.ATTENDED:
            raise RegistrationRefused(
                _("You already took part: this registration can no longer be cancelled."),
                "state",
            )
        freed = locked.place if locked.status == RegistrationStatus.CONFIRMED else ""
        locked.status = RegistrationStatus.CANCELLED
        locked.place = ""
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "place", "cancelled_at"])
        _event(locked, RegistrationEvent.Kind.CANCELLED, actor, detail=reason)
        if mail:
            _mail_on_commit(locked.pk, "cancelled")
        if freed and opportunity.status != OpportunityStatus.DRAFT:
            _promote(opportunity, freed, actor)
    return locked


def places_release(opportunity: Opportunity, actor: Any = None) -> list[Registration]:
    """When a first-come call closes: reserved places nobody claimed go to the waiting list."""
    if opportunity.allocation != Allocation.FIRST_COME:
        return []
    promoted: list[Registration] = []
    with transaction.atomic():
        locked = _lock(opportunity)
        held: dict[str, int] = {}
        for place in _holding(locked).values_list("place", flat=True):
            held[place] = held.get(place, 0) + 1
        for dimension, value, places in _reservations(locked):
            code = _reservation_code(dimension, value)
            for _free in range(places - held.get(code, 0)):
                chosen = _promote(locked, code, actor)
                if chosen is None:
                    return promoted
                promoted.append(chosen)
    return promoted


def opportunity_select(*, actor: Any, opportunity: Opportunity) -> alloc.Allocation:
    """Run the lottery or the panel's selection of a closed call; may be run again until
    its results are published.  Panel scores are the registrations' ``scores``.
    """
    if not actor.has_perm("participation.change_opportunity", opportunity):
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(opportunity)
        if locked.status != OpportunityStatus.CLOSED:
            raise ValidationError(_("The selection runs once the call is closed."))
        if locked.allocation == Allocation.LOTTERY and not locked.lottery_seed:
            raise ValidationError({"lottery_seed": [_("Give the lottery's seed first.")]})
        candidates = list(
            Registration.objects.filter(
                opportunity=locked,
                status__in=[
                    RegistrationStatus.APPLIED,
                    RegistrationStatus.CONFIRMED,
                    RegistrationStatus.WAITING,
                ],
            )
        )
        weights = {str(c["name"]): c["weight"] for c in locked.panel_criteria}
        if locked.allocation == Allocation.PANEL:
            missing = [
                r.number
                for r in candidates
                if set(weights) - {str(key) for key in (r.scores or {})}
            ]
            if missing:
                raise ValidationError(
                    _("Score every applicant on every criterion first: %(numbers)s.")
                    % {"numbers": ", ".join(sorted(missing)[:20])}
                )
        applicants = [
            alloc.Applicant(
                id=r.number,
                arrival=r.rank or 0,
                kecamatan=r.home_kecamatan_id,
                group=r.group,
                age_band=r.age_band,
                scores={key: r.scores[key] for key in weights} if weights else {},
            )
            for r in candidates
        ]
        result = alloc.allocate(
            applicants,
            places=locked.places,
            method=locked.allocation,  # type: ignore[arg-type]
            reservations=_reservations(locked),
            seed=locked.lottery_seed or None,
            weights=weights or None,
        )
        order = {number: index + 1 for index, number in enumerate(result.order)}
        for registration in candidates:
            confirmed = registration.number in result.confirmed
            registration.status = (
                RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITING
            )
            registration.place = result.reasons[registration.number] if confirmed else ""
            registration.rank = order[registration.number]
        Registration.objects.bulk_update(candidates, ["status", "place", "rank"])
        RegistrationEvent.objects.bulk_create(
            RegistrationEvent(
                opportunity=locked,
                registration=r,
                number=r.number,
                kind=(
                    RegistrationEvent.Kind.PLACED
                    if r.status == RegistrationStatus.CONFIRMED
                    else RegistrationEvent.Kind.WAITING
                ),
                detail=f"{locked.allocation} {r.place}".strip(),
                actor=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for r in candidates
        )
    return result


def results_mail(opportunity: Opportunity) -> None:
    """When results are published: tell everyone selected or waiting (lottery and panel)."""
    if opportunity.allocation == Allocation.FIRST_COME:
        return
    for pk, status in Registration.objects.filter(
        opportunity=opportunity,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
    ).values_list("pk", "status"):
        _mail_on_commit(pk, f"result_{status}")


# --- check-in and counting ---------------------------------------------------------------


def _cell(registration: Registration) -> dict[str, Any]:
    statistics = registration.resident.consents.filter(
        purpose=ConsentPurpose.STATISTICS, withdrawn_at__isnull=True
    ).exists()
    return {
        "side": ParticipantSide.LOCAL.value,
        "group": registration.group,
        "gender": registration.gender if statistics else Gender.UNSPECIFIED.value,
        "age_band": registration.age_band if statistics else AgeBand.UNKNOWN.value,
        "home_region": registration.home_kecamatan_id,
    }


def _count(activity_id: int, cell: dict[str, Any], sign: int) -> None:
    """Add (1) or take away (-1) one person in ``cell`` of the activity's counts.

    The activity's row is updated first: it is the lock that keeps two
    check-ins from writing the same count at once.
    """
    Activity.objects.filter(pk=activity_id).update(
        participants_registered=F("participants_registered") + sign
    )
    activity = Activity.objects.select_related("partnership").get(pk=activity_id)
    keys = {
        "activity_id": activity_id,
        "source": CountSource.REGISTRATIONS,
        "side": cell["side"],
        "group": cell["group"],
        "gender": cell["gender"],
        "age_band": cell["age_band"],
        "home_region_id": cell["home_region"],
    }
    row = ParticipantCount.objects.filter(**keys).first()
    if row is None:
        if sign < 0:
            raise ValidationError(_("The count to take the person out of is missing."))
        row = ParticipantCount(**keys, count=0)
    row.count += sign
    if row.count <= 0:
        row.delete()
    else:
        row.save()
    deltas: RollupDeltas = {}
    rollup_count_deltas(
        deltas,
        activity_rollup_key(activity),
        [(cell["side"], cell["group"], cell["gender"], cell["age_band"], cell["home_region"], 1)],
        sign,
    )
    rollup_add(deltas)


def normalise_checkin_code(code: str) -> str:
    return _CHECKIN_CLEAN.sub("", str(code or "")).upper()


def check_in(
    *, actor: Any, opportunity: Opportunity, code: str, at: datetime | None = None
) -> CheckInResult:
    """Check in the person with ``code`` and count them, in one transaction.

    ``at``: when the officer checked them in (a check-in made offline and sent
    later); not in the future.  Checking in twice changes nothing (``already``).
    """
    if not actor.has_perm("participation.change_opportunity", opportunity):
        raise PermissionDenied
    now = timezone.now()
    if at is not None and at > now + timedelta(minutes=5):
        raise RegistrationRefused(_("A check-in cannot be in the future."), "state")
    normalised = normalise_checkin_code(code)
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("resident")
            .filter(opportunity=opportunity, checkin_code=normalised)
            .first()
        )
        if registration is None:
            raise RegistrationRefused(
                _("No registration of this call has the code %(code)s.") % {"code": normalised},
                "unknown",
            )
        if registration.status == RegistrationStatus.ATTENDED:
            return CheckInResult(registration, already=True)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise RegistrationRefused(
                _("Registration %(number)s has no confirmed place (%(status)s).")
                % {"number": registration.number, "status": registration.get_status_display()},
                "not_confirmed",
            )
        cell = _cell(registration)
        _count(opportunity.activity_id, cell, 1)
        registration.status = RegistrationStatus.ATTENDED
        registration.checked_in_at = at or now
        registration.checked_in_by = actor
        registration.counted_as = cell
        registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "counted_as"])
        _event(registration, RegistrationEvent.Kind.CHECKED_IN, actor)
    return CheckInResult(registration, already=False)


def check_in_undo(*, actor: Any, registration: Registration, reason: str = "") -> Registration:
    """Undo a check-in made by mistake: the person is taken out of the counts again."""
    if not actor.has_perm("participation.change_opportunity", registration.opportunity):
        raise PermissionDenied
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != RegistrationStatus.ATTENDED:
            raise RegistrationRefused(_("This registration is not checked in."), "state")
        if locked.counted_as:
            _count(locked.opportunity.activity_id, locked.counted_as, -1)
        locked.status = RegistrationStatus.CONFIRMED
        locked.checked_in_at = None
        locked.checked_in_by = None
        locked.counted_as = {}
        locked.save(update_fields=["status", "checked_in_at", "checked_in_by", "counted_as"])
        _event(locked, RegistrationEvent.Kind.CHECK_IN_UNDONE, actor, detail=reason)
    return locked


def log_personal_data_access(
    request: Any, action: str, *, opportunity: Opportunity | None = None, people: int = 0
) -> None:
    """Record that a staff user was shown residents' personal data (UU PDP 27/2022)."""
    PersonalDataAccess.objects.create(
        user=request.user,
        action=action[:40],
        opportunity=opportunity,
        people=people,
        path=request.get_full_path()[:300],
    )
