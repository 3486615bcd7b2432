from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kembar.accounts.models import OrganisationKind
from kembar.accounts.region_setup import RegionSetup, RegionSetupError, setup_region


class Command(BaseCommand):
    help = (
        "Start a region on Kembar: its government, cooperation office, council and agencies from "
        "the reference data, an invitation for its administrator (a one-time link to choose a "
        "password) and its starting record from the national record. Idempotent; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kode", help="Kemendagri code of a province or kabupaten/kota, e.g. 35.78 or 32"
        )
        parser.add_argument(
            "--email", default="", help="also e-mail the invitation link to this address"
        )
        parser.add_argument(
            "--language",
            choices=["id", "en"],
            default=settings.LANGUAGE_CODE,
            help="language of the messages and of the e-mail (default: id)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            try:
                setup = setup_region(options["kode"], admin_email=options["email"] or None)
            except RegionSetupError as error:
                raise CommandError(str(error)) from error
            if options["verbosity"] >= 1:
                self._report(setup)

    def _report(self, setup: RegionSetup) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                _(
                    "%(region)s (%(kode)s) is set up, in %(seconds).1f s (of which the starting "
                    "record %(national).1f s)."
                )
                % {
                    "region": setup.region.name.strip(),
                    "kode": setup.region.kode,
                    "seconds": setup.seconds,
                    "national": setup.national_seconds,
                }
            )
        )
        write(
            _("Organisations created: %(created)d; kept as they were: %(kept)d.")
            % {"created": len(setup.created), "kept": len(setup.kept)}
        )
        shown: set[int] = set()
        for result in setup.units:
            organisation = result.organisation
            if organisation.pk in shown:
                continue
            shown.add(organisation.pk)
            status = _("created") if result.created else _("kept")
            kind = OrganisationKind(organisation.kind).label
            write(f"  {status:<8} {organisation.slug:<26} {organisation.name} ({kind})")
        self._report_invitation(setup)
        self._report_national_record(setup)

    def _report_invitation(self, setup: RegionSetup) -> None:
        write = self.stdout.write
        invitation = setup.invitation
        names = {
            "username": invitation.user.get_username(),
            "organisation": setup.cooperation_office.name,
        }
        if invitation.created:
            write(
                _(
                    "Administrator %(username)s created: a cooperation officer of "
                    "%(organisation)s, who keeps the region's records."
                )
                % names
            )
        else:
            write(_("Administrator %(username)s kept.") % names)
        if invitation.link:
            write(_("Link to choose the password (it works once, for one hour):"))
            write(f"  {invitation.link}")
            if invitation.emailed:
                write(_("The link is e-mailed to %(email)s.") % {"email": invitation.email})
            elif invitation.emailed is False:
                write(
                    self.style.WARNING(
                        _("The e-mail to %(email)s could not be sent: give the link by hand.")
                        % {"email": invitation.email}
                    )
                )
        elif not invitation.user.is_active:
            write(_("The administrator's account is switched off: no link."))
        else:
            write(
                _(
                    "The administrator has chosen a password already: no link. A forgotten "
                    "password is reset at %(url)s."
                )
                % {"url": settings.KEMBAR_SITE_URL + reverse("accounts:password-reset")}
            )

    def _report_national_record(self, setup: RegionSetup) -> None:
        if not setup.national_record_available:
            self.stdout.write(_("National record: not available."))
            return
        record = setup.national_record
        counts = ("created", "already_present", "to_review")
        if all(isinstance(getattr(record, name, None), int) for name in counts):
            summary = _(
                "partnerships created: %(created)d; already present: %(present)d; rows of "
                "the list to review: %(review)d."
            ) % {
                "created": record.created,
                "present": record.already_present,
                "review": record.to_review,
            }
        else:
            summary = str(record)
        self.stdout.write(_("National record: %(summary)s") % {"summary": summary})
