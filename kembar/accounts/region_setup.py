"""Start a region on Kembar in one step: ``manage.py setup_region KODE``.

:func:`setup_region` does, in one transaction (all or nothing) and idempotently:

1. the region's government, cooperation office, council, Bappeda and agencies
   (:mod:`kembar.accounts.region_organisations`), created through
   :func:`kembar.accounts.seed.organisations_apply` like Semarang's; what the
   region already has is kept as its staff set it;
2. an invitation for the region's own administrator of its records: the user
   ``kerjasama.<kode>``, a cooperation officer of the cooperation office, with
   no usable password until they choose one through a link made by Django's
   password-reset machinery (``/accounts/password/reset/<uidb64>/<token>/``):
   the link works once, for ``PASSWORD_RESET_TIMEOUT`` (one hour); running the
   setup again gives a new one until the password is chosen.  With an e-mail
   address the link is also e-mailed, after the transaction commits;
3. the region's starting record from the national record of cooperation,
   ``kembar.partnerships.national.load_national_record(region=kode)``, when
   that module is installed (else "not available").

This is the one place where ``accounts`` calls up into ``partnerships``:
through :func:`importlib.import_module` at run time, so that ``accounts``
still imports nothing above ``geo`` and works before that module exists.
"""

from __future__ import annotations

import importlib
import logging
import re
import smtplib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.region_organisations import (
    AFFAIRS_FILE,
    StandardUnit,
    affairs_read,
    standard_units,
)
from kembar.accounts.seed import OrganisationRow, organisations_apply
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import Region, RegionLevel

__all__ = [
    "NATIONAL_RECORD_MODULE",
    "Invitation",
    "RegionSetup",
    "RegionSetupError",
    "UnitResult",
    "administrator_username",
    "region_for_setup",
    "setup_region",
]

logger = logging.getLogger(__name__)

#: The module whose ``load_national_record(region=kode)`` gives a region its starting record.
NATIONAL_RECORD_MODULE = "kembar.partnerships.national"
#: A Kemendagri code: province, kabupaten/kota, kecamatan, desa/kelurahan.
KODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_LEVELS = {3: RegionLevel.DISTRICT, 4: RegionLevel.VILLAGE}


class RegionSetupError(Exception):
    """The region cannot be set up; the message says what to fix (in the active language)."""


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One organisation of the standard set: the one found or created for it."""

    unit: StandardUnit
    organisation: Organisation
    created: bool


@dataclass(slots=True)
class Invitation:
    """The region's administrator and the link that lets them choose a password."""

    user: User
    created: bool
    #: The one-time link; empty once the password is chosen (or the user is switched off).
    link: str
    #: Where the link is e-mailed ("" when it is not).
    email: str
    #: True once the e-mail went out, False when the mail server refused it, None before.
    emailed: bool | None = None

    @property
    def accepted(self) -> bool:
        return not self.link and self.user.has_usable_password()


@dataclass(slots=True)
class RegionSetup:
    """What :func:`setup_region` found and made."""

    region: Region
    units: list[UnitResult]
    invitation: Invitation
    #: Whether ``kembar.partnerships.national`` was there to load the starting record.
    national_record_available: bool
    #: What ``load_national_record`` returned (None when not available).
    national_record: Any
    #: Seconds the whole setup took, and of them the starting record.
    seconds: float = 0.0
    national_seconds: float = 0.0
    created: list[Organisation] = field(default_factory=list)
    kept: list[Organisation] = field(default_factory=list)

    def _of(self, slug_end: str) -> Organisation:
        return next(r.organisation for r in self.units if r.unit.slug.endswith(slug_end))

    @property
    def local_government(self) -> Organisation:
        return self.units[0].organisation

    @property
    def cooperation_office(self) -> Organisation:
        return self._of("-kerja-sama")

    @property
    def council(self) -> Organisation:
        return self._of("-dprd")


def administrator_username(kode: str) -> str:
    """``kerjasama.35.78``: the username of the region's administrator of its records."""
    return f"kerjasama.{kode}"


# --- Which region ---------------------------------------------------------------------------


def region_for_setup(kode: str) -> Region:
    """The province or kabupaten/kota ``kode`` names; RegionSetupError saying what to fix."""
    text = kode.strip()
    if not KODE.fullmatch(text):
        if text.isdigit() and len(text) == 4:
            raise RegionSetupError(
                _(
                    "“%(kode)s” is not a region code: Kemendagri codes put a dot between the "
                    "province and the kabupaten or kota. Did you mean %(suggestion)s?"
                )
                % {"kode": text, "suggestion": f"{text[:2]}.{text[2:]}"}
            )
        raise RegionSetupError(
            _(
                "“%(kode)s” is not a region code. Write a province as two digits (32 for Jawa "
                "Barat) or a kabupaten or kota as two pairs of digits joined by a dot (35.78 for "
                "Kota Surabaya)."
            )
            % {"kode": text}
        )
    parts = text.split(".")
    if len(parts) > 2:
        raise RegionSetupError(
            _(
                "%(kode)s is the code of a %(level)s: only a province (e.g. 32) or a kabupaten or "
                "kota (e.g. 35.78) can be set up. Its kabupaten or kota is %(parent)s."
            )
            % {
                "kode": text,
                "level": _LEVELS[len(parts)].label,
                "parent": ".".join(parts[:2]),
            }
        )
    region = Region.objects.select_related("parent").filter(kode=text).first()
    if region is None:
        raise RegionSetupError(
            _(
                "No region has the code %(kode)s. Check the code in the Kemendagri list (e.g. "
                "35.78 Kota Surabaya, 32 Jawa Barat), or load the reference data first "
                "(manage.py load_reference)."
            )
            % {"kode": text}
        )
    if region.level == RegionLevel.REGENCY_CITY and "administrasi" in region.name.casefold():
        province = region.parent
        raise RegionSetupError(
            _(
                "%(name)s (%(kode)s) is an administrative city or regency of %(province)s, not "
                "an autonomous region: it has no council and no cooperation of its own. Set up "
                "%(province_kode)s instead."
            )
            % {
                "name": " ".join(region.name.split()),
                "kode": region.kode,
                "province": province.name if province else parts[0],
                "province_kode": parts[0],
            }
        )
    return region


def _checked_email(address: str | None) -> str:
    address = (address or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise RegionSetupError(
            _("“%(email)s” is not an e-mail address.") % {"email": address}
        ) from None
    return address


# --- The organisations ----------------------------------------------------------------------


def _matches(organisation: Organisation, unit: StandardUnit, kode: str) -> bool:
    if organisation.kind != unit.kind:
        return False
    if unit.kind == OrganisationKind.LOCAL_GOVERNMENT:
        return organisation.region_id == kode
    name = organisation.name.casefold()
    return not unit.topics or any(topic in name for topic in unit.topics)


def _organisations(region: Region, units: list[StandardUnit]) -> list[UnitResult]:
    """Find each unit (by its code, else by kind and topic in the region) or create it."""
    kode = region.kode
    by_slug = {o.slug: o for o in Organisation.objects.filter(slug__in=[u.slug for u in units])}
    for unit in units:
        taken = by_slug.get(unit.slug)
        if taken is not None and (taken.kind != unit.kind or taken.home_region_id != kode):
            raise RegionSetupError(
                _(
                    "The code %(slug)s is taken by %(name)s, which is not the %(kind)s of "
                    "%(region)s. Give that organisation another code and run the setup again."
                )
                % {
                    "slug": unit.slug,
                    "name": taken.name,
                    "kind": OrganisationKind(unit.kind).label,
                    "region": region.name,
                }
            )
    present = list(
        Organisation.objects.filter(Q(region_id=kode) | Q(parent__region_id=kode)).order_by("pk")
    )
    found: dict[str, Organisation] = {}
    for unit in units:
        organisation = by_slug.get(unit.slug) or next(
            (o for o in present if _matches(o, unit, kode)), None
        )
        if organisation is not None:
            found[unit.slug] = organisation
    government = found.get(units[0].slug)
    parent = government.slug if government is not None else units[0].slug
    rows = [
        OrganisationRow(
            slug=unit.slug,
            name=unit.name,
            kind=unit.kind,
            parent=None if unit.kind == OrganisationKind.LOCAL_GOVERNMENT else parent,
            region=kode if unit.kind == OrganisationKind.LOCAL_GOVERNMENT else None,
            city=None,
        )
        for unit in units
        if unit.slug not in found
    ]
    organisations_apply(rows)
    made = {o.slug: o for o in Organisation.objects.filter(slug__in=[row.slug for row in rows])}
    return [
        UnitResult(unit, found[unit.slug], False)
        if unit.slug in found
        else UnitResult(unit, made[unit.slug], True)
        for unit in units
    ]


# --- The administrator's invitation ---------------------------------------------------------


def _link(user: User) -> str:
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.KEMBAR_SITE_URL}{path}"


def _send(invitation: Invitation, subject: str, body: str) -> None:
    try:
        invitation.emailed = bool(send_mail(subject, body, None, [invitation.email]))
    except (smtplib.SMTPException, OSError):
        invitation.emailed = False
        logger.warning("Invitation to %s not e-mailed", invitation.email, exc_info=True)


def _invitation(region: Region, office: Organisation, email: str) -> Invitation:
    """The administrator of the region's records, created once, and a fresh link if still due."""
    username = administrator_username(region.kode)
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(
            username=username,
            email=email,
            role=Role.COOPERATION_OFFICER,
            organisation=office,
        )
        user.set_unusable_password()
        user._change_reason = "setup_region: invitation"  # type: ignore[attr-defined]
        user.save()
    pending = user.is_active and not user.has_usable_password()
    if pending and email and user.email != email:
        user.email = email
        user._change_reason = "setup_region: invitation address"  # type: ignore[attr-defined]
        user.save(update_fields=["email"])
    invitation = Invitation(
        user=user, created=created, link=_link(user) if pending else "", email=""
    )
    if pending and email:
        invitation.email = email
        context = {
            "username": username,
            "region": region.name,
            "organisation": office.name,
            "link": invitation.link,
            "site": settings.KEMBAR_SITE_URL,
        }
        subject = " ".join(
            render_to_string("accounts/region_invitation_subject.txt", context).split()
        )
        body = render_to_string("accounts/region_invitation_email.txt", context)
        transaction.on_commit(lambda: _send(invitation, subject, body))
    return invitation


# --- The starting record --------------------------------------------------------------------


def _starting_record(kode: str) -> tuple[bool, Any]:
    """``(available, result)`` of ``load_national_record(region=kode)``."""
    try:
        national = importlib.import_module(NATIONAL_RECORD_MODULE)
    except ModuleNotFoundError as error:
        # Only the module (or a package of it) missing means "not available"; a module it
        # imports that is missing is an error of the module.
        missing = error.name or ""
        if missing != NATIONAL_RECORD_MODULE and not NATIONAL_RECORD_MODULE.startswith(
            missing + "."
        ):
            raise
        return False, None
    try:
        return True, national.load_national_record(region=kode)
    except ReferenceDataError as error:
        raise RegionSetupError(
            _("The starting record could not be loaded, nothing was changed: %(error)s")
            % {"error": error}
        ) from error


# --- All of it ------------------------------------------------------------------------------


def setup_region(
    kode: str, *, admin_email: str | None = None, data_dir: Path | None = None
) -> RegionSetup:
    """Set up the province or kabupaten/kota ``kode``, all or nothing (see the module).

    Raises :class:`RegionSetupError` with a message in the active language for
    a code that is malformed, unknown, below the kabupaten/kota, or of an
    administrative city; for a bad e-mail address; and for a broken reference file.
    """
    started = time.perf_counter()
    region = region_for_setup(kode)
    email = _checked_email(admin_email)
    path = Path(data_dir or settings.KEMBAR_DATA_DIR) / AFFAIRS_FILE
    try:
        units = standard_units(region, affairs_read(path))
    except ReferenceDataError as error:
        raise RegionSetupError(
            _("The government affairs could not be read: %(error)s") % {"error": error}
        ) from error
    with transaction.atomic():
        results = _organisations(region, units)
        office = next(r.organisation for r in results if r.unit.slug.endswith("-kerja-sama"))
        invitation = _invitation(region, office, email)
        national_started = time.perf_counter()
        available, record = _starting_record(region.kode)
        national_seconds = time.perf_counter() - national_started
    setup = RegionSetup(region, results, invitation, available, record)
    setup.national_seconds = national_seconds
    seen: set[int] = set()
    for result in results:
        if result.created:
            setup.created.append(result.organisation)
        elif result.organisation.pk not in seen:
            setup.kept.append(result.organisation)
        seen.add(result.organisation.pk)
    setup.seconds = time.perf_counter() - started
    return setup
