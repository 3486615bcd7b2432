"""Residents' survey page and participation certificate (PDF).

Permissions, as declared on each view:

* ``survey`` and ``certificate``: anyone holding the signed link of the
  survey e-mail (:mod:`kembar.participation.links`); the signature is the
  permission, so no sign-in is needed.  A tampered, expired or voided link is
  not found.
* ``certificate_own``: a signed-in citizen (``accounts.access_citizen_area``)
  for a registration of their own resident record; anyone else's is not found.

Both pages are personal: never cached anywhere (``private, no-store``).
The certificate is made with WeasyPrint from an HTML template, with the
system's fonts and no fetching of any URL (nothing leaves the server).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from kembar.participation.links import registration_from_survey_token
from kembar.participation.models import (
    Registration,
    RegistrationStatus,
    SurveyAgain,
    SurveyGain,
    SurveyResponse,
)
from kembar.participation.registrations import RegistrationRefused
from kembar.participation.survey import COMMENT_MAX, survey_submit

__all__ = ["SurveyForm", "certificate", "certificate_own", "certificate_pdf", "survey"]


class SurveyForm(forms.Form):
    gained = forms.MultipleChoiceField(
        label=_("What did you gain from taking part?"),
        choices=SurveyGain.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you, from 1 (not at all) to 5 (very)?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are, from 1 to 5.")},
    )
    again = forms.ChoiceField(
        label=_("Would you take part again?"),
        choices=SurveyAgain.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you would take part again: yes, maybe or no.")
        },
    )
    comment = forms.CharField(
        label=_("Anything else, in your own words (optional)"),
        help_text=_("Only the officers of this call read it; it is never published."),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": COMMENT_MAX}),
        required=False,
        strip=True,
    )


def _private(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _registration(token: str) -> Registration:
    registration = registration_from_survey_token(token)
    if registration is None:
        raise Http404
    return registration


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, signed: str) -> HttpResponseBase:
    """Public with the signed link: the survey's form, or thanks once it is answered."""
    registration = _registration(signed)
    attended = registration.status == RegistrationStatus.ATTENDED
    answered = SurveyResponse.objects.filter(registration=registration).exists()
    form = SurveyForm(request.POST if request.method == "POST" else None)
    refused = ""
    if request.method == "POST" and attended and not answered and form.is_valid():
        try:
            survey_submit(
                registration=registration,
                gained=form.cleaned_data["gained"],
                satisfaction=form.cleaned_data["satisfaction"],
                again=form.cleaned_data["again"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
        except RegistrationRefused as error:
            refused = error.message
        else:
            return _private(redirect("participation:survey", signed))
    context = {
        "registration": registration,
        "opportunity": registration.opportunity,
        "form": form,
        "token": signed,
        "attended": attended,
        "answered": answered,
        "refused": refused,
    }
    status = 403 if not attended else 200
    return _private(render(request, "participation/survey/survey.html", context, status=status))


def certificate_pdf(registration: Registration) -> bytes:
    """The participation certificate of an attended registration, in its language, as PDF."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    opportunity = registration.opportunity
    activity = opportunity.activity
    partnership = activity.partnership
    with translation.override(registration.language):
        html = render_to_string(
            "participation/survey/certificate.html",
            {
                "registration": registration,
                "opportunity": opportunity,
                "activity": activity,
                "partnership": partnership,
                "issued": timezone.localdate(),
                "language": registration.language,
            },
        )
    # No protocol is allowed: the certificate has no image, font or style sheet to fetch.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    pdf: bytes = document.write_pdf()
    return pdf


def _certificate_response(registration: Registration) -> HttpResponseBase:
    if registration.status != RegistrationStatus.ATTENDED:
        raise PermissionDenied
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="kembar-certificate-{registration.number}.pdf"'
    )
    return _private(response)


def _with_activity(queryset: Any) -> Any:
    return queryset.select_related("resident", "opportunity__activity__partnership__local_region")


@require_safe
def certificate(request: HttpRequest, signed: str) -> HttpResponseBase:
    """Public with the signed link: the certificate of an attended registration (else 403)."""
    registration = _registration(signed)
    registration = _with_activity(Registration.objects).get(pk=registration.pk)
    return _certificate_response(registration)


@require_safe
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def certificate_own(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A signed-in citizen's certificate of their own attended registration."""
    registration = get_object_or_404(
        _with_activity(Registration.objects), pk=pk, resident__user=request.user
    )
    return _certificate_response(registration)
